"""Fan-out benchmark: one new story to N subscribed chats through the real outbox and sender.

Starts the limit-enforcing local Bot API server (bench/botapi_limits.py) as a separate process,
enqueues one message per chat in one transaction, runs the sender until the outbox is empty, then asks
the server what it received. Prints: time to deliver all, the limit's floor (N / global rate), 429s,
lost and duplicated messages.

    python bench/fanout.py                     # 10,000 chats, real time (about 5.7 minutes)
    python bench/fanout.py --chats 500 --scale 10   # limits ×10 on both sides: a quick check

`--child` is used by tests/test_crash_delivery.py: run only the sender side against a running server
(enqueue if the database is empty, then drain), so the test can SIGKILL it and start it again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.delivery import OutboxSender, PtbApi, SendLimits, acquire_sender_lock  # noqa: E402
from news.clock import SystemClock  # noqa: E402
from storage.articles import SqliteEventLog  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.outbox import OutboxStore  # noqa: E402

TOKEN = "123456:bench-token"
STORY_TEXT = (
    "<b>North Korea's foreign minister meets Lavrov in Moscow</b>\n"
    "2 articles · ru, bg · nur.kz, dnevnik.bg\n"
    '• <a href="https://example.org/a">КНДР впервые подтвердила оказание военной помощи России</a>'
)


def chat_ids(count: int) -> list[int]:
    """Private chats (positive ids); the fan-out case that only the overall limit paces."""
    return [100_000 + i for i in range(count)]


async def run_sender(
    db_path: Path, server: str, chats: int, scale: float, in_flight: int
) -> dict[str, float]:
    """Enqueue (if the outbox is empty) and drain; returns sender stats."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    clock = SystemClock()
    db = await Database.open(db_path)
    try:
        store = OutboxStore(db, clock)
        if await db.scalar("SELECT COUNT(*) FROM outbox") == 0:
            await store.enqueue_broadcast(chat_ids(chats), "story:1:v1", STORY_TEXT)
        limits = SendLimits(
            global_per_second=30.0 * scale, private_per_second=1.0 * scale, group_per_minute=20.0 * scale
        )
        request = HTTPXRequest(connection_pool_size=max(4, in_flight * 2))
        bot = Bot(TOKEN, base_url=f"{server}/bot", request=request)
        with acquire_sender_lock(db_path):
            async with bot:
                sender = OutboxSender(
                    store,
                    PtbApi(bot),
                    clock,
                    limits=limits,
                    events=SqliteEventLog(db, clock),
                    max_in_flight=in_flight,
                    idle_poll=0.05,
                )
                started = time.monotonic()
                stats = await sender.run(until_idle=True)
                elapsed = time.monotonic() - started
        return {
            "elapsed": elapsed,
            "sent": stats.sent,
            "retry_after": stats.retry_after,
            "uncertain": stats.uncertain,
            "failed": stats.failed,
        }
    finally:
        await db.close()


def start_server(scale: float) -> tuple[subprocess.Popen[str], str]:
    """Start bench/botapi_limits.py; returns the process and its base URL."""
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "botapi_limits.py"),
            "--port",
            "0",
            "--global-rate",
            str(30 * scale),
            "--private-rate",
            str(1 * scale),
            "--group-per-minute",
            str(20 * scale),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    port = int(line.strip().rsplit(" ", 1)[1])
    return proc, f"http://127.0.0.1:{port}"


def server_stats(server: str) -> dict[str, object]:
    """The server's record of what it received."""
    with urllib.request.urlopen(f"{server}/_stats", timeout=30) as resp:
        loaded: dict[str, object] = json.loads(resp.read())
        return loaded


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --child, just the sender)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chats", type=int, default=10_000)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every limit (fast mode for tests)")
    ap.add_argument("--in-flight", type=int, default=8, help="concurrent requests at most")
    ap.add_argument("--child", action="store_true", help="sender only, against --server, on --db")
    ap.add_argument("--server", help="base URL of a running local Bot API server")
    ap.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    if args.child:
        result = asyncio.run(run_sender(args.db, args.server, args.chats, args.scale, args.in_flight))
        print(json.dumps(result), flush=True)
        return 0

    proc, server = start_server(args.scale)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = args.db or Path(tmp) / "fanout.sqlite3"
            result = asyncio.run(run_sender(db_path, server, args.chats, args.scale, args.in_flight))
        stats = server_stats(server)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    messages = stats["messages"]
    assert isinstance(messages, dict)
    got = {int(k): len(v) for k, v in messages.items()}
    expected = chat_ids(args.chats)
    lost = sum(1 for c in expected if got.get(c, 0) == 0)
    duplicated = sum(1 for c in expected if got.get(c, 0) > 1)
    floor = args.chats / (30.0 * args.scale)
    print(f"chats                {args.chats}")
    print(f"scale                {args.scale:g} (limits ×{args.scale:g})")
    print(f"delivered            {sum(got.values())}")
    print(
        f"time to deliver all  {result['elapsed']:.1f} s"
        f" (floor {floor:.1f} s, {floor / result['elapsed']:.1%} of it)"
    )
    print(f"429 answers          {stats['429']}")
    print(f"lost                 {lost}")
    print(f"duplicated           {duplicated}")
    return 0 if lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
