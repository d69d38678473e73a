"""The flat record of a finding that every machine-readable format shares."""

from __future__ import annotations

from dataclasses import dataclass

from quoteverify.models import Finding, Report

SCHEMA_VERSION = 1

# The keys of a finding record, in output order (documented in docs/output.md).
FIELDS: tuple[str, ...] = (
    "file",
    "line",
    "column",
    "start",
    "end",
    "quote",
    "claimed_speaker",
    "attribution",
    "cue",
    "verdict",
    "confidence",
    "similarity",
    "source",
    "source_line",
    "source_speaker",
    "source_text",
    "diff",
    "reasons",
    "fails",
    "waived",
    "headline",
    "parts",
)


@dataclass(frozen=True)
class RenderOptions:
    """How a reporter should lay out its output."""

    tablefmt: str = "simple"
    quote_width: int = 60
    color: bool = False


def finding_record(f: Finding) -> dict[str, object]:
    """A finding as a flat dict of JSON-compatible values, keys in FIELDS order."""
    p = f.passage
    record: dict[str, object] = {
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "start": f.quote.span.start,
        "end": f.quote.span.end,
        "quote": f.quote.text,
        "claimed_speaker": f.attribution.speaker,
        "attribution": f.attribution.kind.value,
        "cue": f.attribution.cue,
        "verdict": f.verdict.value,
        "confidence": round(f.confidence, 2),
        "similarity": round(f.similarity, 1),
        "source": p.transcript if p else None,
        "source_line": p.line if p else None,
        "source_speaker": p.speaker if p else None,
        "source_text": p.text if p else None,
        "diff": f.diff,
        "reasons": list(f.reasons),
        "fails": f.fails,
        "waived": f.waived.value if f.waived else None,
        "headline": f.quote.headline,
        "parts": [
            {"start": part.span.start, "end": part.span.end, "text": part.text}
            for part in f.quote.parts
        ],
    }
    assert tuple(record) == FIELDS
    return record


def summary(report: Report) -> dict[str, object]:
    """Counts per verdict and the gate's outcome."""
    return {
        "files": report.files,
        "quotes": len(report.findings),
        "verdicts": report.counts(),
        "failing": report.failing,
        "waived": report.waived,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
    }


def summary_line(report: Report) -> str:
    """One human line for stderr: how many quotes, per verdict, failing, waived, errors."""
    counts = ", ".join(f"{n} {v}" for v, n in report.counts().items() if n)
    files = "file" if report.files == 1 else "files"
    quotes = "quotation" if len(report.findings) == 1 else "quotations"
    line = f"{len(report.findings)} {quotes} in {report.files} {files}"
    if counts:
        line += f": {counts}"
    line += f"; {report.failing} failing the gate"
    if report.waived:
        line += f"; {report.waived} waived"
    if report.errors:
        line += f"; {len(report.errors)} error{'s' if len(report.errors) != 1 else ''}"
    return line
