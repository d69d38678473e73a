"""Rendering of `quoteverify eval` results: a JSON document and readable tables."""

from __future__ import annotations

import json
from dataclasses import asdict

from tabulate import tabulate

from quoteverify.evaluate import (
    CALIBRATION_MIN_COUNT,
    MISSING,
    VERDICTS,
    Counts,
    Evaluation,
    Ratio,
)

EVAL_SCHEMA_VERSION = 1
DIGITS = 4


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def _counts(c: Counts) -> dict[str, object]:
    return {
        "precision": _r(c.precision),
        "recall": _r(c.recall),
        "f1": _r(c.f1),
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
    }


def _ratio(r: Ratio) -> dict[str, object]:
    return {"accuracy": _r(r.accuracy), "correct": r.correct, "total": r.total}


def evaluation_record(ev: Evaluation) -> dict[str, object]:
    """The evaluation as JSON-compatible values, keys in the order docs/eval.md lists them."""
    verdicts: dict[str, object] | None = None
    if ev.verdicts is not None:
        verdicts = {
            "accuracy": _r(ev.verdicts.overall.accuracy),
            "correct": ev.verdicts.overall.correct,
            "total": ev.verdicts.overall.total,
            "per_verdict": {
                v: {"precision": _r(s.precision), "recall": _r(s.recall), "support": s.support}
                for v, s in ev.verdicts.per_verdict.items()
            },
            "confusion": {e: dict(row) for e, row in ev.verdicts.confusion.items()},
        }
    calibration: dict[str, object] | None = None
    if ev.calibration is not None:
        calibration = {
            "bins": [
                {
                    "low": b.low,
                    "high": b.high,
                    "count": b.count,
                    "mean_confidence": _r(b.mean_confidence),
                    "accuracy": _r(b.accuracy),
                }
                for b in ev.calibration.bins
            ],
            "error": _r(ev.calibration.error),
        }
    return {
        "schema": EVAL_SCHEMA_VERSION,
        "labels": ev.labels,
        "articles": ev.articles,
        "extraction": {
            "overlap": {"threshold": ev.threshold, **_counts(ev.overlap)},
            "exact": _counts(ev.exact),
        },
        "speaker": {
            "name": _ratio(ev.speaker_name),
            "all": _ratio(ev.speaker_all),
            "unattributed": ev.unattributed,
        },
        "verdicts": verdicts,
        "calibration": calibration,
        "false_positives": [asdict(r) for r in ev.false_positives],
        "false_negatives": [asdict(r) for r in ev.false_negatives],
        "speaker_errors": [asdict(e) for e in ev.speaker_errors],
    }


def render_evaluation_json(ev: Evaluation) -> str:
    """One versioned JSON document, indented, ending with a newline."""
    return json.dumps(evaluation_record(ev), indent=2, ensure_ascii=False) + "\n"


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _table(rows: list[tuple[object, ...]], headers: tuple[str, ...], tablefmt: str) -> str:
    return tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True)


def render_evaluation_table(ev: Evaluation, tablefmt: str = "simple") -> str:
    """Extraction, speaker, verdict and calibration tables for a person to read."""
    out = [f"{ev.labels} labels in {ev.articles} articles", ""]
    out.append("Extraction")
    rows: list[tuple[object, ...]] = [
        (f"overlap ≥ {ev.threshold:g}", *_count_cells(ev.overlap)),
        ("exact", *_count_cells(ev.exact)),
    ]
    out += [_table(rows, ("match", "precision", "recall", "F1", "tp", "fp", "fn"), tablefmt), ""]
    out.append("Speakers (matched quotations with a labelled speaker)")
    rows = [
        (
            "named in the article",
            _f(ev.speaker_name.accuracy),
            ev.speaker_name.correct,
            ev.speaker_name.total,
        ),
        ("all", _f(ev.speaker_all.accuracy), ev.speaker_all.correct, ev.speaker_all.total),
    ]
    out += [_table(rows, ("speakers", "accuracy", "correct", "total"), tablefmt)]
    out += [f"unattributed by quoteverify: {ev.unattributed}", ""]
    if ev.verdicts is None or ev.calibration is None:
        out.append("Verdicts and calibration: not measured (no --corpus)")
        return "\n".join(out) + "\n"
    v = ev.verdicts
    out.append(
        f"Verdicts: accuracy {_f(v.overall.accuracy)} ({v.overall.correct} of {v.overall.total})"
    )
    rows = [(name, _f(s.precision), _f(s.recall), s.support) for name, s in v.per_verdict.items()]
    out += [_table(rows, ("verdict", "precision", "recall", "support"), tablefmt), ""]
    out.append("Confusion (rows expected, columns predicted)")
    columns = (*VERDICTS, MISSING)
    rows = [(e, *(v.confusion[e][p] for p in columns)) for e in VERDICTS]
    out += [_table(rows, ("expected", *columns), tablefmt), ""]
    error = _f(ev.calibration.error)
    out.append(f"Calibration: error {error} (bins of at least {CALIBRATION_MIN_COUNT} findings)")
    rows = [
        (
            f"[{b.low:.1f}, {b.high:.1f}{']' if b.high == 1.0 else ')'}",
            b.count,
            _f(b.mean_confidence),
            _f(b.accuracy),
        )
        for b in ev.calibration.bins
    ]
    out.append(_table(rows, ("confidence", "count", "mean conf.", "share right"), tablefmt))
    return "\n".join(out) + "\n"


def _count_cells(c: Counts) -> tuple[object, ...]:
    return (_f(c.precision), _f(c.recall), _f(c.f1), c.tp, c.fp, c.fn)


def evaluation_summary_line(ev: Evaluation) -> str:
    """One human line for stderr: labels, extraction F1, speaker and verdict accuracy."""
    parts = [
        f"{ev.labels} labels in {ev.articles} articles",
        f"extraction F1 {_f(ev.overlap.f1)} (overlap {ev.threshold:g}), exact {_f(ev.exact.f1)}",
        f"speaker accuracy {_f(ev.speaker_name.accuracy)} (named)"
        f", {_f(ev.speaker_all.accuracy)} (all)",
    ]
    if ev.verdicts is not None and ev.verdicts.overall.total:
        parts.append(f"verdict accuracy {_f(ev.verdicts.overall.accuracy)}")
    elif ev.verdicts is not None:
        parts.append("no expected verdicts")
    return "; ".join(parts)
