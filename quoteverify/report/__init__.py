"""Reporters: each renders a Report to a string; REPORTERS maps --format names to them."""

from __future__ import annotations

from collections.abc import Callable

from quoteverify.models import Report
from quoteverify.report.github import render_github
from quoteverify.report.rdjsonl import render_rdjsonl
from quoteverify.report.records import RenderOptions, finding_record, summary_line
from quoteverify.report.sarif import render_sarif
from quoteverify.report.table import render_table
from quoteverify.report.textual import render_csv, render_json, render_jsonl

Reporter = Callable[[Report, RenderOptions], str]

REPORTERS: dict[str, Reporter] = {
    "table": render_table,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
    "github": render_github,
    "rdjsonl": render_rdjsonl,
    "sarif": render_sarif,
}

__all__ = ["REPORTERS", "RenderOptions", "Reporter", "finding_record", "summary_line"]
