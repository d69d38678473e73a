"""Inline waivers: `<!-- quoteverify: accept reason="..." -->` before a quote accepts it.

A waiver is an HTML comment, so it is invisible when Markdown or HTML is rendered; it waives
the first finding after it, looked for in the original source between the end of the previous
finding's quote and the start of this one. The reason is required: a waiver is an editor's
statement that the quote was checked by other means.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from quoteverify.models import Diagnostic, DocFormat, Finding, WaivedBy

# The directive itself; what follows `quoteverify:` is parsed by parse_waiver.
_COMMENT = re.compile(r"<!--\s*quoteverify\s*:(?P<body>.*?)-->", re.DOTALL)
_REASON = re.compile(r"""\breason\s*=\s*(?:"([^"]*)"|'([^']*)'|“([^”]*)”)""")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)

ACCEPT = "accept"
EXAMPLE = '<!-- quoteverify: accept reason="..." -->'


@dataclass(frozen=True)
class Waiver:
    """One waiver comment: where it stands and its reason (None when it has no valid one)."""

    start: int  # offset of `<!--` in the source
    end: int  # offset just past `-->`
    line: int  # 1-based line of `<!--`
    reason: str | None
    problem: str | None = None  # why it is not a valid waiver


def parse_waiver(body: str) -> tuple[str | None, str | None]:
    """(reason, problem) of the text after `quoteverify:` in a waiver comment."""
    words = body.split()
    if not words or words[0] != ACCEPT:
        verb = words[0] if words else ""
        return None, f"unknown quoteverify directive {verb!r}: write {EXAMPLE}"
    found = _REASON.search(body)
    reason = next((g for g in found.groups() if g is not None), "") if found else ""
    if not reason.strip():
        return None, f"waiver without a reason: write {EXAMPLE}"
    return " ".join(reason.split()), None


def _fenced_ranges(source: str) -> list[tuple[int, int]]:
    """Offsets of Markdown fenced code blocks: a waiver shown as code is not a waiver."""
    ranges: list[tuple[int, int]] = []
    opened: tuple[int, str] | None = None
    for m in _FENCE.finditer(source):
        fence = m.group(1)
        if opened is None:
            opened = (m.start(), fence)
        elif fence[0] == opened[1][0] and len(fence) >= len(opened[1]):
            ranges.append((opened[0], m.end()))
            opened = None
    if opened is not None:
        ranges.append((opened[0], len(source)))
    return ranges


def _in_code_span(source: str, at: int) -> bool:
    """Whether offset `at` follows an odd number of backticks on its line (inline code)."""
    line_start = source.rfind("\n", 0, at) + 1
    return source.count("`", line_start, at) % 2 == 1


def find_waivers(source: str, fmt: DocFormat) -> tuple[Waiver, ...]:
    """Every waiver comment of a Markdown or HTML source, in order; none in plain text."""
    if fmt is DocFormat.TEXT:
        # In plain text a comment is printed words, and its reason="..." a quotation.
        return ()
    fences = _fenced_ranges(source) if fmt is DocFormat.MARKDOWN else []
    out = []
    for m in _COMMENT.finditer(source):
        if fmt is DocFormat.MARKDOWN and (
            any(a <= m.start() < b for a, b in fences) or _in_code_span(source, m.start())
        ):
            continue
        reason, problem = parse_waiver(m.group("body"))
        line = source.count("\n", 0, m.start()) + 1
        out.append(Waiver(m.start(), m.end(), line, reason, problem))
    return tuple(out)


def apply_waivers(
    name: str, source: str, fmt: DocFormat, findings: Sequence[Finding]
) -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """Mark each finding preceded by a valid waiver as waived: (findings, errors, warnings).

    A waiver without a reason is an error; a waiver that precedes no finding (after the last
    quote, or a second waiver before the same quote) is a warning.
    """
    waivers = find_waivers(source, fmt)
    if not waivers:
        return tuple(findings), (), ()
    errors = tuple(Diagnostic(name, w.problem, w.line) for w in waivers if w.problem)
    valid = [w for w in waivers if w.problem is None]
    order = sorted(range(len(findings)), key=lambda i: findings[i].quote.span.start)
    out = list(findings)
    used: set[int] = set()
    previous_end = 0
    for i in order:
        f = findings[i]
        start = f.quote.span.start
        # The quote's opening mark stands before span.start: the comment ends before it.
        here = [w for w in valid if previous_end <= w.start and w.end <= start]
        if here:
            used.add(id(here[-1]))
            out[i] = dataclasses.replace(f, waived=WaivedBy.INLINE, fails=False)
        previous_end = max(previous_end, f.quote.span.end)
    warnings = tuple(
        Diagnostic(name, "waiver before no quotation: it waives nothing", w.line)
        for w in valid
        if id(w) not in used
    )
    return tuple(out), errors, warnings
