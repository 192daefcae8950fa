"""The bot token never reaches a log line: messages, arguments, httpx request URLs, tracebacks."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from bot.logs import REDACTED, RedactingFilter, setup_logging, stop_redacting_records
from tests.botapi_server import BotApiServer

TOKEN = "987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
OTHER_SHAPED = "555555555:QQHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Logging as the bot sets it up (at DEBUG, libraries included), captured in memory."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    setup_logging("DEBUG", [TOKEN])
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        stop_redacting_records()
        for name in ("httpx", "httpcore", "apscheduler"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved_handlers:
            root.addHandler(h)
        root.setLevel(saved_level)


def test_message_and_arguments_are_redacted(captured: io.StringIO, caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.logs")
    log.warning("token %s in args", TOKEN)
    log.warning(f"token in message {TOKEN}")
    log.warning("dict %r", {"url": f"https://api.telegram.org/bot{TOKEN}/getMe"})
    log.warning("shaped like a token: %s", OTHER_SHAPED)
    text = captured.getvalue()
    assert TOKEN not in text and OTHER_SHAPED not in text
    assert text.count(REDACTED) == 4
    assert TOKEN not in caplog.text  # records are redacted at creation: every handler sees it so


def test_exception_tracebacks_are_redacted(captured: io.StringIO) -> None:
    log = logging.getLogger("test.logs")
    try:
        raise RuntimeError(f"request to /bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("failure")
    try:
        raise ValueError(TOKEN)
    except ValueError as exc:
        log.error("with exc_info", exc_info=exc)
    text = captured.getvalue()
    assert "Traceback" in text and "RuntimeError" in text
    assert TOKEN not in text


async def test_httpx_request_logs_are_redacted(captured: io.StringIO) -> None:
    async with BotApiServer(TOKEN) as server, httpx.AsyncClient() as client:
        response = await client.post(f"{server.url}/bot{TOKEN}/getMe")
        assert response.json()["result"]["is_bot"] is True
        await client.post(f"{server.url}/bot{TOKEN}/noSuchMethod")
    text = captured.getvalue()
    assert "HTTP Request: POST" in text
    assert TOKEN not in text and f"/bot{REDACTED}/getMe" in text


async def test_httpx_errors_with_token_in_url_are_redacted(captured: io.StringIO) -> None:
    async with httpx.AsyncClient() as client:
        try:
            await client.post(f"http://127.0.0.1:9/bot{TOKEN}/getMe", timeout=1)
        except httpx.HTTPError:
            logging.getLogger("telegram.ext.Updater").exception("network error")
    assert TOKEN not in captured.getvalue()


def test_filter_is_idempotent_and_handles_bad_format() -> None:
    redactor = RedactingFilter([TOKEN])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %d", (TOKEN,), None)
    redactor.filter(record)
    assert TOKEN not in record.getMessage()
    again = logging.LogRecord("x", logging.INFO, __file__, 1, f"{TOKEN} %s", ("a",), None)
    redactor.filter(again)
    redactor.filter(again)
    assert again.getMessage() == f"{REDACTED} a"
