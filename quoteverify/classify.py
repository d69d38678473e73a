"""Quote kinds: speech, or a name, title or scare quote that is not verified."""

from __future__ import annotations

import re
from collections.abc import Sequence

from quoteverify.models import Attribution, Document, Quote, QuoteKind

_OPENING = '“"‘«'


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# What introduces a name rather than a quotation: `the so-called “Islamic State”`, `a book
# titled “…”`, `the term “…”`, `known as “…”`.
_NAMING = re.compile(
    r"(?:\bso[- ]called|\bdubbed|\bnicknamed|\btitled|\bentitled|\bheadlined|\bknown\s+as"
    r"|\bbilled\s+as|\blabell?ed(?:\s+as)?|\bbranded(?:\s+as)?|\bmarked|\bhashtag"
    r"|\bthe\s+(?:words?|terms?|phrase|slogan|hashtag|label|nickname|title|name))"
    r"(?:[^\S\n]*[,:])?(?:[^\S\n]+(?:the|a|an|his|her|its|their|him|her|them|it|himself|herself))?$",
    re.IGNORECASE,
)
# A title after a preposition or a possessive: `on ABC’s “This Week”`, `in “Atlas Shrugged”`.
_TITLE_PLACE = re.compile(r"(?:\b(?:on|in|with|to|of|at|from|for|about)|[’']s|s[’'])[^\S\n]*$")
_TITLE_SMALL = _set("a an the and or nor but of in on at to for with by from as is vs")
# The longest title (in words) the title-case rule takes for a name: longer runs are headlines.
_TITLE_MAX_WORDS = 8


def _title_case(text: str) -> bool:
    """Whether every word of a quote of two or more words is capitalised: `Saturday Night Live`."""
    words = re.findall(r"[^\W\d_][\w’'.\-]*", text)
    if len(words) < 2 or len(words) > _TITLE_MAX_WORDS or not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in _TITLE_SMALL for w in words)


def classify(
    doc: Document, quotes: Sequence[Quote], attributions: Sequence[Attribution]
) -> tuple[QuoteKind, ...]:
    """Whether each quote is speech or a name, title or scare quote (not verified).

    SCARE: words introduced as a name (`so-called`, `dubbed`, `titled`, `known as`, `the term`),
    and title-case phrases (`“Saturday Night Live”`) that no reporting clause claims or that
    follow a preposition or possessive (`on ABC’s “This Week”`). Split quotes, block quotes and
    quotes ending a sentence (`.`, `?`, `!`) are always speech, as are partial quotes inside a
    reporting clause (`Trump called the deal “a disaster”`).
    """
    return tuple(_kind(doc, q, a) for q, a in zip(quotes, attributions, strict=True))


def _kind(doc: Document, quote: Quote, attribution: Attribution) -> QuoteKind:
    if len(quote.parts) > 1 or quote.blockquote:
        return QuoteKind.SPEECH
    text = quote.text.strip()
    start = doc.text_span(quote.parts[0].span).start
    # the words before the opening mark, on the same line
    head = doc.text[max(start - 80, 0) : start].rstrip(_OPENING + " \t")
    head = head[head.rfind("\n") + 1 :]
    if _NAMING.search(head):
        return QuoteKind.SCARE
    if text.rstrip(',;:”"’').endswith((".", "?", "!", "…")):
        return QuoteKind.SPEECH
    if _title_case(text) and (attribution.cue is None or _TITLE_PLACE.search(head)):
        return QuoteKind.SCARE
    return QuoteKind.SPEECH
