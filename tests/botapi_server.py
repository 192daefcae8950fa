"""A local HTTP server that speaks the Bot API, for end-to-end tests (stdlib asyncio only).

It serves `bot.console.LocalBotApi` (the same in-process API as the console chat) over HTTP at
`/bot<token>/<method>` (JSON, urlencoded or multipart form-data bodies: uploads reach the API as
`UploadedFile`), serves the files it holds at `/file/bot<token>/<file_path>` (as getFile gives them),
adds `getUpdates` long polling fed from a queue, refuses a wrong token with 401, and records every call.
Errors are injected with `api.inject_error(method, 429, ..., retry_after=1)` or
`api.blocked_chats.add(chat_id)` (403 Forbidden).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from bot.console import ApiCall, LocalBotApi, UploadedFile

JSON_TYPE = "application/json"


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """multipart/form-data fields: text fields as str, file parts (with a filename) as UploadedFile."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = UploadedFile(filename, data, part.get_content_type())
        else:
            fields[name] = data.decode(part.get_content_charset() or "utf-8")
    return fields


class BotApiServer:
    """`async with BotApiServer(token) as server:` then point the bot at `server.url`."""

    def __init__(self, token: str, api: LocalBotApi | None = None) -> None:
        self.token = token
        self.api = api or LocalBotApi()
        self.url = ""
        self.requests: list[tuple[str, str]] = []  # (HTTP method, path), token included: never log these
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> BotApiServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    # -- feeding updates and waiting for the bot ---------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for the next getUpdates."""
        self._updates.append(update)
        self._new_update.set()

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] = lambda _c: True,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for polling recorded calls
    ) -> ApiCall:
        """The first call of `method` (index ≥ after) that satisfies the predicate; fails after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.api.calls[after:]:
                if call.method == method and predicate(call):
                    return call
            if time.monotonic() > deadline:
                seen = [(c.method, c.status) for c in self.api.calls[after:]]
                raise AssertionError(f"no {method} call within {timeout}s; calls: {seen}")
            await asyncio.sleep(0.01)

    def mark(self) -> int:
        """The current number of calls, to wait only for later ones."""
        return len(self.api.calls)

    # -- HTTP ------------------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                verb, path, _ = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                self.requests.append((verb, path))
                status, kind, data = await self._respond(path, headers.get("content-type", ""), body)
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Type: {kind}\r\nContent-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _respond(self, path: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) for one request."""
        parts = path.split("?", 1)[0].strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "file" and parts[1].startswith("bot"):
            return self._file(parts[1][3:], "/".join(parts[2:]))
        status, payload = await self._call(parts, content_type, body)
        return status, JSON_TYPE, json.dumps(payload).encode()

    def _file(self, token: str, file_path: str) -> tuple[int, str, bytes]:
        if unquote(token) != self.token:  # python-telegram-bot quotes the path (':' → %3A)
            return (
                401,
                JSON_TYPE,
                json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode(),
            )
        content = self.api.download(file_path)
        if content is None:
            return (
                404,
                JSON_TYPE,
                json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode(),
            )
        return 200, "application/octet-stream", content

    async def _call(self, parts: list[str], content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if parts[0][3:] != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = parts[1]
        params: dict[str, Any] = {}
        if body and "json" in content_type:
            params = json.loads(body)
        elif body and content_type.lower().startswith("multipart/form-data"):
            params = parse_multipart(content_type, body)
        elif body:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        if method == "getUpdates":
            return await self._get_updates(params)
        return self.api.handle(method, params)

    async def _get_updates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        ready = [u for u in self._updates if u["update_id"] >= offset][:100]
        self.api.calls.append(ApiCall("getUpdates", params, 200, len(ready)))
        return 200, {"ok": True, "result": ready}
