"""Composes the stages: article text -> findings. No I/O, no printing."""

from __future__ import annotations

import bisect
import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from quoteverify.attribute import attribute
from quoteverify.classify import classify
from quoteverify.config import Config
from quoteverify.extract import extract, load_document
from quoteverify.match import MatchIndex, build_index, match_quote
from quoteverify.models import (
    Corpus,
    Diagnostic,
    DocFormat,
    Finding,
    QuoteKind,
    Report,
    Span,
    Verdict,
)
from quoteverify.normalise import normalise
from quoteverify.verdict import judge
from quoteverify.waivers import apply_waivers


@dataclass(frozen=True)
class Article:
    """An article's text as read, with the name reports give it."""

    name: str
    text: str
    fmt: DocFormat


@dataclass(frozen=True)
class ArticleResult:
    """The findings, warnings and errors (a waiver without a reason) of one article."""

    findings: tuple[Finding, ...]
    warnings: tuple[Diagnostic, ...]
    errors: tuple[Diagnostic, ...] = ()


class LineIndex:
    """Maps character offsets of a text to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts = [0]
        self._starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column (in characters) of offset."""
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def byte_column(self, offset: int) -> int:
        """The 1-based column of offset counted in UTF-8 bytes of its line (reviewdog's unit)."""
        start = self._starts[bisect.bisect_right(self._starts, offset) - 1]
        return len(self._text[start:offset].encode("utf-8", "surrogatepass")) + 1

    def end(self, span: Span) -> tuple[int, int, int]:
        """Line, character column and byte column just past the last character of span."""
        if not len(span):
            line, column = self.position(span.start)
            return line, column, self.byte_column(span.start)
        # From the last character, not from span.end: a span ending a line ends on that line.
        last = span.end - 1
        line, column = self.position(last)
        width = len(self._text[last].encode("utf-8", "surrogatepass"))
        return line, column + 1, self.byte_column(last) + width


def fails_gate(verdict: Verdict, confidence: float, config: Config) -> bool:
    """Whether a finding with this verdict and confidence fails the configured gate."""
    return verdict in config.fail_on and confidence >= config.min_confidence


def check_article(article: Article, index: MatchIndex, config: Config) -> ArticleResult:
    """Extract, attribute, match and judge every quotation of one article."""
    doc = load_document(article.text, article.fmt)
    extraction = extract(doc)
    lines = LineIndex(article.text)
    warnings = tuple(
        Diagnostic(article.name, w.message, lines.position(w.offset)[0])
        for w in extraction.warnings
    )
    # Every quote is attributed (scare quotes too: they mask their words from the attribution
    # of the others); names, titles and scare quotes are then left out of the findings.
    quotes = extraction.quotes
    attributions = attribute(doc, quotes, aliases=tuple(index.aliases))
    kinds = classify(doc, quotes, attributions)
    speech = [
        (q, a)
        for q, a, k in zip(quotes, attributions, kinds, strict=True)
        if q.kind is QuoteKind.SPEECH and k is QuoteKind.SPEECH
    ]
    findings = []
    for quote, attribution in speech:
        # Token offsets index into quote.text, which is what the diff prints.
        norm = normalise(quote.text, quote=True)
        result = match_quote(index, norm, attribution.speaker, config, text=quote.text)
        judgement = judge(quote, norm, attribution, result, config)
        line, column = lines.position(quote.span.start)
        end_line, end_column, end_byte_column = lines.end(quote.span)
        findings.append(
            Finding(
                file=article.name,
                line=line,
                column=column,
                quote=quote,
                attribution=attribution,
                verdict=judgement.verdict,
                confidence=judgement.confidence,
                similarity=judgement.similarity,
                passage=judgement.passage,
                diff=judgement.diff,
                reasons=judgement.reasons,
                fails=fails_gate(judgement.verdict, judgement.confidence, config),
                end_line=end_line,
                end_column=end_column,
                byte_column=lines.byte_column(quote.span.start),
                end_byte_column=end_byte_column,
            )
        )
    waived, waiver_errors, waiver_warnings = apply_waivers(
        article.name, article.text, article.fmt, findings
    )
    return ArticleResult(waived, warnings + waiver_warnings, waiver_errors)


def settings_of(config: Config) -> dict[str, object]:
    """The thresholds and weights of a Config, for reports (sorted names, plain values)."""
    out: dict[str, object] = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if isinstance(value, frozenset):
            value = sorted(v.value for v in value)
        out[f.name] = value
    return dict(sorted(out.items()))


def build_report(
    results: Iterable[ArticleResult],
    config: Config,
    *,
    errors: Sequence[Diagnostic] = (),
    warnings: Sequence[Diagnostic] = (),
    files: int = 0,
) -> Report:
    """Gather per-article results into one deterministic Report."""
    findings: list[Finding] = []
    all_warnings = list(warnings)
    all_errors = list(errors)
    for r in results:
        findings.extend(r.findings)
        all_warnings.extend(r.warnings)
        all_errors.extend(r.errors)
    findings.sort(key=lambda f: (f.file, f.quote.span.start, f.quote.span.end))
    return Report(
        findings=tuple(findings),
        errors=tuple(sorted(all_errors, key=_diag_key)),
        warnings=tuple(sorted(all_warnings, key=_diag_key)),
        files=files,
        settings=settings_of(config),
    )


def _diag_key(d: Diagnostic) -> tuple[str, int, str]:
    return (d.file, d.line or 0, d.message)


class ExitStatus(enum.IntEnum):
    """The process exit status a run's report calls for."""

    OK = 0
    FINDINGS = 1
    ERROR = 2


def exit_status(report: Report) -> ExitStatus:
    """ERROR when an input failed, FINDINGS when a finding fails the gate, else OK."""
    if report.errors:
        return ExitStatus.ERROR
    if report.failing:
        return ExitStatus.FINDINGS
    return ExitStatus.OK


def verify_text(
    text: str,
    corpus: Corpus,
    *,
    name: str = "-",
    fmt: DocFormat = DocFormat.TEXT,
    config: Config | None = None,
) -> Report:
    """Check one article's text against a loaded corpus: the library's one-call entry point."""
    config = config or Config()
    result = check_article(Article(name, text, fmt), build_index(corpus), config)
    return build_report([result], config, files=1)
