"""Reporters: each format rendered from one hand-built report, compared with golden files."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import assert_golden

from quoteverify.models import (
    Attribution,
    AttributionKind,
    Diagnostic,
    Finding,
    Passage,
    Quote,
    QuotePart,
    Report,
    Span,
    Verdict,
)
from quoteverify.report import REPORTERS, RenderOptions, finding_record, summary_line
from quoteverify.report.records import FIELDS
from quoteverify.report.table import shorten


def _report() -> Report:
    altered = Finding(
        file="news/a.md",
        line=3,
        column=2,
        quote=Quote((QuotePart("driving relations into a dead end", Span(40, 73)),)),
        attribution=Attribution(AttributionKind.EXPLICIT, "Putin", Span(76, 81), "said"),
        verdict=Verdict.ALTERED,
        confidence=0.83,
        similarity=85.7,
        passage=Passage(
            transcript="2015/putin.txt",
            speaker="Vladimir Putin",
            turn=2,
            line=9,
            span=Span(300, 350),
            text="driving Russian-Turkish relations into a dead end",
            similarity=85.7,
        ),
        diff="driving [-Russian-Turkish-] relations",
        reasons=("words left out: Russian-Turkish",),
        fails=True,
    )
    anonymous = Finding(
        file="news/a.md",
        line=5,
        column=10,
        quote=Quote(
            (
                QuotePart("We will respond,", Span(90, 106)),
                QuotePart('with force, "now".', Span(120, 138)),
            )
        ),
        attribution=Attribution(
            AttributionKind.ANONYMOUS, None, Span(110, 118), "said", "a US official"
        ),
        verdict=Verdict.UNATTRIBUTED,
        confidence=0.5,
        similarity=0.0,
        passage=None,
        diff=None,
    )
    return Report(
        findings=(altered, anonymous),
        errors=(Diagnostic("news/b.txt", "binary file, not text"),),
        warnings=(Diagnostic("news/a.md", "unmatched opening quotation mark “ skipped", 7),),
        files=2,
        settings={"altered_similarity": 60.0},
    )


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_every_format_matches_its_golden_file(fmt: str) -> None:
    assert_golden(f"report.{fmt}", REPORTERS[fmt](_report(), RenderOptions()))


def test_json_document_has_schema_and_keys() -> None:
    doc = json.loads(REPORTERS["json"](_report(), RenderOptions()))
    assert doc["schema"] == 1
    assert list(doc) == ["schema", "findings", "errors", "warnings", "summary", "settings"]
    assert [list(f) for f in doc["findings"]] == [list(FIELDS), list(FIELDS)]
    assert doc["summary"]["verdicts"] == {
        "verified": 0,
        "altered": 1,
        "misattributed": 0,
        "not_found": 0,
        "unattributed": 1,
    }
    assert doc["errors"] == [
        {"file": "news/b.txt", "line": None, "message": "binary file, not text"}
    ]


def test_jsonl_is_one_record_per_line() -> None:
    lines = REPORTERS["jsonl"](_report(), RenderOptions()).splitlines()
    assert [json.loads(x)["verdict"] for x in lines] == ["altered", "unattributed"]


def test_csv_round_trips_quotes_with_commas_and_marks() -> None:
    rows = list(csv.DictReader(io.StringIO(REPORTERS["csv"](_report(), RenderOptions()))))
    assert rows[1]["quote"] == 'We will respond, with force, "now".'
    assert rows[1]["claimed_speaker"] == ""
    assert rows[0]["fails"] == "true"


def test_record_of_split_quote_lists_parts() -> None:
    record = finding_record(_report().findings[1])
    assert record["parts"] == [
        {"start": 90, "end": 106, "text": "We will respond,"},
        {"start": 120, "end": 138, "text": 'with force, "now".'},
    ]
    assert (record["start"], record["end"]) == (90, 138)


def test_table_colors_verdicts_only_when_asked() -> None:
    plain = REPORTERS["table"](_report(), RenderOptions())
    colored = REPORTERS["table"](_report(), RenderOptions(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[33maltered\x1b[0m" in colored


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("short quote", 20, "short quote"),
        ("a  quote\nover lines", 40, "a quote over lines"),
        ("abcdefghij klmnopqrst uvwxyz", 10, "abcdef…xyz"),
    ],
)
def test_shorten(text: str, width: int, expected: str) -> None:
    assert shorten(text, width) == expected


def test_summary_line() -> None:
    assert summary_line(_report()) == (
        "2 quotations in 2 files: 1 altered, 1 unattributed; 1 failing the gate; 1 error"
    )
