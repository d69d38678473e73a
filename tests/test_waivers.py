"""Inline waivers: parsing the comment, finding it in Markdown and HTML, waiving the next quote."""

from __future__ import annotations

import pytest

from quoteverify.corpus import parse_transcript
from quoteverify.models import Corpus, DocFormat, Report
from quoteverify.pipeline import ExitStatus, exit_status, verify_text
from quoteverify.waivers import find_waivers, parse_waiver

TRANSCRIPT = """\
---
title: Council meeting
date: 2024-03-01
speakers: [Ann Lee, Bo Diaz]
---
Ann Lee: We will open the new library in the spring, and it will stay open every evening.
Bo Diaz: The budget for the roads is far too small this year, and the bridges need repairs.
"""
CORPUS = Corpus((parse_transcript(TRANSCRIPT, path="council.txt", corpus="c"),))
ALTERED = "“The budget for the roads is much too small this year,” Bo Diaz said."
VERIFIED = "“We will open the new library in the spring,” Ann Lee said."
NO_REASON = '<!-- quoteverify: accept reason="" -->'


def waiver(reason: str) -> str:
    return f'<!-- quoteverify: accept reason="{reason}" -->'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (' accept reason="confirmed with the office" ', ("confirmed with the office", None)),
        (" accept reason='by phone' ", ("by phone", None)),
        (" accept reason=“on tape” ", ("on tape", None)),
        (' accept   reason = "two\n  lines" ', ("two lines", None)),
        (
            " accept ",
            (None, 'waiver without a reason: write <!-- quoteverify: accept reason="..." -->'),
        ),
        (
            ' accept reason="  " ',
            (None, 'waiver without a reason: write <!-- quoteverify: accept reason="..." -->'),
        ),
        (
            ' ignore reason="x" ',
            (
                None,
                "unknown quoteverify directive 'ignore': write "
                '<!-- quoteverify: accept reason="..." -->',
            ),
        ),
    ],
)
def test_parse_waiver(body: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_waiver(body) == expected


@pytest.mark.parametrize(
    ("source", "fmt", "lines"),
    [
        (f"a\n{waiver('x')}\nb", DocFormat.MARKDOWN, [2]),
        (f"<p>{waiver('x')}</p>", DocFormat.HTML, [1]),
        # Plain text has no comments: the words are printed.
        (f"{waiver('x')}\n", DocFormat.TEXT, []),
        # Shown as code in Markdown, it is an example, not a waiver.
        (f"```\n{waiver('x')}\n```\n{waiver('y')}\n", DocFormat.MARKDOWN, [4]),
        (f"Write `{waiver('x')}` before it.\n", DocFormat.MARKDOWN, []),
        ("<!-- an ordinary comment -->\n", DocFormat.MARKDOWN, []),
    ],
)
def test_find_waivers(source: str, fmt: DocFormat, lines: list[int]) -> None:
    assert [w.line for w in find_waivers(source, fmt)] == lines


def _check(text: str, fmt: DocFormat = DocFormat.MARKDOWN) -> Report:
    return verify_text(text, CORPUS, name="a.md", fmt=fmt)


@pytest.mark.parametrize(
    ("text", "fmt", "waived", "fails", "status"),
    [
        (f"{ALTERED}\n", DocFormat.MARKDOWN, [None], [True], ExitStatus.FINDINGS),
        (f"{waiver('ok')}\n{ALTERED}\n", DocFormat.MARKDOWN, ["inline"], [False], ExitStatus.OK),
        # Right before the quote, inside its paragraph.
        (
            f"Roads. {waiver('ok')}{ALTERED}\n",
            DocFormat.MARKDOWN,
            ["inline"],
            [False],
            ExitStatus.OK,
        ),
        # A waiver waives the next quote only.
        (
            f"{waiver('ok')}\n{VERIFIED}\n\n{ALTERED}\n",
            DocFormat.MARKDOWN,
            ["inline", None],
            [False, True],
            ExitStatus.FINDINGS,
        ),
        (
            f"{VERIFIED}\n\n{waiver('ok')}\n{ALTERED}\n",
            DocFormat.MARKDOWN,
            [None, "inline"],
            [False, False],
            ExitStatus.OK,
        ),
        (f"<p>{waiver('ok')}{ALTERED}</p>\n", DocFormat.HTML, ["inline"], [False], ExitStatus.OK),
        # Without a reason: the quote is not waived and the run is an error.
        (f"{NO_REASON}\n{ALTERED}\n", DocFormat.MARKDOWN, [None], [True], ExitStatus.ERROR),
    ],
)
def test_a_waiver_accepts_the_next_quote(
    text: str, fmt: DocFormat, waived: list[str | None], fails: list[bool], status: ExitStatus
) -> None:
    report = _check(text, fmt)
    assert [f.waived.value if f.waived else None for f in report.findings] == waived
    assert [f.fails for f in report.findings] == fails
    assert exit_status(report) is status


def test_a_waiver_without_reason_is_an_error_naming_file_and_line() -> None:
    report = _check(f"# Title\n\n{NO_REASON}\n{ALTERED}\n")
    assert [str(e) for e in report.errors] == [
        'a.md:3: waiver without a reason: write <!-- quoteverify: accept reason="..." -->'
    ]


@pytest.mark.parametrize(
    ("text", "warnings"),
    [
        (
            f"{ALTERED}\n\n{waiver('late')}\n",
            ["a.md:3: waiver before no quotation: it waives nothing"],
        ),
        (
            f"{waiver('one')}\n{waiver('two')}\n{ALTERED}\n",
            ["a.md:1: waiver before no quotation: it waives nothing"],
        ),
    ],
)
def test_unused_waivers_are_warnings(text: str, warnings: list[str]) -> None:
    report = _check(text)
    assert [str(w) for w in report.warnings] == warnings
    assert report.errors == ()
