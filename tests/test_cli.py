"""The check command end to end: exit status, stdout and stderr together."""

from __future__ import annotations

import json
from pathlib import Path

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
    monkeypatch.delenv("NO_COLOR", raising=False)


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
