"""The command line: parse options, build a Config, run the pipeline, render, exit."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

# numpy's OpenBLAS starts a thread a core when numpy is first imported, and each spins for
# about 0.1 CPU-second before sleeping; the index build, on every core from its first
# milliseconds, lost that much CPU to them. quoteverify calls no BLAS routine. Set before any
# module of ours imports numpy (none does at import time).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from quoteverify import __version__
from quoteverify.baseline import (
    DEFAULT_BASELINE,
    Baseline,
    apply_baseline,
    key_path,
    parse_baseline,
    render_baseline,
    stale_entries,
    updated_baseline,
)
from quoteverify.changes import Changes, changed_lines_of, changes_since
from quoteverify.config import (
    DEFAULT_FAIL_ON,
    DEFAULT_FORMAT,
    ENV_CONFIG,
    ENV_CORPUS,
    Config,
    Settings,
    describe,
    load_settings,
    parse_verdicts,
    selected,
)
from quoteverify.corpus import load_corpus
from quoteverify.errors import QuoteverifyError
from quoteverify.evaluate import DEFAULT_OVERLAP, LabelLine, evaluate, parse_labels, resolve_labels
from quoteverify.extract import detect_format
from quoteverify.index import build_or_refresh, corpus_stats, default_index_dir, load_index
from quoteverify.match import MatchIndex, build_index
from quoteverify.models import Corpus, Diagnostic, DocFormat, Finding, Report, Verdict
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
from quoteverify.sources import (
    Fetcher,
    add_transcript,
    check_offline,
    default_cache_dir,
    fetch_article,
    is_url,
    sync,
)
from quoteverify.textio import decode, read_text

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
# Formats written article by article as the run goes (one record a line, nothing around).
STREAMING = frozenset({"jsonl"})


class UsageError(click.ClickException):
    """A tool error: exits 2, unlike click.ClickException's 1."""

    exit_code = int(ExitStatus.ERROR)

    def show(self, file: object = None) -> None:
        click.echo(f"quoteverify: error: {self.format_message()}", err=True)


def _verdict_list(value: str) -> frozenset[Verdict]:
    try:
        return parse_verdicts([v.strip() for v in value.split(",") if v.strip()])
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _expand(
    raw: str, select: Callable[[Path], bool]
) -> tuple[list[tuple[str, Path | None]], Diagnostic | None]:
    """One PATH argument as (display name, path) pairs; a folder is searched recursively."""
    path = Path(raw)
    if path.is_dir():
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in ARTICLE_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and select(p)
        )
        return [(p.as_posix(), p) for p in found], None
    if path.exists():
        return ([(path.as_posix(), path)] if select(path) else []), None
    return [], Diagnostic(raw, "no such file or directory")


def _article_paths(
    paths: Sequence[str],
    *,
    select: Callable[[Path], bool] = lambda p: True,
    stdin_name: str = "-",
) -> tuple[list[tuple[str, Path | None]], list[Diagnostic]]:
    """Expand the PATH arguments into (display name, path) pairs; None path is stdin."""
    out: list[tuple[str, Path | None]] = []
    errors: list[Diagnostic] = []
    for raw in paths:
        if raw == "-":
            if stdin_name == "-" or select(Path(stdin_name)):
                out.append((stdin_name, None))
            continue
        found, error = _expand(raw, select)
        out.extend(found)
        if error is not None:
            errors.append(error)
    return out, errors


def _read_article(
    name: str, path: Path | None, fetcher: Fetcher | None = None, *, use_cache: bool = True
) -> tuple[Article, list[Diagnostic]]:
    """Read one article (None path: stdin or a URL); an unreadable one raises QuoteverifyError."""
    if path is None and fetcher is not None and is_url(name):
        fetched = fetch_article(name, fetcher, use_cache=use_cache)
        return Article(name, fetched.text, fetched.fmt), [
            Diagnostic(name, w) for w in fetched.page.warnings
        ]
    if path is None:
        text, notes = decode(sys.stdin.buffer.read(), name=name)
    else:
        text, notes = read_text(path, name=name)
    return Article(name, text, detect_format(name)), [Diagnostic(name, n) for n in notes]


def _read_articles(
    paths: Sequence[str],
) -> tuple[list[Article], list[Diagnostic], list[Diagnostic]]:
    articles: list[Article] = []
    found, errors = _article_paths(paths)
    warnings: list[Diagnostic] = []
    for name, path in found:
        try:
            article, notes = _read_article(name, path)
        except QuoteverifyError as exc:
            errors.append(Diagnostic(name, exc.message, exc.line))
            continue
        warnings.extend(notes)
        articles.append(article)
    return articles, errors, warnings


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


def _settings_options(*, with_format: bool) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The options that override the configuration file, shared by check, baseline and config."""

    def decorate(f: Callable[..., None]) -> Callable[..., None]:
        f = click.option(
            "--no-baseline", is_flag=True, help="Ignore the baseline file the configuration names."
        )(f)
        f = click.option(
            "--baseline",
            metavar="FILE",
            help="Baseline file of accepted findings (default: `baseline` of the configuration).",
        )(f)
        f = click.option(
            "--min-confidence",
            type=click.FloatRange(0.0, 1.0),
            help="Findings below this confidence never fail the gate.  [default: 0.0]",
        )(f)
        f = click.option(
            "--fail-on",
            metavar="VERDICTS",
            help="Comma list of verdicts that fail the run (exit 1).  "
            f"[default: {','.join(sorted(v.value for v in DEFAULT_FAIL_ON))}]",
        )(f)
        if with_format:
            f = click.option(
                "--format",
                "fmt",
                type=click.Choice(sorted(REPORTERS)),
                help=f"Output format.  [default: {DEFAULT_FORMAT}]",
            )(f)
        f = click.option(
            "--corpus",
            "corpora",
            multiple=True,
            metavar="DIR",
            help="Folder of transcripts (repeatable; default: `corpus` of the configuration).",
        )(f)
        return click.option(
            "--config",
            "config_path",
            metavar="FILE",
            help=f"Configuration file (default: ${ENV_CONFIG}, else the nearest "
            ".quoteverify.toml or pyproject.toml with [tool.quoteverify]).",
        )(f)

    return decorate


def _settings(
    *,
    config_path: str | None,
    corpora: Sequence[str],
    fmt: str | None,
    fail_on: str | None,
    min_confidence: float | None,
    baseline: str | None,
    no_baseline: bool,
) -> Settings:
    """The effective settings: defaults < configuration file < environment < flags."""
    flags: dict[str, object] = {
        "corpus": tuple(corpora),
        "format": fmt,
        "min_confidence": min_confidence,
        "baseline": "" if no_baseline else baseline,
    }
    if fail_on is not None:
        try:
            flags["fail_on"] = _verdict_list(fail_on)
        except click.BadParameter as exc:
            raise UsageError(f"--fail-on: {exc.message}") from None
    try:
        return load_settings(
            flags=flags,
            config_path=config_path,
            env=os.environ,
            cwd=Path.cwd(),
            formats=REPORTERS,
        )
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None


def _checking_settings(
    paths: Sequence[str],
    config_path: str | None,
    corpora: Sequence[str],
    fmt: str | None,
    fail_on: str | None,
    min_confidence: float | None,
    baseline: str | None,
    no_baseline: bool,
) -> Settings:
    """The settings of a command that checks articles: some articles and a corpus required."""
    if not paths:
        raise UsageError("no articles given: name files or folders, or - to read standard input")
    settings = _settings(
        config_path=config_path,
        corpora=corpora,
        fmt=fmt,
        fail_on=fail_on,
        min_confidence=min_confidence,
        baseline=baseline,
        no_baseline=no_baseline,
    )
    _require_corpus(settings)
    return settings


def _require_corpus(settings: Settings) -> None:
    if not settings.corpus:
        raise UsageError(
            "Missing option '--corpus': name the transcript folders with --corpus DIR, "
            f"{ENV_CORPUS} or `corpus` in .quoteverify.toml"
        )


def _selector(settings: Settings) -> Callable[[Path], bool]:
    """Whether a file passes the include and exclude globs, relative to the config's folder."""
    if not settings.include and not settings.exclude:
        return lambda p: True
    root = settings.root

    def select(path: Path) -> bool:
        full = os.path.normpath(Path.cwd() / path)
        try:
            rel = Path(os.path.relpath(full, root)).as_posix()
        except ValueError:
            rel = Path(full).as_posix()
        return selected(rel, settings.include, settings.exclude)

    return select


def _use_color(choice: str, stream: object) -> bool:
    """--color: always and never as said; auto when the stream is a terminal and no NO_COLOR."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Output:
    """Where the report goes: stdout as it comes, or a file replaced atomically at the end."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._tmp: str | None = None
        self._file: IO[str] | None = None
        if path is None:
            return
        target = Path(path)
        try:
            fd, self._tmp = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror}") from None
        # mkstemp makes the file private; a report is an ordinary file.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(self._tmp, 0o666 & ~mask)
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def isatty(self) -> bool:
        return self._file is None and sys.stdout.isatty()

    def write(self, text: str, *, color: bool) -> None:
        if self._file is not None:
            self._file.write(text)
            return
        click.echo(text, nl=False, color=color)
        sys.stdout.flush()

    def commit(self) -> None:
        if self._file is None or self._tmp is None or self.path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self.path)
        self._file = self._tmp = None

    def discard(self) -> None:
        if self._file is not None and self._tmp is not None:
            self._file.close()
            Path(self._tmp).unlink(missing_ok=True)
            self._file = self._tmp = None


def _read_baseline(path: str, *, require_reason: bool, missing_ok: bool) -> Baseline:
    try:
        text, _ = read_text(Path(path), name=path)
    except QuoteverifyError as exc:
        if missing_ok and not Path(path).exists():
            return Baseline()
        if not Path(path).exists():
            raise UsageError(
                f"{path}: baseline file not found: write it with `quoteverify baseline`, "
                "or run with --no-baseline"
            ) from None
        raise UsageError(str(exc)) from None
    try:
        return parse_baseline(text, name=path, require_reason=require_reason)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None


def _changed(ref: str | None, lines: bool) -> Changes | None:
    if ref is None:
        if lines:
            raise UsageError("--changed-lines needs --changed-since REF")
        return None
    try:
        return changes_since(ref, Path.cwd(), lines=lines)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None


def _on_lines(f: Finding, text: str, lines: frozenset[int]) -> bool:
    last = f.line + text.count("\n", f.quote.span.start, f.quote.span.end)
    return any(n in lines for n in range(f.line, last + 1))


@dataclass
class _Run:
    """What checking the articles of one command gathered, article by article."""

    results: list[ArticleResult] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    checked: set[str] = field(default_factory=set)  # baseline keys of the articles read
    used: set[str] = field(default_factory=set)  # baseline fingerprints that matched
    keyed: list[tuple[str, Finding]] = field(default_factory=list)  # (baseline key, finding)


def _check_all(
    sources: Sequence[tuple[str, Path | None]],
    index: MatchIndex,
    settings: Settings,
    *,
    changes: Changes | None,
    changed_lines: bool,
    baseline: Baseline | None,
    baseline_dir: Path,
    on_article: Callable[[ArticleResult], None] = lambda r: None,
    fetcher: Fetcher | None = None,
    use_cache: bool = True,
) -> _Run:
    """Read and check each article in turn, in the order given; on_article sees each result."""
    run = _Run()
    cwd = Path.cwd()
    for name, path in sources:
        lines: frozenset[int] | None = None
        if changes is not None and path is not None:
            changed, lines = changed_lines_of(changes, path)
            if not changed:
                continue
        try:
            article, notes = _read_article(name, path, fetcher, use_cache=use_cache)
        except QuoteverifyError as exc:
            run.errors.append(Diagnostic(name, exc.message, exc.line))
            continue
        run.files += 1
        run.warnings.extend(notes)
        result = check_article(article, index, settings.config)
        findings = result.findings
        if changed_lines and lines is not None and article.fmt is DocFormat.MARKDOWN:
            findings = tuple(f for f in findings if _on_lines(f, article.text, lines))
        key = key_path(name, cwd, baseline_dir)
        run.checked.add(key)
        if baseline is not None:
            findings, used = apply_baseline(findings, key, baseline)
            run.used |= used
        findings = tuple(sorted(findings, key=lambda f: (f.quote.span.start, f.quote.span.end)))
        run.keyed.extend((key, f) for f in findings)
        result = ArticleResult(findings, result.warnings, result.errors)
        run.results.append(result)
        on_article(result)
    return run


def _sources(
    paths: Sequence[str], settings: Settings, stdin_filename: str | None
) -> tuple[list[tuple[str, Path | None]], list[Diagnostic]]:
    if not paths:
        raise UsageError("no articles given: name files or folders, or - to read standard input")
    if stdin_filename is not None and "-" not in paths:
        raise UsageError("--stdin-filename names standard input: give - among the paths")
    urls = [p for p in paths if is_url(p)]
    found, errors = _article_paths(
        [p for p in paths if not is_url(p)],
        select=_selector(settings),
        stdin_name=stdin_filename or "-",
    )
    found.extend((url, None) for url in urls)
    # One article once, in name order: the order of the report, also when it streams.
    unique = dict(found)
    return sorted(unique.items(), key=lambda item: item[0]), errors


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH|-]...")
@_settings_options(with_format=True)
@click.option(
    "--tablefmt",
    default="simple",
    show_default=True,
    help="Any tabulate table format, for --format table.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write the report to FILE (atomically) instead of stdout.",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when findings fail the gate (still 2 on errors).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the table's verdicts (auto: on a terminal, unless NO_COLOR is set).",
)
@click.option(
    "--stdin-filename",
    metavar="NAME",
    help="The name of the article read from - (for reports, format, globs and baseline).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Check only articles changed since the merge base of git REF and HEAD "
    "(uncommitted and untracked files included).",
)
@click.option(
    "--changed-lines",
    is_flag=True,
    help="With --changed-since: in Markdown articles, only the quotes on changed lines.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Fetch article URLs afresh, neither reading nor writing the page cache.",
)
@_index_options
def check(
    paths: tuple[str, ...],
    config_path: str | None,
    corpora: tuple[str, ...],
    fmt: str | None,
    fail_on: str | None,
    min_confidence: float | None,
    baseline: str | None,
    no_baseline: bool,
    tablefmt: str,
    output: str | None,
    exit_zero: bool,
    color: str,
    stdin_filename: str | None,
    changed_since: str | None,
    changed_lines: bool,
    no_cache: bool,
    index_dir: str | None,
    no_index: bool,
) -> None:
    """Check every quotation in the articles at PATH against the transcripts.

    PATH is a .txt, .md or .html file, a folder (searched recursively), an http(s)
    URL of a published article (its main text is checked; pages are cached, see
    --no-cache) or - for standard input. The report goes to stdout (or -o FILE),
    warnings, errors and a summary line to stderr. Options override the configuration file (see
    `quoteverify config`); findings accepted by an inline waiver or the baseline are
    reported but never fail the gate.

    Exit status: 0 clean, 1 a finding fails the gate, 2 usage, configuration, input or
    corpus error.

    \b
    Example:
      quoteverify check seeds/000_2c19eea2428d6ab8.txt --corpus fixtures/transcripts
      quoteverify check --changed-since origin/main --format github articles/
    """
    settings = _checking_settings(
        paths, config_path, corpora, fmt, fail_on, min_confidence, baseline, no_baseline
    )
    sources, errors = _sources(paths, settings, stdin_filename)
    changes = _changed(changed_since, changed_lines)
    accepted = (
        _read_baseline(settings.baseline, require_reason=True, missing_ok=False)
        if settings.baseline
        else None
    )
    baseline_dir = Path(settings.baseline).resolve().parent if settings.baseline else Path.cwd()
    try:
        index, corpus_warnings = _open_corpus(settings.corpus, index_dir, not no_index)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    out = _Output(output)
    options = RenderOptions(
        tablefmt=tablefmt,
        quote_width=settings.config.quote_width,
        color=_use_color(color, out),
    )
    render = REPORTERS[settings.format]
    # One HTTP client for every URL of the run: connections are reused, hosts not flooded.
    fetcher = (
        Fetcher(cache_dir=default_cache_dir())
        if any(path is None and is_url(name) for name, path in sources)
        else None
    )

    def stream(result: ArticleResult) -> None:
        # JSON Lines is written article by article, so a long run shows findings as they come.
        if settings.format in STREAMING and result.findings:
            out.write(render(Report(findings=result.findings), options), color=options.color)

    try:
        run = _check_all(
            sources,
            index,
            settings,
            changes=changes,
            changed_lines=changed_lines,
            baseline=accepted,
            baseline_dir=baseline_dir,
            on_article=stream,
            fetcher=fetcher,
            use_cache=not no_cache,
        )
        warnings = [*corpus_warnings, *run.warnings]
        if accepted is not None and settings.baseline:
            warnings.extend(
                Diagnostic(
                    settings.baseline,
                    f"stale entry: {e.file}: “{e.quote}” ({e.claimed_speaker or 'no speaker'})"
                    " matches no quotation; remove it or run `quoteverify baseline`",
                )
                for e in stale_entries(accepted, run.checked, run.used)
            )
        report = build_report(
            run.results,
            settings.config,
            errors=[*errors, *run.errors],
            warnings=warnings,
            files=run.files,
        )
        if settings.format not in STREAMING:
            out.write(render(report, options), color=options.color)
        out.commit()
    finally:
        out.discard()
        if fetcher is not None:
            fetcher.close()
    for w in report.warnings:
        click.echo(f"quoteverify: warning: {w}", err=True)
    for e in report.errors:
        click.echo(f"quoteverify: error: {e}", err=True)
    click.echo(summary_line(report), err=True)
    status = exit_status(report)
    if exit_zero and status is ExitStatus.FINDINGS:
        status = ExitStatus.OK
    sys.exit(int(status))


@main.command("baseline")
@click.argument("paths", nargs=-1, metavar="[PATH|-]...")
@_settings_options(with_format=False)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help=f"The baseline file to write (default: `baseline` of the configuration, "
    f"else {DEFAULT_BASELINE}).",
)
@click.option(
    "--reason",
    default="",
    help="The reason to record for every new entry (default: empty, to be filled in).",
)
@click.option(
    "--stdin-filename",
    metavar="NAME",
    help="The name of the article read from - (for format, globs and the baseline).",
)
@_index_options
def baseline_command(
    paths: tuple[str, ...],
    config_path: str | None,
    corpora: tuple[str, ...],
    fail_on: str | None,
    min_confidence: float | None,
    baseline: str | None,
    no_baseline: bool,
    output: str | None,
    reason: str,
    stdin_filename: str | None,
    index_dir: str | None,
    no_index: bool,
) -> None:
    """Write the findings that fail the gate now to a baseline file, to accept them.

    Each entry holds a fingerprint (the quote's normalised words, the claimed speaker
    and the article's path; not its line) and a reason. New entries get --reason, or
    an empty reason that an editor must fill in: `check` exits 2 on an entry without
    one. Reasons already in the file are kept; entries of articles not checked now are
    kept; entries that no longer match are dropped. Inline-waived findings are left out.

    Exit status: 0 written, 2 usage, configuration, input or corpus error (nothing written).

    \b
    Example:
      quoteverify baseline articles/ -o .quoteverify-baseline.json --reason "checked by the desk"
    """
    settings = _checking_settings(
        paths, config_path, corpora, None, fail_on, min_confidence, baseline, no_baseline
    )
    target = output or settings.baseline or DEFAULT_BASELINE
    sources, errors = _sources(paths, settings, stdin_filename)
    previous = _read_baseline(target, require_reason=False, missing_ok=True)
    try:
        index, corpus_warnings = _open_corpus(settings.corpus, index_dir, not no_index)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    run = _check_all(
        sources,
        index,
        settings,
        changes=None,
        changed_lines=False,
        baseline=None,
        baseline_dir=Path(target).resolve().parent,
    )
    for w in [*corpus_warnings, *run.warnings, *(w for r in run.results for w in r.warnings)]:
        click.echo(f"quoteverify: warning: {w}", err=True)
    problems = [*errors, *run.errors, *(e for r in run.results for e in r.errors)]
    if problems:
        for e in problems[:-1]:
            click.echo(f"quoteverify: error: {e}", err=True)
        raise UsageError(f"{problems[-1]}; baseline not written")
    failing = [(key, f) for key, f in run.keyed if f.fails]
    updated = updated_baseline(failing, previous, run.checked, reason=reason.strip())
    out = _Output(target)
    try:
        out.write(render_baseline(updated), color=False)
        out.commit()
    finally:
        out.discard()
    missing = sum(1 for e in updated.entries if not e.reason)
    line = f"quoteverify: wrote {len(updated.entries)} baseline entries to {target}"
    if missing:
        line += f'; {missing} without a reason: fill in each "reason" (check exits 2 until then)'
    click.echo(line, err=True)
    sys.exit(int(ExitStatus.OK))


@main.command("config")
@_settings_options(with_format=True)
def config_command(
    config_path: str | None,
    corpora: tuple[str, ...],
    fmt: str | None,
    fail_on: str | None,
    min_confidence: float | None,
    baseline: str | None,
    no_baseline: bool,
) -> None:
    """Print the effective configuration, as TOML, and where each value came from.

    Values come from the defaults, the configuration file (--config, else
    $QUOTEVERIFY_CONFIG, else the nearest .quoteverify.toml or pyproject.toml with a
    [tool.quoteverify] table from the current folder up to the repository root), the
    environment (QUOTEVERIFY_CORPUS, QUOTEVERIFY_FORMAT) and the flags given here, each
    overriding the one before. Paths are shown relative to the current folder.

    Exit status: 0, or 2 on an unknown key or a bad value (naming the file and key).

    \b
    Example:
      quoteverify config
      quoteverify config --format json
    """
    settings = _settings(
        config_path=config_path,
        corpora=corpora,
        fmt=fmt,
        fail_on=fail_on,
        min_confidence=min_confidence,
        baseline=baseline,
        no_baseline=no_baseline,
    )
    click.echo(describe(settings), nl=False)


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


def _corpus_and_index_dir(f: Callable[..., None]) -> Callable[..., None]:
    """--corpus (required, repeatable) and --index-dir, for the index commands."""
    f = click.option(
        "--index-dir",
        metavar="DIR",
        help="Where the index lives (default: FIRST_CORPUS/.quoteverify).",
    )(f)
    return click.option(
        "--corpus",
        "corpora",
        multiple=True,
        required=True,
        metavar="DIR",
        help="Folder of transcripts (repeatable).",
    )(f)


@main.command("index")
@_corpus_and_index_dir
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
@_corpus_and_index_dir
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


def _refresh_index_if_built(corpus: str) -> None:
    """After the folder changed, bring an existing index up to date (none is created)."""
    folder = default_index_dir([corpus])
    if not folder.exists():
        return
    try:
        stats = build_or_refresh([corpus], folder)
    except (QuoteverifyError, OSError) as exc:
        click.echo(f"quoteverify: warning: index not refreshed: {exc}", err=True)
        return
    click.echo(
        f"quoteverify: index refreshed ({stats.normalised} processed, {stats.removed} removed)",
        err=True,
    )


@corpus_group.command("add")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--corpus", required=True, metavar="DIR", help="The corpus folder to write into.")
@click.option("--speaker", help="The single speaker of a page without speaker labels.")
@click.option("--title", help="The transcript's title (default: the page's).")
@click.option("--date", help="The event's date, YYYY-MM-DD.")
@click.option("--force", is_flag=True, help="Overwrite a transcript of the same name.")
def corpus_add_command(
    urls: tuple[str, ...],
    corpus: str,
    speaker: str | None,
    title: str | None,
    date: str | None,
    force: bool,
) -> None:
    """Fetch transcript pages (HTML, plain text or WebVTT) into a corpus folder.

    Speaker turns are detected (`NAME:` labels, upper-case labels, Q:/A:, VTT voice
    tags) and written in quoteverify's transcript format, with the page's URL, the
    fetch date and the sha256 of its bytes in the front matter. A page without
    detectable turns is refused unless --speaker names its single speaker. Nothing
    is written when a fetch fails; an existing file is kept unless --force.

    \b
    Example:
      quoteverify corpus add https://example.org/briefing --corpus transcripts/
    """
    written = 0
    with Fetcher() as fetcher:
        for url in urls:
            try:
                added = add_transcript(
                    url,
                    Path(corpus),
                    fetcher,
                    speaker=speaker,
                    title=title,
                    date=date,
                    force=force,
                )
            except QuoteverifyError as exc:
                raise UsageError(str(exc)) from None
            written += 1
            speakers = ", ".join(added.draft.speakers)
            click.echo(f"{added.path.as_posix()}: {added.draft.turns} turns ({speakers})", err=True)
    if written:
        _refresh_index_if_built(corpus)


@corpus_group.command("sync")
@click.option("--corpus", required=True, metavar="DIR", help="The corpus folder to sync.")
@click.option("--offline", is_flag=True, help="Check the folder against the manifest only.")
def corpus_sync_command(corpus: str, offline: bool) -> None:
    """Bring a corpus folder in line with its sources.toml manifest.

    Missing transcripts are fetched; the others are re-fetched with conditional
    requests (ETag, Last-Modified); a page that changed under a sha256 pin is an
    error naming it, and the old transcript is kept. --offline checks the folder
    against the manifest without the network. An existing index is refreshed.

    \b
    Example:
      quoteverify corpus sync --corpus transcripts/
    """
    folder = Path(corpus)
    try:
        if offline:
            checked = check_offline(folder)
            for e in checked.errors:
                click.echo(f"quoteverify: error: {e}", err=True)
            for u in checked.untracked:
                click.echo(f"quoteverify: warning: not in the manifest: {u}", err=True)
            click.echo(checked.summary(), err=True)
            sys.exit(int(ExitStatus.OK if checked.ok else ExitStatus.ERROR))
        with Fetcher() as fetcher:
            result = sync(folder, fetcher)
    except QuoteverifyError as exc:
        raise UsageError(str(exc)) from None
    for url in result.fetched:
        click.echo(f"fetched {url} -> {result.files[url].as_posix()}", err=True)
    for e in result.errors:
        click.echo(f"quoteverify: error: {e}", err=True)
    click.echo(result.summary(), err=True)
    if result.fetched:
        _refresh_index_if_built(corpus)
    sys.exit(int(ExitStatus.OK if result.ok else ExitStatus.ERROR))
