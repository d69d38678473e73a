"""`sources.toml` sync against a real local server: conditional requests, pins, offline."""

# ruff: noqa: E501  (tables of cases read best one case a line)

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from test_sources_http import Server, fetcher, send, serve

from quoteverify.corpus import load_corpus
from quoteverify.sources.errors import SourceError
from quoteverify.sources.sync import STATE_FILE, check_offline, read_manifest, sync


@pytest.fixture
def server() -> Iterator[Server]:
    """The local HTTP server of a test."""
    yield from serve()


DAY = datetime.date(2024, 5, 6)
ONE = "<main><h1>Town hall</h1><p>ANN LEE: We will build it.</p><p>BO NG: We will not.</p></main>"
TWO = "Q: Is it open?\nA: Since Monday.\n"
LAST_MODIFIED = formatdate(1700000000, usegmt=True)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _etag_page(body: list[str]):  # type: ignore[no-untyped-def]
    """A page with an ETag that answers If-None-Match; `body[0]` may change between syncs."""

    def handle(r: BaseHTTPRequestHandler, n: int) -> None:
        tag = f'"{sha(body[0])[:12]}"'
        if r.headers.get("If-None-Match") == tag:
            send(r, 304, headers={"ETag": tag})
        else:
            send(r, 200, body[0].encode(), headers={"ETag": tag})

    return handle


def _dated_page(r: BaseHTTPRequestHandler, n: int) -> None:
    if r.headers.get("If-Modified-Since") == LAST_MODIFIED:
        send(r, 304)
    else:
        send(r, 200, TWO.encode(), "text/plain", headers={"Last-Modified": LAST_MODIFIED})


def _manifest(folder: Path, *entries: str) -> None:
    (folder / "sources.toml").write_text("\n".join(entries), encoding="utf-8")


def test_sync_twice_second_time_all_not_modified(server: Server, tmp_path: Path) -> None:
    one = server.route("/one", _etag_page([ONE]))
    two = server.route("/two", _dated_page)
    _manifest(
        tmp_path,
        f'[[source]]\nurl = "{one}"\ndate = 2024-05-01\nsha256 = "{sha(ONE)}"\n',
        f'[[source]]\nurl = "{two}"\ntitle = "Questions"\n',
    )
    f, _ = fetcher()
    first = sync(tmp_path, f, today=lambda: DAY)
    assert (first.fetched, first.not_modified, first.unchanged, first.errors) == (
        (one, two),
        (),
        (),
        (),
    )
    assert first.summary() == "sources: 2 fetched, 0 not modified (304), 0 unchanged, 0 errors"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [STATE_FILE, "2024-05-01_town-hall.txt", "questions.txt", "sources.toml"]
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}

    second = sync(tmp_path, f, today=lambda: DAY + datetime.timedelta(days=1))
    assert (second.fetched, second.not_modified, second.unchanged) == ((), (one, two), ())
    assert second.summary() == "sources: 0 fetched, 2 not modified (304), 0 unchanged, 0 errors"
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before  # byte for byte
    second_round = {path: h for path, h, _ in server.requests[2:]}
    assert second_round["/one"]["If-None-Match"] == f'"{sha(ONE)[:12]}"'
    assert second_round["/two"]["If-Modified-Since"] == LAST_MODIFIED
    corpus, _ = load_corpus([str(tmp_path)])
    assert [t.speakers for t in corpus.transcripts] == [("ANN LEE", "BO NG"), ("Q", "A")]
    assert check_offline(tmp_path).summary() == "sources: 2 present, 0 errors (offline)"


def test_sync_without_validators_reports_unchanged(server: Server, tmp_path: Path) -> None:
    url = server.page("/plain", TWO, "text/plain")
    _manifest(tmp_path, f'[[source]]\nurl = "{url}"\n')
    f, _ = fetcher()
    assert sync(tmp_path, f, today=lambda: DAY).fetched == (url,)
    again = sync(tmp_path, f, today=lambda: DAY)
    assert (again.fetched, again.not_modified, again.unchanged) == ((), (), (url,))


def test_pin_mismatch_is_an_error_and_keeps_the_old_transcript(
    server: Server,
    tmp_path: Path,
) -> None:
    body = [ONE]
    url = server.route("/one", _etag_page(body))
    _manifest(tmp_path, f'[[source]]\nurl = "{url}"\nsha256 = "{sha(ONE)}"\n')
    f, _ = fetcher()
    assert sync(tmp_path, f, today=lambda: DAY).fetched == (url,)
    path = tmp_path / "town-hall.txt"
    old = path.read_bytes()
    body[0] = ONE.replace("We will not.", "We never said that.")
    result = sync(tmp_path, f, today=lambda: DAY)
    assert result.errors == (
        f"{url}: page changed: sha256 {sha(body[0])} does not match the pin {sha(ONE)}; "
        "kept town-hall.txt",
    )
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        STATE_FILE,
        "sources.toml",
        "town-hall.txt",
    ]
    # A new entry whose page does not match its pin writes nothing at all.
    _manifest(tmp_path, f'[[source]]\nurl = "{url}"\nsha256 = "{"0" * 64}"\n')
    path.unlink()
    assert len(sync(tmp_path, f, today=lambda: DAY).errors) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE, "sources.toml"]


def test_unpinned_change_is_fetched_again(server: Server, tmp_path: Path) -> None:
    body = [ONE]
    url = server.route("/one", _etag_page(body))
    _manifest(tmp_path, f'[[source]]\nurl = "{url}"\n')
    f, _ = fetcher()
    sync(tmp_path, f, today=lambda: DAY)
    body[0] = ONE.replace("We will not.", "Maybe.")
    result = sync(tmp_path, f, today=lambda: DAY)
    assert result.fetched == (url,)
    assert "BO NG: Maybe.\n" in (tmp_path / "town-hall.txt").read_text(encoding="utf-8")


def test_sync_faults_are_one_line_errors(server: Server, tmp_path: Path) -> None:
    ok = server.page("/ok", TWO, "text/plain")
    gone = server.url("/gone")
    image = server.page("/img", b"GIF89a", "image/gif")
    _manifest(
        tmp_path,
        f'[[source]]\nurl = "{ok}"\n',
        f'[[source]]\nurl = "{gone}"\n',
        f'[[source]]\nurl = "{image}"\n',
    )
    result = sync(tmp_path, fetcher()[0], today=lambda: DAY)
    assert result.fetched == (ok,)
    assert result.errors == (
        f"{gone}: HTTP 404 Not Found",
        f"{image}: not text: content type image/gif",
    )


def test_offline_check(server: Server, tmp_path: Path) -> None:
    url = server.page("/plain", TWO, "text/plain")
    missing = server.url("/never")
    _manifest(tmp_path, f'[[source]]\nurl = "{url}"\nsha256 = "{sha(TWO)}"\n')
    sync(tmp_path, fetcher()[0], today=lambda: DAY)
    hits = dict(server.hits)
    _manifest(
        tmp_path,
        f'[[source]]\nurl = "{url}"\nsha256 = "{"a" * 64}"\n',
        f'[[source]]\nurl = "{missing}"\n',
    )
    (tmp_path / "other.txt").write_text(
        "---\nsource: http://elsewhere.example/\n---\nA: b\n", encoding="utf-8"
    )
    result = check_offline(tmp_path)
    assert result.errors == (
        f"{url}: 127-0-0-1-plain.txt has sha256 {sha(TWO)}, the pin is {'a' * 64}",
        f"{missing}: no transcript in {tmp_path} has this source (run corpus sync)",
    )
    assert result.untracked == ("http://elsewhere.example/",)
    assert server.hits == hits  # no request


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[source]]\nurl = "ftp://x/y"\n',
            "[[source]] #1: ftp://x/y: unsupported URL scheme 'ftp': only http and https",
        ),
        ('[[source]]\ntitle = "t"\n', "[[source]] #1: url is required"),
        (
            '[[source]]\nurl = "http://x/"\n[[source]]\nurl = "http://x/"\n',
            "[[source]] #2: http://x/ is listed twice",
        ),
        (
            '[[source]]\nurl = "http://x/"\nsha256 = "abc"\n',
            "[[source]] #1: sha256 must be 64 hex digits",
        ),
        (
            '[[source]]\nurl = "http://x/"\ndate = "May"\n',
            "[[source]] #1: bad date 'May': expected YYYY-MM-DD",
        ),
        ('[[source]]\nurl = "http://x/"\nspeker = "A"\n', "[[source]] #1: unknown key 'speker'"),
        ("[[source]]\nurl = 3\n", "[[source]] #1: url must be a string"),
        ("source = 1\n", "expected [[source]] tables"),
        (
            "[[source]\n",
            "TOML syntax error: Expected ']]' at the end of an array declaration (at line 1, column 9)",
        ),
    ],
)
def test_manifest_errors(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "sources.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_manifest(tmp_path)
    assert str(info.value) == f"{tmp_path / 'sources.toml'}: {message}"
