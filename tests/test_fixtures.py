"""Every fixture article against the fixture corpus: findings equal the expected file beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from quoteverify.config import Config
from quoteverify.corpus import load_corpus
from quoteverify.extract import detect_format
from quoteverify.match import CorpusIndex, build_index
from quoteverify.pipeline import Article, check_article
from quoteverify.report import finding_record
from quoteverify.textio import read_text

ARTICLES = ROOT / "fixtures" / "articles"
CASES = sorted(p for p in ARTICLES.iterdir() if not p.name.endswith(".json"))


@pytest.fixture(scope="module")
def index() -> CorpusIndex:
    corpus, warnings = load_corpus([str(ROOT / "fixtures" / "transcripts")])
    assert warnings == ()
    return build_index(corpus)


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert all(p.with_suffix(".expected.json").exists() for p in CASES)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_article(path: Path, index: CorpusIndex) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    text, _ = read_text(path, name=path.name)
    result = check_article(Article(path.name, text, detect_format(path.name)), index, Config())
    records = [finding_record(f) for f in result.findings]
    # Compare only the keys the expected file states: a not_found finding may omit its source.
    actual = [{k: r[k] for k in e} for r, e in zip(records, expected["findings"], strict=False)]
    assert len(records) == len(expected["findings"]), [r["quote"] for r in records]
    assert actual == expected["findings"]
