"""Tests for quoteverify.verdict: verdict rules, reasons, confidence and the diff notation."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from conftest import make_transcript

from quoteverify.config import Config
from quoteverify.match import build_index, match_quote
from quoteverify.models import (
    Attribution,
    AttributionKind,
    Corpus,
    DiffKind,
    DiffOp,
    Quote,
    QuotePart,
    Span,
    Verdict,
)
from quoteverify.normalise import Dropped, Normalised, normalise
from quoteverify.verdict import CONFIDENCE_TABLE, Judgement, diff, evidence_band, judge

TALKS = (
    ("Anna Petrova", "The talks will focus on driving Russian trade relations forward this year."),
    ("Host", "And the attack?"),
    ("Anna Petrova", "The attack killed 130 people and we will not forget them."),
    ("Boris Ivanov", "We have supported sanctions against Turkey in the past."),
    ("Host", "Thank you both."),
)
ECHO = (
    ("Anna Petrova", "Our ports stay open to every ship."),
    ("Boris Ivanov", "Our ports stay open to every ship."),
)

ANNA = Attribution(AttributionKind.EXPLICIT, "Anna Petrova")
PETROVA = Attribution(AttributionKind.PRONOUN, "Petrova")
BORIS = Attribution(AttributionKind.EXPLICIT, "Boris Ivanov")
ABSENT = Attribution(AttributionKind.EXPLICIT, "Vera Orlova")
NOBODY = Attribution(AttributionKind.NONE)
DIPLOMAT = Attribution(AttributionKind.ANONYMOUS, description="a senior diplomat")
LENIENT = Config(verified_similarity=85.0)


def quote_of(text: str) -> Quote:
    return Quote((QuotePart(text, Span(100, 100 + len(text))),))


def verdict_of(
    text: str,
    lines: Sequence[tuple[str, str]],
    attribution: Attribution,
    config: Config,
    norm: Normalised | None = None,
) -> Judgement:
    """Run match and judge the way the pipeline does (the quote normalised with base 0)."""
    index = build_index(Corpus((make_transcript("t.txt", lines),)))
    norm = norm or normalise(text, quote=True)
    result = match_quote(index, norm, attribution.speaker, config, text=text)
    return judge(quote_of(text), norm, attribution, result, config)


@pytest.mark.parametrize(
    ("text", "lines", "attribution", "config", "expected"),
    [
        pytest.param(
            "The attack killed 130 people",
            TALKS,
            ANNA,
            Config(),
            (Verdict.VERIFIED, 100.0, None, ()),
            id="verified",
        ),
        pytest.param(
            "the attack killed 130 people and we will not forget them",
            TALKS,
            PETROVA,
            Config(),
            (Verdict.VERIFIED, 100.0, None, ()),
            id="verified-case-and-pronoun",
        ),
        pytest.param(
            "The attack killed 130 persons and we will not forget them",
            TALKS,
            ANNA,
            LENIENT,
            (Verdict.VERIFIED, 90.9, None, ("words changed: people -> persons",)),
            id="verified-minor-change-under-lenient-threshold",
        ),
        pytest.param(
            "The attack killed 140 people",
            TALKS,
            ANNA,
            Config(),
            (
                Verdict.ALTERED,
                80.0,
                "The attack killed [-130-]{+140+} people",
                ("number changed: 130 -> 140",),
            ),
            id="number-changed",
        ),
        pytest.param(
            "The attack killed 140 people and we will not forget them",
            TALKS,
            ANNA,
            LENIENT,
            (
                Verdict.ALTERED,
                90.9,
                "The attack killed [-130-]{+140+} people and we",
                ("number changed: 130 -> 140",),
            ),
            id="number-changed-is-critical-above-threshold",
        ),
        pytest.param(
            "The attack killed 130 people and we will forget them",
            TALKS,
            ANNA,
            LENIENT,
            (
                Verdict.ALTERED,
                95.2,
                "and we will [-not-] forget them",
                ("negation removed: not",),
            ),
            id="negation-removed",
        ),
        pytest.param(
            "We have not supported sanctions against Turkey",
            TALKS,
            BORIS,
            Config(),
            (
                Verdict.ALTERED,
                92.3,
                "We have {+not+} supported sanctions against",
                ("negation added: not",),
            ),
            id="negation-added",
        ),
        pytest.param(
            "We have supported sanctions against Syria in the past",
            TALKS,
            BORIS,
            LENIENT,
            (
                Verdict.ALTERED,
                88.9,
                "supported sanctions against [-Turkey-]{+Syria+} in the past",
                ("name changed: Turkey -> Syria",),
            ),
            id="name-changed",
        ),
        pytest.param(
            "The talks will focus on driving trade relations forward",
            TALKS,
            ANNA,
            Config(),
            (
                Verdict.ALTERED,
                94.7,
                "focus on driving [-Russian-] trade relations forward",
                ("words left out: Russian",),
            ),
            id="words-left-out",
        ),
        pytest.param(
            "We have supported sanctions against Turkey in the past",
            TALKS,
            ANNA,
            Config(),
            (
                Verdict.MISATTRIBUTED,
                100.0,
                None,
                (
                    "said by Boris Ivanov (t.txt:4), not Anna Petrova",
                    "no passage of Anna Petrova reaches 60",
                ),
            ),
            id="misattributed",
        ),
        pytest.param(
            "We have supported sanctions against Turkey in the recent past",
            TALKS,
            ABSENT,
            Config(),
            (
                Verdict.MISATTRIBUTED,
                94.7,
                "Turkey in the {+recent+} past",
                (
                    "said by Boris Ivanov (t.txt:4), not Vera Orlova",
                    "speaker not in corpus: Vera Orlova",
                    "words added: recent",
                ),
            ),
            id="misattributed-absent-speaker",
        ),
        pytest.param(
            "130 people",
            TALKS,
            BORIS,
            Config(),
            (Verdict.NOT_FOUND, 0.0, None, ("no passage of Boris Ivanov reaches 60",)),
            id="fragment-not-searched-elsewhere",
        ),
        pytest.param(
            "Peace must return quickly across our region",
            TALKS,
            ANNA,
            Config(),
            (Verdict.NOT_FOUND, 0.0, None, ("no passage of Anna Petrova reaches 60",)),
            id="not-found-no-word-in-common",
        ),
        pytest.param(
            "We opposed every sanction and embargo on Turkey",
            TALKS,
            BORIS,
            Config(),
            (
                Verdict.NOT_FOUND,
                28.6,
                None,
                (
                    "no passage of Boris Ivanov reaches 60",
                    "nearest: Boris Ivanov (t.txt:4), similarity 28.6",
                ),
            ),
            id="not-found-nearest",
        ),
        pytest.param(
            # Similar enough (66.7) through "we have against in the past", but every noun and
            # verb of the passage is changed: not the speaker's words.
            "We have opposed embargoes against Syria in the past",
            TALKS,
            BORIS,
            Config(),
            (
                Verdict.NOT_FOUND,
                66.7,
                None,
                (
                    "no passage of Boris Ivanov keeps most of the quote's content words",
                    "nearest: Boris Ivanov (t.txt:4), similarity 66.7",
                ),
            ),
            id="not-found-content-words-changed",
        ),
        pytest.param(
            # The longest common subsequence keeps every common word: "harsh" is an insertion,
            # not a replacement that would push "supported" out of the passage.
            "We supported harsh sanctions against Turkey long ago",
            TALKS,
            BORIS,
            Config(),
            (
                Verdict.ALTERED,
                62.5,
                "We [-have-] supported {+harsh+} sanctions against Turkey [-in the-]{+long ago+}",
                (
                    "words left out: have",
                    "words added: harsh",
                    "words changed: in the -> long ago",
                ),
            ),
            id="altered-words-inserted-and-changed",
        ),
        pytest.param(
            "We opposed every sanction and embargo on Turkey",
            TALKS,
            ABSENT,
            Config(),
            (
                Verdict.NOT_FOUND,
                28.6,
                None,
                (
                    "speaker not in corpus: Vera Orlova",
                    "nearest: Boris Ivanov (t.txt:4), similarity 28.6",
                ),
            ),
            id="not-found-absent-speaker",
        ),
        pytest.param(
            "We have supported sanctions against Turkey in the past",
            TALKS,
            NOBODY,
            Config(),
            (
                Verdict.UNATTRIBUTED,
                100.0,
                None,
                ("no attribution", "closest passage: said by Boris Ivanov (t.txt:4)"),
            ),
            id="unattributed",
        ),
        pytest.param(
            "130 people",
            TALKS,
            DIPLOMAT,
            Config(),
            (
                Verdict.UNATTRIBUTED,
                100.0,
                None,
                (
                    "anonymous source: a senior diplomat",
                    "closest passage: said by Anna Petrova (t.txt:3)",
                ),
            ),
            id="unattributed-fragment-searched-everywhere",
        ),
        pytest.param(
            "Our ports stay open to every ship",
            ECHO,
            ANNA,
            Config(),
            (Verdict.VERIFIED, 100.0, None, ("ambiguous: also said by Boris Ivanov (t.txt:2)",)),
            id="ambiguous",
        ),
        pytest.param(
            "Our ports stay open to every ship",
            ECHO,
            BORIS,
            Config(),
            (Verdict.VERIFIED, 100.0, None, ("ambiguous: also said by Anna Petrova (t.txt:1)",)),
            id="ambiguous-tie-goes-to-the-claimed-speaker",
        ),
    ],
)
def test_verdicts(
    text: str,
    lines: Sequence[tuple[str, str]],
    attribution: Attribution,
    config: Config,
    expected: tuple[Verdict, float, str | None, tuple[str, ...]],
) -> None:
    j = verdict_of(text, lines, attribution, config)
    assert (j.verdict, j.similarity, j.diff, j.reasons) == expected


@pytest.mark.parametrize(
    ("text", "lines", "attribution", "confidence"),
    [
        # verified, 5 words: CONFIDENCE_TABLE 4-7 words 0.99 x explicit 1.0
        ("The attack killed 130 people", TALKS, ANNA, 0.99),
        # altered with a critical change: 0.99
        ("The attack killed 140 people", TALKS, ANNA, 0.99),
        # verified, 11 words, the speaker found through a pronoun: the corpus confirms whom
        # the pronoun was resolved to, so no attribution factor: 0.99
        ("the attack killed 130 people and we will not forget them", TALKS, PETROVA, 0.99),
        # misattributed through a pronoun: 0.98 x pronoun 0.65 = 0.637
        ("We have supported sanctions against Turkey in the past", TALKS, PETROVA, 0.64),
        # misattributed to a speaker who holds no turn: 0.01
        ("We have supported sanctions against Turkey in the past", TALKS, ABSENT, 0.01),
        # misattributed, the same words: 0.98
        ("We have supported sanctions against Turkey in the past", TALKS, ANNA, 0.98),
        # a verified one-word quote is almost always right: 0.9
        ("attack", TALKS, ANNA, 0.9),
        # verified, 2-3 words: 0.99
        ("130 people", TALKS, ANNA, 0.99),
        # not found, a short quote searched only in the speaker's turns: 0.95
        ("130 people", TALKS, BORIS, 0.95),
        # not found, nothing near: 0.99
        ("Peace must return quickly across our region", TALKS, ANNA, 0.99),
        # not found, the speaker is not in the corpus: 0.9
        ("Peace must return quickly across our region", TALKS, ABSENT, 0.9),
        # unattributed: the attribution factor itself, none 0.71, anonymous 0.88
        ("We have supported sanctions against Turkey in the past", TALKS, NOBODY, 0.71),
        ("130 people", TALKS, DIPLOMAT, 0.88),
        # altered, a short quote, through a pronoun: 0.71, no attribution factor
        ("killed 130 ships", TALKS, PETROVA, 0.71),
        # ambiguity does not lower a verified quote: the claimed speaker did say it
        ("Our ports stay open to every ship", ECHO, ANNA, 0.99),
    ],
)
def test_confidence(
    text: str,
    lines: Sequence[tuple[str, str]],
    attribution: Attribution,
    confidence: float,
) -> None:
    assert verdict_of(text, lines, attribution, Config()).confidence == confidence


@pytest.mark.parametrize(
    ("verdict", "words", "similarity", "critical", "in_corpus", "band"),
    [
        (Verdict.VERIFIED, 1, 100.0, False, True, "1 word"),
        (Verdict.VERIFIED, 3, 100.0, False, True, "2-3 words"),
        (Verdict.VERIFIED, 4, 100.0, False, True, "4-7 words"),
        (Verdict.VERIFIED, 8, 100.0, False, True, "8+ words"),
        (Verdict.ALTERED, 3, 66.7, True, True, "short"),
        (Verdict.ALTERED, 9, 95.0, True, True, "critical"),
        (Verdict.ALTERED, 9, 90.0, False, True, "similarity 90+"),
        (Verdict.ALTERED, 9, 89.9, False, True, "similarity 75-90"),
        (Verdict.ALTERED, 9, 74.9, False, True, "similarity 60-75"),
        (Verdict.MISATTRIBUTED, 9, 100.0, False, True, "same words"),
        (Verdict.MISATTRIBUTED, 9, 92.0, False, True, "changed words"),
        (Verdict.MISATTRIBUTED, 9, 100.0, False, False, "not in corpus"),
        (Verdict.NOT_FOUND, 9, 40.0, False, False, "not in corpus"),
        (Verdict.NOT_FOUND, 2, 40.0, False, True, "short"),
        (Verdict.NOT_FOUND, 9, 49.9, False, True, "nearest below 50"),
        (Verdict.NOT_FOUND, 9, 50.0, False, True, "nearest 50+"),
        (Verdict.UNATTRIBUTED, 9, 100.0, False, True, ""),
    ],
)
def test_evidence_band(
    verdict: Verdict, words: int, similarity: float, critical: bool, in_corpus: bool, band: str
) -> None:
    got = evidence_band(verdict, words, similarity, critical=critical, in_corpus=in_corpus)
    assert got == band
    if verdict is not Verdict.UNATTRIBUTED:
        assert (verdict, band) in CONFIDENCE_TABLE


def test_editorial_insertion_is_reported() -> None:
    text = "We have supported [these] sanctions against Turkey in the past"
    tokens = tuple(t for t in normalise(text).tokens if t.norm != "these")
    bracket = Span(text.index("["), text.index("]") + 1)
    norm = Normalised(
        tokens,
        ((0, len(tokens)),),
        (Dropped("insertion", bracket, "[these]"), Dropped("filler", Span(0, 0), "")),
    )
    j = verdict_of(text, TALKS, BORIS, Config(), norm)
    assert (j.verdict, j.similarity, j.reasons) == (
        Verdict.VERIFIED,
        100.0,
        ("editorial insertion: [these]",),
    )


def test_passage_is_the_one_the_verdict_rests_on() -> None:
    j = verdict_of("We have supported sanctions against Turkey", TALKS, ANNA, Config())
    assert j.verdict is Verdict.MISATTRIBUTED
    assert j.passage is not None
    assert (j.passage.speaker, j.passage.line, j.passage.speaker_match) == (
        "Boris Ivanov",
        4,
        False,
    )


def test_diff_prints_the_quote_as_printed() -> None:
    # equal words come from the source, changed ones from the quote
    j = verdict_of("WE HAVE NOT supported sanctions against Turkey", TALKS, BORIS, Config())
    assert j.diff == "We have {+NOT+} supported sanctions against"
    assert j.passage is not None
    assert j.passage.ops[0] == DiffOp(DiffKind.EQUAL, ("We", "have"), ("WE", "HAVE"))


def eq(*words: str) -> DiffOp:
    return DiffOp(DiffKind.EQUAL, words, words)


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        ((eq("a", "b", "c"),), ""),
        (
            (
                eq("w", "x", "y", "z"),
                DiffOp(DiffKind.DELETE, ("gone",), ()),
                eq("p", "q", "r", "s"),
            ),
            "x y z [-gone-] p q r",
        ),
        (
            (DiffOp(DiffKind.INSERT, (), ("new",)), eq("a", "b")),
            "{+new+} a b",
        ),
        (
            (
                eq("a"),
                DiffOp(DiffKind.REPLACE, ("130",), ("140",)),
                eq("b", "c", "d", "e", "f", "g", "h"),
                DiffOp(DiffKind.REPLACE, ("Turkey",), ("Syria",)),
            ),
            "a [-130-]{+140+} b c d … f g h [-Turkey-]{+Syria+}",
        ),
        (
            (
                DiffOp(DiffKind.DELETE, ("x",), ()),
                eq("b", "c", "d", "e", "f", "g"),
                DiffOp(DiffKind.INSERT, (), ("y",)),
            ),
            "[-x-] b c d e f g {+y+}",
        ),
    ],
)
def test_diff(ops: tuple[DiffOp, ...], expected: str) -> None:
    assert diff(ops) == expected


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        (
            "driving relations into a dead end",
            "It is driving Russian-Turkish relations into a dead end.",
            "driving [-Russian-Turkish-] relations into a",
        ),
        (
            "driving Russian-French relations into a dead end",
            "It is driving Russian-Turkish relations into a dead end.",
            "driving Russian [-Turkish-]{+French+} relations into a",
        ),
    ],
)
def test_diff_prints_hyphenated_words_whole(text: str, source: str, expected: str) -> None:
    j = verdict_of(text, (("Anna Petrova", source),), ANNA, Config())
    assert (j.verdict, j.diff) == (Verdict.ALTERED, expected)
