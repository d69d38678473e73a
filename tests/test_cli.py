"""The check command end to end: exit status, stdout and stderr together."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import ROOT, assert_golden

from quoteverify.cli import main

SEED = "seeds/000_2c19eea2428d6ab8.txt"
CORPUS = "fixtures/transcripts"
SEED_SUMMARY = (
    "7 quotations in 1 file: 3 verified, 1 altered, 1 misattributed, 1 not_found, "
    "1 unattributed; 3 failing the gate\n"
)


def run(*args: str, stdin: bytes | None = None) -> Result:
    """Invoke the CLI; checks read the corpus into memory unless a test names an index."""
    argv = list(args)
    if argv[:1] == ["check"] and "--index-dir" not in argv:
        argv.append("--no-index")
    return CliRunner().invoke(main, argv, input=stdin, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for var in ("NO_COLOR", "QUOTEVERIFY_CONFIG", "QUOTEVERIFY_CORPUS", "QUOTEVERIFY_FORMAT"):
        monkeypatch.delenv(var, raising=False)


def _transcript(tmp: Path, name: str, body: str) -> str:
    corpus = tmp / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / name).write_text(body, encoding="utf-8")
    return str(corpus)


def test_seed_table() -> None:
    result = run("check", SEED, "--corpus", CORPUS)
    assert result.exit_code == 1
    assert result.stderr == SEED_SUMMARY
    assert_golden("seed.table", result.stdout)


def test_seed_json_golden() -> None:
    result = run("check", SEED, "--corpus", CORPUS, "--format", "json")
    assert result.exit_code == 1
    assert_golden("seed.json", result.stdout)
    doc = json.loads(result.stdout)
    speakers = [(f["claimed_speaker"], f["attribution"]) for f in doc["findings"]]
    assert speakers == [
        ("Putin", "explicit"),
        ("Recep Tayyip Erdogan", "explicit"),
        ("Recep Tayyip Erdogan", "pronoun"),
        (None, "anonymous"),
        ("Putin", "explicit"),
        ("Putin", "explicit"),
        ("Putin", "explicit"),
    ]


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_output_is_byte_identical_between_runs(fmt: str) -> None:
    first = run("check", SEED, "--corpus", CORPUS, "--format", fmt)
    second = run("check", SEED, "--corpus", CORPUS, "--format", fmt)
    assert first.stdout == second.stdout
    assert first.stdout


def test_tablefmt_is_passed_to_tabulate() -> None:
    result = run("check", SEED, "--corpus", CORPUS, "--tablefmt", "github")
    assert result.stdout.splitlines()[1].startswith("|---")


def test_stdin_is_read_as_text() -> None:
    article = "“Turkey should apologise for this incident,” Putin said.\n".encode()
    result = run("check", "-", "--corpus", CORPUS, "--format", "jsonl", stdin=article)
    record = json.loads(result.stdout)
    assert (record["file"], record["line"], record["column"]) == ("-", 1, 2)
    assert record["claimed_speaker"] == "Putin"


def test_folder_is_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("“play with fire”, Erdogan said.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("“unfair”, Erdogan said.\n", encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    result = run("check", str(tmp_path), "--corpus", CORPUS, "--format", "jsonl")
    files = [
        Path(json.loads(line)["file"]).relative_to(tmp_path) for line in result.stdout.splitlines()
    ]
    assert files == [Path("a.txt"), Path("b/z.md")]
    assert result.exit_code == 0


def test_fail_on_chooses_the_verdicts_that_fail() -> None:
    result = run(
        "check", SEED, "--corpus", CORPUS, "--fail-on", "unattributed", "--format", "jsonl"
    )
    assert result.exit_code == 1
    assert [json.loads(x)["fails"] for x in result.stdout.splitlines()].count(True) == 1
    clean = run("check", "fixtures/articles/36-one-word-verified.txt", "--corpus", CORPUS)
    assert clean.exit_code == 0


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["check", "--corpus", CORPUS],
            "quoteverify: error: no articles given: name files or folders, or - to read "
            "standard input\n",
        ),
        (
            ["check", SEED, "--corpus", "nowhere"],
            "quoteverify: error: nowhere: corpus folder not found\n",
        ),
        (
            ["check", SEED, "--corpus", CORPUS, "--fail-on", "wrong"],
            "quoteverify: error: --fail-on: unknown verdict 'wrong' (choose from verified, "
            "altered, misattributed, not_found, unattributed)\n",
        ),
    ],
)
def test_usage_and_corpus_errors_exit_2_with_one_line(args: list[str], stderr: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == stderr


def test_missing_corpus_option_is_a_usage_error() -> None:
    result = run("check", SEED)
    assert result.exit_code == 2
    assert "Missing option '--corpus'" in result.stderr


def test_binary_article_is_an_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run("check", str(bad), SEED, "--corpus", CORPUS, "--format", "jsonl")
    assert result.exit_code == 2
    assert f"quoteverify: error: {bad.as_posix()}: binary file, not text\n" in result.stderr
    assert len(result.stdout.splitlines()) == 7  # the good article is still checked


def test_missing_article_is_an_error() -> None:
    result = run("check", "no-such.md", "--corpus", CORPUS)
    assert result.exit_code == 2
    assert "quoteverify: error: no-such.md: no such file or directory\n" in result.stderr


def test_malformed_transcript_names_file_and_line(tmp_path: Path) -> None:
    corpus = _transcript(tmp_path, "t.txt", "---\ntitle: x\ndate: 2015-13-45\n---\nA B: hi\n")
    result = run("check", SEED, "--corpus", corpus)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"quoteverify: error: {corpus}/t.txt:3: ")
    assert len(result.stderr.splitlines()) == 1


def test_binary_transcript_is_an_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "t.txt").write_bytes(b"\x00\x01\x02binary")
    result = run("check", SEED, "--corpus", str(corpus))
    assert result.exit_code == 2
    assert result.stderr == f"quoteverify: error: {corpus}/t.txt: binary file, not text\n"


def test_empty_corpus_is_an_error(tmp_path: Path) -> None:
    result = run("check", SEED, "--corpus", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (f"quoteverify: error: {tmp_path}: no transcripts (.txt, .vtt) found\n")


def test_cp1252_article_is_decoded_with_a_warning() -> None:
    result = run(
        "check", "fixtures/articles/40-cp1252.txt", "--corpus", CORPUS, "--format", "jsonl"
    )
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "quoteverify: warning: fixtures/articles/40-cp1252.txt: not UTF-8; decoded as "
        "Windows-1252 (cp1252)\n"
    )
    assert json.loads(result.stdout)["verdict"] == "verified"


def test_help_has_an_example() -> None:
    result = run("check", "--help")
    assert result.exit_code == 0
    assert "Example:\n    quoteverify check seeds/" in result.stdout


def test_check_builds_the_index_once_and_gives_the_same_report(tmp_path: Path) -> None:
    index = str(tmp_path / "idx")
    plain = run("check", SEED, "--corpus", CORPUS, "--format", "json")
    first = run("check", SEED, "--corpus", CORPUS, "--format", "json", "--index-dir", index)
    second = run("check", SEED, "--corpus", CORPUS, "--format", "json", "--index-dir", index)
    assert first.stdout == second.stdout == plain.stdout
    assert first.exit_code == second.exit_code == 1
    lines = first.stderr.splitlines()
    assert lines[0] == f"quoteverify: index missing; building it in {index}"
    assert lines[1].startswith(
        "quoteverify: indexed 12 transcripts (12 processed, 0 unchanged, 0 removed), "
    )
    assert second.stderr == SEED_SUMMARY


def test_check_refreshes_a_stale_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = ROOT / CORPUS / "2015-11-27_erdogan-speech-ankara.txt"
    (corpus / "a.txt").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    article = "fixtures/articles/36-one-word-verified.txt"
    assert run("check", article, "--corpus", str(corpus), "--index-dir", str(corpus / "i"))
    (corpus / "b.txt").write_text("Ann Lee: Hello there.\n", encoding="utf-8")
    result = run("check", article, "--corpus", str(corpus), "--index-dir", str(corpus / "i"))
    lines = result.stderr.splitlines()
    assert lines[0] == f"quoteverify: index stale; building it in {corpus / 'i'}"
    assert lines[1].startswith("quoteverify: indexed 2 transcripts (1 processed, 1 unchanged, ")


def test_unwritable_index_falls_back_to_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    import quoteverify.index

    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(quoteverify.index, "build_or_refresh", refuse)
    result = run("check", SEED, "--corpus", CORPUS, "--index-dir", "/nonexistent/idx")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "quoteverify: warning: cannot write the index (Permission denied); using memory"
    )
    assert result.stdout == run("check", SEED, "--corpus", CORPUS).stdout


def test_index_command_builds_then_says_up_to_date(tmp_path: Path) -> None:
    index = str(tmp_path / "idx")
    first = run("index", "--corpus", CORPUS, "--index-dir", index)
    second = run("index", "--corpus", CORPUS, "--index-dir", index)
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert first.stdout == second.stdout == ""
    assert first.stderr.startswith(
        f"index {index}: rebuilt (missing); 12 transcripts (12 processed"
    )
    assert second.stderr.startswith(f"index {index}: already up to date (fresh); 12 transcripts")


def test_corpus_stats(tmp_path: Path) -> None:
    index = str(tmp_path / "idx")
    run("index", "--corpus", CORPUS, "--index-dir", index)
    result = run("corpus", "stats", "--corpus", CORPUS, "--index-dir", index)
    assert result.exit_code == 0
    stats = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert stats["transcripts"] == "12"
    assert stats["fresh"] == "True"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out.extend(_commands(command, (*prefix, name)))
        else:
            out.append((*prefix, name))
    return out


@pytest.mark.parametrize("command", _commands(main), ids=" ".join)
def test_every_command_help_has_an_example(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert f"Example:\n    quoteverify {' '.join(command)}" in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        ([], {}, False),  # auto, and CliRunner's stdout is no terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # an explicit flag wins
        (["--color", "never"], {}, False),
        (["--color", "auto"], {"NO_COLOR": "1"}, False),
    ],
)
def test_color_option_and_no_color(
    args: list[str], env: dict[str, str], colored: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = run("check", SEED, "--corpus", CORPUS, *args)
    assert ("\x1b[33maltered\x1b[0m" in result.stdout) is colored
    assert ("\x1b[" in result.stdout) is colored


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # The name is used in the report and chooses the format: Markdown hides the comment.
        ("news/putin.md", ("news/putin.md", 3, 2, 1)),
        ("news/putin.txt", ("news/putin.txt", 3, 2, 2)),
    ],
)
def test_stdin_filename_names_the_article(name: str, expected: tuple[object, ...]) -> None:
    article = (
        '<!-- quoteverify: accept reason="x" -->\n\n'
        "“Turkey should apologise for this incident,” Putin said.\n"
    ).encode()
    result = run(
        "check",
        "-",
        "--stdin-filename",
        name,
        "--corpus",
        CORPUS,
        "--format",
        "jsonl",
        stdin=article,
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    first = records[-1]
    assert (first["file"], first["line"], first["column"], len(records)) == expected


def test_stdin_filename_needs_dash() -> None:
    result = run("check", SEED, "--stdin-filename", "a.md", "--corpus", CORPUS)
    assert (result.exit_code, result.stderr) == (
        2,
        "quoteverify: error: --stdin-filename names standard input: give - among the paths\n",
    )


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    result = run("check", SEED, "--corpus", CORPUS, "--format", "csv", "-o", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", SEED_SUMMARY)
    assert (
        out.read_text(encoding="utf-8")
        == run("check", SEED, "--corpus", CORPUS, "--format", "csv").stdout
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_output_into_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = run("check", SEED, "--corpus", CORPUS, "-o", str(tmp_path / "no" / "r.json"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"quoteverify: error: {tmp_path / 'no' / 'r.json'}: cannot write: No such file or "
        "directory\n"
    )


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ([SEED], 1),
        ([SEED, "--exit-zero"], 0),
        ([SEED, "no-such.md", "--exit-zero"], 2),  # errors still exit 2
        ([SEED, "--fail-on", "not_found", "--min-confidence", "0.96"], 0),  # 0.95 < 0.96
        ([SEED, "--fail-on", "not_found", "--min-confidence", "0.95"], 1),
    ],
)
def test_exit_status(args: list[str], status: int) -> None:
    assert run("check", *args, "--corpus", CORPUS).exit_code == status


@pytest.mark.parametrize(
    ("env", "stdout_start"),
    [
        ({"QUOTEVERIFY_FORMAT": "jsonl"}, '{"file": "seeds/'),
        ({"QUOTEVERIFY_FORMAT": "csv"}, "file,line,column,"),
    ],
)
def test_environment_chooses_format_and_corpus(
    env: dict[str, str], stdout_start: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("QUOTEVERIFY_CORPUS", CORPUS)
    result = run("check", SEED)
    assert result.exit_code == 1
    assert result.stdout.startswith(stdout_start)
    # A flag overrides the environment.
    assert run("check", SEED, "--format", "table").stdout.startswith("position")


def test_bad_environment_format_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTEVERIFY_FORMAT", "xml")
    result = run("check", SEED, "--corpus", CORPUS)
    assert result.exit_code == 2
    assert result.stderr.startswith("quoteverify: error: QUOTEVERIFY_FORMAT: expected one of ")


def test_config_in_this_repository_is_all_defaults() -> None:
    # The repository's own pyproject.toml has no [tool.quoteverify]: the tests above rely on it.
    result = run("config")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# configuration file: none found"
    assert {line.rsplit("# ", 1)[1] for line in lines[1:]} == {"default"}


def test_jsonl_streams_each_article_as_it_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quoteverify.cli

    (tmp_path / "b.md").write_text("“play with fire”, Erdogan said.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("“unfair”, Erdogan said.\n", encoding="utf-8")
    written_before: list[int] = []
    check_article = quoteverify.cli.check_article

    def spy(*args: object, **kwargs: object) -> object:
        # How many records were on stdout when each article's check began.
        sys.stdout.flush()
        written_before.append(sys.stdout.buffer.getvalue().count(b"\n"))  # type: ignore[attr-defined]
        return check_article(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(quoteverify.cli, "check_article", spy)
    result = run("check", str(tmp_path), "--corpus", CORPUS, "--format", "jsonl")
    assert written_before == [0, 1]
    assert [Path(json.loads(x)["file"]).name for x in result.stdout.splitlines()] == [
        "a.txt",
        "b.md",
    ]
    json_run = run("check", str(tmp_path), "--corpus", CORPUS, "--format", "json")
    assert json_run.exit_code == 0
    written_before.clear()
    run("check", str(tmp_path), "--corpus", CORPUS, "--format", "json")
    assert written_before == [0, 0]  # one document, written at the end


def test_the_cli_limits_openblas_to_one_thread_before_numpy_is_imported() -> None:
    # In a fresh interpreter: importing the CLI imports no numpy, so the setting it makes is
    # in place when the index build first imports numpy, and OpenBLAS starts no spare thread.
    import subprocess

    code = (
        "import os, sys; os.environ.pop('OPENBLAS_NUM_THREADS', None); import quoteverify.cli;"
        "print('numpy' in sys.modules, os.environ['OPENBLAS_NUM_THREADS']);"
        "import numpy; print(len(os.listdir('/proc/self/task')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == ["False", "1", "1"]
