"""Config: every threshold and weight of a run in one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass, field

from quoteverify.models import Verdict

DEFAULT_FAIL_ON: frozenset[Verdict] = frozenset(
    {Verdict.ALTERED, Verdict.MISATTRIBUTED, Verdict.NOT_FOUND}
)


@dataclass(frozen=True)
class Config:
    """Thresholds, weights and the gate. Defaults are documented in docs/verdicts.md."""

    # --- matching -------------------------------------------------------------------------
    # Similarity (0..100, over normalised words) at or above which a passage counts as the
    # same words; below altered_similarity nothing is close enough and the quote is not found.
    verified_similarity: float = 100.0
    altered_similarity: float = 60.0
    # A passage by another speaker must beat the claimed speaker's best by this many points
    # before the quote is called misattributed rather than altered.
    misattribution_margin: float = 10.0
    # Quotes of at most this many words are searched only in the claimed speaker's turns.
    fragment_max_words: int = 3
    # Ellipsis fragments must be found in order within this many words of each other.
    ellipsis_max_gap_words: int = 150
    # How many candidate windows are aligned in full per quote.
    candidates: int = 12
    # A runner-up passage this close to the best (in points) makes the quote ambiguous.
    ambiguity_margin: float = 2.0

    # --- confidence -----------------------------------------------------------------------
    # The probability that the claimed speaker was resolved right, by how it was found: each
    # verdict's base rate (verdict.CONFIDENCE_TABLE) is multiplied by it. An unattributed
    # verdict's confidence is weight_none or weight_anonymous itself. Priors, not fitted: the
    # verification set names every speaker.
    weight_explicit: float = 1.0
    weight_pronoun: float = 0.85
    weight_anonymous: float = 0.7
    weight_none: float = 0.6

    # --- the gate -------------------------------------------------------------------------
    fail_on: frozenset[Verdict] = field(default_factory=lambda: DEFAULT_FAIL_ON)
    # Findings whose confidence is below this never fail the gate.
    min_confidence: float = 0.0

    # --- output ---------------------------------------------------------------------------
    quote_width: int = 60  # the table shortens longer quotes
