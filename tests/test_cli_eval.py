"""The eval command end to end on the hand labels of fixtures/eval/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT

from quoteverify.cli import main

LABELS = "fixtures/eval/labels.jsonl"
CORPUS = "fixtures/transcripts"
ARTICLES = ROOT / "fixtures" / "articles"
CP1252_WARNING = (
    "quoteverify: warning: fixtures/eval/../articles/40-cp1252.txt: "
    "not UTF-8; decoded as Windows-1252 (cp1252)\n"
)
SUMMARY = (
    "15 labels in 13 articles; extraction F1 0.9333 (overlap 0.8), exact 0.8667; "
    "speaker accuracy 1.0000 (named), 0.9167 (all)"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["eval", *args, "--no-index"], catch_exceptions=False)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _zeros(**counts: int) -> dict[str, int]:
    row = dict.fromkeys(
        ("verified", "altered", "misattributed", "not_found", "unattributed", "missing"), 0
    )
    return {**row, **counts}


def test_json_figures() -> None:
    result = run(LABELS, "--corpus", CORPUS, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == CP1252_WARNING + SUMMARY + "; verdict accuracy 0.9231\n"
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "schema",
        "labels",
        "articles",
        "extraction",
        "speaker",
        "verdicts",
        "calibration",
        "false_positives",
        "false_negatives",
        "speaker_errors",
    ]
    assert (doc["schema"], doc["labels"], doc["articles"]) == (1, 15, 13)
    assert doc["extraction"] == {
        # 07's second paragraph is not labelled (fp); 11's code block is not extracted (fn)
        "overlap": {
            "threshold": 0.8,
            "precision": 0.9333,
            "recall": 0.9333,
            "f1": 0.9333,
            "tp": 14,
            "fp": 1,
            "fn": 1,
        },
        # 08's first part is labelled without its comma: an overlap match only
        "exact": {"precision": 0.8667, "recall": 0.8667, "f1": 0.8667, "tp": 13, "fp": 2, "fn": 2},
    }
    assert doc["speaker"] == {
        "name": {"accuracy": 1.0, "correct": 9, "total": 9},
        "all": {"accuracy": 0.9167, "correct": 11, "total": 12},
        "unattributed": 0,
    }
    verdicts = doc["verdicts"]
    assert (verdicts["accuracy"], verdicts["correct"], verdicts["total"]) == (0.9231, 12, 13)
    assert verdicts["per_verdict"] == {
        "verified": {"precision": 1.0, "recall": 0.8889, "support": 9},
        "altered": {"precision": 1.0, "recall": 1.0, "support": 1},
        "misattributed": {"precision": 1.0, "recall": 1.0, "support": 1},
        "not_found": {"precision": 1.0, "recall": 1.0, "support": 1},
        "unattributed": {"precision": 1.0, "recall": 1.0, "support": 1},
    }
    assert verdicts["confusion"] == {
        "verified": _zeros(verified=8, missing=1),
        "altered": _zeros(altered=1),
        "misattributed": _zeros(misattributed=1),
        "not_found": _zeros(not_found=1),
        "unattributed": _zeros(unattributed=1),
    }
    bins = doc["calibration"]["bins"]
    assert [(b["low"], b["high"]) for b in bins] == [(i / 10, (i + 1) / 10) for i in range(10)]
    # Every labelled quotation with a verdict but 11's code block was extracted, and right: the
    # bins hold the confidences `check` gives those articles' findings (13 has no verdict label).
    assert [b["count"] for b in bins] == [len(c) for c in _check_confidences()]
    assert [(b["mean_confidence"], b["accuracy"]) for b in bins] == [
        (round(sum(c) / len(c), 4), 1.0) if c else (None, None) for c in _check_confidences()
    ]
    assert sum(b["count"] for b in bins) == 12
    assert doc["calibration"]["error"] is None  # no bin holds 20 findings
    assert doc["false_positives"] == [
        {
            "article": "../articles/07-continued-paragraphs.md",
            "start": 243,
            "end": 321,
            "text": "We also have to close the border between Turkey and Syria to foreign "
            "fighters.",
        }
    ]
    assert doc["false_negatives"] == [
        {
            "article": "../articles/11-markdown-code-and-links.md",
            "start": 299,
            "end": 350,
            "text": "Contacts between our militaries have been suspended",
        }
    ]
    assert doc["speaker_errors"] == [
        {
            "article": "../articles/25-alias.md",
            "start": 138,
            "end": 225,
            "text": "Our militaries will exchange information on the positions of terrorist groups "
            "in Syria,",
            "speaker_kind": "description",
            "expected": "Vladimir Putin",
            "predicted": "the Russian president",
        }
    ]


def _check_confidences() -> list[list[float]]:
    """The confidences of the findings of the labelled articles with a verdict, in 10 bins."""
    labelled = {json.loads(line)["article"] for line in _label_lines()}
    paths = sorted(str(ROOT / "fixtures" / "eval" / a) for a in labelled if "13-stray" not in a)
    result = CliRunner().invoke(
        main, ["check", *paths, "--corpus", CORPUS, "--format", "jsonl", "--no-index"]
    )
    bins: list[list[float]] = [[] for _ in range(10)]
    for line in result.stdout.splitlines():
        confidence = json.loads(line)["confidence"]
        bins[min(int(confidence * 10 + 1e-9), 9)].append(confidence)
    return bins


def _label_lines() -> list[str]:
    text = (ROOT / LABELS).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_without_corpus_verdicts_are_not_measured() -> None:
    result = run(LABELS, "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == CP1252_WARNING + SUMMARY + "\n"
    doc = json.loads(result.stdout)
    assert (doc["verdicts"], doc["calibration"]) == (None, None)
    assert doc["extraction"]["overlap"]["tp"] == 14
    assert doc["speaker"]["all"] == {"accuracy": 0.9167, "correct": 11, "total": 12}
    table = run(LABELS).stdout
    assert "Verdicts and calibration: not measured (no --corpus)" in table


@pytest.mark.parametrize(
    ("threshold", "tp", "fp", "fn"),
    [("1.0", 13, 2, 2), ("0.8", 14, 1, 1), ("0.5", 14, 1, 1)],
)
def test_overlap_threshold(threshold: str, tp: int, fp: int, fn: int) -> None:
    doc = json.loads(run(LABELS, "--format", "json", "--overlap", threshold).stdout)
    figures = doc["extraction"]["overlap"]
    assert (figures["threshold"], figures["tp"], figures["fp"], figures["fn"]) == (
        float(threshold),
        tp,
        fp,
        fn,
    )
    assert doc["extraction"]["exact"]["tp"] == 13


def test_table() -> None:
    result = run(LABELS, "--corpus", CORPUS)
    assert result.exit_code == 0
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines[0] == "15 labels in 13 articles"
    assert "overlap ≥ 0.8 0.9333 0.9333 0.9333 14 1 1" in lines
    assert "exact 0.8667 0.8667 0.8667 13 2 2" in lines
    assert "named in the article 1.0000 9 9" in lines
    assert "all 0.9167 11 12" in lines
    assert "Verdicts: accuracy 0.9231 (12 of 13)" in lines
    assert "verified 8 0 0 0 0 1" in lines
    assert any(line.startswith("[0.9, 1.0] ") for line in lines)
    assert "[0.0, 0.1) 0 — —" in lines


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_output_is_byte_identical_between_runs(fmt: str) -> None:
    first = run(LABELS, "--corpus", CORPUS, "--format", fmt)
    second = run(LABELS, "--corpus", CORPUS, "--format", fmt)
    assert first.stdout == second.stdout


def _labels(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


GOOD = json.dumps(
    {"article": str(ARTICLES / "36-one-word-verified.txt"), "quote": "premeditated",
     "claimed_speaker": "Sergey Lavrov", "expected_verdict": "verified"}
)  # fmt: skip


def test_absolute_article_path(tmp_path: Path) -> None:
    result = run(_labels(tmp_path, GOOD), "--corpus", CORPUS, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["extraction"]["exact"]["tp"] == 1
    assert doc["verdicts"]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
        ('{"article": "x.txt", "start": 3, "claimed_speaker": null}',
         "give both 'start' and 'end', or neither"),
        ('{"article": "x.txt", "quote": "x", "claimed_speaker": null, "expected_verdict": "true"}',
         "'expected_verdict' is 'true': choose from verified, altered, misattributed, not_found, "
         "unattributed"),
    ],
)  # fmt: skip
def test_malformed_line_exits_2(tmp_path: Path, line: str, message: str) -> None:
    labels = _labels(tmp_path, "# a comment", GOOD, "", line)
    result = run(labels, "--corpus", CORPUS)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"quoteverify: error: {labels}:4: {message}\n"


def test_label_that_does_not_fit_its_article_exits_2(tmp_path: Path) -> None:
    bad = GOOD.replace("premeditated", "unprovoked")
    labels = _labels(tmp_path, GOOD, bad)
    result = run(labels)
    assert result.exit_code == 2
    assert result.stderr == (
        f"quoteverify: error: {labels}:2: quote not found in "
        f"{ARTICLES.as_posix()}/36-one-word-verified.txt (or every occurrence is labelled)\n"
    )


def test_missing_article_exits_2(tmp_path: Path) -> None:
    missing = '{"article": "nowhere/gone.txt", "quote": "x", "claimed_speaker": null}'
    labels = _labels(tmp_path, GOOD, missing)
    result = run(labels, "--corpus", CORPUS)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"quoteverify: error: {labels}:2: nowhere/gone.txt: no such file or directory\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nowhere.jsonl",), "nowhere.jsonl: no such file"),
        (
            ("fixtures/articles/01-straight-double-quotes.txt",),
            "01-straight-double-quotes.txt:1: invalid JSON: Expecting value (column 1)",
        ),
        ((LABELS, "--corpus", "nowhere"), "nowhere: corpus folder not found"),
    ],
)
def test_input_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("quoteverify: error: ")
    assert message in result.stderr


def test_empty_labels_file_exits_2(tmp_path: Path) -> None:
    labels = _labels(tmp_path, "# nothing yet", "")
    result = run(labels)
    assert result.exit_code == 2
    assert result.stderr == f"quoteverify: error: {labels}: no label lines\n"


@pytest.mark.parametrize("value", ["0", "1.5", "x"])
def test_bad_overlap_is_a_usage_error(value: str) -> None:
    result = run(LABELS, "--overlap", value)
    assert result.exit_code == 2
    assert "--overlap" in result.stderr


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_json_key_is_documented() -> None:
    doc = json.loads(run(LABELS, "--corpus", CORPUS, "--format", "json").stdout)
    text = (ROOT / "docs" / "eval.md").read_text(encoding="utf-8")
    missing = sorted(k for k in _keys(doc) if f"`{k}`" not in text)
    assert missing == []
