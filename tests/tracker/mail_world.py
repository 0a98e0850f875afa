"""A real SMTP server on 127.0.0.1 (aiosmtpd) and the settings that point the letters at it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tracker.config import Config, MailSection, WebSection
from tracker.mail.smtp import SmtpTransport

SECRET = "ein-langer-geheimer-schluessel-nur-fuer-tests-0123456789"
WEEK = "2025-W11"  # sent Monday 10.03.2025, about 03.03. to 09.03.2025


@dataclass
class Inbox:
    """What the server accepted, and how many deliveries it still refuses."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_config(port: int) -> Config:
    return Config(
        mail=MailSection(
            enabled=True,
            host="127.0.0.1",
            port=port,
            security="none",
            sender="Reverse Mentoring <wochenbrief@beispiel.invalid>",
            reply_to="koordination@beispiel.invalid",
            timeout=5,
        ),
        web=WebSection(base_url="https://fortschritt.beispiel.invalid"),
    )


def transport(config: Config) -> SmtpTransport:
    return SmtpTransport.from_config(config, {"TRACKER_SECRET_KEY": SECRET})
