"""The ``[mail]`` settings checked for ``tracker check``, and the SMTP transport.

The password is read from the environment variable that ``password_env`` names, at the moment
of sending, and never logged.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol

from tracker.config import Config
from tracker.errors import MailError
from tracker.mail.tokens import MIN_SECRET

logger = logging.getLogger(__name__)
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


class Transport(Protocol):
    """Delivers one message; raises OSError or smtplib.SMTPException when it cannot."""

    def send(self, message: EmailMessage) -> None: ...


def _address(value: str | None) -> bool:
    if not value:
        return False
    _, addr = parseaddr(value)
    local, at, domain = addr.rpartition("@")
    return bool(at and local and "." in domain and " " not in addr)


def mail_problems(
    config: Config, environ: Mapping[str, str] | None = None, *, sending: bool = False
) -> list[str]:
    """What keeps the weekly letter from going out, one sentence per problem naming the key;
    empty when it is ready, or switched off (``mail.enabled = false``) unless ``sending``
    (``tracker mail send`` sends by hand whatever the switch)."""
    env = os.environ if environ is None else environ
    mail = config.mail
    if not mail.enabled and not sending:
        return []
    out: list[str] = []
    if not mail.host:
        out.append("mail.host: name the SMTP server (for example smtp.example.org)")
    if not _address(mail.sender):
        out.append(
            f"mail.sender: {mail.sender!r} is not an e-mail address "
            "(for example 'Reverse Mentoring <wochenbrief@example.org>')"
        )
    if mail.reply_to is not None and not _address(mail.reply_to):
        out.append(f"mail.reply_to: {mail.reply_to!r} is not an e-mail address")
    if mail.user and not mail.password_env:
        out.append(
            "mail.password_env: name the environment variable that holds the SMTP password "
            "of mail.user"
        )
    if mail.password_env and not env.get(mail.password_env):
        out.append(f"mail.password_env: the environment variable {mail.password_env} is not set")
    if mail.password_env and not mail.user:
        out.append("mail.user: the SMTP login name is missing (mail.password_env is set)")
    if mail.security == "tls" and mail.port == 587:
        out.append('mail.port: port 587 expects security = "starttls" (or use port 465)')
    if mail.security == "starttls" and mail.port == 465:
        out.append('mail.port: port 465 expects security = "tls" (or use port 587)')
    if mail.security == "none" and mail.host and mail.host not in LOCAL_HOSTS:
        out.append(
            f'mail.security: "none" sends letters and the password unencrypted to {mail.host}; '
            'use "starttls" or "tls"'
        )
    if len(env.get(config.web.secret_key_env, "")) < MIN_SECRET:
        out.append(
            f"web.secret_key_env: set {config.web.secret_key_env} (at least {MIN_SECRET} "
            "characters): it signs the letters' unsubscribe links"
        )
    return out


@dataclass(frozen=True)
class SmtpTransport:
    """One connection per message: letters are few, and a fresh connection recovers from
    anything the last one left behind."""

    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    timeout: float

    @classmethod
    def from_config(cls, config: Config, environ: Mapping[str, str] | None = None) -> SmtpTransport:
        """Raises MailError naming the first problem of the settings."""
        env = os.environ if environ is None else environ
        problems = mail_problems(config, env, sending=True)
        if problems:
            raise MailError(problems[0])
        mail = config.mail
        assert mail.host is not None
        password = env.get(mail.password_env) if mail.password_env else None
        return cls(mail.host, mail.port, mail.security, mail.user, password, mail.timeout)

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.user and self.password:
                smtp.login(self.user, self.password)
            smtp.send_message(message)
