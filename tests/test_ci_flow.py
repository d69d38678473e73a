"""The CI flow end to end, in a throwaway git repository: config, gate, waivers, baseline, git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT

from quoteverify.cli import main
from quoteverify.report import REPORTERS

TRANSCRIPT = """\
---
title: Council meeting on the town budget
date: 2024-03-01
speakers: [Ann Lee, Bo Diaz]
---
Ann Lee: We will open the new library in the spring, and it will stay open every evening.
Bo Diaz: The budget for the roads is far too small this year, and the bridges need repairs.
Ann Lee: Every family in this town deserves a safe walk to school.
"""
LIBRARY = """\
# Library plans

“We will open the new library in the spring,” Ann Lee said on Friday.
"""
ROADS = """\
# Roads

The council met on Friday.
“The budget for the roads is far too small this year,” Bo Diaz said.
"""
MISQUOTE = ROADS.replace("far too small", "much too small")
CONFIG = """\
corpus = ["corpus"]
exclude = ["drafts/**"]
baseline = ".quoteverify-baseline.json"
"""
WAIVER = '<!-- quoteverify: accept reason="Confirmed with Bo Diaz\'s office" -->\n'


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=_git_env()
    )
    return done.stdout


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="Desk",
        GIT_AUTHOR_EMAIL="desk@example.org",
        GIT_COMMITTER_NAME="Desk",
        GIT_COMMITTER_EMAIL="desk@example.org",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newsroom repository: two clean articles, a corpus and a config, one commit."""
    for var in ("QUOTEVERIFY_CONFIG", "QUOTEVERIFY_CORPUS", "QUOTEVERIFY_FORMAT", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "newsroom"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "corpus/council.txt", TRANSCRIPT)
    write(root, "articles/library.md", LIBRARY)
    write(root, "articles/roads.md", ROADS)
    write(root, ".quoteverify.toml", CONFIG)
    write(root, ".gitignore", ".quoteverify/\n")
    write(root, ".quoteverify-baseline.json", '{"schema": 1, "entries": []}\n')
    commit(root, "articles")
    monkeypatch.chdir(root)
    # As a CI job would, ahead of the checks (which would otherwise say they build it).
    assert qv("index", "--corpus", "corpus").exit_code == 0
    return root


def qv(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(result: Result) -> list[dict[str, object]]:
    doc = json.loads(result.stdout)
    return list(doc["findings"])


def test_clean_run_passes(repo: Path) -> None:
    result = qv("check", "articles")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "2 quotations in 2 files: 2 verified; 0 failing the gate"
    )


def test_a_new_misquote_fails_at_its_line_and_column(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    result = qv("check", "articles", "--format", "json")
    assert result.exit_code == 1
    bad = [f for f in findings(result) if f["fails"]]
    assert [(f["file"], f["line"], f["column"], f["verdict"]) for f in bad] == [
        ("articles/roads.md", 4, 2, "altered")
    ]
    assert bad[0]["diff"] == "the roads is [-far-]{+much+} too small this"
    if "github" in REPORTERS:  # the annotation a pull request shows
        annotations = qv("check", "articles", "--format", "github").stdout
        assert "::error file=articles/roads.md,line=4,col=2," in annotations


def test_exit_zero_reports_without_failing(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    result = qv("check", "articles", "--exit-zero", "--format", "jsonl")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2
    write(repo, "articles/broken.md", "")
    (repo / "articles" / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    assert qv("check", "articles", "--exit-zero").exit_code == 2


def test_a_waiver_with_a_reason_passes(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE.replace("“The budget", WAIVER + "“The budget"))
    result = qv("check", "articles", "--format", "json")
    assert result.exit_code == 0, result.stderr
    roads = [f for f in findings(result) if f["file"] == "articles/roads.md"]
    assert [(f["verdict"], f["fails"], f["waived"]) for f in roads] == [
        ("altered", False, "inline")
    ]
    assert result.stderr.splitlines()[-1].endswith("; 0 failing the gate; 1 waived")


def test_a_waiver_without_a_reason_is_an_error(repo: Path) -> None:
    text = MISQUOTE.replace("“The budget", "<!-- quoteverify: accept -->\n“The budget")
    write(repo, "articles/roads.md", text)
    result = qv("check", "articles")
    assert result.exit_code == 2
    assert (
        "quoteverify: error: articles/roads.md:4: waiver without a reason: write "
        '<!-- quoteverify: accept reason="..." -->\n'
    ) in result.stderr


def test_baseline_written_then_honoured_then_stale(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    written = qv("baseline", "articles", "--reason", "agreed with the desk")
    assert written.exit_code == 0, written.stderr
    assert written.stderr == (
        "quoteverify: wrote 1 baseline entries to .quoteverify-baseline.json\n"
    )
    entries = json.loads((repo / ".quoteverify-baseline.json").read_text())["entries"]
    assert [(e["file"], e["verdict"], e["reason"]) for e in entries] == [
        ("articles/roads.md", "altered", "agreed with the desk")
    ]
    honoured = qv("check", "articles", "--format", "json")
    assert honoured.exit_code == 0, honoured.stderr
    assert [f["waived"] for f in findings(honoured)] == [None, "baseline"]
    # An edit elsewhere in the article moves the quote down: the entry still matches.
    write(repo, "articles/roads.md", MISQUOTE.replace("Friday.", "Friday.\n\nIt rained.\n"))
    assert qv("check", "articles").exit_code == 0
    # The quote is corrected: the entry matches nothing and is reported as stale.
    write(repo, "articles/roads.md", ROADS)
    stale = qv("check", "articles", "--format", "json")
    assert stale.exit_code == 0
    message = (
        "stale entry: articles/roads.md: “The budget for the roads is much too small this "
        "year,” (Bo Diaz) matches no quotation; remove it or run `quoteverify baseline`"
    )
    assert json.loads(stale.stdout)["warnings"] == [
        {"file": ".quoteverify-baseline.json", "line": None, "message": message}
    ]
    assert f"quoteverify: warning: .quoteverify-baseline.json: {message}\n" in stale.stderr
    # Checking another article only does not call the roads entry stale.
    assert "stale" not in qv("check", "articles/library.md").stderr


def test_a_baseline_entry_without_a_reason_is_an_error(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    written = qv("baseline", "articles")
    assert written.exit_code == 0
    assert written.stderr.endswith(
        '1 without a reason: fill in each "reason" (check exits 2 until then)\n'
    )
    result = qv("check", "articles")
    assert result.exit_code == 2
    assert result.stderr == (
        "quoteverify: error: .quoteverify-baseline.json: entry 1 (articles/roads.md: “The "
        'budget for the roads is much too small this year,”): no reason: say in "reason" '
        "why this finding is accepted\n"
    )
    assert qv("check", "articles", "--no-baseline").exit_code == 1


def test_changed_since_checks_only_the_changed_article(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    commit(repo, "roads")
    result = qv("check", "articles", "--changed-since", "HEAD~1", "--format", "json")
    assert result.exit_code == 1
    assert sorted({str(f["file"]) for f in findings(result)}) == ["articles/roads.md"]
    assert json.loads(result.stdout)["summary"]["files"] == 1
    # Nothing changed since HEAD: nothing to check, a pass.
    nothing = qv("check", "articles", "--changed-since", "HEAD")
    assert (nothing.exit_code, nothing.stderr) == (
        0,
        "0 quotations in 0 files; 0 failing the gate\n",
    )
    # Uncommitted and untracked articles count as changed.
    write(
        repo, "articles/new.md", "“Every family in this town deserves a safe walk,” Ann Lee said.\n"
    )
    local = qv("check", "articles", "--changed-since", "HEAD", "--format", "json")
    assert sorted({str(f["file"]) for f in findings(local)}) == ["articles/new.md"]


def test_changed_lines_checks_only_the_quotes_on_changed_lines(repo: Path) -> None:
    two = LIBRARY + "\n“Every family in this town deserves a safe walk to school,” Ann Lee said.\n"
    write(repo, "articles/library.md", two)
    commit(repo, "two quotes")
    write(repo, "articles/library.md", two.replace("safe walk", "short walk"))
    commit(repo, "edit the second")
    args = ("check", "articles/library.md", "--changed-since", "HEAD~1", "--format", "json")
    lines = qv(*args, "--changed-lines")
    assert [(f["line"], f["verdict"]) for f in findings(lines)] == [(5, "altered")]
    whole = qv(*args)
    assert [(f["line"], f["verdict"]) for f in findings(whole)] == [(3, "verified"), (5, "altered")]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("HEAD~5", "quoteverify: error: --changed-since: unknown git revision 'HEAD~5'\n"),
        (
            "origin/main",
            "quoteverify: error: --changed-since: unknown git revision 'origin/main'\n",
        ),
    ],
)
def test_a_missing_ref_is_an_error(repo: Path, ref: str, message: str) -> None:
    result = qv("check", "articles", "--changed-since", ref)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_a_missing_ref_in_a_shallow_clone_says_so(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    commit(repo, "roads")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)],
        check=True,
        env=_git_env(),
        capture_output=True,
    )
    monkeypatch.chdir(clone)
    result = qv("check", "articles", "--changed-since", "HEAD~1")
    assert result.exit_code == 2
    assert result.stderr == (
        "quoteverify: error: --changed-since: unknown git revision 'HEAD~1'; this is a shallow "
        "clone: fetch more history (actions/checkout with fetch-depth: 0, or git fetch "
        "--unshallow)\n"
    )


def test_files_passed_by_pre_commit_obey_the_excludes(repo: Path) -> None:
    write(repo, "drafts/idea.md", MISQUOTE)
    result = qv("check", "drafts/idea.md", "articles/library.md")
    assert result.exit_code == 0
    assert result.stderr == "1 quotation in 1 file: 1 verified; 0 failing the gate\n"


def test_config_shows_where_values_come_from(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "articles")
    monkeypatch.setenv("QUOTEVERIFY_FORMAT", "jsonl")
    result = qv("config", "--fail-on", "not_found")
    assert result.exit_code == 0
    rows = {line.split(" = ")[0]: line.split() for line in result.stdout.splitlines()}
    assert result.stdout.splitlines()[0] == "# configuration file: ../.quoteverify.toml"
    assert rows["corpus"] == ["corpus", "=", '["../corpus"]', "#", "../.quoteverify.toml"]
    assert rows["format"] == ["format", "=", '"jsonl"', "#", "env", "QUOTEVERIFY_FORMAT"]
    assert rows["fail_on"] == ["fail_on", "=", '["not_found"]', "#", "flag", "--fail-on"]
    # And check, run from the subfolder, finds the corpus through the config.
    assert qv("check", "roads.md").exit_code == 0


def test_a_bad_config_is_an_error_naming_file_and_key(repo: Path) -> None:
    write(repo, ".quoteverify.toml", CONFIG + "min_confidence = 2\n")
    result = qv("check", "articles")
    assert (result.exit_code, result.stderr) == (
        2,
        "quoteverify: error: .quoteverify.toml: min_confidence: expected a number from 0 to 1, "
        "got 2\n",
    )


def test_output_file_gets_the_report_and_stderr_the_summary(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    result = qv("check", "articles", "--format", "json", "-o", "report.json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith("; 1 failing the gate\n")
    assert json.loads((repo / "report.json").read_text())["summary"]["failing"] == 1
    assert [p.name for p in repo.iterdir() if p.name.startswith(".report")] == []


def test_python_dash_m_streams_jsonl_in_the_repository(repo: Path) -> None:
    write(repo, "articles/roads.md", MISQUOTE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEVERIFY_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "quoteverify", "check", "articles", "--format", "jsonl"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["file"], r["line"], r["verdict"]) for r in records] == [
        ("articles/library.md", 3, "verified"),
        ("articles/roads.md", 4, "altered"),
    ]


def test_the_pre_commit_hook() -> None:
    hook = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    settings = dict(
        line.strip().removeprefix("- ").split(": ", 1)
        for line in hook.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    assert settings == {
        "id": "quoteverify",
        "name": "quoteverify",
        "description": "Verify the quotations of articles against a corpus of source transcripts.",
        "entry": "quoteverify check",
        "language": "python",
        "types_or": "[markdown, plain-text, html]",
        "require_serial": "true",
        "pass_filenames": "true",
    }


def test_the_reviewdog_example_checks_quoteverify_status_first() -> None:
    doc = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    script = doc.split("name: quotes-review", 1)[1].split("```", 1)[0]
    assert (
        script.index("|| status=$?") < script.index('exit "$status"') < script.index("reviewdog -f")
    )
    workflows = [b for b in doc.split("```yaml\n")[1:] if "runs-on:" in b]
    assert len(workflows) == 2
    assert all("fetch-depth: 0" in b.split("```")[0] for b in workflows)
