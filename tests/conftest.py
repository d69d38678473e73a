"""Shared test helpers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from quoteverify.models import Transcript, Turn

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; QUOTEVERIFY_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("QUOTEVERIFY_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected


@pytest.fixture
def root() -> Path:
    return ROOT


def make_transcript(path: str, lines: Sequence[tuple[str, str]]) -> Transcript:
    """A Transcript as the parser would build it from a file of `Speaker: text` lines."""
    turns: list[Turn] = []
    starts: list[int] = []
    at = 0
    for i, (speaker, text) in enumerate(lines):
        starts.append(at)
        turns.append(Turn(i, speaker, text, i + 1, at + len(speaker) + 2))
        at += len(speaker) + 2 + len(text) + 1
    return Transcript(path=path, corpus="c", turns=tuple(turns), line_starts=tuple(starts))
