"""Quote kinds: speech, or a name, title or scare quote that is not verified."""

from __future__ import annotations

import re
from collections.abc import Sequence

from quoteverify.models import Attribution, Document, Quote, QuoteKind

__all__ = ["classify"]

_OPENING = '“"‘«'
_CLOSING = '”"’»'


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# What introduces a name rather than a quotation: `the so-called “Islamic State”`, `a book
# titled “…”`, `the term “…”`, `known as “…”`, `words such as “…”`, `click “sign up”`.
_NAMING = re.compile(
    r"(?:\bso[- ]called|\bdubbed|\bnicknamed|\btitled|\bentitled|\bheadlined|\bknown\s+as"
    r"|\bbilled\s+as|\blabell?ed(?:\s+as)?|\bbranded(?:\s+as)?|\bmarked|\bhashtag"
    r"|\bclick(?:s|ed|ing)?(?:\s+on)?|\bself-(?:described|styled|proclaimed)"
    r"|\bpseudonyms?|\baliases|\balias|\bmonikers?|\b(?:goes|go|going|went)\s+by"
    r"|\b(?:words?|terms?|phrases?)\s+(?:such\s+as|like)"
    r"|\bthe\s+(?:(?P<words>words?|terms?|phrase)|slogan|hashtag|label|nickname|title|name))"
    r"(?:[^\S\n]*[,:])?(?:[^\S\n]+(?:the|a|an|his|her|its|their|him|her|them|it|himself|herself))?$",
    re.IGNORECASE,
)
# A fragment that opens with one of these is words lifted from a sentence, never a name:
# `the group was branded “in homage to” its founder`.
_FRAGMENT_START = _set("in to for with by of at as from that because and but than into")
# Words said in the first person are speech even when introduced as words: `when he used
# the words “I’m not ready,” he meant it`.
_FIRST_PERSON = re.compile(r"\b(?:I|I[’']m|I[’']ve|I[’']ll|I[’']d|we|we[’'](?:re|ve|ll)|my|our)\b")
# A title after a preposition, a possessive or `told`: `on ABC’s “This Week”`, `in “Atlas
# Shrugged”`, `she told “Fox and Friends”`.
_TITLE_PLACE = re.compile(
    r"(?:\b(?:on|in|with|to|of|at|from|for|about|told)|[’']s|s[’'])[^\S\n]*$", re.IGNORECASE
)
# A title after the kind of work it names: `the podcast “Here and Now”`, `her memoir,
# “Hard Roads.”`; a possessive before one capitalised word: `NBC’s “Today”`.
_MEDIUM = re.compile(
    r"\b(?:show|program|programme|series|sitcom|drama|thriller|comedy|film|movie|documentary"
    r"|book|memoir|novel|play|musical|opera|song|album|single|anthem|hymn|poem|podcast|column"
    r"|op-ed|editorial|essay|newsletter|blog|magazine|ad|advert|commercial|spot|sketch"
    r"|segment|episode|hosts?[^\S\n]+of|sang|sing|sings|singing|perform(?:s|ed|ing)?)s?"
    r"[^\S\n]*,?[^\S\n]*$",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"(?:[’']s|s[’'])[^\S\n]*$")
# What follows the title of an article in a digest: `“Storm hits the coast,” by the Herald’s
# Jane Roe` (a comma closing the title, then a publication's possessive and a name).
_BYLINE_AFTER = re.compile(
    r"[^\S\n]+by[^\S\n]+(?:the[^\S\n]+)?(?:[A-Z][\w.]*[^\S\n]+){0,3}[A-Z][\w.]*(?:[’']s|s[’'])"
    r"[^\S\n]+[A-Z]"
)
# Where a title ending with its sentence's full stop stands: `on “Meet the Press.”`,
# `in an interview with “Fox News Sunday.”`, `told “Good Morning America.”`.
_BROADCAST_PLACE = re.compile(r"\b(?:on|in|with|told)[^\S\n]*$", re.IGNORECASE)
# A nickname between the parts of a name: `George “Chip” Baker`, `J.R. “Bud” Hall`. The
# word after must not be a day or month (`called him “Sleepy” Monday`).
_NAME_BEFORE = re.compile(r"(?:^|[^\w.’'])[A-Z][\w.]*$")
_NAME_AFTER = re.compile(
    r"[^\S\n]+(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\b)[A-Z]\w"
)
# A year in parentheses after a quote dates a work or a poster: `“Citizen Kane” (1941)`.
_DATED_AFTER = re.compile(r"[^\S\n]*\((?:1[5-9]|20)\d\d\)")
# A word or two opening a sentence and defined there is mentioned, not said: `“Détente” is
# a French word.`
_MENTION_AFTER = re.compile(r"[^\S\n]+(?:is|are|has|have|means|meant|refers|stands)\b")
_MENTION_MAX_WORDS = 2
_SENTENCE_START = re.compile(r"(?:^|[.!?][”\"’)]*)[^\S\n]*$")
# A reporting clause after a quote: `, the memo states`, `, Jane Roe said`.
_TAG_AFTER = re.compile(
    r"[^\S\n]+(?:[\w.’'-]+[^\S\n]+){1,4}?(?:said|says|states|stated|wrote|writes|added|adds"
    r"|tweeted|declared|announced|explained|continued|replied|warned)\b"
)
# What may stand between the items of a list of names: `“Veep,” “Fargo” and “Girls”`.
_LIST_GAP = re.compile(r"[\s,;]*(?:(?:and|or|&)[\s,]*)?", re.IGNORECASE)
_TITLE_SMALL = _set("a an the and or nor but of in on at to for with by from as is vs")
# The longest title (in words) the title-case rule takes for a name: longer runs are headlines.
_TITLE_MAX_WORDS = 8
# After a word naming the kind of work (`the book “…”`), a longer title-case run is a title too.
_MEDIUM_TITLE_MAX_WORDS = 16
# A label this short ending with a colon (`“Related:”`) is boilerplate, not speech.
_LABEL_MAX_WORDS = 2


def _title_case(text: str, max_words: int = _TITLE_MAX_WORDS, *, min_words: int = 2) -> bool:
    """Whether every word of a quote is capitalised: `Saturday Night Live`."""
    words = re.findall(r"[^\W\d_][\w’'.\-]*", text)
    if not min_words <= len(words) <= max_words or not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in _TITLE_SMALL for w in words)


def _words(text: str) -> str:
    """The words of a text, casefolded and space-joined, padded for substring tests."""
    return " " + " ".join(re.findall(r"[^\W_]+", text.casefold().replace("’", "'"))) + " "


def classify(
    doc: Document, quotes: Sequence[Quote], attributions: Sequence[Attribution]
) -> tuple[QuoteKind, ...]:
    """Whether each quote is speech or a name, title or scare quote (not verified).

    SCARE: words introduced as a name (`so-called`, `dubbed`, `titled`, `known as`, `the term`),
    title-case phrases (`“Saturday Night Live”`) that no reporting clause claims or that
    follow a preposition, a possessive or the kind of work they name (`on ABC’s “This Week.”`,
    `the podcast “Here and Now”`), titles followed by a byline, nicknames inside a name
    (`George “Chip” Baker`), the items of a list that opens with a name, and headline quotes
    whose words a quote of the body repeats (the body's quote is the one verified). Split
    quotes and block quotes are always speech, as are other quotes ending a sentence and
    partial quotes inside a reporting clause (`Trump called the deal “a disaster”`).
    """
    body = [_words(q.text) for q in quotes if not q.headline]
    kinds: list[QuoteKind] = []
    for i, (quote, attribution) in enumerate(zip(quotes, attributions, strict=True)):
        kind = _kind(doc, quote, attribution)
        if kind is QuoteKind.SPEECH and quote.headline:
            words = _words(quote.text)
            if words.strip() and any(words in b for b in body):
                kind = QuoteKind.SCARE
        after_name = i > 0 and kinds[-1] is QuoteKind.SCARE
        if kind is QuoteKind.SPEECH and after_name and _list_item(doc, quotes[i - 1], quote):
            kind = QuoteKind.SCARE
        kinds.append(kind)
    return tuple(kinds)


def _list_item(doc: Document, before: Quote, quote: Quote) -> bool:
    """Whether a quote continues a list that the quote before it opened: `“A,” “B” and “C”`."""
    if len(quote.parts) > 1 or len(quote.text.split()) > _TITLE_MAX_WORDS:
        return False
    end = doc.text_span(before.parts[-1].span).end
    start = doc.text_span(quote.parts[0].span).start
    gap = doc.text[end:start]
    if "\n" in gap or len(gap) > 12:
        return False
    gap = gap.strip(_OPENING + _CLOSING + " ")
    return _LIST_GAP.fullmatch(gap) is not None


def _kind(doc: Document, quote: Quote, attribution: Attribution) -> QuoteKind:
    if len(quote.parts) > 1 or quote.blockquote:
        return QuoteKind.SPEECH
    text = quote.text.strip()
    span = doc.text_span(quote.parts[0].span)
    # the words before the opening mark and after the closing one, on the same line
    head = doc.text[max(span.start - 80, 0) : span.start].rstrip(_OPENING + " \t")
    head = head[head.rfind("\n") + 1 :]
    tail = doc.text[span.end : span.end + 40].lstrip(_CLOSING)
    words = text.split()
    if (m := _NAMING.search(head)) is not None:
        fragment = words[0] in _FRAGMENT_START
        said = m.group("words") is not None and _FIRST_PERSON.search(text) is not None
        if not fragment and not said:
            return QuoteKind.SCARE
    if len(words) <= _LABEL_MAX_WORDS and text.endswith(":"):
        return QuoteKind.SCARE
    bare = text.rstrip(',;:”"’.!?…')
    if _title(bare, head, ended=bare != text.rstrip(',;:”"’')):
        return QuoteKind.SCARE
    if text.rstrip("’'").endswith(",") and _BYLINE_AFTER.match(tail):
        return QuoteKind.SCARE
    if _DATED_AFTER.match(tail):
        return QuoteKind.SCARE
    if len(words) <= 2 and _title_case(bare, min_words=1) and _nickname(head, tail):
        return QuoteKind.SCARE
    mention = len(words) <= _MENTION_MAX_WORDS and _SENTENCE_START.search(head) is not None
    if mention and _MENTION_AFTER.match(tail):
        return QuoteKind.SCARE
    if text.rstrip(',;:”"’').endswith((".", "?", "!", "…")):
        return QuoteKind.SPEECH
    if text.endswith(",") and _TAG_AFTER.match(tail):
        return QuoteKind.SPEECH  # `“Free Trade Now,” the union said`: a reporting clause
    if _title_case(text) and (attribution.cue is None or _TITLE_PLACE.search(head)):
        return QuoteKind.SCARE
    return QuoteKind.SPEECH


def _nickname(head: str, tail: str) -> bool:
    """Whether capitalised words stand between a name's parts: `George “Chip” Baker`."""
    before = _NAME_BEFORE.search(head)
    after = _NAME_AFTER.match(tail)
    if before is None or after is None:
        return False
    first = before.group().strip(" \t’'").lower()
    second = tail.split()[0].strip(",.;:").lower() if tail.split() else ""
    return first not in _TITLE_SMALL and second not in _TITLE_SMALL


def _title(bare: str, head: str, *, ended: bool) -> bool:
    """Whether a capitalised quote (final punctuation cut) stands where a title stands.

    A title-case quote ending with a full stop after any preposition may be a chant or a
    place (`chants of “Go Team!”`, `jobs from “Maine to Texas.”`), so only the prepositions
    of broadcasts and publications count then.
    """
    if _MEDIUM.search(head):
        return _title_case(bare, _MEDIUM_TITLE_MAX_WORDS, min_words=1)
    if _POSSESSIVE.search(head) and _title_case(bare, min_words=1):
        return True
    place = _BROADCAST_PLACE if ended else _TITLE_PLACE
    return _title_case(bare) and place.search(head) is not None
