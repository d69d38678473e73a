"""The command line: parse options, build a Config, run the pipeline, render, exit."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from quoteverify import __version__
from quoteverify.config import Config
from quoteverify.corpus import load_corpus
from quoteverify.errors import QuoteverifyError
from quoteverify.evaluate import DEFAULT_OVERLAP, LabelLine, evaluate, parse_labels, resolve_labels
from quoteverify.extract import detect_format
from quoteverify.index import build_or_refresh, corpus_stats, default_index_dir, load_index
from quoteverify.match import MatchIndex, build_index
from quoteverify.models import Corpus, Diagnostic, Finding, Verdict
from quoteverify.pipeline import (
    Article,
    ArticleResult,
    ExitStatus,
    build_report,
    check_article,
    exit_status,
)
from quoteverify.report import REPORTERS, RenderOptions, summary_line
from quoteverify.report.evaluation import (
    evaluation_summary_line,
    render_evaluation_json,
    render_evaluation_table,
)
from quoteverify.textio import decode, read_text

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})


class UsageError(click.ClickException):
    """A tool error: exits 2, unlike click.ClickException's 1."""

    exit_code = int(ExitStatus.ERROR)

    def show(self, file: object = None) -> None:
        click.echo(f"quoteverify: error: {self.format_message()}", err=True)


def _verdict_list(value: str) -> frozenset[Verdict]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    known = {v.value: v for v in Verdict}
    bad = [n for n in names if n not in known]
    if bad:
        choices = ", ".join(known)
        raise click.BadParameter(f"unknown verdict {bad[0]!r} (choose from {choices})")
    return frozenset(known[n] for n in names)


def _article_paths(paths: Sequence[str]) -> tuple[list[tuple[str, Path | None]], list[Diagnostic]]:
    """Expand the PATH arguments into (display name, path) pairs; None path is stdin."""
    out: list[tuple[str, Path | None]] = []
    errors: list[Diagnostic] = []
    for raw in paths:
        if raw == "-":
            out.append(("-", None))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            out.extend((p.as_posix(), p) for p in found)
        elif path.exists():
            out.append((path.as_posix(), path))
        else:
            errors.append(Diagnostic(raw, "no such file or directory"))
    return out, errors


def _read_articles(
    paths: Sequence[str],
) -> tuple[list[Article], list[Diagnostic], list[Diagnostic]]:
    articles: list[Article] = []
    found, errors = _article_paths(paths)
    warnings: list[Diagnostic] = []
    for name, path in found:
        try:
            if path is None:
                text, notes = decode(sys.stdin.buffer.read(), name=name)
            else:
                text, notes = read_text(path, name=name)
        except QuoteverifyError as exc:
            errors.append(Diagnostic(name, exc.message, exc.line))
            continue
        warnings.extend(Diagnostic(name, note) for note in notes)
        articles.append(Article(name, text, detect_format(name)))
    return articles, errors, warnings


def _use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _ProgressLine:
    """A one-line progress display on a terminal: files, words, rate and time left."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, words: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = words / elapsed
        left = (total - done) * elapsed / done if done else 0.0
        click.echo(
            f"\rindexing: {done}/{total} files, {words:,} words, {rate:,.0f} words/s, "
            f"{left:.0f} s left ",
            err=True,
            nl=False,
        )
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)


def _progress_wanted() -> bool:
    # Progress only for a person at a terminal: never in pipes or CI logs.
    return sys.stderr.isatty() and not os.environ.get("CI")


def _open_corpus(
    corpora: Sequence[str], index_dir: str | None, use_index: bool
) -> tuple[MatchIndex, tuple[Diagnostic, ...]]:
    """The corpus as an index: on disk (built or refreshed when needed), or in memory."""
    if not use_index:
        corpus, warnings = load_corpus(corpora)
        return build_index(corpus), warnings

    def say(reason: str) -> None:
        where = index_dir or default_index_dir(corpora)
        click.echo(f"quoteverify: index {reason}; building it in {where}", err=True)

    progress = _ProgressLine() if _progress_wanted() else None
    try:
        index, stats, warnings = load_index(corpora, index_dir, progress=progress, on_build=say)
    except OSError as exc:
        # A read-only corpus folder still gets checked, from an index kept in memory.
        click.echo(
            f"quoteverify: warning: cannot write the index ({exc.strerror}); using memory",
            err=True,
        )
        corpus, warnings = load_corpus(corpora)
        return build_index(corpus), warnings
    finally:
        if progress is not None:
            progress.close()
    if stats is not None:
        click.echo(
            f"quoteverify: indexed {stats.transcripts} transcripts ({stats.normalised} "
            f"processed, {stats.reused} unchanged, {stats.removed} removed), "
            f"{stats.words:,} words in {stats.seconds:.1f} s",
            err=True,
        )
    return index, warnings


def _index_options(f: Callable[..., None]) -> Callable[..., None]:
    """--index-dir and --no-index, shared by the commands that read a corpus."""
    f = click.option(
        "--no-index",
        is_flag=True,
        help="Read the transcripts into memory; neither read nor write the on-disk index.",
    )(f)
    return click.option(
        "--index-dir",
        metavar="DIR",
        help="Where the corpus index lives (default: FIRST_CORPUS/.quoteverify).",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quoteverify")
def main() -> None:
    """Verify the quotations of articles against a corpus of source transcripts."""


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH|-]...")
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    required=True,
    metavar="DIR",
    help="Folder of transcripts (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(REPORTERS)),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--tablefmt",
    default="simple",
    show_default=True,
    help="Any tabulate table format, for --format table.",
)
@click.option(
    "--fail-on",
    default=",".join(sorted(v.value for v in Config().fail_on)),
    show_default=True,
    help="Comma list of verdicts that fail the run (exit 1).",
)
@_index_options
def check(
    paths: tuple[str, ...],
    corpora: tuple[str, ...],
    fmt: str,
    tablefmt: str,
    fail_on: str,
    index_dir: str | None,
    no_index: bool,
) -> None:
    """Check every quotation in the articles at PATH against the transcripts.

    PATH is a .txt, .md or .html file, a folder (searched recursively) or - for
    standard input. The report goes to stdout, a summary line to stderr.

    Exit status: 0 clean, 1 a finding fails the gate, 2 usage, input or corpus error.

    \b
    Example:
      quoteverify check seeds/000_2c19eea2428d6ab8.txt --corpus fixtures/transcripts
    """
    if not paths:
        raise UsageError("no articles given: name files or folders, or - to read standard input")
    try:
        fail = _verdict_list(fail_on)
    except click.BadParameter as exc:
        raise UsageError(f"--fail-on: {exc.message}") from None
    config = Config(fail_on=fail)
    try:
        index, corpus_warnings = _open_corpus(corpora, index_dir, not no_index)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    articles, errors, warnings = _read_articles(paths)
    warnings.extend(corpus_warnings)
    results: list[ArticleResult] = [check_article(a, index, config) for a in articles]
    report = build_report(results, config, errors=errors, warnings=warnings, files=len(articles))
    options = RenderOptions(
        tablefmt=tablefmt, quote_width=config.quote_width, color=_use_color(sys.stdout)
    )
    click.echo(REPORTERS[fmt](report, options), nl=False)
    for w in report.warnings:
        click.echo(f"quoteverify: warning: {w}", err=True)
    for e in report.errors:
        click.echo(f"quoteverify: error: {e}", err=True)
    click.echo(summary_line(report), err=True)
    sys.exit(int(exit_status(report)))


def _label_articles(
    lines: Sequence[LabelLine], labels_path: Path, labels_name: str
) -> tuple[list[Article], list[str], list[Diagnostic]]:
    """Read each article the labels name, once, in sorted order, named as the labels write it."""
    first_line: dict[str, int] = {}
    for ll in lines:
        first_line.setdefault(ll.article, ll.line)
    articles: list[Article] = []
    errors: list[str] = []
    warnings: list[Diagnostic] = []
    for key in sorted(first_line):
        # Relative to the labels file's folder; an absolute path stays as it is.
        path = labels_path.parent / key
        where = f"{labels_name}:{first_line[key]}"
        if path.is_dir():
            errors.append(f"{where}: {key}: a folder, not an article")
            continue
        found, read_errors, read_warnings = _read_articles([str(path)])
        errors.extend(f"{where}: {key}: {e.message}" for e in read_errors)
        warnings.extend(read_warnings)
        articles.extend(Article(key, a.text, a.fmt) for a in found)
    return articles, errors, warnings


@main.command("eval")
@click.argument("labels_file", metavar="LABELS.jsonl")
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    metavar="DIR",
    help="Folder of transcripts (repeatable); without it, verdicts are not measured.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--overlap",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=DEFAULT_OVERLAP,
    show_default=True,
    help="Share of the longer span two spans must share to match.",
)
@_index_options
def eval_command(
    labels_file: str,
    corpora: tuple[str, ...],
    fmt: str,
    overlap: float,
    index_dir: str | None,
    no_index: bool,
) -> None:
    """Measure quoteverify on labelled articles: extraction, speakers, verdicts, calibration.

    LABELS.jsonl has one JSON object per line naming an article (relative to the labels
    file's folder), the quoted span or text, its speaker and optionally the expected
    verdict; see docs/eval.md. The figures go to stdout, a summary line to stderr.

    Exit status: 0 the evaluation ran (the figures are not a gate), 2 usage or input error.

    \b
    Example:
      quoteverify eval fixtures/eval/labels.jsonl --corpus fixtures/transcripts
    """
    labels_path = Path(labels_file)
    try:
        text, _ = read_text(labels_path, name=labels_file)
        lines = parse_labels(text, name=labels_file)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    if not lines:
        raise UsageError(f"{labels_file}: no label lines")
    # An empty corpus still extracts and attributes; only the verdicts need transcripts.
    index: MatchIndex = build_index(Corpus(()))
    warnings: list[Diagnostic] = []
    if corpora:
        try:
            index, corpus_warnings = _open_corpus(corpora, index_dir, not no_index)
        except QuoteverifyError as exc:
            raise UsageError(str(exc)) from None
        warnings.extend(corpus_warnings)
    articles, errors, read_warnings = _label_articles(lines, labels_path, labels_file)
    warnings.extend(read_warnings)
    for w in warnings:
        click.echo(f"quoteverify: warning: {w}", err=True)
    if errors:
        for e in errors[:-1]:
            click.echo(f"quoteverify: error: {e}", err=True)
        raise UsageError(errors[-1])
    try:
        labels = resolve_labels(lines, {a.name: a.text for a in articles}, name=labels_file)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    config = Config()
    findings: list[Finding] = []
    for article in articles:
        findings.extend(check_article(article, index, config).findings)
    result = evaluate(labels, findings, threshold=overlap, verdicts=bool(corpora))
    if fmt == "json":
        click.echo(render_evaluation_json(result), nl=False)
    else:
        click.echo(render_evaluation_table(result), nl=False)
    click.echo(evaluation_summary_line(result), err=True)
    sys.exit(int(ExitStatus.OK))


@main.command("index")
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    required=True,
    metavar="DIR",
    help="Folder of transcripts (repeatable).",
)
@click.option(
    "--index-dir",
    metavar="DIR",
    help="Where the index lives (default: FIRST_CORPUS/.quoteverify).",
)
def index_command(corpora: tuple[str, ...], index_dir: str | None) -> None:
    """Build the on-disk index of a corpus, or bring it up to date.

    Only transcripts added, changed or removed since the last build are processed.
    `check` does this by itself when the index is missing or stale; run it ahead of
    time, in CI or after a sync, to keep the first check fast.

    \b
    Example:
      quoteverify index --corpus fixtures/transcripts
    """
    progress = _ProgressLine() if _progress_wanted() else None
    try:
        stats = build_or_refresh(corpora, index_dir, progress=progress)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{exc.filename}: cannot write the index: {exc.strerror}") from None
    finally:
        if progress is not None:
            progress.close()
    for w in stats.warnings:
        click.echo(f"quoteverify: warning: {w}", err=True)
    state = "rebuilt" if stats.rebuilt else "already up to date"
    click.echo(
        f"index {stats.index_dir}: {state} ({stats.reason}); {stats.transcripts} transcripts "
        f"({stats.normalised} processed, {stats.reused} unchanged, {stats.removed} removed), "
        f"{stats.words:,} words, {stats.index_bytes / 1e6:.1f} MB, {stats.seconds:.1f} s",
        err=True,
    )


@main.group("corpus")
def corpus_group() -> None:
    """Commands about a corpus of transcripts."""


@corpus_group.command("stats")
@click.option(
    "--corpus",
    "corpora",
    multiple=True,
    required=True,
    metavar="DIR",
    help="Folder of transcripts (repeatable).",
)
@click.option(
    "--index-dir",
    metavar="DIR",
    help="Where the index lives (default: FIRST_CORPUS/.quoteverify).",
)
def corpus_stats_command(corpora: tuple[str, ...], index_dir: str | None) -> None:
    """Print transcripts, turns, speakers, words, date range, index size and freshness.

    \b
    Example:
      quoteverify corpus stats --corpus fixtures/transcripts
    """
    try:
        stats = corpus_stats(corpora, index_dir)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    width = max(len(k) for k in stats)
    for key, value in stats.items():
        click.echo(f"{key:<{width}}  {value}")
