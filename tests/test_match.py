"""Tests for quoteverify.match: index, speaker resolution, alignment, passages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from conftest import make_transcript

from quoteverify import match
from quoteverify.config import Config
from quoteverify.match import CorpusIndex, _align, _bound, build_index, match_quote
from quoteverify.models import Corpus, DiffKind, DiffOp, MatchResult, Span
from quoteverify.normalise import Normalised, normalise

DEBATE = (
    ("Moderator", "Good evening and welcome to the first debate."),
    (
        "Ada Lovelace",
        "Our engines will weave algebraic patterns just as the loom weaves flowers and leaves.",
    ),
    ("Moderator", "Mr Babbage, your reply?"),
    (
        "Charles Babbage",
        "The difference engine was never finished, and that is my great regret.",
    ),
    ("Charles Babbage", "But the analytical engine could compute any table we care to name."),
    ("Moderator", "Thank you both. To my great regret we are nearly out of time."),
    ("Ada Lovelace", "I believe the machine might compose elaborate pieces of music."),
    ("Moderator", "Ms Lovelace -"),
    ("Ada Lovelace", "given enough care in its design, of any degree of complexity or extent."),
)
INTERVIEW = (
    ("Moderator", "Tonight we ask whether we must balance the budget before the next session."),
    ("Ada Lovelace", "We must balance the budget before the next session, I agree."),
)


def layout(lines: Sequence[tuple[str, str]]) -> str:
    """The transcript file a list of (speaker, text) lines stands for."""
    return "".join(f"{speaker}: {text}\n" for speaker, text in lines)


def make_corpus(aliases: Mapping[str, str] | None = None) -> Corpus:
    return Corpus(
        (make_transcript("a/debate.txt", DEBATE), make_transcript("b/interview.txt", INTERVIEW)),
        aliases=aliases or {},
    )


def fragments(*parts: str) -> tuple[str, Normalised]:
    """A quote with ellipses, and its tokens split into one fragment per part."""
    text = " … ".join(parts)
    sizes = [len(normalise(p).tokens) for p in parts]
    bounds: list[tuple[int, int]] = []
    at = 0
    for size in sizes:
        bounds.append((at, at + size))
        at += size
    return text, Normalised(normalise(text).tokens, tuple(bounds))


@pytest.fixture(scope="module")
def index() -> CorpusIndex:
    return build_index(make_corpus())


def run(
    index: CorpusIndex, text: str, speaker: str | None, config: Config | None = None
) -> MatchResult:
    return match_quote(index, normalise(text, quote=True), speaker, config or Config(), text=text)


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        # exact quote in one turn; case and punctuation do not count
        (
            "our engines will weave algebraic patterns",
            "Ada Lovelace",
            ("a/debate.txt", "Ada Lovelace", 1, 2, Span(71, 112), 100.0),
        ),
        # a quote across two consecutive turns of one speaker
        (
            "was never finished, and that is my great regret. But the analytical engine could",
            "Charles Babbage",
            ("a/debate.txt", "Charles Babbage", 3, 4, Span(231, 328), 100.0),
        ),
        # one word of fourteen changed: 100 * (1 - 1/14)
        (
            "Our engines will weave algebraic patterns just as the loom weaves roses and leaves",
            "Ada Lovelace",
            ("a/debate.txt", "Ada Lovelace", 1, 2, Span(71, 155), 100 * (1 - 1 / 14)),
        ),
    ],
)
def test_best_passage(
    index: CorpusIndex,
    text: str,
    speaker: str,
    expected: tuple[str, str, int, int, Span, float],
) -> None:
    result = run(index, text, speaker)
    p = result.best
    assert p is not None
    assert (p.transcript, p.speaker, p.turn, p.line, p.span, p.similarity) == expected
    assert p.text == layout(DEBATE)[p.span.start : p.span.end]
    assert p.speaker_match
    assert result.best_for_speaker == p
    assert result.searched_everywhere


def test_passage_text_across_turns(index: CorpusIndex) -> None:
    p = run(index, "was never finished, and that is my great regret. But the", "Babbage").best
    assert p is not None
    assert p.text == "was never finished, and that is my great regret.\nCharles Babbage: But the"


WEAVE = ("engines", "will", "weave", "algebraic", "patterns", "just", "as", "the", "loom", "weaves")


def test_ops_keep_printed_words(index: CorpusIndex) -> None:
    text = "OUR engines will weave algebraic patterns just as the loom weaves roses and leaves"
    p = run(index, text, "Ada Lovelace").best
    assert p is not None
    assert p.ops == (
        DiffOp(
            DiffKind.EQUAL,
            ("Our", *WEAVE),
            ("OUR", *WEAVE),
        ),
        DiffOp(DiffKind.REPLACE, ("flowers",), ("roses",)),
        DiffOp(DiffKind.EQUAL, ("and", "leaves"), ("and", "leaves")),
    )


def test_words_left_out_lengthen_the_passage(index: CorpusIndex) -> None:
    # 9 passage words, 8 quote words, all 8 in common: 200 * 8 / (8 + 9)
    p = run(index, "the difference engine was finished, and that is", "Babbage").best
    assert p is not None
    assert (p.span, p.similarity) == (Span(209, 262), 200 * 8 / 17)
    assert p.ops[1] == DiffOp(DiffKind.DELETE, ("never",), ())


def test_same_words_two_speakers(index: CorpusIndex) -> None:
    result = run(index, "we must balance the budget before the next session", "Ada Lovelace")
    assert result.best is not None and result.runner_up is not None
    assert result.best_for_speaker is not None
    # a tie at 100 goes to the earlier offset: the moderator's line
    assert (result.best.speaker, result.best.line, result.best.span) == (
        "Moderator",
        1,
        Span(34, 84),
    )
    assert not result.best.speaker_match
    assert (result.runner_up.speaker, result.runner_up.line, result.runner_up.span) == (
        "Ada Lovelace",
        2,
        Span(100, 150),
    )
    assert result.best_for_speaker == result.runner_up
    assert result.runner_up.transcript == "b/interview.txt"


def test_ellipsis_in_order_within_gap(index: CorpusIndex) -> None:
    text, norm = fragments("I believe the machine might compose", "of any degree of complexity")
    result = match_quote(index, norm, "Ada Lovelace", Config(), text=text)
    p = result.best
    assert p is not None
    assert (p.line, p.turn, p.span, p.similarity) == (7, 6, Span(451, 613), 100.0)
    assert p.text == (
        "I believe the machine might compose elaborate pieces of music.\n"
        "Moderator: Ms Lovelace -\n"
        "Ada Lovelace: given enough care in its design, of any degree of complexity"
    )
    # the omitted words are not a change
    assert [op.kind for op in p.ops] == [DiffKind.EQUAL]
    assert result.best_for_speaker == p


@pytest.mark.parametrize(
    ("parts", "gap", "span"),
    [
        # out of order: the later fragment stands first in the quote
        (("of any degree of complexity", "I believe the machine might compose"), 150, (451, 486)),
        # in order but 12 words apart, with at most 5 allowed
        (("I believe the machine might compose", "of any degree of complexity"), 5, (451, 486)),
    ],
)
def test_ellipsis_not_matched_as_one(
    index: CorpusIndex, parts: tuple[str, str], gap: int, span: tuple[int, int]
) -> None:
    text, norm = fragments(*parts)
    config = Config(ellipsis_max_gap_words=gap)
    p = match_quote(index, norm, "Ada Lovelace", config, text=text).best
    assert p is not None
    # only the six-word fragment is found: its words count, the other five count zero
    assert (p.span, p.similarity) == (Span(*span), 600 / 11)
    assert DiffOp(DiffKind.INSERT, (), ("of", "any", "degree", "of", "complexity")) in p.ops


@pytest.mark.parametrize(
    ("speaker", "found", "everywhere"),
    [
        ("Charles Babbage", (4, Span(266, 278)), False),
        ("Ada Lovelace", None, False),  # the words are the moderator's and Babbage's, not hers
        ("Grace Hopper", None, False),  # not in the corpus at all
        (None, (4, Span(266, 278)), True),  # no claimed speaker: search everywhere
    ],
)
def test_short_fragment_only_in_claimed_speakers_turns(
    index: CorpusIndex,
    speaker: str | None,
    found: tuple[int, Span] | None,
    everywhere: bool,
) -> None:
    result = run(index, "great regret", speaker)
    assert result.searched_everywhere is everywhere
    got = None if result.best is None else (result.best.line, result.best.span)
    assert got == found
    if speaker is not None:
        assert result.best == result.best_for_speaker


def test_long_quote_by_absent_speaker_is_found_elsewhere(index: CorpusIndex) -> None:
    result = run(index, "the analytical engine could compute any table", "Grace Hopper")
    assert result.best is not None and result.best.speaker == "Charles Babbage"
    assert result.best_for_speaker is None
    assert result.speaker_labels == frozenset()


@pytest.mark.parametrize(
    ("claimed", "aliases", "labels"),
    [
        ("Charles Babbage", {}, {"Charles Babbage"}),
        ("Mr Babbage", {}, {"Charles Babbage"}),  # same_person: the surname
        ("Lovelace", {}, {"Ada Lovelace"}),
        ("THE COUNTESS", {"the Countess": "Ada Lovelace"}, {"Ada Lovelace"}),
        ("the Countess", {"the Countess": "Nobody Here"}, set()),  # alias to an absent label
        ("Grace Hopper", {}, set()),
    ],
)
def test_speaker_labels(claimed: str, aliases: dict[str, str], labels: set[str]) -> None:
    index = build_index(make_corpus(aliases))
    assert index.speaker_labels(claimed) == frozenset(labels)


def test_alias_claims_the_speakers_turns() -> None:
    index = build_index(make_corpus({"the Countess": "Ada Lovelace"}))
    result = run(index, "the loom weaves flowers", "the countess")
    assert result.best_for_speaker is not None
    assert result.best_for_speaker.speaker == "Ada Lovelace"
    assert result.best_for_speaker.similarity == 100.0


def test_empty_quote(index: CorpusIndex) -> None:
    result = run(index, "…", "Ada Lovelace")
    assert (result.best, result.best_for_speaker, result.runner_up) == (None, None, None)


# A passage where a sentence is said twice, and a word to stand for in brackets.
REPEATS = (
    ("Ada Lovelace", "No thanks to you. No thanks to you. We have been cleaning it up for years."),
    ("Charles Babbage", "He said the engine was finished, and he was wrong about it."),
)


@pytest.fixture(scope="module")
def repeats() -> CorpusIndex:
    return build_index(Corpus((make_transcript("r.txt", REPEATS),)))


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        # the second copy of a repeated sentence is the passage, word for word
        (
            "No thanks to you. We have been cleaning it up for years.",
            "Ada Lovelace",
            ("No thanks to you. We have been cleaning it up for years", 100.0, ()),
        ),
        # a bracketed insertion stands for "he": the word it replaces is not a change
        (
            "[Mr Babbage] said the engine was finished",
            "Charles Babbage",
            ("said the engine was finished", 100.0, ()),
        ),
        (
            "and [Babbage] was wrong about it",
            "Charles Babbage",
            ("and he was wrong about it", 100.0, ()),
        ),
        # without brackets the left-out word is a change
        (
            "and was wrong about it",
            "Charles Babbage",
            ("and he was wrong about it", 90.9, ("he",)),
        ),
        # inserted words do not push quoted words out of the passage (edit distance would
        # have replaced "the engine" to save an edit): 2 x 6 / (9 + 6)
        (
            "He said the very old difference engine was finished",
            "Charles Babbage",
            ("He said the engine was finished", 80.0, ()),
        ),
    ],
)
def test_passage_alignment(
    repeats: CorpusIndex, text: str, speaker: str, expected: tuple[str, float, tuple[str, ...]]
) -> None:
    best = run(repeats, text, speaker).best_for_speaker
    assert best is not None
    deleted = tuple(w for op in best.ops if op.kind is DiffKind.DELETE for w in op.source)
    assert (best.text, round(best.similarity, 1), deleted) == expected


@pytest.mark.parametrize(
    ("quote", "window", "bound"),
    [
        # every quote word in the window, in order: nothing caps the similarity
        ("our engines will weave", "our engines will weave algebraic", 100.0),
        # 3 of 4 in order (LCS 3): 200 * 3 / (4 + 3)
        ("our engines will dance", "our engines will weave algebraic", 600 / 7),
        # order counts: LCS of "weave will engines our" with the window is 1
        ("weave will engines our", "our engines will weave algebraic", 200 / 5),
        ("nothing shared here", "our engines will weave algebraic", 0.0),
    ],
)
def test_bound_caps_the_similarity(quote: str, window: str, bound: float) -> None:
    index = build_index(
        Corpus((make_transcript("x.txt", (("Ada Lovelace", window),)),), aliases={})
    )
    q = index.encode(normalise(quote, quote=True).words)
    assert _bound(index, q, 0, len(index.words)) == pytest.approx(bound)
    piece = _align(index, q, 0, len(index.words))
    assert piece is None or piece.similarity <= bound + 1e-9


def test_pruned_alignment_keeps_best_own_and_close_runner(
    index: CorpusIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "we must balance the budget before the next session"
    pruned = run(index, text, "Ada Lovelace")
    monkeypatch.setattr(match._Pool, "wants", lambda self, bound, speaker: True)
    full = run(index, text, "Ada Lovelace")
    assert (pruned.best, pruned.best_for_speaker, pruned.runner_up) == (
        full.best,
        full.best_for_speaker,
        full.runner_up,
    )
    # The same words said by two people: the earlier is best, the other the runner-up.
    assert pruned.best is not None and pruned.best.speaker == "Moderator"
    assert pruned.runner_up is not None and pruned.runner_up.speaker == "Ada Lovelace"


@pytest.mark.parametrize(
    "text",
    [
        "we must balance the budget before the next session",
        "the engine will weave patterns of music",
        "to my great regret the machine was never finished",
    ],
)
@pytest.mark.parametrize("head", [0, 1])
def test_partial_ordering_of_pooled_diagonals_is_exact(
    index: CorpusIndex, monkeypatch: pytest.MonkeyPatch, text: str, head: int
) -> None:
    # A head of 0 or 1 window per wanted one runs out at once: the full sort takes over.
    full = run(index, text, None)
    monkeypatch.setattr(match, "_POOL_HEAD", head)
    partial = run(index, text, None)
    assert (partial.best, partial.runner_up) == (full.best, full.runner_up)
    assert full.best is not None
