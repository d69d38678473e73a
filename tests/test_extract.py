"""Tests for quoteverify.extract: loading articles and finding their quotations."""

from __future__ import annotations

import html
import re

import pytest

from quoteverify.extract import (
    Extraction,
    ExtractWarning,
    detect_format,
    extract,
    load_document,
)
from quoteverify.models import BlockKind, DocFormat, Document

T, M, H = DocFormat.TEXT, DocFormat.MARKDOWN, DocFormat.HTML

PUTIN = (
    "“It seems that the Turkish leadership is deliberately driving relations (between Russian "
    "Federation and Turkey) into a dead end”, Mr Putin said."
)
ERDOGAN = (
    "The next day, Mr Erdogan described Mr Putin’s claims as “unfair” as he warned Russian "
    "Federation not to “play with fire”."
)


def run(source: str, fmt: DocFormat) -> tuple[Document, Extraction]:
    doc = load_document(source, fmt)
    return doc, extract(doc)


def parts(source: str, fmt: DocFormat) -> list[list[str]]:
    _, ex = run(source, fmt)
    return [[p.text for p in q.parts] for q in ex.quotes]


# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("article.md", M),
        ("notes/ARTICLE.Markdown", M),
        ("page.html", H),
        ("page.HTM", H),
        ("story.txt", T),
        ("-", T),
        ("no_extension", T),
        ("archive.md.txt", T),
    ],
)
def test_detect_format(name: str, expected: DocFormat) -> None:
    assert detect_format(name) is expected


# ------------------------------------------------------------------------------------------
# Which quotes are found, as their parts
# ------------------------------------------------------------------------------------------

QUOTES = [
    # the seed lines
    (
        PUTIN,
        T,
        [
            [
                "It seems that the Turkish leadership is deliberately driving relations (between "
                "Russian Federation and Turkey) into a dead end"
            ]
        ],
    ),
    (ERDOGAN, T, [["unfair"], ["play with fire"]]),
    # kinds of marks
    ('He said "we will win" today.', T, [["we will win"]]),
    (
        'Then "straight" and “curly” and "mixed” and “mixed too" here.',
        T,
        [["straight"], ["curly"], ["mixed"], ["mixed too"]],
    ),
    ("Elle a dit «Bonjour à tous» hier.", T, [["Bonjour à tous"]]),
    ("Sie sagte: „Wir schaffen das“ und ging.", T, [["Wir schaffen das"]]),
    ("She called it ‘a disgrace’ on Monday.", T, [["a disgrace"]]),
    ('He said,"no deal" loudly.', T, [["no deal"]]),
    # nesting: one quote, the outer
    ("“He told me ‘never again’ and left,” she said.", T, [["He told me ‘never again’ and left,"]]),
    ("‘He told me “never again” and left,’ she said.", T, [["He told me “never again” and left,"]]),
    ('"He told me ‘never again’ and left," she said.', T, [["He told me ‘never again’ and left,"]]),
    # a ‘ closed by a straight ' (common in real copy); ' alone never quotes
    ("He said ‘no more,' and left.", T, [["no more,"]]),
    ("Posted:\n\u202a”Sorry Sarah,” she wrote.", T, [["Sorry Sarah,"]]),
    # apostrophes are not quotation marks
    ("Russia’s ’90s rock ’n’ roll and the boys’ toys, don’t you know.", T, []),
    ("Rock ‘n’ roll in the ‘90s, ‘til dawn.", T, []),
    ("He said 'never' and 'always'.", T, []),
    ("“Russia’s boys’ toys don’t work,” he said.", T, [["Russia’s boys’ toys don’t work,"]]),
    ("“We’ll see about rock ’n’ roll,” she said.", T, [["We’ll see about rock ’n’ roll,"]]),
    # split quotations
    ("“We will respond,” he said, “with force.”", T, [["We will respond,", "with force."]]),
    ("“We will respond”, the minister said, “with force”.", T, [["We will respond", "with force"]]),
    (
        "“We are ready,” Mr. Putin told reporters, “for talks.”",
        T,
        [["We are ready,", "for talks."]],
    ),
    ("“First,” he said, “second,” he added, “third.”", T, [["First,", "second,", "third."]]),
    ("“We will respond,” he said: “with force.”", T, [["We will respond,", "with force."]]),
    ("“We will respond,” he said. “With force.”", T, [["We will respond,"], ["With force."]]),
    ("“We will respond” and “with force” are his words.", T, [["We will respond"], ["with force"]]),
    (
        "“One,” said the man who had stood in the rain all night long, “two.”",
        T,
        [["One,"], ["two."]],
    ),
    # quotations over several paragraphs
    ("Intro.\n“First part\n“second part ends,” he said.", T, [["First part", "second part ends,"]]),
    ("Intro.\n\n“One\n\n“two\n\n“three.”\nAfter “x”.", T, [["One", "two", "three."], ["x"]]),
    ("Intro.\n“Never closed\nThen “a quote” here.", T, [["a quote"]]),
    ('Intro.\n"Straight one\n"straight two."', T, [["Straight one", "straight two."]]),
    # empty and letterless quotes
    ('Marks "" and “ ” and “…” and “--”.', T, []),
    # Markdown: non-prose is not searched
    ('Use `"not a quote"` but “a quote”.', M, [["a quote"]]),
    ("```\n“fenced code”\n```\n\nText “real”.", M, [["real"]]),
    ("Para.\n\n    “indented code”\n\nText “real”.", M, [["real"]]),
    ('See [the “report”](http://x.org "Title “t”") now.', M, [["report"]]),
    ('Text “real”.\n\n[r]: http://x.org "ref “title”"', M, [["real"]]),
    ('<!-- quoteverify: accept reason="old" --> Shown “yes”.', M, [["yes"]]),
    ('A <span title="“x”">“yes”</span> tag.', M, [["yes"]]),
    ("He said *“never”* and __“twice”__.", M, [["never"], ["twice"]]),
    ("“He were [sic] there,” she said.", M, [["He were [sic] there,"]]),
    ("“We will\nfight on,” she said.", M, [["We will\nfight on,"]]),
    (
        "Intro.\n\n“First part\nstill first.\n\n“second ends,” he said.",
        M,
        [["First part\nstill first.", "second ends,"]],
    ),
    ("* “item one”\n* item “two”", M, [["item one"], ["two"]]),
    ('---\ntitle: "Front matter"\n---\nBody “text”.', M, [["text"]]),
    # Markdown block quotes
    (
        "> The whole text.\n> Second line.\n> — Recep Tayyip Erdoğan",
        M,
        [["The whole text.", "Second line."]],
    ),
    ("> He said “stop” now.\n> — Erdogan", M, [["stop"]]),
    ("> Quote text.\n> - Erdogan", M, [["Quote text."]]),
    ("> Quote text.\n>\n> -- Erdogan", M, [["Quote text."]]),
    ("> Quote text.\n— Erdogan, speech in Ankara", M, [["Quote text."]]),
    ("> First para.\n>\n> Second para.\n\nAfter.", M, [["First para.", "Second para."]]),
    # HTML
    ("<p>&ldquo;Tom &amp; Jerry&rdquo; he said</p>", H, [["Tom & Jerry"]]),
    ("<p>&#8220;old&#8221; and &#147;cp1252&#148;</p>", H, [["old"], ["cp1252"]]),
    ("<p>“we   will\n   respond”</p>", H, [["we will respond"]]),
    (
        '<p>“We will respond,” <a href="/p">he</a> said, “with <i>force</i>.”</p>',
        H,
        [["We will respond,", "with force."]],
    ),
    ("<p>“One para</p>\n<p>“Two para.”</p>", H, [["One para", "Two para."]]),
    ('<script>var s = "“x”";</script><style>q{quotes:"“"}</style><p>“real”</p>', H, [["real"]]),
    (
        "<nav>“menu”</nav><aside>“aside”</aside><form><button>“Go”</button></form><p>“x”</p>",
        H,
        [["x"]],
    ),
    ("<header><h1>“Head”</h1></header><p>Body</p><!-- “comment” -->", H, [["Head"]]),
    ("<p>He said <q>no way</q>.</p>", H, [["no way"]]),
    ("<html><head><title>T</title><meta x=1><p>“head left open”</p>", H, [["head left open"]]),
    (
        "<blockquote><p>Whole quote.</p><footer>— Erdogan</footer></blockquote>",
        H,
        [["Whole quote."]],
    ),
    ("<blockquote><p>“Marked” text.</p><p>— Erdogan</p></blockquote>", H, [["Marked"]]),
]


@pytest.mark.parametrize(("source", "fmt", "expected"), QUOTES)
def test_quotes(source: str, fmt: DocFormat, expected: list[list[str]]) -> None:
    assert parts(source, fmt) == expected


@pytest.mark.parametrize(("source", "fmt", "expected"), [c for c in QUOTES if c[1] is not H])
def test_spans_slice_the_source(source: str, fmt: DocFormat, expected: list[list[str]]) -> None:
    _, ex = run(source, fmt)
    for q in ex.quotes:
        for p in q.parts:
            assert source[p.span.start : p.span.end] == p.text


def _visible(fragment: str) -> str:
    """What a browser shows of a fragment of HTML: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", fragment)).split())


@pytest.mark.parametrize(("source", "fmt", "expected"), [c for c in QUOTES if c[1] is H])
def test_html_spans_cover_the_printed_words(
    source: str, fmt: DocFormat, expected: list[list[str]]
) -> None:
    _, ex = run(source, fmt)
    for q in ex.quotes:
        for p in q.parts:
            if source[p.span.start] != "<":  # <q> marks are drawn by the browser
                assert _visible(source[p.span.start : p.span.end]) == p.text


def test_quotes_are_sorted_and_the_text_joins_parts() -> None:
    _, ex = run("“B,” he said, “c.” Then “a”.", T)
    assert [q.text for q in ex.quotes] == ["B, c.", "a"]
    assert [q.span.start for q in ex.quotes] == [1, 25]


# ------------------------------------------------------------------------------------------
# Patterns of real news copy
# ------------------------------------------------------------------------------------------

NEWS = [
    # markup left in scraped text: attribute values are not quotations, the text between is
    (
        'Intro.\n<tweet id="123" author="@someone" date="2016-01-02">“We won,” she wrote</tweet>.',
        [["We won,"]],
    ),
    ('Intro.\n<post data-x="a b" data-y="c">Text “here”.<post/>', [["here"]]),
    ('Intro.\n<embed who="@x" when="May 1,\n2016\n">Then “this”.', [["this"]]),
    ("Intro.\nSee <a href=”http://x.org/p” target=”_blank”>the “page”</a>.", [["page"]]),
    ("Intro.\nIf a <b and c> d, “then”.", [["then"]]),
    ("Intro.\nMarks “<i>inside</i>” stay.", [["inside"]]),
    # American style: a top-level ‘…’ in double-quoted running text is not a quotation
    (
        "Intro.\n“We will win,” he said. Critics called it ‘bluster’ and ‘noise’.\n"
        "“Not so,” she said.",
        [["We will win,"], ["Not so,"]],
    ),
    # ... but a headline quotes with single marks, and a quote within a quote stays whole
    (
        "Mayor: ‘We Will Rebuild the Bridge.’\n\n“We start in May,” he said of ‘the plan’.",
        [["We Will Rebuild the Bridge."], ["We start in May,"]],
    ),
    ("Intro.\n“He said ‘never’ and left,” she said.", [["He said ‘never’ and left,"]]),
    # British style: single marks are the document's quotation marks
    (
        "Intro.\n‘We will win,’ he said. ‘Not so,’ she said, calling it “bluster”.",
        [["We will win,"], ["Not so,"], ["bluster"]],
    ),
    # a tie goes to double marks, the commoner style
    ("Intro.\nShe said “yes” to the ‘plan’.", [["yes"]]),
    # a closing mark typed where an opening one belongs
    ("Intro.\nHe says,” we need more time.”\nAfter.", [["we need more time."]]),
    ("Intro.\n\n” … and then we left,” she said.", [["… and then we left,"]]),
    ("Intro.\nIt was over.” Then “a new start” came.", [["a new start"]]),
    # an inch mark is no quotation mark
    ("Intro.\n“He is only 5’9” and fast,” she said.", [["He is only 5’9” and fast,"]]),
    ('Intro.\n"He is 6\'1" and fast," she said.', [["He is 6'1\" and fast,"]]),
    # a “ at the end of its paragraph closes what is open
    ("Intro.\n“We won the vote. “\nAfter.", [["We won the vote."]]),
    # an opener typed twice
    ('Intro.\n"“We won,” she said."', [["We won,"]]),
    # a title, its byline, then the article's words; two titles of a list
    (
        "Intro.\n“Storm hits coast,” by the Herald’s Ann Lee: “The water rose fast.”",
        [["Storm hits coast,"], ["The water rose fast."]],
    ),
    ("Intro.\nShe starred in “Home,” and the drama “Away,” last year.", [["Home,"], ["Away,"]]),
    ("Intro.\n“We will win,” he said, “and soon.”", [["We will win,", "and soon."]]),
    # paragraphs that open with a mark the next repeats, the closing mark lost
    (
        "Intro.\n\n“The first part.\n\n“The second part.\n\nAfter.",
        [["The first part.", "The second part."]],
    ),
    # a quotation cut by a stray paragraph break; a pull quote's credit line is not quoted
    ("Intro.\n“We will keep\ngoing,” she said.", [["We will keep", "going,"]]),
    ("Intro.\n“We will rebuild.\nJane Roe, Mayor.”\nAfter.", [["We will rebuild."]]),
    (
        "Intro.\n“We will rebuild.\nThe work starts in May and runs through the whole year.”",
        [["We will rebuild.", "The work starts in May and runs through the whole year."]],
    ),
]


@pytest.mark.parametrize(("source", "expected"), NEWS)
def test_news_patterns(source: str, expected: list[list[str]]) -> None:
    doc, ex = run(source, T)
    assert [[p.text for p in q.parts] for q in ex.quotes] == expected
    for q in ex.quotes:
        for p in q.parts:
            assert doc.text[p.span.start : p.span.end] == p.text
            assert len(source[p.span.start : p.span.end]) == len(p.text)


def test_markup_in_text_is_blanked_and_offsets_kept() -> None:
    source = 'Intro.\n<tweet id="9">Hi</tweet>\nEnd'
    doc = load_document(source, T)
    assert doc.text == "Intro.\n" + " " * 14 + "Hi" + " " * 8 + "\nEnd"
    assert [doc.text[b.span.start : b.span.end] for b in doc.blocks] == ["Intro.", "Hi", "End"]
    plain = "No markup “here”.\nEnd"
    assert load_document(plain, T).text is plain


# ------------------------------------------------------------------------------------------
# Stray marks
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fmt", "warnings", "expected"),
    [
        (
            "He said “hello. Later “bye” came.",
            T,
            [(8, "unmatched opening quotation mark “ skipped")],
            [["bye"]],
        ),
        (
            "Intro.\n“Never closed\nThen “a quote” here.",
            T,
            [(7, "unmatched opening quotation mark “ skipped")],
            [["a quote"]],
        ),
        (
            "A “stray\n\nLast “one” here.",
            M,
            [(2, "unmatched opening quotation mark “ skipped")],
            [["one"]],
        ),
        ("He is 6'2\" tall.", T, [], []),  # an inch mark, not a quotation mark
        (
            "Closed” early, then “fine”.",
            T,
            [(6, "unmatched closing quotation mark ” skipped")],
            [["fine"]],
        ),
        (
            "<p>He said <b>“</b>hello.</p><p>Then “bye” came.</p>",
            H,
            [(14, "unmatched opening quotation mark “ skipped")],
            [["bye"]],
        ),
        (
            "“He said ‘no and left,” she said.",
            T,
            [(9, "unmatched opening quotation mark ‘ skipped")],
            [["He said ‘no and left,"]],
        ),
    ],
)
def test_stray_marks(
    source: str, fmt: DocFormat, warnings: list[tuple[int, str]], expected: list[list[str]]
) -> None:
    _, ex = run(source, fmt)
    assert ex.warnings == tuple(ExtractWarning(o, m) for o, m in warnings)
    assert [[p.text for p in q.parts] for q in ex.quotes] == expected


def test_a_stray_does_not_swallow_a_long_block() -> None:
    source = "A “stray opener. " + "Filler words here. " * 200 + "Then “the quote” ends”."
    _, ex = run(source, T)
    assert [q.text for q in ex.quotes] == ["the quote"]
    assert [w.offset for w in ex.warnings] == [2, len(source) - 2]


def test_stray_marks_never_cross_paragraphs() -> None:
    source = "First “open here.\n\nSecond has “its own” quote.\n\nThird “too”."
    assert parts(source, M) == [["its own"], ["too"]]


@pytest.mark.parametrize(
    "source",
    [
        '<p>“a” <b attr="x>“b”</p><p “c”',
        "<<<>>>&&&;;<!--",
        "<script>never closed “x”",
        "</p></div></blockquote></h1>“x”",
        "<p>&#99999999999; &#xD800; &bogus; &amp</p>",
        "<![CDATA[ “x” ]]><?php echo 1 ?><!DOCTYPE",
        "``` unclosed fence\n“x”",
        "[[[[[[[[[[ “x” ]](((((",
        '"""""" ““““ ”””” ‘‘‘ ’’’ «« »» „„',
        "",
        "\n\n\n",
    ],
)
@pytest.mark.parametrize("fmt", [T, M, H])
def test_never_crashes(source: str, fmt: DocFormat) -> None:
    doc, ex = run(source, fmt)
    for q in ex.quotes:
        assert 0 <= q.span.start <= q.span.end <= len(source)
    for w in ex.warnings:
        assert 0 <= w.offset < len(source)
    if doc.offsets is not None:
        assert list(doc.offsets) == sorted(doc.offsets)


# ------------------------------------------------------------------------------------------
# Flags and positions
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fmt", "expected"),
    [
        (
            "Putin: “We will not back down”\nBody “text” here.",
            T,
            [("We will not back down", True, False), ("text", False, False)],
        ),
        ("“Headline quote,” says Putin\nBody.", T, [("Headline quote,", True, False)]),
        ("One line “only”", T, [("only", False, False)]),
        ("First line “ends”.\nBody.", T, [("ends", False, False)]),
        ("# Putin: “No” #\n\nBody “text”.", M, [("No", True, False), ("text", False, False)]),
        ("Setext “heading”\n===\n\nBody.", M, [("heading", True, False)]),
        ("> Block “marks”.\n\nBody “x”.", M, [("marks", False, True), ("x", False, False)]),
        ("> Whole block.\n> — Someone", M, [("Whole block.", False, True)]),
        (
            "<html><head><title>T &ldquo;a&rdquo;</title></head>"
            "<body><h2>“b”</h2><p>“c”</p><blockquote>“d”</blockquote></body></html>",
            H,
            [("a", True, False), ("b", True, False), ("c", False, False), ("d", False, True)],
        ),
    ],
)
def test_headline_and_blockquote_flags(
    source: str, fmt: DocFormat, expected: list[tuple[str, bool, bool]]
) -> None:
    _, ex = run(source, fmt)
    assert [(q.text, q.headline, q.blockquote) for q in ex.quotes] == expected


def test_html_positions_point_into_the_original() -> None:
    source = (
        '<html><head><script>var q = "“not”";</script></head><body>'
        "<nav>“menu”</nav><p>He said &ldquo;we &amp; they&rdquo; and “<b>more</b>”.</p>"
    )
    _, ex = run(source, H)
    assert [q.text for q in ex.quotes] == ["we & they", "more"]
    first, second = (q.parts[0].span for q in ex.quotes)
    assert source[first.start : first.end] == "we &amp; they"
    assert source[second.start : second.end] == "more"


def test_html_entity_at_the_end_of_a_part_is_covered() -> None:
    source = "<p>“Tom &amp;” and more</p>"
    _, ex = run(source, H)
    span = ex.quotes[0].parts[0].span
    assert source[span.start : span.end] == "Tom &amp;"


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Headline here\nFirst para.\n\nSecond para.\n",
            [
                (BlockKind.HEADING, "Headline here"),
                (BlockKind.PARAGRAPH, "First para."),
                (BlockKind.PARAGRAPH, "Second para."),
            ],
        ),
        (
            "Not a headline.\nBody",
            [
                (BlockKind.PARAGRAPH, "Not a headline."),
                (BlockKind.PARAGRAPH, "Body"),
            ],
        ),
        (
            "Asked “why?”\nBody",
            [
                (BlockKind.PARAGRAPH, "Asked “why?”"),
                (BlockKind.PARAGRAPH, "Body"),
            ],
        ),
        ("Alone", [(BlockKind.PARAGRAPH, "Alone")]),
        (
            "\n  Title  \r\nBody\r\n",
            [
                (BlockKind.HEADING, "Title"),
                (BlockKind.PARAGRAPH, "Body"),
            ],
        ),
        # a headline with a full stop, as some archives print them: short, one sentence, alone
        (
            "Mayor Vows to Rebuild.\n\nBody text.\n",
            [(BlockKind.HEADING, "Mayor Vows to Rebuild."), (BlockKind.PARAGRAPH, "Body text.")],
        ),
        (
            "Mr. Smith: ‘We Will Rebuild.’\r\n\r\nBody.",
            [(BlockKind.HEADING, "Mr. Smith: ‘We Will Rebuild.’"), (BlockKind.PARAGRAPH, "Body.")],
        ),
        (
            "It rained. Then it stopped.\n\nBody.",
            [(BlockKind.PARAGRAPH, "It rained. Then it stopped."), (BlockKind.PARAGRAPH, "Body.")],
        ),
        (
            " ".join(["word"] * 26) + ".\n\nBody.",
            [(BlockKind.PARAGRAPH, " ".join(["word"] * 26) + "."), (BlockKind.PARAGRAPH, "Body.")],
        ),
    ],
)
def test_text_blocks(source: str, expected: list[tuple[BlockKind, str]]) -> None:
    doc = load_document(source, T)
    assert doc.text == source and doc.offsets is None
    assert [(b.kind, source[b.span.start : b.span.end]) for b in doc.blocks] == expected


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("# Title #", "  Title  "),
        ("> quoted *word*", "  quoted  word "),
        ("a `code` b", "a" + " " * 8 + "b"),
        ("[link](http://x.org) [sic]", " link" + " " * 16 + "[sic]"),
        ("![alt “x”](img.png)", " " * 19),
        ("- item\n1. two", "  item\n   two"),
        ("snake_case and _em_", "snake_case and  em "),
        ("2 * 3", "2 * 3"),
        ("a <b>bold</b> <!-- c -->", "a" + " " * 4 + "bold" + " " * 15),
        ("Title\n---", "Title\n   "),
        ("\\*not em\\*", " *not em *"),
    ],
)
def test_markdown_text(source: str, text: str) -> None:
    doc = load_document(source, M)
    assert doc.text == text
    assert len(doc.text) == len(source) and doc.offsets is None


def test_markdown_inline_markup_inside_a_quote_is_blanked_in_its_text() -> None:
    source = '“See [the plan][p] and [Q], *now*,” she said.\n\n[p]: /x\n[q]: /y "“t”"'
    assert parts(source, M) == [["See  the plan     and  Q ,  now ,"]]


def test_markdown_blocks() -> None:
    source = "# Head\n\nPara one\ncontinues.\n\n> quote\n> more\n\n- item\n\nSetext\n===\n"
    doc = load_document(source, M)
    assert [(b.kind, doc.text[b.span.start : b.span.end]) for b in doc.blocks] == [
        (BlockKind.HEADING, "Head"),
        (BlockKind.PARAGRAPH, "Para one\ncontinues."),
        (BlockKind.BLOCKQUOTE, "quote\n  more"),
        (BlockKind.PARAGRAPH, "item"),
        (BlockKind.HEADING, "Setext"),
    ]


def test_html_text_and_offsets() -> None:
    source = "<h1>A &amp; B</h1>\n<p>one   <b>two</b>\n three</p><br><p>x&rdquo;</p>"
    doc = load_document(source, H)
    assert doc.text == "A & B\n\none two three\n\nx”"
    assert doc.offsets is not None
    assert [(b.kind, doc.text[b.span.start : b.span.end]) for b in doc.blocks] == [
        (BlockKind.HEADING, "A & B"),
        (BlockKind.PARAGRAPH, "one two three"),
        (BlockKind.PARAGRAPH, "x”"),
    ]
    for i, ch in enumerate(doc.text):
        at = doc.offsets[i]
        if ch == "\n":
            assert source[at] == "<"  # the tag that ended the block
        elif ch == " ":
            assert source[at].isspace()
        elif ch in "&”":
            assert source[at] == "&"
        else:
            assert source[at] == ch


# ------------------------------------------------------------------------------------------
# Large input (speed is measured by bench/extraction.py, not here)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [T, M, H])
def test_a_megabyte(fmt: DocFormat) -> None:
    paragraph = (
        "The minister said “we will respond,” he said, “with force.” Critics called it "
        "‘reckless’ and Russia’s allies were silent. A stray “mark appears here. "
    ) * 3
    wrap = {T: "{}\n", M: "{}\n\n", H: "<p>{}</p>\n"}[fmt]
    source = "".join(wrap.format(paragraph) for _ in range(1_000_000 // len(paragraph)))
    _, ex = run(source, fmt)
    # One split quote per sentence group; ‘reckless’ is a scare quote in double-quoted text.
    assert len(ex.quotes) == 3 * (1_000_000 // len(paragraph))
