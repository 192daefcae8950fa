"""A local Bot API server that enforces Telegram's flood limits, for the fan-out benchmark and crash tests.

It answers getMe, sendMessage and editMessageText (other methods: `{"ok": true, "result": true}`),
records every accepted message per chat, and answers 429 with `retry_after` whenever a request would
break one of the limits (sliding windows on arrival time): N messages per second overall, M per second
per private chat (id > 0), K per minute per group or channel (id < 0). A rejected request is counted and
not recorded.

Test hooks (plain HTTP, no token):
  GET  /_stats             {"messages": {chat: [[message_id, text], ...]}, "edits": {...},
                            "count": n, "429": n}; /_stats?arrivals adds [[time, refused], ...]
  POST /_config            {"blocked": [chat...], "migrated": {"old": new}, "retry_after": {"chat": seconds}}
  POST /_reset             forget everything

Run: python bench/botapi_limits.py --port 8081 [--global-rate 30 --private-rate 1 --group-per-minute 20]
It prints "listening on PORT" on stdout once ready.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "NewsBot", "username": "news_test_bot"}


class LimitState:
    """Everything the server remembers, behind one lock."""

    def __init__(self, global_rate: float, private_rate: float, group_per_minute: float) -> None:
        self.lock = threading.Lock()
        self.global_rate = global_rate
        self.private_rate = private_rate
        self.group_per_minute = group_per_minute
        self.reset()

    def reset(self) -> None:
        """Forget messages, counters and configuration."""
        self.messages: dict[int, list[list[Any]]] = defaultdict(list)
        self.edits: dict[int, list[list[Any]]] = defaultdict(list)
        self.next_id: dict[int, int] = defaultdict(lambda: 1)
        self.overall: deque[float] = deque()
        self.per_chat: dict[int, deque[float]] = defaultdict(deque)
        self.too_many = 0
        self.too_many_by_chat: dict[int, int] = defaultdict(int)
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.forced_retry: dict[int, int] = {}
        self.arrivals: list[tuple[float, int]] = []  # (monotonic time, 0 accepted / 1 refused), for analysis

    def check_limits(self, chat_id: int, now: float) -> float:
        """0 when the request may pass (and it is counted), else the seconds to wait."""
        while self.overall and self.overall[0] <= now - 1.0:
            self.overall.popleft()
        if chat_id > 0:
            window, allowed = 1.0, max(1, round(self.private_rate))
            if self.private_rate < 1:
                window, allowed = 1.0 / self.private_rate, 1
        else:
            window, allowed = 60.0, max(1, round(self.group_per_minute))
        times = self.per_chat[chat_id]
        while times and times[0] <= now - window:
            times.popleft()
        if len(self.overall) >= max(1, round(self.global_rate)):
            return max(0.001, self.overall[0] + 1.0 - now)
        if len(times) >= allowed:
            return max(0.001, times[0] + window - now)
        self.overall.append(now)
        times.append(now)
        return 0.0


STATE: LimitState


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def handle_method(method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The Bot API answer for one call."""
    state = STATE
    if method == "getMe":
        return 200, {"ok": True, "result": BOT_USER}
    if method not in ("sendMessage", "editMessageText"):
        return 200, {"ok": True, "result": True}
    try:
        chat_id = int(params.get("chat_id", 0))
    except (TypeError, ValueError):
        return 400, _error(400, "Bad Request: chat not found")
    text = str(params.get("text", ""))
    now = time.monotonic()
    with state.lock:
        if chat_id in state.blocked:
            return 403, _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in state.migrated:
            new_id = state.migrated[chat_id]
            return 400, _error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_id},
            )
        forced = state.forced_retry.pop(chat_id, 0)
        wait = float(forced) if forced else state.check_limits(chat_id, now)
        state.arrivals.append((now, int(wait > 0)))
        if wait > 0:
            state.too_many += 1
            state.too_many_by_chat[chat_id] += 1
            retry = max(1, int(wait + 0.999))
            return 429, _error(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return 400, _error(400, "Bad Request: message is too long")
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if method == "sendMessage":
            message_id = state.next_id[chat_id]
            state.next_id[chat_id] += 1
            state.messages[chat_id].append([message_id, text])
        else:
            message_id = int(params.get("message_id", 0))
            known = {m[0]: m for m in state.messages.get(chat_id, [])}
            if message_id not in known:
                return 400, _error(400, "Bad Request: message to edit not found")
            if known[message_id][1] == text:
                return 400, _error(400, "Bad Request: message is not modified")
            known[message_id][1] = text
            state.edits[chat_id].append([message_id, text])
        result = {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": text}
        return 200, {"ok": True, "result": result}


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as httpx expects."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes: avoid the 40 ms Nagle stall

    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""

    def _reply(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _params(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            loaded = json.loads(raw or b"{}")
            return loaded if isinstance(loaded, dict) else {}
        if "multipart" in ctype:
            return {}
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}

    def do_GET(self) -> None:
        """Stats, or a GET Bot API call."""
        if self.path.startswith("/_stats"):
            with STATE.lock:
                body = {
                    "messages": {str(k): v for k, v in STATE.messages.items()},
                    "edits": {str(k): v for k, v in STATE.edits.items()},
                    "count": sum(len(v) for v in STATE.messages.values()),
                    "429": STATE.too_many,
                    "429_by_chat": {str(k): v for k, v in STATE.too_many_by_chat.items()},
                    "arrivals": STATE.arrivals if "arrivals" in self.path else [],
                }
            self._reply(200, body)
            return
        self._call()

    def do_POST(self) -> None:
        """A Bot API call or a test hook."""
        if self.path.startswith("/_config"):
            cfg = self._params()
            with STATE.lock:
                STATE.blocked.update(int(c) for c in cfg.get("blocked", []))
                STATE.migrated.update({int(k): int(v) for k, v in cfg.get("migrated", {}).items()})
                STATE.forced_retry.update({int(k): int(v) for k, v in cfg.get("retry_after", {}).items()})
            self._reply(200, {"ok": True})
            return
        if self.path.startswith("/_reset"):
            with STATE.lock:
                STATE.reset()
            self._reply(200, {"ok": True})
            return
        self._call()

    def _call(self) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) < 2 or not parts[0].startswith("bot"):
            self._reply(404, _error(404, "Not Found"))
            return
        try:
            params = self._params()
        except (ValueError, UnicodeDecodeError):
            self._reply(400, _error(400, "Bad Request: cannot parse parameters"))
            return
        code, body = handle_method(parts[1], params)
        self._reply(code, body)


def serve(port: int, global_rate: float, private_rate: float, group_per_minute: float) -> ThreadingHTTPServer:
    """Start the server on a thread; returns it (call `shutdown()` to stop)."""
    global STATE
    STATE = LimitState(global_rate, private_rate, group_per_minute)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    """Run until killed."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--global-rate", type=float, default=30.0)
    ap.add_argument("--private-rate", type=float, default=1.0)
    ap.add_argument("--group-per-minute", type=float, default=20.0)
    args = ap.parse_args(argv)
    server = serve(args.port, args.global_rate, args.private_rate, args.group_per_minute)
    print(f"listening on {server.server_address[1]}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
