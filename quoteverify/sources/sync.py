"""`sources.toml`: a corpus folder's pinned web transcripts, fetched and kept in line.

Each transcript written from the web names its page in its front matter (`source`, `sha256`
of the fetched bytes), so the folder itself says which entry each file answers; a small hidden
state file keeps the validators (ETag, Last-Modified) for conditional requests.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from quoteverify.errors import QuoteverifyError
from quoteverify.sources.errors import SourceError
from quoteverify.sources.files import atomic_write, inside, safe_file_name
from quoteverify.sources.http import TRANSCRIPT_TYPES, Fetcher, check_url
from quoteverify.sources.transcript import transcript_from_page

__all__ = [
    "MANIFEST",
    "STATE_FILE",
    "OfflineResult",
    "SourceEntry",
    "SyncResult",
    "check_offline",
    "read_manifest",
    "sync",
]

MANIFEST = "sources.toml"
STATE_FILE = ".sources-state.json"  # hidden: corpus loads skip it
_KEYS = frozenset({"url", "speaker", "title", "date", "sha256"})
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SourceEntry:
    """One `[[source]]` of the manifest."""

    url: str
    speaker: str | None = None
    title: str | None = None
    date: str | None = None
    sha256: str | None = None  # the pin: the SHA-256 the fetched page must have


@dataclass(frozen=True)
class SyncResult:
    """What a sync did, by URL; `errors` are one-line messages naming the URL."""

    fetched: tuple[str, ...] = ()  # transcript written: new, or the page changed (no pin)
    not_modified: tuple[str, ...] = ()  # the server answered 304 to a conditional request
    unchanged: tuple[str, ...] = ()  # fetched in full, same bytes as the transcript's
    errors: tuple[str, ...] = ()
    files: dict[str, Path] = field(default_factory=dict)  # URL -> its transcript

    @property
    def ok(self) -> bool:
        """Whether every entry is in line."""
        return not self.errors

    def summary(self) -> str:
        """One line: `sources: 1 fetched, 2 not modified (304), 0 unchanged, 0 errors`."""
        return (
            f"sources: {len(self.fetched)} fetched, {len(self.not_modified)} not modified "
            f"(304), {len(self.unchanged)} unchanged, {len(self.errors)} "
            f"error{'' if len(self.errors) == 1 else 's'}"
        )


@dataclass(frozen=True)
class OfflineResult:
    """The folder checked against the manifest without the network."""

    present: tuple[str, ...] = ()  # URLs whose transcript is there and matches its pin
    errors: tuple[str, ...] = ()  # missing transcripts, pin mismatches
    untracked: tuple[str, ...] = ()  # transcripts whose `source` is not in the manifest

    @property
    def ok(self) -> bool:
        """Whether every entry has its transcript, matching its pin."""
        return not self.errors

    def summary(self) -> str:
        """One line: `sources: 3 present, 0 errors (offline)`."""
        s = "" if len(self.errors) == 1 else "s"
        return f"sources: {len(self.present)} present, {len(self.errors)} error{s} (offline)"


def read_manifest(folder: Path) -> tuple[SourceEntry, ...]:
    """The entries of FOLDER/sources.toml, checked: http(s) URLs, real dates, hex pins."""
    path = folder / MANIFEST
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError("no such file", file=where) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read: {exc}", file=where) from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"TOML syntax error: {exc}", file=where) from None
    raw = data.get("source", [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise SourceError("expected [[source]] tables", file=where)
    entries: list[SourceEntry] = []
    seen: set[str] = set()
    for k, item in enumerate(raw, 1):
        at = f"[[source]] #{k}"
        extra = sorted(set(item) - _KEYS)
        if extra:
            raise SourceError(f"{at}: unknown key {extra[0]!r}", file=where)
        values: dict[str, str | None] = {}
        for key in _KEYS:
            value = item.get(key)
            if isinstance(value, datetime.date):
                value = value.isoformat()  # a bare TOML date
            if value is not None and not isinstance(value, str):
                raise SourceError(f"{at}: {key} must be a string", file=where)
            values[key] = value
        url = values["url"]
        if not url:
            raise SourceError(f"{at}: url is required", file=where)
        try:
            check_url(url)
        except QuoteverifyError as exc:
            raise SourceError(f"{at}: {exc}", file=where) from None
        if url in seen:
            raise SourceError(f"{at}: {url} is listed twice", file=where)
        seen.add(url)
        pin = values["sha256"]
        if pin is not None and not _SHA.fullmatch(pin.lower()):
            raise SourceError(f"{at}: sha256 must be 64 hex digits", file=where)
        date = values["date"]
        if date is not None:
            try:
                datetime.date.fromisoformat(date)
            except ValueError:
                raise SourceError(
                    f"{at}: bad date {date!r}: expected YYYY-MM-DD", file=where
                ) from None
        entries.append(
            SourceEntry(
                url=url,
                speaker=values["speaker"],
                title=values["title"],
                date=date,
                sha256=pin.lower() if pin else None,
            )
        )
    return tuple(entries)


@dataclass(frozen=True)
class _Local:
    path: Path
    sha256: str


def _front_matter(path: Path) -> dict[str, str]:
    """The front matter keys of a transcript, read leniently (a bad file just has none)."""
    meta: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            if f.readline().removeprefix("\ufeff").rstrip() != "---":
                return meta
            for line in f:
                if line.rstrip() == "---":
                    return meta
                key, _, value = line.partition(":")
                meta.setdefault(key.strip().lower(), value.strip())
    except OSError:
        return {}
    return {}  # never closed


def _transcripts(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.txt")):
        rel = path.relative_to(folder).parts
        if any(p.startswith(".") for p in rel) or path.name.upper().startswith("README"):
            continue
        yield path


def _local(folder: Path) -> dict[str, _Local]:
    """Transcripts of the folder by their `source` URL."""
    out: dict[str, _Local] = {}
    for path in _transcripts(folder):
        meta = _front_matter(path)
        if meta.get("source"):
            out.setdefault(meta["source"], _Local(path, meta.get("sha256", "")))
    return out


def _read_state(folder: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # lost or torn state only costs full fetches
    if not isinstance(data, dict):
        return {}
    return {
        k: {kk: vv for kk, vv in v.items() if isinstance(vv, str)}
        for k, v in data.items()
        if isinstance(v, dict)
    }


@dataclass(frozen=True)
class _Outcome:
    url: str
    kind: str  # fetched, not_modified, unchanged, error
    message: str = ""
    path: Path | None = None
    validators: dict[str, str] | None = None


def _sync_one(
    entry: SourceEntry,
    folder: Path,
    local: _Local | None,
    state: dict[str, str],
    fetcher: Fetcher,
    today: Callable[[], datetime.date],
) -> _Outcome:
    url = entry.url
    # Validators only mean something for the bytes the transcript was made from, and a
    # transcript that no longer matches its pin must be fetched in full.
    conditional = (
        local is not None
        and state.get("sha256") == local.sha256
        and (entry.sha256 is None or entry.sha256 == local.sha256)
    )
    try:
        page = fetcher.fetch(
            url,
            accept=TRANSCRIPT_TYPES,
            etag=state.get("etag") if conditional else None,
            last_modified=state.get("last_modified") if conditional else None,
        )
        validators = {
            "etag": page.etag or "",
            "last_modified": page.last_modified or "",
        }
        if page.not_modified and local is not None:
            return _Outcome(
                url,
                "not_modified",
                path=local.path,
                validators=validators | {"sha256": local.sha256},
            )
        if page.not_modified:
            raise SourceError("304 Not Modified to an unconditional request", file=url)
        validators["sha256"] = page.sha256
        if local is not None and page.sha256 == local.sha256:
            return _Outcome(url, "unchanged", path=local.path, validators=validators)
        if entry.sha256 is not None and page.sha256 != entry.sha256:
            kept = f"; kept {local.path.name}" if local is not None else ""
            raise SourceError(
                f"page changed: sha256 {page.sha256} does not match the pin {entry.sha256}{kept}",
                file=url,
            )
        draft = transcript_from_page(
            page, fetched=today(), speaker=entry.speaker, title=entry.title, date=entry.date
        )
        if local is not None:
            path = local.path
        else:
            path = inside(folder, safe_file_name(draft.title, url, ".txt", date=entry.date))
        atomic_write(path, draft.text.encode("utf-8"), overwrite=local is not None)
        return _Outcome(url, "fetched", path=path, validators=validators)
    except QuoteverifyError as exc:
        message = str(exc) if str(exc).startswith(url) else f"{url}: {exc}"
        return _Outcome(url, "error", message)


def sync(
    folder: Path,
    fetcher: Fetcher,
    *,
    today: Callable[[], datetime.date] = datetime.date.today,
    workers: int = 4,
) -> SyncResult:
    """Bring the folder in line with its sources.toml: fetch, re-fetch conditionally, check pins."""
    entries = read_manifest(folder)
    local = _local(folder)
    state = _read_state(folder)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = list(
            pool.map(
                lambda e: _sync_one(
                    e, folder, local.get(e.url), state.get(e.url, {}), fetcher, today
                ),
                entries,
            )
        )
    new_state = {e.url: state[e.url] for e in entries if e.url in state}
    for o in outcomes:
        if o.validators is not None and o.path is not None:
            new_state[o.url] = {**o.validators, "file": o.path.relative_to(folder).as_posix()}
    if new_state != state:
        atomic_write(
            folder / STATE_FILE, (json.dumps(new_state, indent=1, sort_keys=True) + "\n").encode()
        )

    def of(kind: str) -> tuple[str, ...]:
        return tuple(o.url for o in outcomes if o.kind == kind)

    return SyncResult(
        fetched=of("fetched"),
        not_modified=of("not_modified"),
        unchanged=of("unchanged"),
        errors=tuple(o.message for o in outcomes if o.kind == "error"),
        files={o.url: o.path for o in outcomes if o.path is not None},
    )


def check_offline(folder: Path) -> OfflineResult:
    """Check, without the network, that every manifest entry has its transcript and pin."""
    entries = read_manifest(folder)
    local = _local(folder)
    present: list[str] = []
    errors: list[str] = []
    for e in entries:
        found = local.get(e.url)
        if found is None:
            errors.append(f"{e.url}: no transcript in {folder} has this source (run corpus sync)")
        elif not _SHA.fullmatch(found.sha256):
            errors.append(f"{e.url}: {found.path.name} has no sha256 in its front matter")
        elif e.sha256 is not None and found.sha256 != e.sha256:
            errors.append(
                f"{e.url}: {found.path.name} has sha256 {found.sha256}, the pin is {e.sha256}"
            )
        else:
            present.append(e.url)
    listed = {e.url for e in entries}
    untracked = tuple(sorted(u for u in local if u not in listed))
    return OfflineResult(tuple(present), tuple(errors), untracked)
