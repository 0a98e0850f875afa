"""Helpers for connector tests: recorded or documentation-shaped payloads from tests/fixtures."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"


def load(platform: str, name: str) -> Any:
    """The JSON fixture ``tests/fixtures/<platform>/<name>``."""
    return json.loads((FIXTURES / platform / name).read_text(encoding="utf-8"))


def text(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text(encoding="utf-8")


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """Capture every log record at DEBUG (root and libraries); call the result for the text,
    exceptions included, as a handler would write it."""
    caplog.set_level(logging.DEBUG)
    for name in ("tweepy", "tweepy.client", "urllib3", "urllib3.connectionpool", "httpx"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def render() -> str:
        return "\n".join(formatter.format(r) for r in caplog.records)

    yield render
