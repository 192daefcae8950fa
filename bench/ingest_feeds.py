"""Feed ingestion robustness: feedparser's 1,170 test feeds served over local HTTP, polled by the real poller.

Every file becomes a source on a local server (with the HTTP headers its test comment declares, e.g.
`Header: Content-type: text/plain`), then every source is polled once. Nothing may crash the poller;
every rejection (document, item or article) is counted with its reason. Teaser pages are not fetched
(their links point to the internet).

    python bench/ingest_feeds.py [--limit N] [--show 25]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from news.clock import FixedClock  # noqa: E402
from news.fetch import HttpFetcher  # noqa: E402
from news.ingest import IngestService  # noqa: E402
from news.poller import PollingLimits, SourcePoller  # noqa: E402
from storage.articles import SqliteArticleStore, SqliteEventLog  # noqa: E402
from storage.db import Database  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "feedparser" / "tests"
_HEADER = re.compile(rb"^\s*Header:\s*([A-Za-z-]+):\s*(.+?)\s*$", re.MULTILINE)


def serve(root: Path) -> ThreadingHTTPServer:
    """A server for the test files, sending the headers each file's test comment declares."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            """The file, with its declared headers."""
            path = (root / unquote(self.path.lstrip("/"))).resolve()
            if root not in path.parents or not path.is_file():
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = path.read_bytes()
            headers = {
                k.decode("latin-1").title(): v.decode("latin-1") for k, v in _HEADER.findall(body[:2000])
            }
            headers.setdefault("Content-Type", "application/xml")
            self.send_response(200)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "content-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _reason(message: str) -> str:
    """A rejection message without the variable parts, for counting."""
    text = re.sub(r"<unknown>:\d+:\d+", "<pos>", message)
    text = re.sub(r"line \d+, column \d+", "<pos>", text)
    text = re.sub(r"\d+", "N", text)
    return text[:110]


async def run(limit: int | None, show: int) -> int:
    """Poll every test feed once; print counts."""
    files = sorted(DATA.rglob("*.xml"))[:limit]
    server = serve(DATA)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    clock = FixedClock(datetime(2024, 11, 1, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "feeds.sqlite3")
        events = SqliteEventLog(db, clock)
        fetcher = HttpFetcher(allow_private=True, timeout=10)
        poller = SourcePoller(
            db,
            fetcher,
            IngestService(SqliteArticleStore(db, clock), events),
            clock,
            limits=PollingLimits(max_failures=3),
            events=events,
            max_pages_per_poll=0,
            concurrency=16,
        )
        async with db.atomic() as conn:
            await conn.executemany(
                "INSERT INTO sources(url, kind, added_at) VALUES (?, 'feed', ?)",
                [(f"{base}/{quote(str(p.relative_to(DATA)))}", "2024-11-01T00:00:00+00:00") for p in files],
            )
        started = time.perf_counter()
        results = await poller.poll_due()
        elapsed = time.perf_counter() - started
        kinds = Counter(r["kind"] for r in await db.fetchall("SELECT kind FROM events"))
        reasons: Counter[str] = Counter()
        rejected = await db.fetchall(
            "SELECT kind, message FROM events WHERE kind IN ('source.rejected', 'ingest.rejected')"
        )
        for r in rejected:
            reasons[f"{r['kind']}: {_reason(r['message'])}"] += 1
        articles = int(await db.scalar("SELECT COUNT(*) FROM articles") or 0)
        await fetcher.aclose()
        await db.close()
    server.shutdown()
    statuses = Counter(r.status for r in results)
    crashed = [r for r in results if r.crashed]
    print(f"feeds polled         {len(results)} in {elapsed:.1f} s")
    print(f"poll outcomes        {dict(statuses)}")
    print(f"items read           {sum(r.items for r in results)}")
    print(f"articles stored      {articles}")
    exact, near = sum(r.duplicates for r in results), sum(r.near_duplicates for r in results)
    print(f"duplicates           {exact} exact, {near} near")
    print(f"events               {dict(kinds)}")
    print(f"rejections counted   {sum(reasons.values())} ({len(reasons)} distinct reasons)")
    print(f"unexpected errors    {len(crashed)} (poller exceptions caught and counted; target 0)")
    for r in crashed[:10]:
        print(f"   {r.url}: {r.error}")
    for reason, n in reasons.most_common(show):
        print(f"  {n:5d}  {reason}")
    return 0 if not crashed and len(results) == len(files) else 1


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--show", type=int, default=25, help="how many rejection reasons to list")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if not DATA.is_dir():
        print(f"feedparser tests not found at {DATA}")
        return 1
    return asyncio.run(run(args.limit, args.show))


if __name__ == "__main__":
    sys.exit(main())
