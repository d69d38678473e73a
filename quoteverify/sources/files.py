"""Atomic file writes: a reader or a crash never sees half a file."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
import urllib.parse
from pathlib import Path

from quoteverify.sources.errors import SourceError

__all__ = ["atomic_write", "inside", "safe_file_name", "slug"]


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write data to path through a hidden temporary file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden (leading dot) so a corpus load never reads a temporary file left by a crash.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            # link() fails when the name exists, so two writers cannot both win.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise SourceError("exists (use --force to overwrite)", file=str(path)) from None
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_SLUG_DROP = re.compile(r"[^a-z0-9]+")
_MAX_SLUG = 80


def slug(text: str) -> str:
    """A lower-case ASCII name part: letters and digits joined by hyphens, at most 80 long."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")
    return out[:_MAX_SLUG].rstrip("-")


def safe_file_name(title: str | None, url: str, suffix: str, *, date: str | None = None) -> str:
    """A file name from the title, else the URL's host and path; never a path, never hidden."""
    parsed = urllib.parse.urlsplit(url)
    base = slug(title or "") or slug(f"{parsed.hostname or ''} {parsed.path}") or "page"
    if date:
        base = f"{date}_{base}"
    return base + suffix


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing a name that would leave the folder (path traversal)."""
    target = (folder / name).resolve()
    root = folder.resolve()
    if name in ("", ".", "..") or target.parent != root:
        raise SourceError(f"unsafe file name {name!r}", file=str(folder))
    return folder / name
