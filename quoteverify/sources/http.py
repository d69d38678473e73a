"""One shared HTTP client for articles and transcript pages: limits, retries, redirects, cache.

Every failure is a FetchError naming the URL and the reason. Content-Encoding is decoded here,
not by httpx, so that the size limit counts decompressed bytes as they arrive: a
decompression bomb is cut off after `max_bytes`, never held in memory.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime
import email.utils
import hashlib
import json
import os
import random
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

import httpx

from quoteverify import __version__
from quoteverify.errors import InputFileError
from quoteverify.sources.errors import FetchError
from quoteverify.sources.files import atomic_write
from quoteverify.textio import decode

__all__ = [
    "ARTICLE_TYPES",
    "TRANSCRIPT_TYPES",
    "USER_AGENT",
    "Fetcher",
    "HttpSettings",
    "Page",
    "check_url",
    "default_cache_dir",
]

USER_AGENT = (
    f"quoteverify/{__version__} (quotation checker; +https://pypi.org/project/quoteverify/)"
)

# Media types worth reading; anything else (images, PDF, JSON, octet-stream) is refused
# from the headers, before the body is read.
ARTICLE_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown"}
)
TRANSCRIPT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/vtt"})

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65536
# Browsers read these labels as Windows-1252 (WHATWG Encoding), and so do pages written for them.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"})
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)


@dataclass(frozen=True)
class HttpSettings:
    """Limits of the client; the defaults suit one person checking a few pages."""

    connect_timeout: float = 10.0  # seconds to open a connection
    read_timeout: float = 30.0  # seconds without a byte from the server
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024  # of decoded body, counted while streaming
    retries: int = 3  # further attempts after a connection error, 429 or 5xx
    backoff_base: float = 0.5  # seconds before the first retry, doubled each time
    backoff_max: float = 30.0
    max_retry_after: float = 120.0  # a longer Retry-After fails at once rather than wait
    per_host: int = 2  # requests in flight to one host
    cache_ttl: float = 3600.0  # seconds a cached page is used without asking the server
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Page:
    """A fetched page: its body bytes (Content-Encoding removed) and their decoded text."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int  # 200, or 304 for a conditional request whose page has not changed
    content: bytes = b""
    text: str = ""
    media_type: str = ""
    charset: str | None = None  # as declared by the headers or a <meta> tag
    etag: str | None = None
    last_modified: str | None = None
    from_cache: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        """Whether the server answered 304 Not Modified to a conditional request."""
        return self.status == 304

    @property
    def sha256(self) -> str:
        """The SHA-256 of the body bytes, hex."""
        return hashlib.sha256(self.content).hexdigest()


def check_url(url: str) -> httpx.URL:
    """The URL parsed, or a FetchError when it is not an absolute http or https URL."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(url, "scheme", f"invalid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        shown = parsed.scheme or "none"
        raise FetchError(url, "scheme", f"unsupported URL scheme '{shown}': only http and https")
    if not parsed.host:
        raise FetchError(url, "scheme", "URL has no host")
    return parsed


def default_cache_dir() -> Path:
    """Where fetched articles are cached: $XDG_CACHE_HOME/quoteverify/http or ~/.cache/..."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "quoteverify" / "http"


class _Retry(Exception):
    """A failure worth another attempt, with the server's Retry-After if it gave one."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _secs(value: float) -> str:
    return f"{value:g} s"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _is_dns(exc: BaseException) -> bool:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, socket.gaierror):
            return True
        text = str(e).lower()
        if "name or service not known" in text or "nodename nor servname" in text:
            return True
        if "getaddrinfo" in text or "name resolution" in text:
            return True
        e = e.__cause__ or e.__context__
    return False


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - now)


def _media_type(header: str | None) -> tuple[str, str | None]:
    """(media type lower-cased, charset or None) of a Content-Type header."""
    if not header:
        return "", None
    media, *params = header.split(";")
    charset = None
    for p in params:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def _codec(label: str) -> str | None:
    """The Python codec for a charset label, or None when unknown."""
    label = label.lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _decode_body(
    url: str, data: bytes, media: str, charset: str | None
) -> tuple[str, tuple[str, ...]]:
    """The body as text: a BOM first, then the declared charset, then sniffing as for files."""
    declared = charset
    if declared is None and media in ("text/html", "application/xhtml+xml"):
        m = _META_CHARSET.search(data, 0, 4096)
        if m is not None:
            declared = m.group(1).decode("ascii").lower()
    codec = _codec(declared) if declared else None
    if codec is not None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            note = f"bytes are not {declared} (at byte {exc.start})"
        else:
            if "\x00" in text:
                raise FetchError(url, "not-text", "not text: the body holds NUL characters")
            return text, ()
    else:
        note = f"unknown charset '{declared}'" if declared else ""
    try:
        text, notes = decode(data, name=url)
    except InputFileError:
        raise FetchError(url, "not-text", "not text: the body is binary data") from None
    return text, ((f"{note}; {notes[0] if notes else 'decoded as UTF-8'}",) if note else notes)


class _Cache:
    """Fetched pages on disk, one body and one JSON record per URL (keyed by its SHA-256)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / f"{key}.json", self.root / f"{key}.body"

    def load(self, url: str) -> tuple[Page, float] | None:
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("sha256") != hashlib.sha256(body).hexdigest():
            return None  # a torn or foreign entry is a miss, never an error
        try:
            page = Page(
                url=url,
                final_url=str(meta["final_url"]),
                status=200,
                content=body,
                text=body.decode("utf-8"),
                media_type=str(meta["media_type"]),
                charset=meta.get("charset"),
                etag=meta.get("etag"),
                last_modified=meta.get("last_modified"),
                from_cache=True,
            )
            return page, float(meta["stored_at"])
        except (KeyError, TypeError, ValueError):
            return None

    def store(self, page: Page, now: float) -> None:
        meta_path, body_path = self._paths(page.url)
        # The text is stored as UTF-8 so the entry needs no charset sniffing when read back;
        # `sha256` covers what is stored, the page's own hash is kept beside it.
        body = page.text.encode("utf-8")
        meta = {
            "url": page.url,
            "final_url": page.final_url,
            "media_type": page.media_type,
            "charset": page.charset,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "stored_at": now,
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        try:
            atomic_write(body_path, body)
            atomic_write(meta_path, json.dumps(meta, indent=1).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs a fetch next time


class Fetcher:
    """A shared httpx.Client with per-host limits, retries, safe redirects and a page cache."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        cache_dir: Path | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings or HttpSettings()
        s = self.settings
        self.client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=False,  # followed here, to check each hop's scheme and loops
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        self._cache = _Cache(cache_dir) if cache_dir is not None else None
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._lock = threading.Lock()
        self._slots: dict[tuple[str, str, int | None], threading.BoundedSemaphore] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    @contextlib.contextmanager
    def _slot(self, url: httpx.URL) -> Iterator[None]:
        key = (url.scheme, url.host, url.port)
        with self._lock:
            sem = self._slots.get(key)
            if sem is None:
                sem = self._slots[key] = threading.BoundedSemaphore(self.settings.per_host)
        with sem:
            yield

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number attempt (0-based): doubling, capped, with jitter."""
        s = self.settings
        delay = min(s.backoff_max, s.backoff_base * 2.0**attempt)
        # "Equal jitter": at least half the delay, so waits still grow, spread over the rest.
        return delay / 2 + self._jitter() * delay / 2

    def fetch(
        self,
        url: str,
        *,
        accept: frozenset[str] = ARTICLE_TYPES,
        etag: str | None = None,
        last_modified: str | None = None,
        use_cache: bool = False,
    ) -> Page:
        """GET url; with etag/last_modified the request is conditional (a 304 Page may return)."""
        check_url(url)
        cached: Page | None = None
        if use_cache and self._cache is not None:
            hit = self._cache.load(url)
            if hit is not None:
                cached, stored_at = hit
                if self._clock() - stored_at < self.settings.cache_ttl:
                    return cached
                # Stale: ask the server whether it changed, keeping the cached copy if not.
                etag, last_modified = cached.etag, cached.last_modified
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        page = self._with_retries(url, headers, accept)
        if cached is not None and self._cache is not None:
            if page.not_modified:
                page = replace(cached, etag=page.etag or cached.etag, from_cache=True)
            self._cache.store(page, self._clock())
            return page
        if use_cache and self._cache is not None and not page.not_modified:
            self._cache.store(page, self._clock())
        return page

    def _with_retries(self, url: str, headers: dict[str, str], accept: frozenset[str]) -> Page:
        s = self.settings
        attempt = 0
        while True:
            try:
                return self._follow(url, headers, accept)
            except _Retry as r:
                if attempt >= s.retries:
                    raise r.error from None
                if r.retry_after is not None and r.retry_after > s.max_retry_after:
                    raise FetchError(
                        r.error.url,
                        r.error.reason,
                        f"{r.error.message} (Retry-After {_secs(r.retry_after)} is longer than "
                        f"the {_secs(s.max_retry_after)} limit)",
                        status=r.error.status,
                    ) from None
                delay = r.retry_after if r.retry_after is not None else self.backoff(attempt)
                self._sleep(delay)
                attempt += 1

    def _follow(self, url: str, headers: dict[str, str], accept: frozenset[str]) -> Page:
        """One attempt: the request and its redirects, at most max_redirects of them."""
        current = check_url(url)
        seen = {str(current)}
        for _ in range(self.settings.max_redirects + 1):
            nxt = self._request(url, current, headers, accept)
            if isinstance(nxt, Page):
                return nxt
            if nxt.scheme != current.scheme:
                raise FetchError(
                    url,
                    "redirect",
                    f"redirect from {current.scheme} to another scheme refused: {nxt}",
                )
            if str(nxt) in seen:
                raise FetchError(url, "redirect", f"redirect loop at {nxt}")
            seen.add(str(nxt))
            current = nxt
        raise FetchError(
            url, "redirect", f"too many redirects (more than {self.settings.max_redirects})"
        )

    def _request(
        self, url: str, target: httpx.URL, headers: dict[str, str], accept: frozenset[str]
    ) -> Page | httpx.URL:
        """GET target: a Page, or the URL a redirect points to."""
        s = self.settings
        try:
            with self._slot(target), self.client.stream("GET", target, headers=headers) as resp:
                status = resp.status_code
                if status in _REDIRECTS:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError(url, "redirect", f"HTTP {status} without a Location")
                    try:
                        nxt = target.join(location.strip())
                    except httpx.InvalidURL:
                        raise FetchError(
                            url, "redirect", f"redirect to an invalid URL: {location}"
                        ) from None
                    if nxt.scheme not in ("http", "https"):
                        raise FetchError(
                            url, "redirect", f"redirect to another scheme refused: {location}"
                        )
                    return nxt
                if status == 304 and ("If-None-Match" in headers or "If-Modified-Since" in headers):
                    return Page(
                        url=url,
                        final_url=str(target),
                        status=304,
                        etag=resp.headers.get("ETag") or headers.get("If-None-Match"),
                        last_modified=resp.headers.get("Last-Modified")
                        or headers.get("If-Modified-Since"),
                    )
                if status == 429 or status >= 500:
                    reason = f"HTTP {status} {resp.reason_phrase}".rstrip()
                    raise _Retry(
                        FetchError(url, "status", reason, status=status),
                        _retry_after(resp.headers.get("Retry-After"), self._clock()),
                    )
                if not 200 <= status < 300:
                    reason = f"HTTP {status} {resp.reason_phrase}".rstrip()
                    raise FetchError(url, "status", reason, status=status)
                media, charset = _media_type(resp.headers.get("Content-Type"))
                if media and media not in accept:
                    raise FetchError(url, "not-text", f"not text: content type {media}")
                body = self._read(url, resp)
        except httpx.TimeoutException as exc:
            which = (
                f"connect timeout {_secs(s.connect_timeout)}"
                if isinstance(exc, httpx.ConnectTimeout)
                else f"read timeout {_secs(s.read_timeout)}"
            )
            raise _Retry(FetchError(url, "timeout", f"timed out ({which})")) from None
        except httpx.ConnectError as exc:
            if _is_dns(exc):
                raise FetchError(url, "dns", f"cannot resolve host '{target.host}' (DNS)") from None
            raise _Retry(FetchError(url, "connect", f"cannot connect: {exc}")) from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(url, "scheme", f"unsupported URL: {exc}") from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            message = str(exc) or type(exc).__name__
            raise _Retry(FetchError(url, "connect", f"connection failed: {message}")) from None
        text, notes = _decode_body(url, body, media, charset)
        return Page(
            url=url,
            final_url=str(target),
            status=status,
            content=body,
            text=text,
            media_type=media or "text/plain",
            charset=charset,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
            warnings=notes,
        )

    def _read(self, url: str, resp: httpx.Response) -> bytes:
        """The body with Content-Encoding removed, stopped as soon as it passes max_bytes."""
        limit = self.settings.max_bytes
        too_large = FetchError(url, "too-large", f"response larger than {_size(limit)}")
        encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding in ("", "identity"):
            inflater = None
            length = resp.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > limit:
                raise too_large
        elif encoding in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            inflater = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError(url, "not-text", f"unsupported content encoding '{encoding}'")
        parts: list[bytes] = []
        total = 0

        def add(piece: bytes) -> None:
            nonlocal total
            total += len(piece)
            if total > limit:
                raise too_large
            parts.append(piece)

        try:
            # A response built in memory (a test transport) holds its body already.
            raw = [resp.content] if resp.is_stream_consumed else resp.iter_raw(_CHUNK)
            for chunk in raw:
                if inflater is None:
                    add(chunk)
                    continue
                data = chunk
                while data:
                    # max_length (never 0: that means unbounded) caps each output, so one
                    # small compressed chunk cannot expand unseen.
                    add(inflater.decompress(data, limit + 1 - total))
                    data = inflater.unconsumed_tail
            if inflater is not None:
                add(inflater.flush())
        except zlib.error as exc:
            raise FetchError(url, "not-text", f"corrupt {encoding} body: {exc}") from None
        return b"".join(parts)
