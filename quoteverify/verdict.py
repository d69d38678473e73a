"""Match + attribution + thresholds -> verdict, confidence, reasons and a word-level diff."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from quoteverify.config import Config
from quoteverify.models import (
    Attribution,
    AttributionKind,
    DiffKind,
    DiffOp,
    MatchResult,
    Passage,
    Quote,
    Verdict,
)
from quoteverify.normalise import Normalised, same_person

# Words of context shown on each side of a change in a diff.
_CONTEXT = 3
# Dropped material worth telling the reader about (fillers and annotations are routine).
_EDITORIAL = ("insertion", "sic")

_NEGATIONS = frozenset(
    {"not", "no", "never", "n't", "nobody", "nothing", "neither", "nor", "without", "cannot"}
)
# Word lists read better as prose than as a column of string literals.
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "  # noqa: SIM905
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand million billion trillion half dozen first second third".split()
)
# Function words: a passage that shares only these with a quote is not the quote's source.
_FUNCTION = frozenset(
    "a an the and or but if so of to in on at by for with from as is are was were be been being "  # noqa: SIM905
    "have has had do does did will would can could should may might must shall i you he she it "
    "we they me him her us them my your his its our their this that these those there here what "
    "which who whom whose when where why how not no never n't all any some more most very just "
    "than then also only about into over out up down i'm it's that's we're we've i've don't "
    "against before after between through during under again because while each every both "
    "such own same other let me said say think".split()
)
# Capitalised words that are not names: sentence starts and the pronoun I.
_NOT_NAMES = frozenset(
    "i a an the and but or so if we you he she it they this that these those there here in on "  # noqa: SIM905
    "at of to for with my our your his her their its".split()
)


@dataclass(frozen=True)
class Judgement:
    """The verdict on one quote, the passage it rests on, and why."""

    verdict: Verdict
    confidence: float  # 0..1, two decimals
    similarity: float  # 0..100, one decimal: of `passage`
    passage: Passage | None
    diff: str | None
    reasons: tuple[str, ...]


def _is_negation(word: str) -> bool:
    w = word.casefold().replace("’", "'")
    return w in _NEGATIONS or w.endswith("n't")


def _is_number(word: str) -> bool:
    return any(c.isdigit() for c in word) or word.casefold() in _NUMBER_WORDS


def _is_name(word: str) -> bool:
    return word[:1].isupper() and word.casefold() not in _NOT_NAMES


def _words(words: Sequence[str]) -> str:
    return " ".join(words)


def _change_reasons(op: DiffOp) -> tuple[list[str], bool]:
    """What one edit changes, and whether that change is critical (numbers, negation, names)."""
    if op.kind is DiffKind.EQUAL:
        return [], False
    src, said = op.source, op.quote
    out: list[str] = []
    if any(_is_number(w) for w in (*src, *said)):
        if src and said:
            out.append(f"number changed: {_words(src)} -> {_words(said)}")
        elif src:
            out.append(f"number left out: {_words(src)}")
        else:
            out.append(f"number added: {_words(said)}")
    neg_src = Counter(w.casefold() for w in src if _is_negation(w))
    neg_said = Counter(w.casefold() for w in said if _is_negation(w))
    added = [w for w in said if _is_negation(w) and neg_said[w.casefold()] > neg_src[w.casefold()]]
    removed = [w for w in src if _is_negation(w) and neg_src[w.casefold()] > neg_said[w.casefold()]]
    if added:
        out.append(f"negation added: {_words(added)}")
    if removed:
        out.append(f"negation removed: {_words(removed)}")
    if op.kind is DiffKind.REPLACE and any(map(_is_name, src)) and any(map(_is_name, said)):
        out.append(f"name changed: {_words(src)} -> {_words(said)}")
    if out:
        return out, True
    match op.kind:
        case DiffKind.DELETE:
            return [f"words left out: {_words(src)}"], False
        case DiffKind.INSERT:
            return [f"words added: {_words(said)}"], False
        case DiffKind.REPLACE:
            return [f"words changed: {_words(src)} -> {_words(said)}"], False
        case DiffKind.EQUAL:  # handled above; kept for an exhaustive match
            return [], False
        case _:
            assert_never(op.kind)


def _changes(passage: Passage) -> tuple[list[str], bool]:
    reasons: list[str] = []
    critical = False
    for op in passage.ops:
        found, severe = _change_reasons(op)
        reasons.extend(found)
        critical = critical or severe
    return reasons, critical


def _render(op: DiffOp) -> str:
    deleted = f"[-{_words(op.source)}-]" if op.source else ""
    inserted = f"{{+{_words(op.quote)}+}}" if op.quote else ""
    return deleted + inserted


def diff(ops: Sequence[DiffOp]) -> str:
    """Word-level diff of a quote against its source: `[-source words-]{+quote words+}`.

    Each change keeps up to three words of context on each side; longer equal runs between
    changes are cut to ` … `. Empty when the ops hold no change.
    """
    changed = [k for k, op in enumerate(ops) if op.kind is not DiffKind.EQUAL]
    if not changed:
        return ""
    parts: list[str] = []
    for k, op in enumerate(ops):
        if op.kind is not DiffKind.EQUAL:
            parts.append(_render(op))
            continue
        words = list(op.source)
        before = k > changed[0]  # a change precedes this run
        after = k < changed[-1]  # and one follows it
        if before and after:
            if len(words) > 2 * _CONTEXT:
                words = [*words[:_CONTEXT], "…", *words[-_CONTEXT:]]
        elif before:
            words = words[:_CONTEXT]
        else:
            words = words[-_CONTEXT:]
        parts.extend(words)
    return " ".join(p for p in parts if p)


def _attribution_weight(kind: AttributionKind, config: Config) -> float:
    match kind:
        case AttributionKind.EXPLICIT:
            return config.weight_explicit
        case AttributionKind.PRONOUN:
            return config.weight_pronoun
        case AttributionKind.ANONYMOUS:
            return config.weight_anonymous
        case AttributionKind.NONE:
            return config.weight_none
        case _:
            assert_never(kind)


def content_kept(passage: Passage) -> tuple[int, int]:
    """(content words of the source passage the quote keeps, content words it changes or drops)."""
    kept = lost = 0
    for op in passage.ops:
        n = sum(1 for w in op.source if w.casefold().replace("’", "'") not in _FUNCTION)
        if op.kind is DiffKind.EQUAL:
            kept += n
        else:
            lost += n
    return kept, lost


def close_enough(passage: Passage | None, config: Config) -> bool:
    """Whether a passage is the quote's source, changed or not: similar, and most content kept.

    Similarity alone counts function words, so a sentence whose every noun and verb was changed
    can still reach altered_similarity through its "the", "of" and "we". Words a quote adds are
    not counted against it: an insertion changes a quote, it does not make it someone else's.
    So the passage is close enough when at most one of its content words is changed or left
    out, when it keeps more content words than it loses, or when half the quote is one unchanged
    run of it.
    """
    if passage is None or passage.similarity < config.altered_similarity:
        return False
    kept, lost = content_kept(passage)
    if lost <= 1 or kept > lost:
        return True
    # A quote whose first or second half is the passage word for word (a clause cut and
    # finished with other words) is that passage altered, whatever the rest says.
    run = max((len(op.quote) for op in passage.ops if op.kind is DiffKind.EQUAL), default=0)
    words = sum(len(op.quote) for op in passage.ops)
    return run >= max(4, words / 2)


# P(the verdict is right) per verdict and evidence band, before the attribution factor. Bands
# with 20 findings or more among the named-speaker findings of the verification set of bench/
# (seed 2, 100 quotes of every kind, short fragments and ambiguous quotes included) take their
# add-one smoothed share of right verdicts, (right + 1) / (n + 2), rounded and capped at 0.99;
# the others (rare bands) are priors. docs/verdicts.md lists the counts behind every row.
CONFIDENCE_TABLE: dict[tuple[Verdict, str], float] = {
    (Verdict.VERIFIED, "1 word"): 0.9,  # prior (14/14)
    (Verdict.VERIFIED, "2-3 words"): 0.99,  # 86/86
    (Verdict.VERIFIED, "4-7 words"): 0.99,  # 180/180
    (Verdict.VERIFIED, "8+ words"): 0.99,  # 718/718
    # A short quote two of whose three words the speaker said: as often his words never said.
    (Verdict.ALTERED, "short"): 0.71,  # 96/134
    (Verdict.ALTERED, "critical"): 0.99,  # 317/317
    (Verdict.ALTERED, "similarity 90+"): 0.99,  # 158/159
    (Verdict.ALTERED, "similarity 75-90"): 0.98,  # 124/125
    (Verdict.ALTERED, "similarity 60-75"): 0.8,  # prior (3/4)
    (Verdict.MISATTRIBUTED, "same words"): 0.98,  # 199/202
    (Verdict.MISATTRIBUTED, "changed words"): 0.9,  # prior (1/3)
    # The claimed speaker holds no turn, yet someone else said the words: in the set's quotes
    # from real news, always our attribution picking the wrong person, not the article.
    (Verdict.MISATTRIBUTED, "not in corpus"): 0.01,  # 0/74
    (Verdict.NOT_FOUND, "short"): 0.95,  # 60/62
    (Verdict.NOT_FOUND, "not in corpus"): 0.9,  # prior
    (Verdict.NOT_FOUND, "nearest below 50"): 0.99,  # 210/210
    (Verdict.NOT_FOUND, "nearest 50+"): 0.99,  # 86/86
}


def evidence_band(
    verdict: Verdict,
    words: int,
    similarity: float,
    *,
    critical: bool = False,
    in_corpus: bool = True,
    config: Config | None = None,
) -> str:
    """The row of CONFIDENCE_TABLE a finding falls in ("" for unattributed, which has none)."""
    short = words <= (config or Config()).fragment_max_words
    match verdict:
        case Verdict.VERIFIED:
            if words >= 8:
                return "8+ words"
            if words >= 4:
                return "4-7 words"
            return "1 word" if words <= 1 else "2-3 words"
        case Verdict.ALTERED:
            if short:
                return "short"
            if critical:
                return "critical"
            if similarity >= 90.0:
                return "similarity 90+"
            return "similarity 75-90" if similarity >= 75.0 else "similarity 60-75"
        case Verdict.MISATTRIBUTED:
            if not in_corpus:
                return "not in corpus"
            return "same words" if similarity >= 100.0 else "changed words"
        case Verdict.NOT_FOUND:
            if not in_corpus:
                return "not in corpus"
            if short:
                return "short"
            return "nearest below 50" if similarity < 50.0 else "nearest 50+"
        case Verdict.UNATTRIBUTED:
            return ""
        case _:
            assert_never(verdict)


def confidence_of(
    verdict: Verdict, band: str, attribution: AttributionKind, config: Config
) -> float:
    """The probability that a verdict is right: its band's base rate times the attribution's.

    An unattributed verdict is right when the article names nobody, so its confidence is the
    attribution factor alone (weight_none or weight_anonymous). A verified or altered verdict
    found the words in the claimed speaker's own turns: the corpus confirms whom the speaker was
    resolved to, so the attribution factor applies only to the verdicts that dispute it.
    """
    if verdict in (Verdict.VERIFIED, Verdict.ALTERED):
        return CONFIDENCE_TABLE[(verdict, band)]
    factor = _attribution_weight(attribution, config)
    if verdict is Verdict.UNATTRIBUTED:
        return factor
    return CONFIDENCE_TABLE[(verdict, band)] * factor


def _nothing_close(claimed: str, own: Passage | None, config: Config) -> str:
    """Why the claimed speaker's best passage is not the quote's source."""
    if own is not None and own.similarity >= config.altered_similarity:
        return f"no passage of {claimed} keeps most of the quote's content words"
    return f"no passage of {claimed} reaches {config.altered_similarity:g}"


def _where(p: Passage) -> str:
    return f"{p.transcript}:{p.line}"


def _same_place(a: Passage, b: Passage) -> bool:
    return a.transcript == b.transcript and a.span == b.span


def _ambiguity(rest: Passage, match: MatchResult, config: Config) -> str | None:
    """A reason when another speaker has words as close to the quote as the chosen passage."""
    for alt in (match.best, match.runner_up):
        if alt is None or _same_place(alt, rest) or same_person(alt.speaker, rest.speaker):
            continue
        if abs(alt.similarity - rest.similarity) <= config.ambiguity_margin:
            return f"ambiguous: also said by {alt.speaker} ({_where(alt)})"
    return None


def _speaker_in_corpus(match: MatchResult) -> bool:
    if match.speaker_labels is not None:
        return bool(match.speaker_labels)
    return True


def _editorial(norm: Normalised) -> list[str]:
    return [f"editorial {d.reason}: {d.text}" for d in norm.dropped if d.reason in _EDITORIAL]


def judge(
    quote: Quote,
    norm: Normalised,
    attribution: Attribution,
    match: MatchResult,
    config: Config,
) -> Judgement:
    """Decide whether a quote is verified, altered, misattributed, not found or unattributed."""
    words = len(norm.tokens)
    in_corpus = _speaker_in_corpus(match)
    best = match.best
    own = match.best_for_speaker
    claimed = attribution.speaker
    editorial = _editorial(norm)

    def found(verdict: Verdict, rest: Passage, reasons: list[str], show: bool) -> Judgement:
        changes, critical = _changes(rest)
        text = diff(rest.ops) if show else ""
        why = [*reasons, *changes]
        band = evidence_band(
            verdict, words, rest.similarity, critical=critical, in_corpus=in_corpus, config=config
        )
        confidence = confidence_of(verdict, band, attribution.kind, config)
        ambiguous = _ambiguity(rest, match, config)
        if ambiguous is not None:
            why.append(ambiguous)
        return Judgement(
            verdict,
            round(confidence, 2),
            round(rest.similarity, 1),
            rest,
            text or None,
            tuple(why + editorial),
        )

    def not_found(reason: str) -> Judgement:
        why = [reason]
        if best is not None:
            why.append(
                f"nearest: {best.speaker} ({_where(best)}), similarity {best.similarity:.1f}"
            )
        similarity = round(best.similarity, 1) if best is not None else 0.0
        band = evidence_band(
            Verdict.NOT_FOUND, words, similarity, in_corpus=in_corpus, config=config
        )
        return Judgement(
            Verdict.NOT_FOUND,
            round(confidence_of(Verdict.NOT_FOUND, band, attribution.kind, config), 2),
            similarity,
            best,
            None,
            tuple(why + editorial),
        )

    if attribution.kind in (AttributionKind.NONE, AttributionKind.ANONYMOUS) or claimed is None:
        source = "no attribution"
        if attribution.kind is AttributionKind.ANONYMOUS:
            source = f"anonymous source: {attribution.description or 'unnamed'}"
        if best is None:
            confidence = confidence_of(Verdict.UNATTRIBUTED, "", attribution.kind, config)
            return Judgement(
                Verdict.UNATTRIBUTED, round(confidence, 2), 0.0, None, None, (source, *editorial)
            )
        close = best.similarity >= config.altered_similarity
        if close:
            reasons = [source, f"closest passage: said by {best.speaker} ({_where(best)})"]
        else:
            reasons = [source, f"no passage reaches {config.altered_similarity:g}"]
        return found(Verdict.UNATTRIBUTED, best, reasons, close)

    other = best if best is not None and not best.speaker_match else None
    if (
        other is not None
        and words > config.fragment_max_words
        and close_enough(other, config)
        and (own is None or other.similarity >= own.similarity + config.misattribution_margin)
    ):
        if not in_corpus:
            mine = f"speaker not in corpus: {claimed}"
        elif own is None or not close_enough(own, config):
            mine = _nothing_close(claimed, own, config)
        else:
            mine = f"closest passage of {claimed}: similarity {own.similarity:.1f}"
        said = f"said by {other.speaker} ({_where(other)}), not {claimed}"
        return found(Verdict.MISATTRIBUTED, other, [said, mine], True)
    if not in_corpus:
        return not_found(f"speaker not in corpus: {claimed}")
    if own is not None and close_enough(own, config):
        _, critical = _changes(own)
        if own.similarity >= config.verified_similarity and not critical:
            return found(Verdict.VERIFIED, own, [], False)
        return found(Verdict.ALTERED, own, [], True)
    return not_found(_nothing_close(claimed, own, config))
