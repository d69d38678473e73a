"""A module of quoteverify as an earlier commit had it, for the speed benches' comparisons.

Used by normalise_speed.py and parse_speed.py: both time the working tree's module against its
previous version in the same process, and check their outputs agree.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def git(*args: str) -> str:
    """What git prints, run in the repository."""
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def previous_revision(module: str) -> str:
    """The newest commit whose `module` (a path in the repository) differs from the work tree."""
    here = git("hash-object", module).strip()
    for rev in git("log", "--format=%H", "--", module).split():
        if git("rev-parse", f"{rev}:{module}").strip() != here:
            return rev
    raise SystemExit(f"no earlier version of {module} in git")


def load_previous(module: str, rev: str, name: str) -> ModuleType:
    """`module` as it was at `rev`, imported as `name`."""
    source = git("show", f"{rev}:{module}")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location(name, f.name)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded  # dataclasses look their module up while the class is built
    spec.loader.exec_module(loaded)
    Path(f.name).unlink()
    return loaded
