"""The baseline: findings an editor accepted, each with a reason, keyed by a stable fingerprint.

The fingerprint is a SHA-256 of the quote's normalised words, the claimed speaker's canonical
name and the article's path relative to the baseline file's folder. Line numbers are left out,
so edits elsewhere in an article keep its entries matching; rewording the quote, changing who
it is attributed to or moving the article makes a new finding (and a stale entry).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from quoteverify.errors import QuoteverifyError
from quoteverify.models import Finding, WaivedBy
from quoteverify.normalise import canonical_name, normalise

BASELINE_SCHEMA = 1
DEFAULT_BASELINE = ".quoteverify-baseline.json"
STDIN_KEY = "-"


class BaselineError(QuoteverifyError):
    """A baseline file that cannot be read, or an entry without a reason."""


@dataclass(frozen=True)
class Entry:
    """One accepted finding. Only fingerprint and reason decide; the rest is for people."""

    fingerprint: str
    file: str  # the article, relative to the baseline file's folder
    quote: str
    claimed_speaker: str | None
    verdict: str
    reason: str


@dataclass(frozen=True)
class Baseline:
    """The entries of a baseline file, in file order."""

    entries: tuple[Entry, ...] = ()

    def by_fingerprint(self) -> dict[str, Entry]:
        """Entries keyed by fingerprint (the first wins if one is repeated)."""
        out: dict[str, Entry] = {}
        for e in self.entries:
            out.setdefault(e.fingerprint, e)
        return out


def fingerprint(quote: str, speaker: str | None, path: str) -> str:
    """SHA-256 (hex) of the normalised quote words, canonical claimed speaker and file path."""
    words = " ".join(normalise(quote, quote=True).words)
    who = canonical_name(speaker) if speaker else ""
    return hashlib.sha256("\x1f".join((words, who, path)).encode("utf-8")).hexdigest()


def finding_fingerprint(f: Finding, path: str) -> str:
    """The fingerprint of a finding of the article whose baseline key is path."""
    return fingerprint(f.quote.text, f.attribution.speaker, path)


def key_path(name: str, cwd: Path, baseline_dir: Path) -> str:
    """An article's path as the baseline keys it: relative to the baseline file's folder."""
    if name == STDIN_KEY:
        return STDIN_KEY
    full = os.path.normpath(cwd / name)
    try:
        return Path(os.path.relpath(full, baseline_dir)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(full).as_posix()


def _entry(raw: object, i: int, name: str, require_reason: bool) -> Entry:
    where = f"entry {i}"
    if not isinstance(raw, dict):
        raise BaselineError(f"{where}: expected an object", file=name)
    fp, file, reason = raw.get("fingerprint"), raw.get("file"), raw.get("reason")
    if not isinstance(fp, str) or len(fp) != 64 or not all(c in "0123456789abcdef" for c in fp):
        raise BaselineError(f"{where}: fingerprint: expected 64 hex digits", file=name)
    if not isinstance(file, str) or not file:
        raise BaselineError(f"{where}: file: expected a path", file=name)
    quote = raw.get("quote")
    speaker = raw.get("claimed_speaker")
    verdict = raw.get("verdict")
    what = f"{where} ({file}: “{quote}”)" if isinstance(quote, str) else f"{where} ({file})"
    if not isinstance(reason, str):
        reason = ""
    if require_reason and not reason.strip():
        raise BaselineError(
            f'{what}: no reason: say in "reason" why this finding is accepted', file=name
        )
    return Entry(
        fingerprint=fp,
        file=file,
        quote=quote if isinstance(quote, str) else "",
        claimed_speaker=speaker if isinstance(speaker, str) else None,
        verdict=verdict if isinstance(verdict, str) else "",
        reason=reason.strip(),
    )


def parse_baseline(text: str, *, name: str, require_reason: bool = True) -> Baseline:
    """A baseline file's text -> Baseline; an entry without a reason is an error if required."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    if not isinstance(doc, dict) or doc.get("schema") != BASELINE_SCHEMA:
        raise BaselineError(
            f'not a quoteverify baseline: expected {{"schema": {BASELINE_SCHEMA}, ...}}', file=name
        )
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise BaselineError("entries: expected a list", file=name)
    return Baseline(tuple(_entry(raw, i, name, require_reason) for i, raw in enumerate(entries, 1)))


def render_baseline(baseline: Baseline) -> str:
    """The baseline file: versioned, indented JSON, entries in the order given."""
    doc = {
        "schema": BASELINE_SCHEMA,
        "entries": [dataclasses.asdict(e) for e in baseline.entries],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def apply_baseline(
    findings: Sequence[Finding], path: str, baseline: Baseline
) -> tuple[tuple[Finding, ...], frozenset[str]]:
    """Waive the findings of one article that the baseline lists: (findings, fingerprints used).

    A finding already waived inline keeps that mark but still uses up its entry.
    """
    entries = baseline.by_fingerprint()
    out = []
    used: set[str] = set()
    for f in findings:
        fp = finding_fingerprint(f, path)
        if fp in entries:
            used.add(fp)
            if f.waived is None:
                f = dataclasses.replace(f, waived=WaivedBy.BASELINE, fails=False)
        out.append(f)
    return tuple(out), frozenset(used)


def stale_entries(
    baseline: Baseline, checked: Collection[str], used: Collection[str]
) -> list[Entry]:
    """Entries for articles this run checked that matched no finding."""
    return [e for e in baseline.entries if e.file in checked and e.fingerprint not in used]


def updated_baseline(
    failing: Iterable[tuple[str, Finding]],
    previous: Baseline,
    checked: Collection[str],
    *,
    reason: str = "",
) -> Baseline:
    """The baseline after a run: one entry per failing finding (path key, finding) in order.

    Reasons already written are kept; entries for articles this run did not check are kept
    as they were; entries for checked articles that no longer match are dropped.
    """
    before = previous.by_fingerprint()
    new: list[Entry] = []
    seen: set[str] = set()
    for path, f in failing:
        fp = finding_fingerprint(f, path)
        if fp in seen:
            continue
        seen.add(fp)
        old = before.get(fp)
        new.append(
            Entry(
                fingerprint=fp,
                file=path,
                quote=f.quote.text,
                claimed_speaker=f.attribution.speaker,
                verdict=f.verdict.value,
                reason=old.reason if old and old.reason else reason,
            )
        )
    kept = [e for e in previous.entries if e.file not in checked and e.fingerprint not in seen]
    entries = sorted(kept + new, key=lambda e: e.file)  # stable: finding order within a file
    return Baseline(tuple(entries))
