"""Transcript parsing (our format and WebVTT) and corpus loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from quoteverify.corpus import load_corpus, parse_transcript, parse_vtt
from quoteverify.errors import CorpusError
from quoteverify.models import Diagnostic, Transcript

Turns = list[tuple[str, int, str]]


def turns_of(transcript: Transcript, text: str) -> Turns:
    """The (speaker, line, text) of each turn, after checking the offsets hold."""
    for i, turn in enumerate(transcript.turns):
        assert turn.index == i
        assert text[turn.start : turn.start + len(turn.text)] == turn.text
        # The label's line; the text may begin on a later line after a bare `Q:`.
        assert transcript.line_of(turn.start) >= turn.line
    return [(t.speaker, t.line, t.text) for t in transcript.turns]


FRONT_MATTER = """\
---
title: Town hall: the budget, part 2
date: 2021-03-04
source: our own notes
location:
venue: Hall B
speakers: [Ann Lee, Bo  Ng, Dr. J.R. Okafor]
---
Ann Lee: Welcome. Note: this is recorded.
Note: we start late.
Bo Ng: Thanks, Ann.
DR. J.R. OKAFOR: Numbers: three.
Carl: is not a declared speaker.
"""

PARSE_CASES: list[tuple[str, str, Turns]] = [
    (
        "front matter, colon in title, speakers restrict labels",
        FRONT_MATTER,
        [
            ("Ann Lee", 9, "Welcome. Note: this is recorded.\nNote: we start late."),
            ("Bo Ng", 11, "Thanks, Ann."),
            ("DR. J.R. OKAFOR", 12, "Numbers: three.\nCarl: is not a declared speaker."),
        ],
    ),
    (
        "upper case labels and titles",
        "THE PRESIDENT: Good morning.\n"
        "MR. SMITH: A question, sir.\n"
        "Howard K Smith: Next one.\n"
        "George H.W. Bush: Read my lips.\n"
        "Charles de Gaulle: Non.\n"
        "Therefore, I think the question is: Are we ready?\n"
        "The question now is: can it work\n"
        "Mary O'Neil-Smith: Yes.\n",
        [
            ("THE PRESIDENT", 1, "Good morning."),
            ("MR. SMITH", 2, "A question, sir."),
            ("Howard K Smith", 3, "Next one."),
            ("George H.W. Bush", 4, "Read my lips."),
            (
                "Charles de Gaulle",
                5,
                "Non.\nTherefore, I think the question is: Are we ready?\n"
                "The question now is: can it work",
            ),
            ("Mary O'Neil-Smith", 8, "Yes."),
        ],
    ),
    (
        "Q and A, continuation lines, blank lines",
        "\n\nQ: First line\nsecond line\n\nA: The answer.\n\n\nQ:\nOn the next line.\n  \n",
        [
            ("Q", 3, "First line\nsecond line"),
            ("A", 6, "The answer."),
            ("Q", 9, "On the next line."),
        ],
    ),
    (
        "CRLF line endings",
        "---\r\ntitle: t\r\n---\r\nQ: one\r\ntwo\r\n\r\nA: three\r\n",
        [("Q", 4, "one\r\ntwo"), ("A", 7, "three")],
    ),
    (
        "byte-order mark kept, label still found",
        "\ufeffQ: hi\nA: ho",
        [("Q", 1, "hi"), ("A", 2, "ho")],
    ),
    (
        "labels need a blank after the colon; seven words is too many",
        "Ann: see http://x.org\nAnn:no\nOne Two Three Four Five Six Seven: no\nBo Ng:\tyes",
        [
            ("Ann", 1, "see http://x.org\nAnn:no\nOne Two Three Four Five Six Seven: no"),
            ("Bo Ng", 4, "yes"),
        ],
    ),
    (
        "a bare label before CR LF, a lone CR after the colon is no label",
        "Q:\r\n\r\nA:\rno\r\nQ:\r\nWhy?\r\n",
        [("Q", 1, "A:\rno"), ("Q", 4, "Why?")],
    ),
    (
        "Unicode blank lines end a turn; a turn of blanks is empty",
        "Ann Lee: one\n\u2028\n\u00a0\t\nBo Ng:\t\u3000\n\x85\nAnn Lee: two\n\r\n  ",
        [("Ann Lee", 1, "one"), ("Bo Ng", 4, ""), ("Ann Lee", 6, "two")],
    ),
    (
        "declared speakers: a colon-ended line of another label is text, spacing ignored",
        "\ufeff---\nspeakers: [Ann Lee]\n---\nann  LEE :\tyes\nBob: no\n"
        "  Ann Lee: indented\nANN LEE:",
        [("ann  LEE", 4, "yes\nBob: no\n  Ann Lee: indented"), ("ANN LEE", 7, "")],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in PARSE_CASES], ids=[c[0] for c in PARSE_CASES]
)
def test_parse_transcript(text: str, expected: Turns) -> None:
    transcript = parse_transcript(text, path="sub/t.txt", corpus="corp")
    assert turns_of(transcript, text) == expected


def test_parse_transcript_fields() -> None:
    t = parse_transcript(FRONT_MATTER, path="sub/t.txt", corpus="corp")
    assert (t.path, t.corpus) == ("sub/t.txt", "corp")
    assert dict(t.meta) == {
        "title": "Town hall: the budget, part 2",
        "date": "2021-03-04",
        "source": "our own notes",
        "location": "",
        "venue": "Hall B",
    }
    assert t.speakers == ("Ann Lee", "Bo Ng", "Dr. J.R. Okafor")
    assert t.line_starts[:3] == (0, 4, 41)
    assert t.turns[2].start == FRONT_MATTER.index("Numbers")


def test_speakers_in_order_of_first_turn() -> None:
    t = parse_transcript("B: x\nA: y\nB: z\n", path="t.txt", corpus="c")
    assert t.speakers == ("B", "A")


ERROR_CASES: list[tuple[str, str, int]] = [
    ("---\ntitle: x\nQ: hi\n", "front matter opened with '---' is never closed", 1),
    ("---\ntitle x\n---\nQ: hi\n", "front matter line is not 'key: value'", 2),
    ("---\ntitle:x\n---\nQ: hi\n", "front matter line is not 'key: value'", 2),
    ("---\nthe title: x\n---\nQ: hi\n", "front matter key 'the title' is not a single word", 2),
    ("---\ntitle: a\nTitle: b\n---\nQ: hi\n", "duplicate front matter key 'title'", 3),
    ("---\ndate: 2021-02-30\n---\nQ: hi\n", "bad date '2021-02-30': expected YYYY-MM-DD", 2),
    ("---\n\ndate: 4 March 2021\n---\nQ: hi\n", "bad date '4 March 2021': expected YYYY-MM-DD", 3),
    (
        "---\nspeakers: Ann, Bo\n---\nAnn: hi\n",
        "speakers must be a list like [First Speaker, Second Speaker]",
        2,
    ),
    (
        "---\nspeakers: [Ann, , Bo]\n---\nAnn: hi\n",
        "speakers must be a list like [First Speaker, Second Speaker]",
        2,
    ),
    ("Transcript of the hearing\nQ: hi\n", "text before the first speaker turn", 1),
    ("---\nspeakers: [Ann]\n---\n\nBob: hi\nAnn: ho\n", "text before the first speaker turn", 5),
    ("", "no speaker turns", 1),
    ("\n \n", "no speaker turns", 1),
    ("---\ntitle: only front matter\n---\n", "no speaker turns", 1),
    ("---\ntitle: closed on the last line\n---", "no speaker turns", 1),
    ("\ufeff\n\u2028 \n  Note: Ann: hi\nAnn: ho\n", "text before the first speaker turn", 3),
    ("\ufeffthe chair: hi\nAnn: ho\n", "text before the first speaker turn", 1),
]


@pytest.mark.parametrize(("text", "message", "line"), ERROR_CASES)
def test_parse_transcript_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(CorpusError) as info:
        parse_transcript(text, path="sub/t.txt", corpus="corp/")
    assert (info.value.file, info.value.line, info.value.message) == (
        "corp/sub/t.txt",
        line,
        message,
    )
    assert str(info.value) == f"corp/sub/t.txt:{line}: {message}"


VTT = """\
WEBVTT - a test file

NOTE a comment
across two lines

1
00:00:01.000 --> 00:00:04.000
<v Ann Lee>Hello there.</v>

intro-2
00:00:04.500 --> 00:00:06.000 align:start
<v.loud Bo Ng>Hi, <i>Ann</i>!
Second line.

00:06.000 --> 00:08.000
and more from Bo.

01:00:08.000 --> 01:00:09.000
- <v Ann Lee>Yes. <v   Bo Ng  >No.</v> <v Ann Lee>Maybe &amp; so
"""


def test_parse_vtt() -> None:
    t = parse_vtt(VTT, path="a.vtt", corpus="c")
    assert turns_of(t, VTT) == [
        ("Ann Lee", 8, "Hello there."),
        ("Bo Ng", 12, "Hi, <i>Ann</i>!\nSecond line."),
        ("Bo Ng", 16, "and more from Bo."),
        ("Ann Lee", 19, "Yes."),
        ("Bo Ng", 19, "No."),
        ("Ann Lee", 19, "Maybe &amp; so"),
    ]
    assert t.speakers == ("Ann Lee", "Bo Ng")


def test_parse_vtt_crlf_and_bom() -> None:
    text = "\ufeffWEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\n<v A>one\r\ntwo\r\n"
    assert turns_of(parse_vtt(text, path="a.vtt", corpus="c"), text) == [("A", 4, "one\r\ntwo")]


VTT_ERRORS: list[tuple[str, str, int]] = [
    ("WEBVTTX\n\n00:00.000 --> 00:01.000\n<v A>hi\n", "missing WEBVTT header", 1),
    ("1\n00:00.000 --> 00:01.000\n<v A>hi\n", "missing WEBVTT header", 1),
    ("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n", "no speaker voice tags", 1),
    ("WEBVTT\n\n00:00.000 -> 00:01.000\n<v A>hi\n", "cue without a timing line", 3),
    ("WEBVTT\n\nid\n00:00.000 --> 00:01\n<v A>hi\n", "malformed cue timing line", 4),
    (
        "WEBVTT\n\n00:00.000 --> 00:01.000\n<v A>hi\n\n00:61.000 --> 01:02.000\nx\n",
        "malformed cue timing line",
        6,
    ),
    (
        "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n\n00:01.000 --> 00:02.000\n<v A>hi\n",
        "cue text before the first speaker voice tag",
        4,
    ),
]


@pytest.mark.parametrize(("text", "message", "line"), VTT_ERRORS)
def test_parse_vtt_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(CorpusError) as info:
        parse_vtt(text, path="a.vtt", corpus="c")
    assert (info.value.file, info.value.line, info.value.message) == ("c/a.vtt", line, message)


def test_parse_one_megabyte() -> None:
    # Speed is measured by the benchmarks (bench/scale.py); this checks a large file parses whole.
    turn = "Ann Lee: " + "words of a long answer, " * 40 + "\nand a continuation line.\n\n"
    text = "---\nspeakers: [Ann Lee, Bo Ng]\n---\n" + turn * (1_000_000 // len(turn))
    t = parse_transcript(text, path="big.txt", corpus="c")
    assert len(t.turns) == 1_000_000 // len(turn)
    assert t.turns[-1].text == turn[len("Ann Lee: ") :].rstrip("\n")


# --- load_corpus ---------------------------------------------------------------------------


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


BAD = "this is not a transcript\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        {
            "corp/b.txt": "Q: Why?\nA: Because.\n",
            "corp/a.vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Vladimir Putin>Da.\n",
            "corp/sub/deeper/c.txt": "Mr. Lavrov: Nyet – that’s all.\n".encode("cp1252"),
            "corp/sub/B.TXT": "Q: Upper case suffix.\n",
            "corp/.quoteverify/index.txt": BAD,
            "corp/sub/.draft.txt": BAD,
            "corp/README.txt": BAD,
            "corp/sub/readme.vtt": BAD,
            "corp/notes.md": BAD,
            "corp/aliases.toml": '[aliases]\n"the Russian president" = "Vladimir Putin"\n'
            '"Mr Nobody" = "Nobody At All"\n',
            "other/z.txt": "Q: Last.\n",
        },
    )
    return tmp_path


def test_load_corpus(tree: Path) -> None:
    corpus, warnings = load_corpus(["other", "corp"])
    assert [(t.corpus, t.path, len(t.turns)) for t in corpus.transcripts] == [
        ("corp", "a.vtt", 1),
        ("corp", "b.txt", 2),
        ("corp", "sub/B.TXT", 1),
        ("corp", "sub/deeper/c.txt", 1),
        ("other", "z.txt", 1),
    ]
    assert dict(corpus.aliases) == {
        "the Russian president": "Vladimir Putin",
        "Mr Nobody": "Nobody At All",
    }
    assert warnings == (
        Diagnostic("corp/sub/deeper/c.txt", "not UTF-8; decoded as Windows-1252 (cp1252)"),
        Diagnostic(
            "corp/aliases.toml", "alias 'Mr Nobody' names 'Nobody At All', who has no turns"
        ),
    )


LOAD_ERRORS: list[tuple[dict[str, str | bytes], str]] = [
    (
        {"corp/README.md": "x", "corp/.hidden/a.txt": "Q: x"},
        "corp: no transcripts (.txt, .vtt) found",
    ),
    (
        {"corp/ok.txt": "Q: x", "corp/sub/bad.txt": BAD},
        "corp/sub/bad.txt:1: text before the first speaker turn",
    ),
    ({"corp/pic.txt": b"\x89PNG\r\n\x1a\n\x00\x00"}, "corp/pic.txt: binary file, not text"),
    (
        {"corp/a.vtt": "WEBVTT\n\n00:00 --> 00:01\n<v A>x\n"},
        "corp/a.vtt:3: malformed cue timing line",
    ),
    (
        {"corp/a.txt": "Q: x", "corp/aliases.toml": '[aliases]\n"x" = \n'},
        "corp/aliases.toml: bad TOML: Invalid value (at line 2, column 7)",
    ),
    (
        {"corp/a.txt": "Q: x", "corp/aliases.toml": '[aliases]\n"the boss" = 3\n'},
        "corp/aliases.toml: alias 'the boss' must map to a speaker name (a string)",
    ),
    (
        {"corp/a.txt": "Q: x", "corp/aliases.toml": 'aliases = "Q"\n'},
        "corp/aliases.toml: 'aliases' must be a table: [aliases]",
    ),
]


@pytest.mark.parametrize(("files", "message"), LOAD_ERRORS)
def test_load_corpus_errors(
    files: dict[str, str | bytes], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corp").mkdir()
    write(tmp_path, files)
    with pytest.raises(CorpusError) as info:
        load_corpus(["corp"])
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("dirs", "message"),
    [
        (["missing"], "missing: corpus folder not found"),
        (["corp", "file.txt"], "file.txt: corpus path is not a folder"),
        ([], "no corpus folder given"),
    ],
)
def test_load_corpus_bad_folders(dirs: list[str], message: str, tree: Path) -> None:
    (tree / "file.txt").write_text("Q: x", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_corpus(dirs)
    assert str(info.value) == message


def test_load_corpus_conflicting_aliases(tree: Path) -> None:
    write(tree, {"other/aliases.toml": '[aliases]\n"the Russian president" = "Boris Yeltsin"\n'})
    with pytest.raises(CorpusError) as info:
        load_corpus(["corp", "other"])
    assert str(info.value) == (
        "other/aliases.toml: alias 'the Russian president' names 'Boris Yeltsin' here "
        "but 'Vladimir Putin' in corp/aliases.toml"
    )


def test_load_corpus_unknown_alias_key(tree: Path) -> None:
    write(tree, {"other/aliases.toml": 'speakers = 1\n[aliases]\n"the questioner" = "Q"\n'})
    corpus, warnings = load_corpus(["other"])
    assert dict(corpus.aliases) == {"the questioner": "Q"}
    assert warnings == (
        Diagnostic(
            "other/aliases.toml", "unknown key 'speakers' ignored (expected an [aliases] table)"
        ),
    )
