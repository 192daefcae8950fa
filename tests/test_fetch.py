"""The fetcher: schemes, private addresses, redirects checked hop by hop, size limit, timeouts, 304."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from news.fetch import FetchError, HttpFetcher, address_refusal


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/feed":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Last-Modified", "Fri, 01 Nov 2024 10:00:00 GMT")
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/hop"):
            n = int(self.path[4:] or 0)
            self.send_response(302)
            self.send_header("Location", f"/hop{n + 1}" if n < 20 else "/feed")
            self.end_headers()
        elif self.path == "/big":
            self.send_response(200)
            self.end_headers()  # no Content-Length: streamed until the connection closes
            for _ in range(100):
                self.wfile.write(b"x" * 10_000)
        elif self.path == "/slow":
            import time

            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


async def test_conditional_get_and_headers(server: str) -> None:
    fetcher = HttpFetcher(allow_private=True)
    try:
        first = await fetcher.fetch(f"{server}/feed")
        assert first.status == 200 and first.body.startswith(b"<rss")
        assert first.etag == '"v1"' and first.last_modified
        assert first.content_type == "application/rss+xml"
        second = await fetcher.fetch(f"{server}/feed", etag=first.etag)
        assert second.not_modified and second.status == 304
    finally:
        await fetcher.aclose()


async def test_private_addresses_refused_unless_allowed(server: str) -> None:
    fetcher = HttpFetcher(allow_private=False)
    try:
        with pytest.raises(FetchError, match="loopback"):
            await fetcher.fetch(f"{server}/feed")
        with pytest.raises(FetchError, match="loopback"):
            await fetcher.fetch("http://localhost:1/feed")
    finally:
        await fetcher.aclose()
    for addr, label in (
        ("10.1.2.3", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
    ):
        assert label in (address_refusal(addr) or ""), addr
    assert address_refusal("93.184.216.34") is None


async def test_only_http_and_https() -> None:
    fetcher = HttpFetcher(allow_private=True)
    try:
        for url in (
            "file:///etc/passwd",
            "ftp://example.com/x",
            "gopher://x",
            "/relative",
            "http://u:p@host/",
        ):
            with pytest.raises(FetchError):
                await fetcher.fetch(url)
    finally:
        await fetcher.aclose()


async def test_redirects_limited_and_each_hop_checked(server: str) -> None:
    fetcher = HttpFetcher(allow_private=True, max_redirects=3)
    try:
        with pytest.raises(FetchError, match="redirects"):
            await fetcher.fetch(f"{server}/hop0")
        ok = await HttpFetcher(allow_private=True, max_redirects=30).fetch(f"{server}/hop15")
        assert ok.final_url.endswith("/feed")
    finally:
        await fetcher.aclose()

    # a public host that redirects to a private address: refused at the second hop
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "public.example":
            return httpx.Response(302, headers={"Location": "http://internal.example/admin"})
        return httpx.Response(200, text="secret")

    async def resolver(host: str, port: int) -> list[str]:
        return {"public.example": ["93.184.216.34"], "internal.example": ["10.0.0.5"]}[host]

    guarded = HttpFetcher(transport=httpx.MockTransport(handler), resolver=resolver)
    try:
        with pytest.raises(FetchError, match="private"):
            await guarded.fetch("http://public.example/")
    finally:
        await guarded.aclose()


async def test_size_limit_streamed(server: str) -> None:
    fetcher = HttpFetcher(allow_private=True, max_bytes=50_000)
    try:
        with pytest.raises(FetchError, match="larger than"):
            await fetcher.fetch(f"{server}/big")
    finally:
        await fetcher.aclose()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "999999999"}, content=b"")

    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    mock = HttpFetcher(transport=httpx.MockTransport(handler), resolver=resolver, max_bytes=1000)
    try:
        with pytest.raises(FetchError, match="Content-Length"):
            await mock.fetch("https://news.example/feed")
    finally:
        await mock.aclose()


async def test_timeout_and_http_errors(server: str) -> None:
    fetcher = HttpFetcher(allow_private=True, timeout=0.3)
    try:
        with pytest.raises(FetchError, match=r"timed out|Timeout"):
            await fetcher.fetch(f"{server}/slow")
        with pytest.raises(FetchError, match="HTTP 404"):
            await fetcher.fetch(f"{server}/missing")
        with pytest.raises(FetchError):
            await fetcher.fetch("http://127.0.0.1:1/closed")
    finally:
        await fetcher.aclose()
    await asyncio.sleep(0)
