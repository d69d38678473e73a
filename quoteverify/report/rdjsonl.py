"""reviewdog's Diagnostic Format as JSON Lines (rdjsonl): one diagnostic per finding to fix."""

from __future__ import annotations

import json

from quoteverify.models import Diagnostic, Finding, Report
from quoteverify.report.annotation import Level, extent, level_of, message
from quoteverify.report.records import RenderOptions

SOURCE = {"name": "quoteverify"}

_SEVERITY = {Level.ERROR: "ERROR", Level.WARNING: "WARNING"}


def _position(line: int, column: int | None) -> dict[str, int]:
    # reviewdog counts columns in UTF-8 bytes; without them a position is the whole line.
    return {"line": line} if column is None else {"line": line, "column": column}


def finding_diagnostic(f: Finding, quote_width: int) -> dict[str, object] | None:
    """A finding as an rdjson Diagnostic (None for a verified quote); the end is exclusive."""
    level = level_of(f)
    if level is None:
        return None
    x = extent(f)
    start = _position(x.line, x.byte_column)
    end = _position(x.end_line, x.end_byte_column)
    return {
        "message": message(f, quote_width),
        "location": {"path": f.file, "range": {"start": start, "end": end}},
        "severity": _SEVERITY[level],
        "source": SOURCE,
        "code": {"value": f.verdict.value},
    }


def input_diagnostic(d: Diagnostic, severity: str) -> dict[str, object]:
    """An input error or warning as an rdjson Diagnostic, on its line when it has one."""
    location: dict[str, object] = {"path": d.file}
    if d.line is not None:
        location["range"] = {"start": {"line": d.line}}
    return {
        "message": d.message,
        "location": location,
        "severity": severity,
        "source": SOURCE,
        "code": {"value": f"input-{severity.lower()}"},
    }


def render_rdjsonl(report: Report, options: RenderOptions) -> str:
    """One JSON diagnostic a line: findings to fix, then input errors and warnings."""
    diagnostics = [
        d for f in report.findings if (d := finding_diagnostic(f, options.quote_width)) is not None
    ]
    diagnostics.extend(input_diagnostic(d, "ERROR") for d in report.errors)
    diagnostics.extend(input_diagnostic(d, "WARNING") for d in report.warnings)
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in diagnostics)
