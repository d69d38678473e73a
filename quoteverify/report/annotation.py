"""What the CI formats (github, rdjsonl, sarif) share: which findings they report, how loudly,
with which one-line message, and where the quote ends."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import assert_never

from quoteverify.models import AttributionKind, Finding, Verdict
from quoteverify.report.table import shorten


class Level(enum.Enum):
    """How loudly a CI format reports a finding."""

    ERROR = "error"  # the finding fails the gate
    WARNING = "warning"  # not verified, but not failing the gate


def level_of(f: Finding) -> Level | None:
    """ERROR for a finding that fails the gate, WARNING for another unverified one, else None.

    Verified and waived quotes are left out of the CI formats: an annotation or a code-scanning
    alert on every correct or accepted quote would bury the ones to fix (code scanning shows
    SARIF "pass" results and suppressed results as open alerts too).
    """
    if f.waived is not None:
        return None
    if f.fails:
        return Level.ERROR
    if f.verdict is Verdict.VERIFIED:
        return None
    return Level.WARNING


def claimed(f: Finding) -> str:
    """Who the article says spoke the quote, as a phrase: "attributed to Putin"."""
    a = f.attribution
    match a.kind:
        case AttributionKind.EXPLICIT:
            return f"attributed to {a.speaker}"
        case AttributionKind.PRONOUN:
            return f"attributed to {a.speaker} (through a pronoun)"
        case AttributionKind.ANONYMOUS:
            return f"attributed to {a.description or 'an unnamed source'} (anonymous)"
        case AttributionKind.NONE:
            return "attributed to nobody"
        case _:
            assert_never(a.kind)


def message(f: Finding, quote_width: int) -> str:
    """The finding on one line: verdict, quote, claimed speaker, source, similarity, diff."""
    parts = [
        f"{f.verdict.value} (confidence {f.confidence:.2f}): "
        f"“{shorten(f.quote.text, quote_width)}” {claimed(f)}"
    ]
    p = f.passage
    if p is None:
        parts.append("no passage of the corpus comes close")
    else:
        # A not_found quote's passage is only the nearest miss, not its source.
        label = "nearest passage" if f.verdict is Verdict.NOT_FOUND else "source"
        parts.append(
            f"{label} {p.transcript}:{p.line}, spoken by {p.speaker}, similarity {f.similarity:.1f}"
        )
    if f.diff:
        parts.append(f"difference: {f.diff}")
    parts.extend(f.reasons)
    # Whitespace runs, newlines included, become one space: every format wants one line.
    return " ".join("; ".join(parts).split())


@dataclass(frozen=True)
class Extent:
    """Where a finding's quote starts and ends; ends are exclusive (one past the last character).

    A hand-built Finding without end fields gets a zero-width extent at its start, and no byte
    columns.
    """

    line: int
    column: int  # characters
    end_line: int
    end_column: int  # characters
    byte_column: int | None  # UTF-8 bytes
    end_byte_column: int | None  # UTF-8 bytes


def extent(f: Finding) -> Extent:
    """The start and exclusive end of a finding's quote, in characters and in bytes."""
    if f.end_line is None or f.end_column is None:
        return Extent(f.line, f.column, f.line, f.column, None, None)
    return Extent(f.line, f.column, f.end_line, f.end_column, f.byte_column, f.end_byte_column)
