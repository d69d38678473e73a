"""Main text of article pages, and `check URL` == checking the saved article."""

# ruff: noqa: E501  (tables of cases read best one case a line)

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_sources_http import Server, fetcher, serve

from quoteverify.config import Config
from quoteverify.corpus import load_corpus
from quoteverify.extract import detect_format
from quoteverify.match import build_index
from quoteverify.models import BlockKind, DocFormat
from quoteverify.pipeline import Article, check_article
from quoteverify.sources.article import extract_article, fetch_article
from quoteverify.textio import read_text


@pytest.fixture
def server() -> Iterator[Server]:
    """The local HTTP server of a test."""
    yield from serve()


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mayor backs the bridge plan | Daily Example</title>
<style>p { color: red }</style><script>var s = "He said \\"nothing\\" here";</script></head>
<body>
<header class="site-header"><a href="/">Daily Example</a>
<nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies. "Accept" to continue.</div>
<main>
<article>
<h1>Mayor backs the bridge plan</h1>
<p class="byline">By Ann Writer</p>
<div class="article-body">
<p>Mayor Ann Lee said on Tuesday that the bridge would be "finished before the winter rains",
in a speech to the council.</p>
<aside class="pullquote"><p>“finished before the winter rains”</p></aside>
<p>"We have waited long enough for this crossing," Lee told reporters, adding that the budget
was "tight but honest".</p>
<blockquote class="pull-quote">We have waited long enough for this crossing</blockquote>
<p>Bo Ng called it <a href="/x">"a bridge to nowhere"</a> &amp; said he would vote against it.</p>
<blockquote><p>"Nobody asked the ferry crews," said Bo Ng.</p></blockquote>
<ul class="related-links"><li><a href="/a">Council approves "historic" budget</a></li></ul>
<p>The council votes next month.</p>
</div>
<div class="share-tools"><a href="#">Share on "Social"</a></div>
</article>
<section class="related-articles"><h2>Related</h2><ul><li><a href="/a">Bridge costs "rise"</a></li></ul></section>
<section id="comments"><h2>Comments</h2><div class="comment"><p>Reader: "What a waste," I say.</p></div></section>
</main>
<footer><p>© Daily Example. "All rights reserved."</p></footer>
</body></html>
"""

BODY = [
    ("heading", ("Mayor backs the bridge plan",)),
    (
        "paragraph",
        (
            'Mayor Ann Lee said on Tuesday that the bridge would be "finished before the winter '
            'rains", in a speech to the council.',
        ),
    ),
    (
        "paragraph",
        (
            '"We have waited long enough for this crossing," Lee told reporters, adding that the '
            'budget was "tight but honest".',
        ),
    ),
    ("paragraph", ('Bo Ng called it "a bridge to nowhere" & said he would vote against it.',)),
    ("blockquote", ('"Nobody asked the ferry crews," said Bo Ng.',)),
    ("paragraph", ("The council votes next month.",)),
]


def _blocks(source: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(b.kind.value, b.paragraphs) for b in extract_article(source).blocks]


def test_main_text_without_boilerplate_and_pull_quotes_once() -> None:
    art = extract_article(PAGE, url="http://127.0.0.1/a")
    assert _blocks(PAGE) == BODY
    assert (art.title, art.pull_quotes_dropped) == ("Mayor backs the bridge plan", 2)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # No <article>: the container with the most paragraph text wins over the sidebar.
        (
            "<body><div id='side'><p>Short link list, one, two, three, four.</p></div>"
            "<div id='story'><h1>Title here</h1><p>First paragraph, with commas, and words.</p>"
            "<p>Second paragraph, also long enough to count.</p></div></body>",
            [
                ("heading", ("Title here",)),
                ("paragraph", ("First paragraph, with commas, and words.",)),
                ("paragraph", ("Second paragraph, also long enough to count.",)),
            ],
        ),
        # schema.org articleBody beats everything; the <title> becomes the heading.
        (
            "<head><title>Page title</title></head><body><article><p>Teaser text that is long"
            " enough.</p></article><div itemprop='articleBody'><p>Real body.</p></div></body>",
            [("heading", ("Page title",)), ("paragraph", ("Real body.",))],
        ),
        # A pull quote with words of its own is kept, once, as a block quote.
        (
            "<article><h1>T</h1><p>Body text.</p><aside class='pull-quote'>Unique words</aside>"
            "</article>",
            [
                ("heading", ("T",)),
                ("paragraph", ("Body text.",)),
                ("blockquote", ("Unique words",)),
            ],
        ),
        # Hidden, ARIA-navigation and link-heavy blocks go; <br> splits, <q> gets quote marks.
        (
            "<article><h1>T</h1><p hidden>secret</p><div role='navigation'>menu</div>"
            "<p><a href='/1'>one link</a> <a href='/2'>two links</a></p>"
            "<p>Line one<br>line <q>two</q></p><p style='display: none'>x</p></article>",
            [("heading", ("T",)), ("paragraph", ("Line one", "line “two”"))],
        ),
        # Duplicate blocks (mobile and desktop copies) are kept once.
        (
            "<article><h1>T</h1><p>Same text.</p><div><p>Same text.</p></div></article>",
            [("heading", ("T",)), ("paragraph", ("Same text.",))],
        ),
    ],
)
def test_extraction_cases(source: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert _blocks(source) == expected


def test_clean_html_reads_back_as_the_same_blocks() -> None:
    from quoteverify.extract import load_document

    html = extract_article(PAGE, url="http://127.0.0.1/a?x=1&y=2").to_html()
    assert '<link rel="canonical" href="http://127.0.0.1/a?x=1&amp;y=2">' in html
    doc = load_document(html, DocFormat.HTML)
    kinds = [b.kind for b in doc.blocks]
    texts = [doc.text[b.span.start : b.span.end] for b in doc.blocks]
    assert kinds == [BlockKind(k) for k, _ in BODY]
    assert texts == ["\n\n".join(p) for _, p in BODY]


TRANSCRIPT = """---
title: Council session
date: 2021-03-02
speakers: [Ann Lee, Bo Ng]
---
Ann Lee: The bridge will be finished before the winter rains. We have waited long enough for
this crossing. The budget is tight but honest.
Bo Ng: This is a bridge to nowhere. Nobody asked the ferry crews.
"""


def test_check_url_gives_the_same_findings_as_the_saved_article(
    server: Server,
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "council.txt").write_text(TRANSCRIPT, encoding="utf-8")
    index = build_index(load_corpus([str(corpus)])[0])
    url = server.page("/story", PAGE)
    f, _ = fetcher(cache_dir=tmp_path / "cache")
    fetched = fetch_article(url, f)
    assert (fetched.fmt, fetched.file_name()) == (
        DocFormat.HTML,
        "mayor-backs-the-bridge-plan.html",
    )
    from_url = check_article(Article(url, fetched.text, fetched.fmt), index, Config())

    saved = tmp_path / fetched.file_name()
    saved.write_text(fetched.text, encoding="utf-8")
    text, _ = read_text(saved, name=str(saved))
    from_file = check_article(Article(str(saved), text, detect_format(saved.name)), index, Config())

    assert len(from_url.findings) == 5  # each pull quote left out: reported once, from the body
    assert [dataclasses.replace(x, file="") for x in from_url.findings] == [
        dataclasses.replace(x, file="") for x in from_file.findings
    ]
    assert {x.file for x in from_url.findings} == {url}
    # Second fetch comes from the cache; --no-cache asks the server again.
    fetch_article(url, f)
    assert server.hits["/story"] == 1
    fetch_article(url, f, use_cache=False)
    assert server.hits["/story"] == 2


@pytest.mark.parametrize(
    ("content_type", "fmt", "name"),
    [
        ("text/plain; charset=utf-8", DocFormat.TEXT, "headline-of-the-day.txt"),
        ("text/markdown", DocFormat.MARKDOWN, "headline-of-the-day.md"),
    ],
)
def test_text_and_markdown_articles_kept_as_sent(
    server: Server,
    content_type: str,
    fmt: DocFormat,
    name: str,
) -> None:
    body = '# Headline of the day\n\nShe said "yes".\n'
    url = server.page("/t", body, content_type)
    fetched = fetch_article(url, fetcher()[0], use_cache=False)
    assert (fetched.text, fetched.fmt, fetched.file_name()) == (body, fmt, name)
