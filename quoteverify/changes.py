"""The articles (and lines) changed since a git ref, for `check --changed-since`.

Changes are counted from the merge base of REF and HEAD to the working tree: what a pull
request adds (`git diff REF...HEAD`), plus uncommitted changes and untracked files, so that a
local run before committing sees the same as CI after it. Deleted files are left out.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from quoteverify.errors import QuoteverifyError

# (argv after "git", working folder) -> (status, stdout, stderr)
GitRunner = Callable[[Sequence[str], Path], tuple[int, str, str]]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)

SHALLOW_HINT = (
    "this is a shallow clone: fetch more history (actions/checkout with fetch-depth: 0, "
    "or git fetch --unshallow)"
)


class ChangesError(QuoteverifyError):
    """No git, not a repository, or a ref that cannot be resolved."""


@dataclass(frozen=True)
class Changes:
    """Changed files of a repository and, per file, the changed lines of the working tree."""

    root: Path  # the repository's top folder
    # path relative to root (forward slashes) -> 1-based changed lines; None: every line
    files: Mapping[str, frozenset[int] | None]


def run_git(args: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    """Run git; a missing git is a ChangesError."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except FileNotFoundError:
        raise ChangesError("--changed-since: git not found") from None
    return done.returncode, done.stdout, done.stderr


def _unquote(path: str) -> str:
    """A path as git prints it in a diff header (C-quoted when it holds odd characters)."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1").decode("utf-8", "surrogateescape")
    return path


def parse_name_list(text: str) -> list[str]:
    """NUL-separated paths (`git diff --name-only -z`, `git ls-files -z`)."""
    return [p for p in text.split("\0") if p]


def parse_diff_lines(diff: str) -> dict[str, frozenset[int]]:
    """Changed lines of the new side of each file of a `git diff -U0` output."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            if target == "/dev/null":
                current = None
                continue
            path = _unquote(target)
            path = path[2:] if path.startswith("b/") else path
            current = out.setdefault(path, set())
            continue
        m = _HUNK.match(line)
        if m and current is not None:
            start = int(m.group(1))
            count = int(m.group(2)) if m.group(2) is not None else 1
            if count:
                current.update(range(start, start + count))
            else:
                # Lines were only deleted, after line `start`: a quote running across the cut
                # changed, so both neighbours count.
                current.update((start, start + 1))
    return {p: frozenset(lines) for p, lines in out.items()}


def changes_since(ref: str, cwd: Path, *, lines: bool = False, run: GitRunner = run_git) -> Changes:
    """The files (and with `lines`, the lines) changed since the merge base of ref and HEAD."""
    status, out, err = run(["rev-parse", "--show-toplevel"], cwd)
    if status != 0:
        raise ChangesError("--changed-since: not inside a git repository")
    root = Path(out.strip())
    status, _, _ = run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    shallow = run(["rev-parse", "--is-shallow-repository"], cwd)[1].strip() == "true"
    if status != 0:
        hint = f"; {SHALLOW_HINT}" if shallow else ""
        raise ChangesError(f"--changed-since: unknown git revision {ref!r}{hint}")
    status, out, err = run(["merge-base", ref, "HEAD"], cwd)
    if status != 0:
        hint = f"; {SHALLOW_HINT}" if shallow else ""
        raise ChangesError(f"--changed-since: {ref!r} and HEAD have no common ancestor{hint}")
    base = out.strip()
    diff_args = ["--no-color", "--no-ext-diff", "-M", "--diff-filter=d", base, "--"]
    status, out, err = run(["diff", "--name-only", "-z", *diff_args], root)
    if status != 0:
        raise ChangesError(f"--changed-since: git diff failed: {err.strip()}")
    files: dict[str, frozenset[int] | None] = dict.fromkeys(parse_name_list(out))
    if lines:
        status, out, err = run(["diff", "-U0", *diff_args], root)
        if status != 0:
            raise ChangesError(f"--changed-since: git diff failed: {err.strip()}")
        changed = parse_diff_lines(out)
        # A file with no line hunks (a pure rename, a mode change) has no changed lines.
        files = {p: changed.get(p, frozenset()) for p in files}
    status, out, err = run(["ls-files", "--others", "--exclude-standard", "-z"], root)
    if status != 0:
        raise ChangesError(f"--changed-since: git ls-files failed: {err.strip()}")
    for path in parse_name_list(out):
        files[path] = None  # untracked: every line is new
    return Changes(root, files)


def changed_lines_of(changes: Changes, path: Path) -> tuple[bool, frozenset[int] | None]:
    """(changed?, its changed lines or None for all) for an article path (absolute or not)."""
    try:
        key = path.resolve().relative_to(changes.root.resolve()).as_posix()
    except ValueError:
        return False, None
    if key not in changes.files:
        return False, None
    return True, changes.files[key]
