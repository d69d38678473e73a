"""The baseline: fingerprints, reading and writing, waiving, stale entries."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from quoteverify.baseline import (
    Baseline,
    BaselineError,
    Entry,
    apply_baseline,
    fingerprint,
    key_path,
    parse_baseline,
    render_baseline,
    stale_entries,
    updated_baseline,
)
from quoteverify.corpus import parse_transcript
from quoteverify.models import Corpus, DocFormat, Finding
from quoteverify.pipeline import verify_text

TRANSCRIPT = """\
---
title: Council meeting
date: 2024-03-01
speakers: [Ann Lee, Bo Diaz]
---
Bo Diaz: The budget for the roads is far too small this year, and the bridges need repairs.
"""
CORPUS = Corpus((parse_transcript(TRANSCRIPT, path="council.txt", corpus="c"),))
ARTICLE = "“The budget for the roads is much too small this year,” Mr Bo Diaz said.\n"
FP = fingerprint("The budget for the roads is much too small this year,", "Mr Bo Diaz", "a.md")


def _findings(text: str = ARTICLE) -> tuple[Finding, ...]:
    return verify_text(text, CORPUS, name="news/a.md", fmt=DocFormat.MARKDOWN).findings


def _entry(fp: str = FP, file: str = "a.md", reason: str = "checked") -> Entry:
    return Entry(fp, file, "q", "Bo Diaz", "altered", reason)


def test_fingerprint_is_sha256_of_words_speaker_and_path() -> None:
    expected = "\x1f".join(
        (
            "the budget for the roads is much too small this year",
            "bo diaz",
            "a.md",
        )
    )
    assert hashlib.sha256(expected.encode()).hexdigest() == FP


@pytest.mark.parametrize(
    ("quote", "speaker", "path", "same"),
    [
        # Normalisation: marks, case, spaces and titles do not change it.
        ("THE budget for the roads is much too small   this year", "Bo Diaz", "a.md", True),
        ("The budget for the roads is much too small this year!", "Mr. Bo Díaz", "a.md", True),
        # The words, the speaker and the file do.
        ("The budget for the roads is too small this year", "Bo Diaz", "a.md", False),
        ("The budget for the roads is much too small this year", "Ann Lee", "a.md", False),
        ("The budget for the roads is much too small this year", "Bo Diaz", "b.md", False),
        ("The budget for the roads is much too small this year", None, "a.md", False),
    ],
)
def test_what_changes_a_fingerprint(quote: str, speaker: str | None, path: str, same: bool) -> None:
    assert (fingerprint(quote, speaker, path) == FP) is same


@pytest.mark.parametrize(
    ("name", "cwd", "base", "expected"),
    [
        ("articles/a.md", "/r", "/r", "articles/a.md"),
        ("a.md", "/r/articles", "/r", "articles/a.md"),
        ("../articles/./a.md", "/r/docs", "/r", "articles/a.md"),
        ("-", "/r", "/r", "-"),
    ],
)
def test_key_path_is_relative_to_the_baseline_folder(
    name: str, cwd: str, base: str, expected: str
) -> None:
    assert key_path(name, Path(cwd), Path(base)) == expected


def test_render_and_parse_round_trip() -> None:
    baseline = Baseline((_entry(), _entry(fp="0" * 64, file="b.md", reason="by phone")))
    text = render_baseline(baseline)
    assert json.loads(text)["schema"] == 1
    assert list(json.loads(text)["entries"][0]) == [
        "fingerprint",
        "file",
        "quote",
        "claimed_speaker",
        "verdict",
        "reason",
    ]
    assert parse_baseline(text, name="b.json") == baseline


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "b.json:1: invalid JSON: Expecting property name enclosed in double quotes"),
        ("[]", 'b.json: not a quoteverify baseline: expected {"schema": 1, ...}'),
        ('{"schema": 1}', "b.json: entries: expected a list"),
        ('{"schema": 1, "entries": [3]}', "b.json: entry 1: expected an object"),
        (
            '{"schema": 1, "entries": [{"fingerprint": "abc", "file": "a.md", "reason": "x"}]}',
            "b.json: entry 1: fingerprint: expected 64 hex digits",
        ),
        (
            '{"schema": 1, "entries": [{"fingerprint": "' + FP + '", "file": "a.md", '
            '"quote": "q", "reason": " "}]}',
            'b.json: entry 1 (a.md: “q”): no reason: say in "reason" why this finding is accepted',
        ),
    ],
)
def test_bad_baselines_are_errors(text: str, message: str) -> None:
    with pytest.raises(BaselineError) as err:
        parse_baseline(text, name="b.json")
    assert str(err.value) == message


def test_a_missing_reason_is_allowed_when_rewriting() -> None:
    text = render_baseline(Baseline((_entry(reason=""),)))
    assert parse_baseline(text, name="b", require_reason=False).entries[0].reason == ""


def test_apply_baseline_waives_matching_findings() -> None:
    (finding,) = _findings()
    assert finding.fails
    waived, used = apply_baseline([finding], "a.md", Baseline((_entry(),)))
    assert (waived[0].waived.value if waived[0].waived else None, waived[0].fails) == (
        "baseline",
        False,
    )
    assert used == {FP}
    # Keyed by path: the same quote in another article is not accepted.
    other, used = apply_baseline([finding], "b.md", Baseline((_entry(),)))
    assert (other[0].waived, other[0].fails, used) == (None, True, frozenset())


def test_an_edit_elsewhere_in_the_article_keeps_the_entry() -> None:
    (finding,) = _findings("# Roads\n\nA new first paragraph.\n\n" + ARTICLE)
    assert finding.line == 5
    waived, _ = apply_baseline([finding], "a.md", Baseline((_entry(),)))
    assert waived[0].waived is not None


def test_stale_entries_are_those_of_checked_articles_that_matched_nothing() -> None:
    baseline = Baseline((_entry(), _entry(fp="1" * 64), _entry(fp="2" * 64, file="other.md")))
    assert stale_entries(baseline, {"a.md"}, {FP}) == [_entry(fp="1" * 64)]


def test_updated_baseline_keeps_reasons_and_unchecked_articles() -> None:
    (finding,) = _findings()
    previous = Baseline(
        (
            _entry(reason="known"),
            _entry(fp="1" * 64),  # a.md, no longer matching: dropped
            _entry(fp="2" * 64, file="z.md", reason="kept"),  # not checked now: kept
        )
    )
    updated = updated_baseline([("a.md", finding)], previous, {"a.md"}, reason="new")
    assert [(e.fingerprint, e.file, e.reason) for e in updated.entries] == [
        (FP, "a.md", "known"),
        ("2" * 64, "z.md", "kept"),
    ]
    fresh = updated_baseline([("a.md", finding)], Baseline(), {"a.md"}, reason="")
    assert fresh.entries == (
        Entry(
            FP,
            "a.md",
            "The budget for the roads is much too small this year,",
            "Bo Diaz",
            "altered",
            "",
        ),
    )
