"""Logging setup. A filter on every handler redacts the bot token, wherever a library prints it."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

# Bot API tokens look like 123456789:AA...; the URL form is /bot<token>/method.
# No \b before the digits: in URLs the token follows "bot" (/bot123:ABC...), with no word boundary.
_TOKEN_PATTERN = re.compile(r"(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "[REDACTED]"


class RedactingFilter(logging.Filter):
    """Replaces known secrets and anything shaped like a bot token in the rendered message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with secrets replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redact it, and freeze it into the record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record.msg, record.args = redacted, None
        return True


_base_factory: Callable[..., logging.LogRecord] | None = None


def redact_every_record(redactor: RedactingFilter) -> None:
    """Redact every log record when it is created, so that any handler (files, pytest's capture,
    handlers a library adds) only ever sees redacted text. Installing again replaces the redactor."""
    global _base_factory
    if _base_factory is None:
        _base_factory = logging.getLogRecordFactory()
    base = _base_factory

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(factory)


def stop_redacting_records() -> None:
    """Undo `redact_every_record` (for tests)."""
    global _base_factory
    if _base_factory is not None:
        logging.setLogRecordFactory(_base_factory)
        _base_factory = None


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> RedactingFilter:
    """Configure the root logger to stderr with token redaction; quiet chatty libraries."""
    redactor = RedactingFilter(secrets)
    redact_every_record(redactor)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return redactor
