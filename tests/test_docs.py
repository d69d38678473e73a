"""The documentation stays true: README example output, every key and setting documented."""

from __future__ import annotations

import dataclasses
import re

import pytest
from click.testing import CliRunner
from conftest import ROOT

from quoteverify.cli import main
from quoteverify.config import Config
from quoteverify.report.records import FIELDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_table_is_what_the_quick_start_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main,
        [
            "check",
            "seeds/000_2c19eea2428d6ab8.txt",
            "--corpus",
            "fixtures/transcripts",
            "--tablefmt",
            "github",
            "--no-index",
        ],
    )
    printed = [" ".join(line.split()) for line in result.stdout.splitlines()]
    in_readme = [
        " ".join(line.split()) for line in README.splitlines() if line.startswith("| seeds/")
    ]
    assert in_readme == [line for line in printed if line.startswith("| seeds/")]
    assert result.stderr.strip() in README


def test_readme_quick_start_has_two_setup_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert (
        "quoteverify check seeds/000_2c19eea2428d6ab8.txt --corpus fixtures/transcripts"
        in (commands[0])
    )
    assert "pytest" in commands[1]


def test_every_finding_key_is_documented() -> None:
    doc = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)`", doc, re.MULTILINE))
    documented |= {"start", "end"}  # documented together in one row
    assert set(FIELDS) <= documented


def test_every_config_field_is_documented() -> None:
    doc = (ROOT / "docs" / "verdicts.md").read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Config) if f"`{f.name}`" not in doc]
    assert missing == []
