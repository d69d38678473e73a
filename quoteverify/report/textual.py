"""Machine-readable reporters: json (one document), jsonl (a finding a line), csv."""

from __future__ import annotations

import csv
import io
import json

from quoteverify.models import Report
from quoteverify.report.records import (
    FIELDS,
    SCHEMA_VERSION,
    RenderOptions,
    finding_record,
    summary,
)


def _dumps(value: object, *, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def render_json(report: Report, options: RenderOptions) -> str:
    """One versioned JSON document: findings, errors, warnings, summary, settings."""
    doc = {
        "schema": SCHEMA_VERSION,
        "findings": [finding_record(f) for f in report.findings],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in report.errors],
        "warnings": [
            {"file": w.file, "line": w.line, "message": w.message} for w in report.warnings
        ],
        "summary": summary(report),
        "settings": dict(report.settings),
    }
    return _dumps(doc, indent=2) + "\n"


def render_jsonl(report: Report, options: RenderOptions) -> str:
    """One JSON object per finding, one per line."""
    return "".join(_dumps(finding_record(f)) + "\n" for f in report.findings)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _dumps(value)
    return value


def render_csv(report: Report, options: RenderOptions) -> str:
    """A header row and one row per finding; lists are JSON-encoded in their cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for f in report.findings:
        record = finding_record(f)
        writer.writerow([_cell(record[k]) for k in FIELDS])
    return out.getvalue()
