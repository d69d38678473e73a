"""The shared HTTP client against a real server on 127.0.0.1, and MockTransport where it must."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from quoteverify import __version__
from quoteverify.sources.errors import FetchError
from quoteverify.sources.files import atomic_write
from quoteverify.sources.http import TRANSCRIPT_TYPES, Fetcher, HttpSettings

Handler = Callable[[BaseHTTPRequestHandler, int], None]


def send(
    req: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    content_type: str | None = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> None:
    """Write one response; without `length` the body ends when the connection closes."""
    req.send_response(status)
    if content_type is not None:
        req.send_header("Content-Type", content_type)
    for k, v in (headers or {}).items():
        req.send_header(k, v)
    if length:
        req.send_header("Content-Length", str(len(body)))
    else:
        req.send_header("Connection", "close")
        req.close_connection = True
    req.end_headers()
    if req.command != "HEAD":
        # The client may stop reading: that is what a size limit does.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            req.wfile.write(body)


@dataclass
class Server:
    """Routes by path; counts hits and records each request's headers and client port."""

    base: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def page(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.route(path, lambda r, n: send(r, 200, data, content_type, headers))


def _handler_class(server: Server) -> type[BaseHTTPRequestHandler]:
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be seen

        def do_GET(self) -> None:
            path = self.path
            with server.lock:
                n = server.hits.get(path, 0)
                server.hits[path] = n + 1
                server.requests.append((path, dict(self.headers), self.client_address[1]))
            handler = server.routes.get(path)
            if handler is None:
                send(self, 404, b"not here", "text/plain")
            else:
                handler(self, n)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return H


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up (a size limit, a timeout) is expected here


def serve() -> Iterator[Server]:
    """A real HTTP server on 127.0.0.1 with an ephemeral port, in a thread (a fixture body)."""
    state = Server()
    httpd = _QuietServer(("127.0.0.1", 0), _handler_class(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    """The local HTTP server of a test."""
    yield from serve()


class Sleeps(list[float]):
    """An injected sleep that records instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


FAST = HttpSettings(connect_timeout=2.0, read_timeout=2.0, retries=2, backoff_base=0.5)


def fetcher(settings: HttpSettings = FAST, **kw: object) -> tuple[Fetcher, Sleeps]:
    sleeps = Sleeps()
    return Fetcher(settings, sleep=sleeps, jitter=lambda: 0.0, **kw), sleeps  # type: ignore[arg-type]


def _error(f: Fetcher, url: str, **kw: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        f.fetch(url, **kw)  # type: ignore[arg-type]
    return info.value


# A gzip body of 16 MiB of zeros: about 16 KiB on the wire.
BOMB = gzip.compress(b"\0" * (16 * 1024 * 1024), compresslevel=9)


def test_page_user_agent_and_connection_reuse(server: Server) -> None:
    url = server.page("/a", "<p>Hello</p>")
    f, _ = fetcher()
    with f:
        pages = [f.fetch(url) for _ in range(3)]
    assert [p.text for p in pages] == ["<p>Hello</p>"] * 3
    assert pages[0].media_type == "text/html" and pages[0].charset == "utf-8"
    agents = {h["User-Agent"] for _, h, _ in server.requests}
    assert agents == {
        f"quoteverify/{__version__} (quotation checker; +https://pypi.org/project/quoteverify/)"
    }
    assert len({port for _, _, port in server.requests}) == 1  # one connection, reused


def test_redirects_followed(server: Server) -> None:
    server.page("/end", "done", "text/plain")
    server.route("/r2", lambda r, n: send(r, 302, headers={"Location": "/end"}))
    url = server.route("/r1", lambda r, n: send(r, 301, headers={"Location": server.url("/r2")}))
    page = fetcher()[0].fetch(url)
    assert (page.text, page.final_url, page.url) == ("done", server.url("/end"), url)


@pytest.mark.parametrize(
    ("routes", "start", "max_redirects", "message"),
    [
        ({"/a": "/b", "/b": "/a"}, "/a", 5, "redirect loop at {base}/a"),
        ({"/s": "/s"}, "/s", 5, "redirect loop at {base}/s"),
        (
            {"/1": "/2", "/2": "/3", "/3": "/4", "/4": "/5"},
            "/1",
            2,
            "too many redirects (more than 2)",
        ),
        (
            {"/f": "ftp://127.0.0.1/file"},
            "/f",
            5,
            "redirect to another scheme refused: ftp://127.0.0.1/file",
        ),
        (
            {"/x": "file:///etc/passwd"},
            "/x",
            5,
            "redirect to another scheme refused: file:///etc/passwd",
        ),
    ],
)
def test_redirect_faults(
    server: Server, routes: dict[str, str], start: str, max_redirects: int, message: str
) -> None:
    for path, to in routes.items():
        server.route(path, lambda r, n, to=to: send(r, 302, headers={"Location": to}))
    f, _ = fetcher(HttpSettings(max_redirects=max_redirects, retries=0))
    err = _error(f, server.url(start))
    assert (err.reason, err.message) == ("redirect", message.format(base=server.base))
    assert str(err) == f"{server.url(start)}: {err.message}"


def test_https_to_http_redirect_refused() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            return httpx.Response(301, headers={"Location": "http://news.example/plain"})
        return httpx.Response(200, text="downgraded")

    f = Fetcher(HttpSettings(retries=0), transport=httpx.MockTransport(handle))
    err = _error(f, "https://news.example/story")
    assert err.message == "redirect from https to another scheme refused: http://news.example/plain"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/a.txt", "unsupported URL scheme 'ftp': only http and https"),
        ("file:///etc/passwd", "unsupported URL scheme 'file': only http and https"),
        ("javascript:alert(1)", "unsupported URL scheme 'javascript': only http and https"),
        ("example.org/page", "unsupported URL scheme 'none': only http and https"),
        ("http:///path", "URL has no host"),
    ],
)
def test_other_schemes_refused(url: str, message: str) -> None:
    err = _error(Fetcher(), url)
    assert (err.reason, err.message, err.url) == ("scheme", message, url)


@pytest.mark.parametrize(
    ("status", "message"),
    [(404, "HTTP 404 Not Found"), (403, "HTTP 403 Forbidden"), (410, "HTTP 410 Gone")],
)
def test_client_errors_not_retried(server: Server, status: int, message: str) -> None:
    url = server.route("/e", lambda r, n: send(r, status, b"no"))
    f, sleeps = fetcher()
    err = _error(f, url)
    assert (err.reason, err.status, err.message, sleeps) == ("status", status, message, [])
    assert server.hits["/e"] == 1


def test_500_then_200_retried_with_backoff(server: Server) -> None:
    url = server.route(
        "/flaky", lambda r, n: send(r, 500, b"oops") if n < 2 else send(r, 200, b"ok", "text/plain")
    )
    f, sleeps = fetcher()
    assert f.fetch(url).text == "ok"
    assert sleeps == [0.25, 0.5]  # base 0.5 doubled, halved by zero jitter
    assert server.hits["/flaky"] == 3


def test_5xx_gives_up_after_retries(server: Server) -> None:
    url = server.route("/down", lambda r, n: send(r, 503, b"down"))
    f, sleeps = fetcher()
    err = _error(f, url)
    assert (err.message, len(sleeps), server.hits["/down"]) == (
        "HTTP 503 Service Unavailable",
        2,
        3,
    )


def test_backoff_grows_with_jitter_and_cap() -> None:
    f = Fetcher(HttpSettings(backoff_base=1.0, backoff_max=5.0), jitter=lambda: 1.0)
    assert [f.backoff(k) for k in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    g = Fetcher(HttpSettings(backoff_base=1.0, backoff_max=5.0), jitter=lambda: 0.5)
    assert [g.backoff(k) for k in range(3)] == [0.75, 1.5, 3.0]


def test_429_honours_retry_after(server: Server) -> None:
    url = server.route(
        "/busy",
        lambda r, n: (
            send(r, 429, b"", headers={"Retry-After": "3"})
            if n == 0
            else send(r, 200, b"fine", "text/plain")
        ),
    )
    f, sleeps = fetcher()
    assert f.fetch(url).text == "fine"
    assert sleeps == [3.0]


def test_429_retry_after_http_date() -> None:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "Thu, 01 Jan 2026 00:00:10 GMT"})
        return httpx.Response(200, text="ok", headers={"Content-Type": "text/plain"})

    sleeps = Sleeps()
    f = Fetcher(
        transport=httpx.MockTransport(handle), sleep=sleeps, clock=lambda: 1767225600.0
    )  # 2026-01-01T00:00:00Z
    assert f.fetch("https://busy.example/").text == "ok"
    assert sleeps == [10.0]


def test_429_retry_after_too_long_fails_at_once(server: Server) -> None:
    url = server.route("/later", lambda r, n: send(r, 429, b"", headers={"Retry-After": "3600"}))
    f, sleeps = fetcher()
    err = _error(f, url)
    assert err.message == (
        "HTTP 429 Too Many Requests (Retry-After 3600 s is longer than the 120 s limit)"
    )
    assert sleeps == []


def test_slow_server_times_out(server: Server) -> None:
    def slow(r: BaseHTTPRequestHandler, n: int) -> None:
        time.sleep(1.0)
        send(r, 200, b"late")

    url = server.route("/slow", slow)
    f, sleeps = fetcher(HttpSettings(read_timeout=0.2, retries=1, backoff_base=0.01))
    started = time.monotonic()
    err = _error(f, url)
    assert (err.reason, err.message) == ("timeout", "timed out (read timeout 0.2 s)")
    assert len(sleeps) == 1 and time.monotonic() - started < 3


@pytest.mark.parametrize("length", [True, False])
def test_huge_body_cut_off(server: Server, length: bool) -> None:
    body = b"x" * 3_000_000
    url = server.route("/big", lambda r, n: send(r, 200, body, "text/plain", length=length))
    f, _ = fetcher(HttpSettings(max_bytes=1_000_000, retries=0))
    err = _error(f, url)
    assert (err.reason, err.message) == ("too-large", "response larger than 1000000 bytes")


def test_gzip_bomb_cut_off(server: Server) -> None:
    url = server.route(
        "/bomb",
        lambda r, n: send(r, 200, BOMB, "text/html", headers={"Content-Encoding": "gzip"}),
    )
    f, _ = fetcher(HttpSettings(max_bytes=1024 * 1024, retries=0))
    err = _error(f, url)
    assert (err.reason, err.message) == ("too-large", "response larger than 1 MiB")
    assert len(BOMB) < 1024 * 1024  # the wire size alone would have passed


def test_gzip_page_decoded_and_hashed(server: Server) -> None:
    text = "<p>Zipped “page”</p>"
    url = server.route(
        "/gz",
        lambda r, n: send(
            r, 200, gzip.compress(text.encode()), headers={"Content-Encoding": "gzip"}
        ),
    )
    page = fetcher()[0].fetch(url)
    assert page.text == text and page.content == text.encode()
    assert server.requests[0][1]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("image/png", b"\x89PNG\r\n\x1a\n....", "not text: content type image/png"),
        ("application/pdf", b"%PDF-1.4", "not text: content type application/pdf"),
        ("application/octet-stream", b"abc", "not text: content type application/octet-stream"),
        ("application/json", b"{}", "not text: content type application/json"),
        (None, b"\x89PNG\r\n\x1a\n\0\0\0", "not text: the body is binary data"),
        ("text/html", b"<p>a\0b\0c\0</p>" * 20, "not text: the body is binary data"),
    ],
)
def test_wrong_content_type_refused(
    server: Server, content_type: str | None, body: bytes, message: str
) -> None:
    url = server.route("/bin", lambda r, n: send(r, 200, body, content_type))
    err = _error(fetcher()[0], url)
    assert (err.reason, err.message) == ("not-text", message)


def test_vtt_only_where_asked(server: Server) -> None:
    url = server.page("/t.vtt", "WEBVTT\n", "text/vtt")
    assert _error(fetcher()[0], url).message == "not text: content type text/vtt"
    assert fetcher()[0].fetch(url, accept=TRANSCRIPT_TYPES).text == "WEBVTT\n"


@pytest.mark.parametrize(
    ("content_type", "body", "text", "warnings"),
    [
        (
            "text/html; charset=ISO-8859-1",
            "<p>Café ’x’</p>".encode("cp1252"),
            "<p>Café ’x’</p>",
            (),
        ),
        (
            "text/plain; charset=windows-1252",
            "“Ja”, sagte sie.".encode("cp1252"),
            "“Ja”, sagte sie.",
            (),
        ),
        ("text/plain; charset=koi8-r", "Привет, мир".encode("koi8-r"), "Привет, мир", ()),
        ('text/plain; charset="shift_jis"', "日本語".encode("shift_jis"), "日本語", ()),
        (
            "text/html",
            b'<meta charset="iso-8859-15"><p>\xa4 5</p>',
            '<meta charset="iso-8859-15"><p>€ 5</p>',
            (),
        ),
        (
            "text/plain",
            "naïve".encode("cp1252"),
            "naïve",
            ("not UTF-8; decoded as Windows-1252 (cp1252)",),
        ),
        (
            "text/plain; charset=utf-8",
            "café".encode("cp1252"),
            "café",
            ("bytes are not utf-8 (at byte 3); not UTF-8; decoded as Windows-1252 (cp1252)",),
        ),
        (
            "text/plain; charset=x-unknown",
            b"plain",
            "plain",
            ("unknown charset 'x-unknown'; decoded as UTF-8",),
        ),
    ],
)
def test_charset_from_headers(
    server: Server, content_type: str, body: bytes, text: str, warnings: tuple[str, ...]
) -> None:
    url = server.route("/enc", lambda r, n: send(r, 200, body, content_type))
    page = fetcher()[0].fetch(url)
    assert (page.text, page.warnings) == (text, warnings)


def test_dns_failure_is_named_and_not_retried() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc

    sleeps = Sleeps()
    f = Fetcher(transport=httpx.MockTransport(handle), sleep=sleeps)
    err = _error(f, "https://no-such-host.example/a")
    assert (err.reason, err.message, sleeps) == (
        "dns",
        "cannot resolve host 'no-such-host.example' (DNS)",
        [],
    )


def test_connection_refused_retried_then_named() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    f, sleeps = fetcher(HttpSettings(retries=2, backoff_base=0.01))
    err = _error(f, f"http://127.0.0.1:{port}/")
    assert err.reason == "connect" and err.message.startswith("cannot connect: ")
    assert len(sleeps) == 2


def test_per_host_concurrency_bound(server: Server) -> None:
    active = [0, 0]  # now, most
    lock = threading.Lock()

    def slow(r: BaseHTTPRequestHandler, n: int) -> None:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1
        send(r, 200, b"ok", "text/plain")

    url = server.route("/c", slow)
    f, _ = fetcher(HttpSettings(per_host=2))
    threads = [threading.Thread(target=f.fetch, args=(url,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (server.hits["/c"], active[1]) == (6, 2)


def test_cache_keyed_by_url_with_bypass_and_revalidation(server: Server, tmp_path: Path) -> None:
    def page(r: BaseHTTPRequestHandler, n: int) -> None:
        if r.headers.get("If-None-Match") == '"v1"':
            send(r, 304, headers={"ETag": '"v1"'})
        else:
            send(r, 200, b"<p>cached</p>", headers={"ETag": '"v1"'})

    url = server.route("/art", page)
    now = [1000.0]
    f = Fetcher(FAST, cache_dir=tmp_path / "cache", clock=lambda: now[0])
    first = f.fetch(url, use_cache=True)
    second = f.fetch(url, use_cache=True)
    assert (first.from_cache, second.from_cache, second.text) == (False, True, "<p>cached</p>")
    assert server.hits["/art"] == 1
    f.fetch(url, use_cache=False)  # the bypass: always asks the server
    assert server.hits["/art"] == 2
    now[0] += FAST.cache_ttl + 1  # stale: revalidated with a conditional request
    third = f.fetch(url, use_cache=True)
    assert (third.from_cache, third.text, server.hits["/art"]) == (True, "<p>cached</p>", 3)
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    atomic_write(target, b"old")
    with pytest.raises(Exception, match="exists"):
        atomic_write(target, b"new", overwrite=False)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]
