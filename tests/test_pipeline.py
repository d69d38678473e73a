"""The library entry point and the pieces of the pipeline that are not a stage."""

from __future__ import annotations

import pytest
from conftest import ROOT

import quoteverify
from quoteverify.config import Config
from quoteverify.models import (
    Attribution,
    AttributionKind,
    Diagnostic,
    Finding,
    Quote,
    QuotePart,
    Report,
    Span,
    Verdict,
)
from quoteverify.pipeline import ExitStatus, LineIndex, exit_status, fails_gate


def test_verify_text_on_the_seed() -> None:
    corpus, _ = quoteverify.load_corpus([str(ROOT / "fixtures" / "transcripts")])
    text = (ROOT / "seeds" / "000_2c19eea2428d6ab8.txt").read_text(encoding="utf-8")
    report = quoteverify.verify_text(text, corpus, name="seed.txt")
    assert [f.verdict.value for f in report.findings] == [
        "altered",
        "verified",
        "verified",
        "unattributed",
        "misattributed",
        "not_found",
        "verified",
    ]
    assert quoteverify.exit_status(report) is ExitStatus.FINDINGS


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("abc", 0, (1, 1)),
        ("abc\ndef", 4, (2, 1)),
        ("abc\ndef", 6, (2, 3)),
        ("a\r\nb", 3, (2, 1)),
        ("\n\n“x”", 3, (3, 2)),
    ],
)
def test_line_index(text: str, offset: int, expected: tuple[int, int]) -> None:
    assert LineIndex(text).position(offset) == expected


@pytest.mark.parametrize(
    ("verdict", "confidence", "min_confidence", "expected"),
    [
        (Verdict.ALTERED, 0.9, 0.0, True),
        (Verdict.VERIFIED, 0.9, 0.0, False),
        (Verdict.NOT_FOUND, 0.3, 0.5, False),
        (Verdict.MISATTRIBUTED, 0.5, 0.5, True),
        (Verdict.UNATTRIBUTED, 1.0, 0.0, False),
    ],
)
def test_fails_gate(
    verdict: Verdict, confidence: float, min_confidence: float, expected: bool
) -> None:
    config = Config(min_confidence=min_confidence)
    assert fails_gate(verdict, confidence, config) is expected


def _finding(fails: bool) -> Finding:
    return Finding(
        file="a.txt",
        line=1,
        column=1,
        quote=Quote((QuotePart("x y", Span(1, 4)),)),
        attribution=Attribution(AttributionKind.NONE),
        verdict=Verdict.ALTERED,
        confidence=1.0,
        similarity=50.0,
        passage=None,
        diff=None,
        fails=fails,
    )


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (Report(findings=()), ExitStatus.OK),
        (Report(findings=(_finding(False),)), ExitStatus.OK),
        (Report(findings=(_finding(True),)), ExitStatus.FINDINGS),
        (
            Report(findings=(_finding(True),), errors=(Diagnostic("b", "x"),)),
            ExitStatus.ERROR,
        ),
    ],
)
def test_exit_status(report: Report, expected: ExitStatus) -> None:
    assert exit_status(report) is expected
