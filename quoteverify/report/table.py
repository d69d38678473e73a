"""The confidence table for a person at a terminal (tabulate)."""

from __future__ import annotations

from tabulate import tabulate

from quoteverify.models import Finding, Report, Verdict
from quoteverify.report.records import RenderOptions

HEADERS = (
    "position",
    "quote",
    "claimed speaker",
    "verdict",
    "conf.",
    "sim.",
    "source",
    "spoken by",
    "difference",
)

_COLORS = {
    Verdict.VERIFIED: "32",
    Verdict.ALTERED: "33",
    Verdict.MISATTRIBUTED: "31",
    Verdict.NOT_FOUND: "31",
    Verdict.UNATTRIBUTED: "36",
}


def shorten(text: str, width: int) -> str:
    """Text on one line, cut in the middle with an ellipsis when longer than width."""
    flat = " ".join(text.split())
    if len(flat) <= width or width < 5:
        return flat
    head = (width - 1) * 2 // 3
    tail = width - 1 - head
    return f"{flat[:head].rstrip()}…{flat[-tail:].lstrip()}"


def _speaker(f: Finding) -> str:
    a = f.attribution
    name = a.speaker or a.description or "—"
    return name if a.kind.value == "explicit" else f"{name} ({a.kind.value})"


def _verdict(f: Finding, color: bool) -> str:
    text = f.verdict.value
    return f"\x1b[{_COLORS[f.verdict]}m{text}\x1b[0m" if color else text


def render_table(report: Report, options: RenderOptions) -> str:
    """A table of findings, one row per quotation, in file order."""
    rows = []
    for f in report.findings:
        p = f.passage
        rows.append(
            (
                f"{f.file}:{f.line}:{f.column}",
                shorten(f.quote.text, options.quote_width),
                _speaker(f),
                _verdict(f, options.color),
                f"{f.confidence:.2f}",
                f"{f.similarity:.1f}",
                f"{p.transcript}:{p.line}" if p else "—",
                p.speaker if p else "—",
                f.diff or "",
            )
        )
    if not rows:
        return "no quotations found\n"
    return tabulate(rows, headers=HEADERS, tablefmt=options.tablefmt, disable_numparse=True) + "\n"
