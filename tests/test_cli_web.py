"""The web commands end to end against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT
from test_sources_http import Server, send, serve

from quoteverify.cli import main
from quoteverify.sources import Fetcher, fetch_article

CORPUS = str(ROOT / "fixtures" / "transcripts")
ARTICLE = """<!doctype html><html><head><title>Putin on Turkey</title></head><body>
<nav><a href="/">Home</a> “Not a quote in the menu,” it said.</nav>
<article><h1>Putin on Turkey</h1>
<p>“I think it is Turkey that owes an apology,” Putin said in an interview.</p>
<p>Mr Putin insisted it was “impossible” for Turkey not to know.</p>
</article>
<aside>Related: “Other story,” a reader wrote.</aside>
</body></html>
"""
TRANSCRIPT = """<html><head><title>Briefing on the summit</title></head><body>
<p>ANNA PETROVA: We will open the ports to every ship this winter.</p>
<p>BORIS IVANOV: The ports stay closed until the talks end.</p>
</body></html>
"""


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Server]:
    # The page cache goes to a temporary folder, never to the user's home.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield from serve()


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _findings(stdout: str) -> list[dict[str, object]]:
    keep = ("line", "column", "quote", "claimed_speaker", "verdict", "source", "source_line")
    return [{k: json.loads(x)[k] for k in keep} for x in stdout.splitlines()]


def test_check_url_gives_the_same_findings_as_the_saved_article(
    web: Server, tmp_path: Path
) -> None:
    url = web.page("/news/putin.html", ARTICLE)
    fetched = run("check", url, "--corpus", CORPUS, "--format", "jsonl", "--no-index")
    assert fetched.exit_code == 0, fetched.stderr
    records = [json.loads(x) for x in fetched.stdout.splitlines()]
    assert [r["file"] for r in records] == [url, url]
    assert [(r["quote"], r["verdict"]) for r in records] == [
        ("I think it is Turkey that owes an apology,", "verified"),
        ("impossible", "verified"),
    ]
    # Saved as the file the fetch produced, the article gives the same findings.
    saved = tmp_path / "putin.html"
    with Fetcher() as f:
        saved.write_text(fetch_article(url, f, use_cache=False).text, encoding="utf-8")
    local = run("check", str(saved), "--corpus", CORPUS, "--format", "jsonl", "--no-index")
    assert _findings(local.stdout) == _findings(fetched.stdout)


def test_check_url_uses_the_cache_unless_told_not_to(web: Server) -> None:
    url = web.page("/a.html", ARTICLE)
    for _ in range(2):
        run("check", url, "--corpus", CORPUS, "--no-index")
    assert web.hits["/a.html"] == 1
    run("check", url, "--corpus", CORPUS, "--no-index", "--no-cache")
    assert web.hits["/a.html"] == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.html", "HTTP 404"),
        ("/image.png", "not text"),
    ],
)
def test_check_url_failure_is_an_error_naming_the_url(web: Server, path: str, message: str) -> None:
    web.page("/image.png", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")
    url = web.url(path)
    result = run("check", url, "--corpus", CORPUS, "--no-index")
    assert result.exit_code == 2
    errors = [x for x in result.stderr.splitlines() if x.startswith("quoteverify: error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"quoteverify: error: {url}: ")
    assert message in errors[0]


def test_check_refuses_other_schemes() -> None:
    result = run("check", "ftp://example.org/a.txt", "--corpus", CORPUS, "--no-index")
    assert result.exit_code == 2
    assert "quoteverify: error: ftp://example.org/a.txt: " in result.stderr


def test_corpus_add_writes_a_transcript_the_checker_uses(web: Server, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    url = web.page("/briefing", TRANSCRIPT)
    added = run("corpus", "add", url, "--corpus", str(corpus), "--date", "2015-11-27")
    assert added.exit_code == 0, added.stderr
    files = sorted(p.name for p in corpus.iterdir())
    assert len(files) == 1 and files[0].endswith(".txt")
    text = (corpus / files[0]).read_text(encoding="utf-8")
    assert f"source: {url}\n" in text
    assert f"sha256: {hashlib.sha256(TRANSCRIPT.encode()).hexdigest()}\n" in text
    article = tmp_path / "a.txt"
    article.write_text("“The ports stay closed until the talks end,” Ivanov said.\n", "utf-8")
    checked = run("check", str(article), "--corpus", str(corpus), "--format", "jsonl")
    record = json.loads(checked.stdout)
    assert (record["verdict"], record["source_speaker"]) == ("verified", "BORIS IVANOV")
    again = run("corpus", "add", url, "--corpus", str(corpus), "--date", "2015-11-27")
    assert again.exit_code == 2
    assert sorted(p.name for p in corpus.iterdir() if not p.name.startswith(".")) == files


def test_corpus_sync_twice_fetches_nothing_the_second_time(web: Server, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()

    def briefing(req: BaseHTTPRequestHandler, n: int) -> None:
        # A server that honours conditional requests, as transcript sites do.
        if req.headers.get("If-None-Match") == '"v1"':
            send(req, 304, b"", None, {"ETag": '"v1"'})
        else:
            send(req, 200, TRANSCRIPT.encode(), headers={"ETag": '"v1"'})

    url = web.route("/briefing", briefing)
    (corpus / "sources.toml").write_text(
        f'[[source]]\nurl = "{url}"\ndate = "2015-11-27"\n', encoding="utf-8"
    )
    first = run("corpus", "sync", "--corpus", str(corpus))
    second = run("corpus", "sync", "--corpus", str(corpus))
    assert (first.exit_code, second.exit_code) == (0, 0), first.stderr + second.stderr
    assert first.stderr.splitlines()[-1] == (
        "sources: 1 fetched, 0 not modified (304), 0 unchanged, 0 errors"
    )
    assert second.stderr.splitlines()[-1] == (
        "sources: 0 fetched, 1 not modified (304), 0 unchanged, 0 errors"
    )
    offline = run("corpus", "sync", "--corpus", str(corpus), "--offline")
    assert offline.exit_code == 0
    assert offline.stderr.splitlines()[-1].startswith("sources: 1 present")
