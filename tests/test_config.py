"""Configuration: discovery, merging (defaults < file < env < flags), validation, globs."""

from __future__ import annotations

from pathlib import Path

import pytest

from quoteverify.config import (
    Config,
    ConfigFile,
    Settings,
    describe,
    discover,
    glob_matches,
    load_settings,
    parse_config_text,
    resolve,
    selected,
)
from quoteverify.errors import ConfigError
from quoteverify.models import Verdict

FORMATS = ("csv", "json", "jsonl", "table")
CWD = Path("/repo")


def _file(values: dict[str, object], path: str = "/repo/.quoteverify.toml") -> ConfigFile:
    return ConfigFile(Path(path), values, Path(path).relative_to(CWD).as_posix())


def _resolve(
    values: dict[str, object] | None = None,
    env: dict[str, str] | None = None,
    flags: dict[str, object] | None = None,
    path: str = "/repo/.quoteverify.toml",
    cwd: Path = CWD,
) -> Settings:
    return resolve(
        file=_file(values, path) if values is not None else None,
        env=env or {},
        flags=flags or {},
        cwd=cwd,
        formats=FORMATS,
    )


def test_defaults_without_file_env_or_flags() -> None:
    s = _resolve()
    assert s.config == Config()
    assert (s.corpus, s.include, s.exclude, s.format, s.baseline) == ((), (), (), "table", None)
    assert set(s.sources.values()) == {"default"}
    assert s.root == CWD


@pytest.mark.parametrize(
    ("values", "env", "flags", "key", "value", "source"),
    [
        ({"format": "json"}, {}, {}, "format", "json", ".quoteverify.toml"),
        (
            {"format": "json"},
            {"QUOTEVERIFY_FORMAT": "csv"},
            {},
            "format",
            "csv",
            "env QUOTEVERIFY_FORMAT",
        ),
        (
            {"format": "json"},
            {"QUOTEVERIFY_FORMAT": "csv"},
            {"format": "jsonl"},
            "format",
            "jsonl",
            "flag --format",
        ),
        ({"corpus": ["t"]}, {}, {}, "corpus", ("t",), ".quoteverify.toml"),
        (
            {"corpus": ["t"]},
            {"QUOTEVERIFY_CORPUS": "a:b"},
            {},
            "corpus",
            ("a", "b"),
            "env QUOTEVERIFY_CORPUS",
        ),
        (
            {"corpus": ["t"]},
            {"QUOTEVERIFY_CORPUS": "a"},
            {"corpus": ("c",)},
            "corpus",
            ("c",),
            "flag --corpus",
        ),
        # An empty --corpus tuple is "not given": the file's value stays.
        ({"corpus": ["t"]}, {}, {"corpus": ()}, "corpus", ("t",), ".quoteverify.toml"),
        ({"min_confidence": 0.5}, {}, {}, "min_confidence", 0.5, ".quoteverify.toml"),
        (
            {"min_confidence": 1},
            {},
            {"min_confidence": 0.25},
            "min_confidence",
            0.25,
            "flag --min-confidence",
        ),
        (
            {"fail_on": ["not_found"]},
            {},
            {},
            "fail_on",
            frozenset({Verdict.NOT_FOUND}),
            ".quoteverify.toml",
        ),
        ({"fail_on": []}, {}, {}, "fail_on", frozenset(), ".quoteverify.toml"),
        ({"candidates": 20}, {}, {}, "candidates", 20, ".quoteverify.toml"),
        ({"altered_similarity": 70}, {}, {}, "altered_similarity", 70.0, ".quoteverify.toml"),
        ({"baseline": "qa/base.json"}, {}, {}, "baseline", "qa/base.json", ".quoteverify.toml"),
        (
            {"baseline": "b.json"},
            {},
            {"baseline": "c.json"},
            "baseline",
            "c.json",
            "flag --baseline",
        ),
        ({"exclude": ["drafts/**"]}, {}, {}, "exclude", ("drafts/**",), ".quoteverify.toml"),
    ],
)
def test_precedence_and_sources(
    values: dict[str, object],
    env: dict[str, str],
    flags: dict[str, object],
    key: str,
    value: object,
    source: str,
) -> None:
    s = _resolve(values, env, flags)
    assert s.value(key) == value
    assert s.sources[key] == source


def test_paths_in_the_file_are_relative_to_its_folder() -> None:
    s = _resolve(
        {"corpus": ["transcripts", "/abs/t"], "baseline": "qa/b.json"},
        path="/repo/.quoteverify.toml",
        cwd=Path("/repo/articles/2024"),
    )
    assert s.corpus == ("../../transcripts", "/abs/t")
    assert s.baseline == "../../qa/b.json"
    assert s.root == Path("/repo")


def test_environment_corpus_and_flags_stay_as_given() -> None:
    s = _resolve({"corpus": ["x"]}, env={"QUOTEVERIFY_CORPUS": "t1:t2"}, cwd=Path("/repo/a"))
    assert s.corpus == ("t1", "t2")


@pytest.mark.parametrize(
    ("values", "env", "message"),
    [
        (
            {"corpuss": ["t"]},
            {},
            ".quoteverify.toml: unknown key 'corpuss'; did you mean 'corpus'?",
        ),
        ({"colour": "red"}, {}, ".quoteverify.toml: unknown key 'colour'"),
        (
            {"min_confidence": "high"},
            {},
            ".quoteverify.toml: min_confidence: expected a number from 0 to 1, got 'high'",
        ),
        (
            {"min_confidence": 1.5},
            {},
            ".quoteverify.toml: min_confidence: expected a number from 0 to 1, got 1.5",
        ),
        (
            {"candidates": 2.5},
            {},
            ".quoteverify.toml: candidates: expected a whole number from 1 up, got float 2.5",
        ),
        (
            {"verified_similarity": True},
            {},
            ".quoteverify.toml: verified_similarity: expected a number from 0 to 100, "
            "got bool True",
        ),
        (
            {"fail_on": ["wrong"]},
            {},
            ".quoteverify.toml: fail_on: unknown verdict 'wrong' (choose from verified, altered, "
            "misattributed, not_found, unattributed)",
        ),
        (
            {"fail_on": "altered"},
            {},
            ".quoteverify.toml: fail_on: expected a list of non-empty strings, got 'altered'",
        ),
        (
            {"corpus": "transcripts"},
            {},
            ".quoteverify.toml: corpus: expected a list of non-empty strings, got 'transcripts'",
        ),
        (
            {"format": "xml"},
            {},
            ".quoteverify.toml: format: expected one of csv, json, jsonl, table, got 'xml'",
        ),
        (
            {},
            {"QUOTEVERIFY_FORMAT": "xml"},
            "QUOTEVERIFY_FORMAT: expected one of csv, json, jsonl, table, got 'xml'",
        ),
    ],
)
def test_bad_keys_and_values_name_file_and_key(
    values: dict[str, object], env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        _resolve(values, env)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("text", "pyproject", "expected"),
    [
        ('corpus = ["t"]\n', False, {"corpus": ["t"]}),
        ('[tool.quoteverify]\nformat = "json"\n', True, {"format": "json"}),
        ('[project]\nname = "x"\n', True, None),
        ("[tool.ruff]\nline-length = 1\n", True, None),
    ],
)
def test_parse_config_text(text: str, pyproject: bool, expected: object) -> None:
    assert parse_config_text(text, name="f", pyproject=pyproject) == expected


def test_invalid_toml_names_the_file_and_line() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config_text(
            'corpus = ["t"]\nformat = \n', name="sub/.quoteverify.toml", pyproject=False
        )
    assert str(err.value) == (
        "sub/.quoteverify.toml: invalid TOML: Invalid value (at line 2, column 10)"
    )


# A fake file system: path -> text, and which folders hold .git.
def _finder(files: dict[str, str], roots: set[str]) -> object:
    def find(start: str) -> tuple[str, dict[str, object]] | None:
        found = discover(
            Path(start), lambda p: files.get(p.as_posix()), lambda d: d.as_posix() in roots
        )
        return None if found is None else (found[0].as_posix(), found[1])

    return find


@pytest.mark.parametrize(
    ("files", "roots", "start", "expected"),
    [
        # The nearest file wins, no cascading merge.
        (
            {"/r/.quoteverify.toml": "format = 'csv'", "/r/a/.quoteverify.toml": "format = 'json'"},
            {"/r"},
            "/r/a/b",
            ("/r/a/.quoteverify.toml", {"format": "json"}),
        ),
        # In one folder .quoteverify.toml beats pyproject.toml.
        (
            {
                "/r/pyproject.toml": "[tool.quoteverify]\nformat = 'csv'",
                "/r/.quoteverify.toml": "format = 'json'",
            },
            {"/r"},
            "/r",
            ("/r/.quoteverify.toml", {"format": "json"}),
        ),
        # A pyproject.toml without the table is passed over.
        (
            {
                "/r/a/pyproject.toml": "[project]\nname='x'",
                "/r/pyproject.toml": "[tool.quoteverify]\nformat = 'csv'",
            },
            {"/r"},
            "/r/a",
            ("/r/pyproject.toml", {"format": "csv"}),
        ),
        # The search stops at the repository root.
        ({"/.quoteverify.toml": "format = 'csv'"}, {"/r"}, "/r/a", None),
        # Without a repository it goes up to the file-system root.
        (
            {"/.quoteverify.toml": "format = 'csv'"},
            set(),
            "/r/a",
            ("/.quoteverify.toml", {"format": "csv"}),
        ),
    ],
)
def test_discovery(files: dict[str, str], roots: set[str], start: str, expected: object) -> None:
    find = _finder(files, roots)
    assert find(start) == expected  # type: ignore[operator]


def test_load_settings_reads_env_config_and_flag_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".quoteverify.toml").write_text('format = "json"\n', encoding="utf-8")
    (tmp_path / "other.toml").write_text('format = "csv"\n', encoding="utf-8")
    sub = tmp_path / "a"
    sub.mkdir()

    def load(config_path: str | None, env: dict[str, str]) -> Settings:
        return load_settings(flags={}, config_path=config_path, env=env, cwd=sub, formats=FORMATS)

    assert (load(None, {}).format, load(None, {}).file) == ("json", "../.quoteverify.toml")
    by_env = load(None, {"QUOTEVERIFY_CONFIG": "../other.toml"})
    assert (by_env.format, by_env.file) == ("csv", "../other.toml")
    by_flag = load("../.quoteverify.toml", {"QUOTEVERIFY_CONFIG": "../other.toml"})
    assert by_flag.format == "json"
    with pytest.raises(ConfigError) as err:
        load("missing.toml", {})
    assert str(err.value) == "missing.toml: configuration file not found"


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.html", "news/a.html", True),
        ("*.html", "news/a.md", False),
        ("drafts", "drafts/a.md", True),
        ("drafts", "news/drafts/a.md", True),
        ("drafts", "news/drafts.md", False),
        ("drafts/**", "drafts/x/a.md", True),
        ("drafts/**", "news/drafts/a.md", False),
        ("/drafts", "drafts/a.md", True),
        ("articles/**/*.md", "articles/a.md", True),
        ("articles/**/*.md", "articles/2024/05/a.md", True),
        ("articles/**/*.md", "articles/2024/a.txt", False),
        ("articles/*.md", "articles/2024/a.md", False),
        ("a?.md", "ab.md", True),
        ("a?.md", "a/b.md", False),
        ("archive/", "archive/2019/a.md", True),
    ],
)
def test_glob_matches(pattern: str, path: str, expected: bool) -> None:
    assert glob_matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("include", "exclude", "path", "expected"),
    [
        ((), (), "x.txt", True),
        (("articles/**",), (), "articles/a.md", True),
        (("articles/**",), (), "README.md", False),
        (("articles/**",), ("*.html",), "articles/a.html", False),
        ((), ("drafts/**",), "drafts/a.md", False),
    ],
)
def test_selected(
    include: tuple[str, ...], exclude: tuple[str, ...], path: str, expected: bool
) -> None:
    assert selected(path, include, exclude) is expected


def test_describe_is_toml_with_sources() -> None:
    s = _resolve({"corpus": ["t"], "fail_on": ["not_found"]}, env={"QUOTEVERIFY_FORMAT": "json"})
    lines = describe(s).splitlines()
    assert lines[0] == "# configuration file: .quoteverify.toml"
    rows = {line.split(" = ")[0]: line for line in lines[1:]}
    assert rows["corpus"].split() == ["corpus", "=", '["t"]', "#", ".quoteverify.toml"]
    assert rows["format"].split() == ["format", "=", '"json"', "#", "env", "QUOTEVERIFY_FORMAT"]
    assert rows["fail_on"].split() == ["fail_on", "=", '["not_found"]', "#", ".quoteverify.toml"]
    assert rows["baseline"].split() == ["baseline", "=", '""', "#", "default"]
    assert rows["min_confidence"].split() == ["min_confidence", "=", "0.0", "#", "default"]
    assert len(rows) == len(s.sources)
