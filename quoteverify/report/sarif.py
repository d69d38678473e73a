"""SARIF 2.1.0: one run, one rule per verdict, one result per finding to fix."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote as url_quote

from quoteverify import __version__
from quoteverify.config import Config
from quoteverify.models import Diagnostic, Finding, Report, Verdict
from quoteverify.report.annotation import extent, level_of, message
from quoteverify.report.records import RenderOptions

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


@dataclass(frozen=True)
class Rule:
    """The text of a verdict's reportingDescriptor."""

    name: str
    short: str
    full: str
    help: str


RULES: dict[Verdict, Rule] = {
    Verdict.VERIFIED: Rule(
        "VerifiedQuotation",
        "The quotation is in the transcripts, spoken by the claimed speaker.",
        "A passage of the claimed speaker's turns reaches the verified similarity and holds no "
        "critical change (a number, a negation, a name). Verified quotations are not reported "
        "as results; the rule is listed so that every verdict has one.",
        "Nothing to do.",
    ),
    Verdict.ALTERED: Rule(
        "AlteredQuotation",
        "The claimed speaker said something close, but not these words.",
        "The claimed speaker's closest passage is close enough to be the source of the "
        "quotation, but the words differ: changed, added or left out, or a critical change "
        "(a number, a negation, a name). The message gives the word-level difference: "
        "[-source words-] the quotation drops or changes, {+quotation words+} it has instead.",
        "Compare the quotation with the source passage named in the message. Quote the "
        "transcript as spoken, mark editorial changes with brackets and ellipses, or "
        "paraphrase without quotation marks.",
    ),
    Verdict.MISATTRIBUTED: Rule(
        "MisattributedQuotation",
        "The words were spoken by someone else.",
        "The words are in the transcripts, in the turn of another speaker than the one the "
        "article names, and clearly closer there than anything the claimed speaker said.",
        "Check who speaks at the source passage named in the message and correct the attribution.",
    ),
    Verdict.NOT_FOUND: Rule(
        "QuotationNotFound",
        "The quotation is not in the transcripts.",
        "Nothing the claimed speaker said comes close enough to the quotation, and the words "
        "are not found in another speaker's turns either; the nearest passage, if any, is "
        "named in the message.",
        "Find the source of the quotation and add its transcript to the corpus, or correct, "
        "paraphrase or remove the quotation. A quotation confirmed by other means can be "
        "waived with a reason.",
    ),
    Verdict.UNATTRIBUTED: Rule(
        "UnattributedQuotation",
        "The article names no speaker for the quotation.",
        "The quotation has no claimed speaker, or only an anonymous one (a US official, "
        "sources), so it cannot be checked against a speaker's words; the closest passage "
        "anywhere is named in the message.",
        "Name the speaker if the source allows it, or confirm the quotation by other means.",
    ),
}


def artifact_uri(path: str) -> str:
    """A file name as a relative URI reference: forward slashes, percent-encoded."""
    uri = path.replace("\\", "/")
    while uri.startswith("./"):
        uri = uri[2:]
    return url_quote(uri, safe="/")


def _gate(report: Report) -> Collection[str]:
    # The run's gate is in its settings; a report built without them gets the default gate.
    fail_on = report.settings.get("fail_on")
    if isinstance(fail_on, list | tuple | frozenset | set):
        return {str(v) for v in fail_on}
    return {v.value for v in Config().fail_on}


def _rule(verdict: Verdict, gate: Collection[str]) -> dict[str, object]:
    rule = RULES[verdict]
    if verdict.value in gate:
        level = "error"
    elif verdict is Verdict.VERIFIED:
        level = "none"
    else:
        level = "warning"
    return {
        "id": verdict.value,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": level},
    }


def _result(f: Finding, quote_width: int) -> dict[str, object] | None:
    level = level_of(f)
    if level is None:
        return None
    x = extent(f)
    region = {
        "startLine": x.line,
        "startColumn": x.column,
        "endLine": x.end_line,
        "endColumn": x.end_column,
        "charOffset": f.quote.span.start,
        "charLength": len(f.quote.span),
    }
    if f.end_line is None:
        # Without a computed end, the offsets alone say where the quote ends.
        del region["endLine"], region["endColumn"]
    return {
        "ruleId": f.verdict.value,
        "ruleIndex": list(Verdict).index(f.verdict),
        "level": level.value,
        "message": {"text": message(f, quote_width)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(f.file)},
                    "region": region,
                }
            }
        ],
        "properties": {
            "confidence": round(f.confidence, 2),
            "similarity": round(f.similarity, 1),
            "fails": f.fails,
        },
    }


def _notification(d: Diagnostic, level: str) -> dict[str, object]:
    location: dict[str, object] = {"artifactLocation": {"uri": artifact_uri(d.file)}}
    if d.line is not None:
        location["region"] = {"startLine": d.line}
    return {
        "level": level,
        "message": {"text": d.message},
        "locations": [{"physicalLocation": location}],
    }


def sarif_log(report: Report, options: RenderOptions) -> dict[str, object]:
    """The report as a SARIF 2.1.0 log: findings as results, input problems as notifications."""
    gate = _gate(report)
    results = [r for f in report.findings if (r := _result(f, options.quote_width)) is not None]
    invocation: dict[str, object] = {"executionSuccessful": not report.errors}
    notifications = [_notification(d, "error") for d in report.errors]
    notifications.extend(_notification(d, "warning") for d in report.warnings)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "quoteverify",
                        "version": __version__,
                        "rules": [_rule(v, gate) for v in Verdict],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render_sarif(report: Report, options: RenderOptions) -> str:
    """The SARIF log as indented JSON."""
    return json.dumps(sarif_log(report, options), ensure_ascii=False, indent=2) + "\n"
