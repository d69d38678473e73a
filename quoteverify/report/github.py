"""GitHub Actions workflow commands: one ::error or ::warning annotation per finding to fix."""

from __future__ import annotations

from collections.abc import Sequence

from quoteverify.models import Diagnostic, Finding, Report
from quoteverify.report.annotation import extent, level_of, message
from quoteverify.report.records import RenderOptions


def escape_data(text: str) -> str:
    """Escape a command's message: %, CR and LF, so the command stays on one line."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as a message, plus the : and , that delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Sequence[tuple[str, object]], text: str) -> str:
    """One workflow command line: ::name key=value,...::text (properties may be empty)."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{name}{' ' + props if props else ''}::{escape_data(text)}"


def _finding_command(f: Finding, quote_width: int) -> str | None:
    level = level_of(f)
    if level is None:
        return None
    x = extent(f)
    props: list[tuple[str, object]] = [("file", f.file), ("line", x.line)]
    # GitHub takes columns only for a span on one line; its end column is exclusive.
    same_line = x.end_line == x.line
    if same_line:
        props.append(("col", x.column))
    props.append(("endLine", x.end_line))
    if same_line:
        props.append(("endColumn", x.end_column))
    props.append(("title", f"quoteverify: {f.verdict.value}"))
    return command(level.value, props, message(f, quote_width))


def _diagnostic_command(d: Diagnostic, name: str) -> str:
    props: list[tuple[str, object]] = [("file", d.file)]
    if d.line is not None:
        props.append(("line", d.line))
    props.append(("title", f"quoteverify: input {name}"))
    return command(name, props, d.message)


def render_github(report: Report, options: RenderOptions) -> str:
    """::error for findings failing the gate, ::warning for other unverified ones and inputs."""
    lines = [
        cmd
        for f in report.findings
        if (cmd := _finding_command(f, options.quote_width)) is not None
    ]
    lines.extend(_diagnostic_command(d, "error") for d in report.errors)
    lines.extend(_diagnostic_command(d, "warning") for d in report.warnings)
    return "".join(line + "\n" for line in lines)
