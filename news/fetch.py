"""Fetching feeds and pages over HTTP, defensively.

Only http and https; every hop's host is resolved and refused when any address is loopback, private,
link-local, multicast, reserved or unspecified (unless private addresses are allowed, as tests do);
redirects are followed by hand, at most `max_redirects`, each hop checked; the body is streamed and
cut off at `max_bytes`; one overall deadline; conditional GET with ETag / Last-Modified.

Residual risk: the address is checked on resolution and httpx resolves again when it connects, so a
DNS server that answers differently within that instant (rebinding) is not stopped here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "newsbot/0.1 (+self-hosted news assistant; feed reader)"
Resolver = Callable[[str, int], Awaitable[list[str]]]


class FetchError(Exception):
    """A fetch that did not produce a usable answer; the message is the reason, for counting.

    `code` says what kind of failure it is, for callers that explain it (the bot's admin replies):
    invalid (not a usable URL), scheme (not http/https), private (a refused address), resolve (the host
    does not resolve), fetch (HTTP error, timeout, too large, too many redirects, connection).
    """

    def __init__(self, message: str, code: str = "fetch") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What a fetch returned. `not_modified` is True for a 304 (empty body)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str = ""
    not_modified: bool = False

    @property
    def etag(self) -> str | None:
        """The ETag to send next time."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The Last-Modified to send next time."""
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class Fetcher(Protocol):
    """Fetches one URL (feeds and pages)."""

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET the URL; raises FetchError with the reason."""
        ...


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for a host."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def address_refusal(address: str) -> str | None:
    """Why an IP address may not be fetched from, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attr, label in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(ip, attr):
            return f"{label} address {ip}"
    return None


def check_url_syntax(url: str) -> str:
    """The URL stripped, or FetchError when it is not an absolute http(s) URL."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(f"not a valid URL: {exc}", "invalid") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(
            f"only http and https URLs are fetched, not {parts.scheme or 'a relative URL'!r}", "scheme"
        )
    if not parts.hostname:
        raise FetchError("the URL has no host", "invalid")
    if parts.username or parts.password:
        raise FetchError("URLs with credentials are refused", "invalid")
    return url


class HttpFetcher:
    """Fetcher on httpx. Give `transport` (e.g. httpx.MockTransport) and `resolver` in tests."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        allow_private: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self._resolver = resolver or system_resolver
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def check_destination(self, url: str) -> None:
        """Raise FetchError unless the URL is http(s) and its host resolves only to allowed addresses."""
        url = check_url_syntax(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = await self._resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise FetchError(f"cannot resolve {host}: {exc}", "resolve") from None
        if not addresses:
            raise FetchError(f"cannot resolve {host}", "resolve")
        if self.allow_private:
            return
        for address in addresses:
            refusal = address_refusal(address)
            if refusal:
                raise FetchError(
                    f"{host} resolves to a {refusal}; set SOURCES_ALLOW_PRIVATE=true to allow it", "private"
                )

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET with redirects checked hop by hop, a size limit and an overall deadline."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(url, etag, last_modified)
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout:g} s") from None

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.max_redirects + 1):
            await self.check_destination(current)
            try:
                async with self._client.stream("GET", current, headers=headers) as resp:
                    if resp.status_code in (301, 302, 303, 307, 308):
                        location = resp.headers.get("location")
                        if not location:
                            raise FetchError(f"redirect {resp.status_code} without a Location")
                        current = urljoin(current, location)
                        continue
                    answer_headers = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status_code == 304:
                        return FetchResult(304, b"", answer_headers, str(resp.url), not_modified=True)
                    if resp.status_code >= 400:
                        raise FetchError(f"HTTP {resp.status_code}")
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.max_bytes:
                        raise FetchError(f"larger than {self.max_bytes} bytes (Content-Length {declared})")
                    body = bytearray()
                    async for chunk in resp.aiter_bytes():
                        body.extend(chunk)
                        if len(body) > self.max_bytes:
                            raise FetchError(f"larger than {self.max_bytes} bytes")
                    return FetchResult(resp.status_code, bytes(body), answer_headers, str(resp.url))
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
        raise FetchError(f"more than {self.max_redirects} redirects")
