"""Transcript pages -> our transcript format, and `corpus add` against a real local server."""

# ruff: noqa: E501  (tables of cases read best one case a line)

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_sources_http import Server, fetcher, send, serve

from quoteverify.corpus import load_corpus, parse_transcript
from quoteverify.sources.errors import FetchError, SourceError
from quoteverify.sources.files import inside, safe_file_name
from quoteverify.sources.http import Page
from quoteverify.sources.transcript import add_transcript, transcript_from_page


@pytest.fixture
def server() -> Iterator[Server]:
    """The local HTTP server of a test."""
    yield from serve()


DAY = datetime.date(2024, 5, 6)


def page(text: str, media_type: str = "text/html", url: str = "http://127.0.0.1/t") -> Page:
    data = text.encode("utf-8")
    return Page(url, url, 200, data, text, media_type)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


HTML = """<html><head><title>Briefing | Gov</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<main><h1>Press briefing on the bridge</h1>
<p>Released on 4 March. Transcript as delivered.</p>
<p><strong>THE MAYOR:</strong> Good morning. The bridge will be finished
before the winter rains.</p>
<p>We have waited long enough.</p>
<p><b>Q:</b> What about the budget?</p>
<p>MS. LEE (off mic): Tight: but honest.</p>
<p>Note: the sound was off for a minute.</p>
<p>THE MAYOR:</p><p>Thank you all.</p>
</main><footer>Copyright: Gov</footer></body></html>"""


def test_html_turns() -> None:
    draft = transcript_from_page(page(HTML), fetched=DAY)
    assert draft.text == (
        "---\n"
        "title: Press briefing on the bridge\n"
        "source: http://127.0.0.1/t\n"
        "fetched: 2024-05-06\n"
        f"sha256: {sha(HTML)}\n"
        "speakers: [THE MAYOR, Q, MS. LEE]\n"
        "---\n"
        "THE MAYOR: Good morning. The bridge will be finished before the winter rains.\n"
        "We have waited long enough.\n"
        "\n"
        "Q: What about the budget?\n"
        "\n"
        "MS. LEE: Tight: but honest.\n"
        "\n"
        "THE MAYOR: Thank you all.\n"
    )
    assert (draft.turns, draft.dropped) == (4, 2)  # the intro line and the editor's note
    parsed = parse_transcript(draft.text, path="t.txt", corpus="c")
    assert [t.speaker for t in parsed.turns] == ["THE MAYOR", "Q", "MS. LEE", "THE MAYOR"]


@pytest.mark.parametrize(
    ("text", "media_type", "speaker", "speakers", "body"),
    [
        (
            "Q: Will it open in May?\nA: It will.\nSo we hope.\n",
            "text/plain",
            None,
            "[Q, A]",
            "Q: Will it open in May?\n\nA: It will.\nSo we hope.\n",
        ),
        (
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Ann Lee>Welcome, <i>all</i> &amp; you.</v>\n\n"
            "00:00:04.500 --> 00:00:07.000 align:start\n<v.loud Bo Ng>Thanks, Ann.\nThree points.\n\n"
            "NOTE a comment\n\n00:00:07.000 --> 00:00:09.000\nFirst, the numbers.\n",
            "text/vtt",
            None,
            "[Ann Lee, Bo Ng]",
            "Ann Lee: Welcome, all & you.\n\nBo Ng: Thanks, Ann. Three points. First, the numbers.\n",
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nWe will rebuild.\n\n"
            "00:00:04.000 --> 00:00:05.000\nTogether.\n",
            "text/vtt",
            "Ann Lee",
            "[Ann Lee]",
            "Ann Lee: We will rebuild.\nTogether.\n",
        ),
        # A speech: no labels, one named speaker; label-like lines stay text.
        (
            "My friends, thank you.\nNote: this is the text.\n",
            "text/plain",
            "Ann Lee",
            "[Ann Lee]",
            "Ann Lee: My friends, thank you.\nNote: this is the text.\n",
        ),
        # The named speaker is among the labels (by last name): the turns are kept.
        (
            "LEE: Hello.\nNG: Hi.\n",
            "text/plain",
            "Ann Lee",
            "[LEE, NG]",
            "LEE: Hello.\n\nNG: Hi.\n",
        ),
    ],
)
def test_formats(text: str, media_type: str, speaker: str | None, speakers: str, body: str) -> None:
    draft = transcript_from_page(
        page(text, media_type), fetched=DAY, speaker=speaker, date="2024-05-01"
    )
    assert "date: 2024-05-01\n" in draft.text
    assert draft.text.split("---\n", 2)[2] == body
    assert f"speakers: {speakers}\n" in draft.text
    parse_transcript(draft.text, path="t.txt", corpus="c")


@pytest.mark.parametrize(
    ("text", "kw", "message"),
    [
        (
            "<p>Just an article, no turns at all.</p>",
            {},
            "http://127.0.0.1/t: no speaker turns found on the page (name the single speaker with --speaker)",
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nNo voices.\n",
            {},
            "http://127.0.0.1/t: no speaker turns found on the page (name the single speaker with --speaker)",
        ),
        (
            "A: b\n",
            {"date": "4 May 2024"},
            "http://127.0.0.1/t: bad date '4 May 2024': expected YYYY-MM-DD",
        ),
        (
            "A: b\n",
            {"date": "2024-02-30"},
            "http://127.0.0.1/t: bad date '2024-02-30': expected YYYY-MM-DD",
        ),
        (
            "A: b\n",
            {"speaker": "Lee, Ann"},
            "speaker name 'Lee, Ann' cannot hold a comma, bracket or colon",
        ),
    ],
)
def test_refused(text: str, kw: dict[str, str], message: str) -> None:
    media = (
        "text/vtt" if text.startswith("WEBVTT") else "text/html" if "<p>" in text else "text/plain"
    )
    with pytest.raises(SourceError) as info:
        transcript_from_page(page(text, media), fetched=DAY, **kw)  # type: ignore[arg-type]
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("title", "url", "date", "name"),
    [
        ("Press briefing: the bridge!", "http://x/a", None, "press-briefing-the-bridge.txt"),
        ("Élysée — Conférence", "http://x/a", "2015-11-26", "2015-11-26_elysee-conference.txt"),
        ("../../etc/passwd", "http://x/a", None, "etc-passwd.txt"),
        (
            "",
            "http://gov.example/news/2021/briefing.html",
            None,
            "gov-example-news-2021-briefing-html.txt",
        ),
        ("", "http://127.0.0.1:8000/", None, "127-0-0-1.txt"),
        ("???", "http://[::1]/", None, "1.txt"),
    ],
)
def test_safe_file_names(title: str, url: str, date: str | None, name: str) -> None:
    assert safe_file_name(title, url, ".txt", date=date) == name


@pytest.mark.parametrize("name", ["../x.txt", "a/b.txt", "..", "", "/etc/passwd"])
def test_unsafe_names_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(SourceError, match="unsafe file name"):
        inside(tmp_path, name)


def test_corpus_add_over_http(server: Server, tmp_path: Path) -> None:
    url = server.page("/briefing", HTML, "text/html; charset=utf-8")
    f, _ = fetcher()
    added = add_transcript(url, tmp_path, f, date="2021-03-04", today=lambda: DAY)
    assert added.path == tmp_path / "2021-03-04_press-briefing-on-the-bridge.txt"
    text = added.path.read_text(encoding="utf-8")
    assert f"source: {url}\n" in text and f"sha256: {sha(HTML)}\n" in text
    corpus, _ = load_corpus([str(tmp_path)])
    assert [len(t.turns) for t in corpus.transcripts] == [4]
    # No overwrite without force; with force the file is rewritten.
    with pytest.raises(SourceError, match="exists"):
        add_transcript(url, tmp_path, f, date="2021-03-04", today=lambda: DAY)
    again = add_transcript(url, tmp_path, f, date="2021-03-04", force=True, today=lambda: DAY)
    assert again.path == added.path and again.path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing", "status"), ("/down", "status"), ("/png", "not-text")],
)
def test_corpus_add_faults_leave_the_folder_as_it_was(
    server: Server,
    tmp_path: Path,
    path: str,
    reason: str,
) -> None:
    server.page("/png", b"\x89PNG\r\n\x1a\n", "image/png")
    server.route("/down", lambda r, n: send(r, 500, b"oops"))
    (tmp_path / "keep.txt").write_text("A: kept\n", encoding="utf-8")
    with pytest.raises(FetchError) as info:
        add_transcript(server.url(path), tmp_path, fetcher()[0], today=lambda: DAY)
    assert info.value.reason == reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_corpus_add_no_turns_writes_nothing(server: Server, tmp_path: Path) -> None:
    url = server.page("/essay", "<p>An essay with no speakers.</p>")
    with pytest.raises(SourceError, match="no speaker turns"):
        add_transcript(url, tmp_path, fetcher()[0], today=lambda: DAY)
    assert list(tmp_path.iterdir()) == []
    added = add_transcript(url, tmp_path, fetcher()[0], speaker="Ann Lee", today=lambda: DAY)
    assert added.path.name == "127-0-0-1-essay.txt"
