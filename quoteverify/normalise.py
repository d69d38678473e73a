"""Text -> canonical word tokens, each keeping its offsets in the original text.

(Interface skeleton: the full normaliser replaces the body of `normalise` and `canonical_name`.)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from quoteverify.models import Span


@dataclass(frozen=True)
class Token:
    """One word as matched (`norm`) and where it stands in the original text."""

    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Dropped:
    """Material left out of matching, with why: insertion, sic, filler, annotation."""

    reason: str
    span: Span
    text: str


@dataclass(frozen=True)
class Normalised:
    """The tokens of a text, its ellipsis fragments and what was left out."""

    tokens: tuple[Token, ...]
    # [i, j) ranges of `tokens`, one per ellipsis-separated fragment (one range without one)
    fragments: tuple[tuple[int, int], ...]
    dropped: tuple[Dropped, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        """The canonical words, in order."""
        return tuple(t.norm for t in self.tokens)


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def normalise(text: str, *, base: int = 0, quote: bool = False) -> Normalised:
    """Tokenise text into canonical words; offsets are base + index into text.

    quote=True reads the text as a quotation: ellipses split it into fragments.
    """
    tokens = tuple(
        Token(unicodedata.normalize("NFKC", m.group()).casefold(), base + m.start(), base + m.end())
        for m in _WORD.finditer(text)
    )
    return Normalised(tokens=tokens, fragments=((0, len(tokens)),))


def canonical_name(name: str) -> str:
    """A person's name reduced for comparison: no titles, case, diacritics or punctuation."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"\w+", folded))


def same_person(a: str, b: str) -> bool:
    """Whether two renderings of a name can denote the same person (`Mr Erdogan`, `ERDOĞAN`)."""
    ca, cb = canonical_name(a).split(), canonical_name(b).split()
    return bool(ca) and bool(cb) and ca[-1] == cb[-1]
