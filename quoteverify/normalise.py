"""Text -> canonical word tokens, each keeping its offsets in the original text.

Quotes and transcripts go through the same function, so a canonical form only has to be the same
for every way of writing one spoken word; it need not be a real word. Rules that map British to
American spelling are therefore safe as long as they never make two different words equal.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from quoteverify.models import Span

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class Token(NamedTuple):
    """One word as matched (`norm`) and where it stands in the original text."""

    # A named tuple, not a dataclass: an index build makes one per corpus word, and a tuple is
    # made several times faster (from C, without a Python __init__).

    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Dropped:
    """Material left out of matching, with why: insertion, sic, filler, annotation, stutter."""

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


# --- characters ----------------------------------------------------------------------------

_APOSTROPHES = "'’‘ʼ′`‛＇´"
_HYPHENS = "-‐‑−"
_DASHES = "‒–—―⸺⸻"
# Combining marks and the soft hyphen belong to the word they sit in (NFD input, "inter\xadnal").
_W = "[\\w\u0300-\u036f\u00ad]"
# A bracketed letter or two inside a word is a capitalisation change, not an insertion: "[T]he".
_LB = r"\[[^\W\d_]{1,3}\]"
_WORD = f"(?:{_LB})?{_W}+(?:(?:[{_APOSTROPHES}]|{_LB}){_W}+)*(?:{_LB})?"

_TOKEN = re.compile(
    # "uh-huh" must be caught whole: the hyphen would otherwise leave a stray "huh".
    rf"(?P<f>(?i:\b(?:uh|mm|um)[{_HYPHENS}](?:huh|hmm|hm)\b))"
    # Dotted initialisms are one word: "U.S." == "US", "U.N." == "UN".
    r"|(?P<x>(?<!\w)(?:[^\W\d_]\.){2,})"
    rf"|(?P<n>\d+(?:[.,]\d+)+(?!{_W}))"
    # A word cut off by a hyphen and a space ("appropri- the") is a stutter.
    rf"|(?P<w>{_WORD})(?P<c>[{_HYPHENS}](?=[^\S\n]))?"
    r"|(?P<p>[%％﹪٪])|(?P<a>[&＆﹠])"
)
_ELLIPSIS = r"[…⋯]+|\.(?:\s?\.){2,}"
_MARKS_QUOTE = re.compile(
    rf"(?P<b>\[[^\[\]]{{0,400}}\])|(?P<p>\([^()]{{0,400}}\))|(?P<e>{_ELLIPSIS})"
)
_MARKS_TRANSCRIPT = re.compile(r"(?P<b>\[[^\[\]]{0,400}\])|(?P<p>\([^()]{0,400}\))")
_ONLY_ELLIPSIS = re.compile(rf"\s*(?:{_ELLIPSIS})\s*")
_SIC = re.compile(r"[\s*_]*sic[\s*_.!]*", re.IGNORECASE)
_IN_WORD = re.compile(r"[^\W\d_]{1,3}")
_ANNOTATION = re.compile(
    r"\b(?:laugh\w*|applau\w*|inaudible|audible|unintelligible|indiscernible|crosstalk"
    r"|cross[-‐‑ ]talk|overlapping|cheer(?:s|ing)?|boo(?:s|ing|ed)?|pauses?|silence|music"
    r"|cough\w*|sigh(?:s|ing)?|chuckl\w*|interrupt\w*|off[-‐‑ ]mic|video|break)\b",
    re.IGNORECASE,
)
# An interjection by another speaker: "(GOVERNOR CARTER: Yes.)".
_LABEL = re.compile(r"\s*[A-Z][A-Z.'’ -]+:")
_PUNCT = re.compile(r"[^\w\s]")
_SET_OFF_RIGHT = re.compile(r"\s*(?:[^\w\s]|$|(?i:uh|um|er|ah)\b)")
_DASH_GAP = re.compile(rf"\s[{_HYPHENS}]|[{_HYPHENS}]\s|[{_DASHES}]|[{_HYPHENS}]{{2}}")

# Most text is words of letters, digits and apostrophes between spaces and punctuation; there
# _TOKEN cuts exactly where _PLAIN does, and _PLAIN.split is several times faster. _ODD finds,
# by the rarer character each needs, every place where another rule of _TOKEN could apply: an
# in-word bracket, marks, "_", per cent and ampersand signs, a hyphen before a space (cut-off
# word) or an h ("uh-huh"), a dotted initialism, a digit after a point or comma. No token of
# _TOKEN holds whitespace, so the whitespace-free run around each such place goes through
# _TOKEN itself and the rest through _PLAIN, with the same tokens.
_PLAIN = re.compile(rf"(\w++(?:[{_APOSTROPHES}]\w++)*+)")
_ODD = re.compile(
    rf"[\[\u0300-\u036f\u00ad_%％﹪٪&＆﹠]|[{_HYPHENS}](?=[^\S\n]|(?i:h))|\.[^\W\d_]\.|[.,]\d"
)
_SPACE = re.compile(r"\s")
# Norms of the tokens _TOKEN drops by kind, never a canonical word (those have no NUL).
_CUT_FILLER = "\x00filler"
_CUT_STUTTER = "\x00stutter"

_FILLERS = frozenset(
    {"uh", "uhh", "uhm", "um", "umm", "er", "erm", "ah", "eh", "hmm", "hm", "mm", "mmm"}
)
# "you know" and "I mean" are fillers only when set off by punctuation on both sides.
_PHRASE_TAIL = {"know": "you", "mean": "i"}
_PHRASE_HEAD = frozenset(_PHRASE_TAIL.values())


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- numbers -------------------------------------------------------------------------------

_UNIT_WORDS = "zero one two three four five six seven eight nine"
_TEEN_WORDS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_ORD_UNITS = "first second third fourth fifth sixth seventh eighth ninth"
_ORD_TEENS = (
    "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth"
    " eighteenth nineteenth"
)
_ORD_TENS = "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth"
_SCALE_WORDS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}

# word -> (class, value, is ordinal); classes: u unit, k teen, t tens, h hundred, s scale
_NUMBER_WORDS: dict[str, tuple[str, int, bool]] = {
    **{w: ("u", i, False) for i, w in enumerate(_UNIT_WORDS.split())},
    **{w: ("k", i + 10, False) for i, w in enumerate(_TEEN_WORDS.split())},
    **{w: ("t", 20 + 10 * i, False) for i, w in enumerate(_TENS_WORDS.split())},
    **{w: ("u", i + 1, True) for i, w in enumerate(_ORD_UNITS.split())},
    **{w: ("k", i + 10, True) for i, w in enumerate(_ORD_TEENS.split())},
    **{w: ("t", 20 + 10 * i, True) for i, w in enumerate(_ORD_TENS.split())},
    "hundred": ("h", 100, False),
    "hundredth": ("h", 100, True),
    **{w: ("s", v, False) for w, v in _SCALE_WORDS.items()},
    **{w + "th": ("s", v, True) for w, v in _SCALE_WORDS.items()},
}
# A number phrase starts with a unit, teen or tens word ("a thousand" is left alone).
_NUMBER_START = frozenset(w for w, (c, _, _) in _NUMBER_WORDS.items() if c in "ukt")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DIGIT_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
_AFTER = {
    "u": frozenset({"", "t", "h", "s", "and"}),
    "k": frozenset({"", "h", "s", "and"}),
    "t": frozenset({"", "h", "s", "and"}),
    "h": frozenset({"u", "k", "t", "d"}),
    "s": frozenset({"u", "k", "t", "h", "d", "dec"}),
}


def _format_number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 < n % 100 < 14 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _canon_digits(s: str) -> str:
    if _DECIMAL.fullmatch(s) or _GROUPED.fullmatch(s):
        try:
            return _format_number(Decimal(s.replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the patterns only admit valid numbers
            return s
    m = _DIGIT_ORDINAL.fullmatch(s)
    if m:
        return _ordinal(int(m.group(1)))
    if s.endswith("'s"):  # "1960's" is "1960s"
        return s[:-2] + "s"
    return s


class _Words:
    """Words as three parallel lists: a list of tuples costs a tuple per word to build."""

    __slots__ = ("ends", "norms", "starts")

    def __init__(self, norms: list[str], starts: list[int], ends: list[int]) -> None:
        self.norms = norms
        self.starts = starts
        self.ends = ends

    def extend(self, norms: list[str], starts: list[int], ends: list[int]) -> None:
        """Append words."""
        self.norms += norms
        self.starts += starts
        self.ends += ends

    def append(self, norm: str, start: int, end: int) -> None:
        """Append one word."""
        self.norms.append(norm)
        self.starts.append(start)
        self.ends.append(end)

    def slice(self, i: int, j: int) -> _Words:
        """Words i to j."""
        return _Words(self.norms[i:j], self.starts[i:j], self.ends[i:j])

    def compress(self, keep: Sequence[int]) -> _Words:
        """The words whose `keep` is true."""
        return _Words(
            list(itertools.compress(self.norms, keep)),
            list(itertools.compress(self.starts, keep)),
            list(itertools.compress(self.ends, keep)),
        )


def _joins(text: str, end: int, start: int, base: int) -> bool:
    # Word offsets are base + index into text, as in the Tokens made of them.
    gap = text[end - base : start - base]
    return gap.isspace() or (len(gap) == 1 and gap in _HYPHENS)


def _parse_number(words: _Words, i: int, text: str, base: int) -> tuple[str, int] | None:
    """The number phrase starting at word i, as (digits, index after it), or None."""
    norms, starts, ends = words.norms, words.starts, words.ends
    total = Decimal(0)
    group = Decimal(0)
    last = ""
    last_scale = 10**15
    ordinal = False
    j = i
    n = len(norms)
    while j < n:
        word = norms[j]
        if j > i and not _joins(text, ends[j - 1], starts[j], base):
            break
        entry = _NUMBER_WORDS.get(word)
        if entry is None:
            if j == i and _DECIMAL.fullmatch(word):
                group, last = Decimal(word), "d"
                j += 1
                continue
            if word == "and" and last in ("h", "s") and j + 1 < n:
                nxt = _NUMBER_WORDS.get(norms[j + 1])
                if (
                    nxt
                    and nxt[0] in "ukt"
                    and nxt[1]
                    and _joins(text, ends[j], starts[j + 1], base)
                ):
                    last = "and"
                    j += 1
                    continue
            if word == "point" and last in ("u", "k", "t"):
                digits = ""
                k = j + 1
                while k < n and _joins(text, ends[k - 1], starts[k], base):
                    d = _NUMBER_WORDS.get(norms[k])
                    if d is None or d[0] != "u" or d[2]:
                        break
                    digits += str(d[1])
                    k += 1
                if digits:
                    group += Decimal("0." + digits)
                    last = "dec"
                    j = k
                    continue
            break
        cls, value, is_ord = entry
        if last not in _AFTER[cls] or (cls == "u" and value == 0 and last):
            break
        if cls in "ukt":
            group += value
        elif cls == "h":
            if not 0 < group < 100:
                break
            group *= 100
        else:
            if group <= 0 or value >= last_scale:
                break
            total += group * value
            group = Decimal(0)
            last_scale = value
        last = cls
        j += 1
        if is_ord:
            ordinal = True
            break
    if j == i or (j == i + 1 and last == "d"):
        return None
    result = total + group
    if ordinal:
        return _ordinal(int(result)), j
    return _format_number(result), j


# --- spelling ------------------------------------------------------------------------------

_SPELLING_TABLE: dict[str, str] = {
    "grey": "gray",
    "greys": "grays",
    "greyer": "grayer",
    "greyest": "grayest",
    "greying": "graying",
    "greyed": "grayed",
    "greyish": "grayish",
    "programme": "program",
    "programmes": "programs",
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "licence": "license",
    "licences": "licenses",
    "pretence": "pretense",
    "practise": "practice",
    "practises": "practices",
    "practised": "practiced",
    "practising": "practicing",
    "cheque": "check",
    "cheques": "checks",
    "tyre": "tire",
    "tyres": "tires",
    "kerb": "curb",
    "plough": "plow",
    "ploughs": "plows",
    "ploughed": "plowed",
    "aluminium": "aluminum",
    "sceptic": "skeptic",
    "sceptics": "skeptics",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "ageing": "aging",
    "judgement": "judgment",
    "judgements": "judgments",
    "acknowledgement": "acknowledgment",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "manoeuvred": "maneuvered",
    "manoeuvring": "maneuvering",
    "centred": "centered",
    "centring": "centering",
    "meagre": "meager",
    "ochre": "ocher",
    "jewellery": "jewelry",
    "woollen": "woolen",
    "fulfil": "fulfill",
    "fulfils": "fulfills",
    "fulfilment": "fulfillment",
    "enrol": "enroll",
    "enrols": "enrolls",
    "enrolment": "enrollment",
    "instalment": "installment",
    "instalments": "installments",
    "skilful": "skillful",
    "skilfully": "skillfully",
    "wilful": "willful",
    "wilfully": "willfully",
    "distil": "distill",
    "instil": "instill",
    "mould": "mold",
    "moulds": "molds",
    "mouldy": "moldy",
    "moustache": "mustache",
    "pyjamas": "pajamas",
    "storey": "story",
    "storeys": "stories",
    "aeroplane": "airplane",
    "aeroplanes": "airplanes",
    "paediatric": "pediatric",
    "encyclopaedia": "encyclopedia",
    "anaemia": "anemia",
    "oestrogen": "estrogen",
    "foetus": "fetus",
    "haemorrhage": "hemorrhage",
    "leukaemia": "leukemia",
    "diarrhoea": "diarrhea",
    "gaol": "jail",
    "cosy": "cozy",
    "sulphur": "sulfur",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "ok": "okay",
}
# -our words whose American form is -or; a closed list, so four/for, our/or, hour, pour, tour,
# your, flour, scour ("scouring"/"scoring") are never touched.
_OUR = re.compile(
    r"((?:dis|mis|un|re|pre|over)?(?:arb|ard|arm|behavi|cand|clam|col|demean|endeav|fav|ferv|flav"
    r"|glam|harb|hon|hum|lab|neighb|od|parl|ranc|rig|rum|sav|savi|splend|succ|tum|val|vap|vig))"
    r"our(s|ed|ing|ings|er|ers|ite|ites|itism|able|ably|ful|fully|less|y|ist|ists|al|ally"
    r"|ism|hood|hoods|ly)?"
)
_ISE = re.compile(r"(\w{3,}?)is(e|es|ed|ing|ingly|er|ers|ation|ations|ational|able)")
# American -ise words (and a few others) that must keep their s.
_ISE_KEEP = _wordset(
    "advertise advise appraise apprise chastise circumcise clockwise comprise compromise"
    " concise counterclockwise cruise bruise demise despise devise disguise enterprise excise"
    " exercise expertise franchise improvise incise likewise merchandise mortise otherwise"
    " paradise porpoise praise precise premise promise reprise revise sunrise moonrise supervise"
    " surprise televise tortoise treatise turquoise uprise valise chemise anticlockwise"
    " streetwise lengthwise crosswise edgewise"
)
_YSE = re.compile(r"(\w{2,}?)ys(e|es|ed|ing|er|ers)")
_RE_END = re.compile(r"(\w{2,}[tb])re(s?)")
_RE_KEEP = frozenset({"timbre", "timbres", "entre"})
_LOGUE = re.compile(r"(\w+(?:log|gog))(?:ue(s|d)?|u(ing))")
_LL = re.compile(r"(\w+l)l(ed|ing|ings|er|ers|or|ors|ous|ously|ist|ists)")
# Words ending in an unstressed -l, which British English doubles before a suffix. A closed
# list: a general rule would make filled/filed, tilled/tiled, polling/poling equal.
_LL_STEMS = _wordset(
    "apparel bevel cancel carol channel chisel counsel council cruel cudgel dial dishevel drivel"
    " duel enamel equal fuel funnel gambol gravel grovel imperil initial jewel kennel label"
    " level libel marshal marvel medal metal model panel parcel pedal pencil pummel quarrel"
    " ravel refuel remodel revel rival shovel shrivel signal snivel snorkel spiral stencil"
    " swivel tassel total towel trammel travel tunnel unravel victual yodel"
)


def _spell(word: str) -> str:
    if "'" in word:
        head, sep, tail = word.partition("'")
        return _spell(head) + sep + tail
    mapped = _SPELLING_TABLE.get(word)
    if mapped is not None:
        return mapped
    if len(word) < 5:
        return word
    # Each rule is tried only if the word holds the letters its pattern needs: most words
    # hold none of them, and a substring test is much faster than a failing match.
    m = _OUR.fullmatch(word) if "our" in word else None
    if m:
        return m.group(1) + "or" + (m.group(2) or "")
    m = _ISE.fullmatch(word) if "is" in word else None
    if m and m.group(1) + "ise" not in _ISE_KEEP:
        return m.group(1) + "iz" + m.group(2)
    m = _YSE.fullmatch(word) if "ys" in word else None
    if m:
        return m.group(1) + "yz" + m.group(2)
    m = _RE_END.fullmatch(word) if word.endswith(("re", "res")) else None
    if m and word not in _RE_KEEP:
        return m.group(1) + "er" + m.group(2)
    m = _LOGUE.fullmatch(word) if "ogu" in word else None
    if m:
        suffix = m.group(2) or m.group(3) or ""
        return m.group(1) + {"d": "ed"}.get(suffix, suffix)
    m = _LL.fullmatch(word) if "ll" in word else None
    if m and m.group(1) in _LL_STEMS:
        return m.group(1) + m.group(2)
    return word


# --- words ---------------------------------------------------------------------------------

_PREPARE = str.maketrans(
    {**{c: "'" for c in _APOSTROPHES}, "[": None, "]": None, "\u00ad": None, "_": None}
)
# Letters that NFKD does not split into a base letter and a mark.
_FOLD = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)


def _fold(s: str) -> str:
    """NFKC, casefold and diacritics removed."""
    if s.isascii():
        return s.lower()
    s = unicodedata.normalize("NFKC", s).casefold()
    if s.isascii():
        return s
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return s.translate(_FOLD)


@lru_cache(maxsize=1 << 17)
def canonical_word(word: str) -> str:
    """The canonical form of one word as the tokeniser cuts it ("Colour’s" -> "color's")."""
    if word.isascii() and word.isalnum():  # most words: nothing to remove or fold but case
        s = word.lower()
    else:
        s = _fold(word.translate(_PREPARE)).strip("'")
    if not s:
        return s
    if s[0].isdigit():
        return _canon_digits(s)
    return _spell(s)


# canonical_word's results by the words as cut, for the tokeniser: looking a whole list up in a
# dict from C is several times faster than calling the lru_cache'd function for each word.
_CANON: dict[str, str] = {}
_CANON_MAX = 1 << 18
# What _CANON.get gives for a word not in it: a string, compared with others much faster than
# None is, and never a canonical form (those hold no NUL).
_UNKNOWN = "\x00"


def _canonical_words(words: list[str]) -> list[str]:
    """canonical_word of each word."""
    # One pass in C; the words not yet known (a long tail: most cuts hold a few) are then
    # found by list.index, also in C.
    norms = list(map(_CANON.get, words, itertools.repeat(_UNKNOWN)))
    if _UNKNOWN not in norms:
        return norms
    if len(_CANON) > _CANON_MAX:  # bounded: a long build meets ever more rare words
        _CANON.clear()
    k = -1
    try:
        while True:
            k = norms.index(_UNKNOWN, k + 1)
            word = words[k]
            norm = _CANON.get(word)
            if norm is None:
                norm = _CANON[word] = canonical_word(word)
            norms[k] = norm
    except ValueError:
        return norms


# --- normalise -----------------------------------------------------------------------------


def _bracket_reason(text: str, start: int, end: int, quote: bool) -> str | None:
    """Why a bracketed or parenthesised group is left out, or None to read its words."""
    content = text[start + 1 : end - 1]
    if _ONLY_ELLIPSIS.fullmatch(content):
        return "ellipsis" if quote else None
    if _SIC.fullmatch(content):
        return "sic"
    square = text[start] == "["
    if (
        square
        and _IN_WORD.fullmatch(content)
        and ((start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()))
    ):
        return None
    if quote:
        return "insertion"
    if square or _ANNOTATION.search(content) or _LABEL.match(content):
        return "annotation"
    return None


def _marks(text: str) -> Iterator[re.Match[str]]:
    """_MARKS_TRANSCRIPT.finditer(text), tried only where a bracket opens: much faster."""
    pos = 0
    find = text.find
    square, round_ = find("["), find("(")
    while square >= 0 or round_ >= 0:
        at = square if round_ < 0 or 0 <= square < round_ else round_
        m = _MARKS_TRANSCRIPT.match(text, at)
        pos = m.end() if m else at + 1
        if m:
            yield m
        if 0 <= square < pos:
            square = find("[", pos)
        if 0 <= round_ < pos:
            round_ = find("(", pos)


# (reason, start, end) of material left out: Dropped objects, with their text, are made only
# for normalise's result (the index build needs none).
_Drops = list[tuple[str, int, int]]


def _segments(
    text: str, quote: bool, base: int, dropped: _Drops, cuts: list[int]
) -> list[tuple[int, int]]:
    """The stretches of text whose words count, between editorial marks and annotations."""
    if "[" not in text and "(" not in text and (not quote or ("…" not in text and "." not in text)):
        return [(0, len(text))]
    segments: list[tuple[int, int]] = []
    pos = 0
    for m in _marks(text) if not quote else _MARKS_QUOTE.finditer(text):
        start, end = m.span()
        if m.lastgroup == "e":
            reason: str | None = "ellipsis"
        else:
            reason = _bracket_reason(text, start, end, quote)
        if reason is None:
            continue
        if reason == "ellipsis":
            cuts.append(start)
        else:
            dropped.append((reason, base + start, base + end))
        segments.append((pos, start))
        pos = end
    segments.append((pos, len(text)))
    return segments


_NUMBER_OR_PER = _NUMBER_START | {"per"}
# The norms of tokens that are dropped (fillers, cut-off words, "uh-huh") or skipped ("").
_STOP = _FILLERS | {"", _CUT_FILLER, _CUT_STUTTER}
_FIRST = operator.itemgetter(0)

# What normalise_turns asks of each word of a cut, as bits: a norm that is dropped, may start a
# number phrase or "per cent", starts with a digit, is empty, or is a word of "you know" or "I
# mean".
_F_STOP = 1
_F_NUMBER = 2
_F_DIGIT = 4
_F_EMPTY = 8
_F_YOU = 16
_F_KNOW = 32
_F_I = 64
_F_MEAN = 128
_PHRASE_FLAGS = {"you": _F_YOU, "know": _F_KNOW, "i": _F_I, "mean": _F_MEAN}


def _form_flags(norm: str) -> int:
    return (
        (_F_STOP if norm in _STOP else 0)
        | (_F_NUMBER if norm in _NUMBER_OR_PER else 0)
        | (_F_DIGIT if norm[:1].isdigit() else 0)
        | (_F_EMPTY if not norm else 0)
        | _PHRASE_FLAGS.get(norm, 0)
    )


def _full_tokens(
    text: str,
    start: int,
    end: int,
    base: int,
    norms: list[str],
    starts: list[int],
    ends: list[int],
) -> None:
    """Append the tokens of text[start:end] as _TOKEN cuts them, drops marked by their norm."""
    canon = canonical_word
    for m in _TOKEN.finditer(text, start, end):
        kind = m.lastgroup
        if kind == "w" or kind == "n":
            norm = canon(m.group())
        elif kind == "x":
            norm = canon(m.group().replace(".", ""))
        elif kind == "p":
            norm = "percent"
        elif kind == "a":
            norm = "and"
        else:
            norm = _CUT_FILLER if kind == "f" else _CUT_STUTTER
        norms.append(norm)
        starts.append(base + m.start())
        ends.append(base + m.end())


def _ascii_class(c: str) -> str:
    if c.isdigit():
        return "0"
    if c.isalpha():
        return "a"
    if c.isspace() and c != "\n":
        return " "
    if c in "_%&":
        return "["
    return c


# ASCII text as classes of characters, in which each _ODD rule is a fixed byte string: digits
# "0", letters "a", whitespace but the newline " ", and "[" for each character that is an
# _ODD match by itself.
_ASCII_CLASSES = bytes(ord(_ascii_class(chr(c))) for c in range(128)) + bytes(range(128, 256))
# Common non-ASCII characters and an ASCII one of the same class for _ODD: punctuation that
# no rule of _ODD involves, and spaces.
_AS_ASCII = (*((c, "!") for c in "’‘“”–—…"), ("\u00a0", " "), ("\u2009", " "), ("\u202f", " "))


def _find_all(data: bytes, sub: bytes, offset: int, found: list[int]) -> None:
    i = data.find(sub)
    while i >= 0:
        found.append(offset + i)
        i = data.find(sub, i + 1)


def _odd_places(text: str, start: int, end: int) -> tuple[list[int], bool]:
    """Places in text[start:end] where _ODD matches (each match starts at one), and whether
    the stretch may hold a digit.

    Text that is ASCII, once common typographic marks are replaced by an ASCII character of
    their class, is searched by bytes.find among its character classes, several times faster.
    """
    chunk = text if start == 0 and end == len(text) else text[start:end]
    if not chunk.isascii():
        for char, ascii_char in _AS_ASCII:
            if char in chunk:
                chunk = chunk.replace(char, ascii_char)
        if not chunk.isascii():
            return [m.start() for m in _ODD.finditer(text, start, end)], True
    classes = chunk.encode("ascii").translate(_ASCII_CLASSES)
    found: list[int] = []
    _find_all(classes, b"[", start, found)
    _find_all(classes, b".a.", start, found)  # a dotted initialism
    digits = b"0" in classes
    if digits:  # a number with a point or comma
        _find_all(classes, b".0", start, found)
        _find_all(classes, b",0", start, found)
    i = classes.find(b"-")
    while i >= 0:  # a cut-off word, "uh-huh"
        if classes[i + 1 : i + 2] == b" " or chunk[i + 1 : i + 2] in ("h", "H"):
            found.append(start + i)
        i = classes.find(b"-", i + 1)
    found.sort()
    return found, digits


# Character classes for _Cut: 1 a word character (\w), 2 an apostrophe, 0 anything else.
_CUT_CLASS = bytes(
    1 if re.match(r"\w", chr(c)) else 2 if chr(c) in _APOSTROPHES else 0 for c in range(128)
) + bytes(128)
_ODD_ONE = re.compile(r"[\u0300-\u036f\u00ad％﹪٪＆﹠]")


def _above_ascii(char: str) -> tuple[int, int]:
    """A character above ASCII: its _CUT_CLASS, and an ASCII character of its class for _ODD."""
    cut_class = 1 if re.match(r"\w", char) else 2 if char in _APOSTROPHES else 0
    if _ODD_ONE.match(char):
        like = "_"  # an _ODD match by itself
    elif char in _HYPHENS:
        like = "-"
    elif char.isspace():  # never "\n", which is ASCII
        like = " "
    elif re.match(r"\d", char):
        like = "0"
    elif re.match(r"[^\W\d_]", char):
        like = "x"
    else:
        like = "!"  # punctuation no rule of _ODD involves
    return cut_class, ord(like)


_ABOVE_ASCII: dict[int, tuple[int, int]] = {}


def _odd_array(chars: npt.NDArray[np.uint8], offset: int = 0) -> npt.NDArray[np.intp]:
    """_odd_places(text, 0, len(text))[0] of an ASCII text given as its bytes, with numpy;
    plus offset."""
    import numpy as np

    classes = np.frombuffer(chars.tobytes().translate(_ASCII_CLASSES), dtype=np.uint8)
    # the classes and the character after each one (0 after the end)
    padded = np.zeros(len(classes) + 2, dtype=np.uint8)
    padded[: len(classes)] = classes
    next_class, next_next = padded[1:-1], padded[2:]
    next_char = np.zeros(len(chars), dtype=np.uint8)
    next_char[:-1] = chars[1:]
    dot = classes == ord(".")
    odd = classes == ord("[")
    odd |= dot & (next_class == ord("a")) & (next_next == ord("."))  # a dotted initialism
    odd |= (dot | (classes == ord(","))) & (next_class == ord("0"))  # a number's point or comma
    # a cut-off word, "uh-huh"
    odd |= (classes == ord("-")) & (
        (next_class == ord(" ")) | (next_char == ord("h")) | (next_char == ord("H"))
    )
    return np.flatnonzero(odd) + offset


# Slots of _Forms's table of words, at least: 2 ** _TABLE_BITS, twice as many as the words it
# holds at most, so that most look-ups end at the first slot.
_TABLE_BITS = 19
# Odd multipliers of the table's hash of a word's 16 bytes.
_HASH_A = 0x9E3779B97F4A7C15
_HASH_B = 0xC2B2AE3D27D4EB4F


# A place after every token: _Forms.first_seen's mark of a form not seen.
_NEVER = 1 << 62

_KEY_MASKS: list[npt.NDArray[np.uint64]] = []


def _key_masks() -> npt.NDArray[np.uint64]:
    """Row n: the bits of a word's first n bytes in its key (two 64-bit integers)."""
    import numpy as np

    if not _KEY_MASKS:
        bytes_ = (np.arange(16) < np.arange(17)[:, None]).astype(np.uint8) * np.uint8(255)
        _KEY_MASKS.append(bytes_.view(np.uint64))
    return _KEY_MASKS[0]


class _Forms:
    """Canonical forms by integer id, and the id of each word of a cut.

    A _Cut looks its words up in bulk: a word of up to 16 ASCII characters, most words, is
    its bytes as two 64-bit integers, found in an open-addressing hash table by numpy, with no
    Python object per word; a dict look-up of each word's string costs several times more
    (hashing a new string, and memory out of cache, for a long-tail vocabulary). Longer words
    go through _canonical_words.
    """

    def __init__(self, bits: int) -> None:
        """An empty table of 2 ** bits slots."""
        import numpy as np

        self.bits = bits
        self.mask = (1 << bits) - 1

        self.index: dict[str, int] = {}  # form -> id
        self.objects: npt.NDArray[np.object_] = np.empty(1 << 12, dtype=object)  # id -> form
        self.flags: npt.NDArray[np.uint8] = np.zeros(1 << 12, dtype=np.uint8)  # id -> _F_ bits
        # id -> the id of a number word's digits when it is a number by itself, else -1
        self.numeral: npt.NDArray[np.intp] = np.full(1 << 12, -1, dtype=np.intp)
        # id -> whether a number word before it may start a number phrase
        self.follows: npt.NDArray[np.bool_] = np.zeros(1 << 12, dtype=bool)
        # id -> the form's str hash, for the index build's merge (normalise_turns_arrays)
        self.keys: npt.NDArray[np.int64] = np.zeros(1 << 12, dtype=np.int64)
        # slot -> the word's bytes as two integers (0 for an empty slot) and its form's id: one
        # row, so that a look-up reads one place in memory
        self.table: npt.NDArray[np.uint64] = np.zeros((1 << bits, 3), dtype=np.uint64)
        self.words = 0
        # first_seen's tables of forms: each one's first place (_NEVER), its rank
        self.first: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        self.rank: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)

    def form_id(self, norm: str) -> int:
        """The id of a canonical form, given one if new."""
        form = self.index.get(norm)
        if form is None:
            form = self.index[norm] = len(self.index)
            if form == len(self.objects):
                import numpy as np

                self.objects = np.concatenate([self.objects, np.empty(form, dtype=object)])
                self.flags = np.concatenate([self.flags, np.zeros(form, dtype=np.uint8)])
                self.numeral = np.concatenate([self.numeral, np.full(form, -1, dtype=np.intp)])
                self.follows = np.concatenate([self.follows, np.zeros(form, dtype=bool)])
                self.keys = np.concatenate([self.keys, np.zeros(form, dtype=np.int64)])
            self.objects[form] = norm
            self.keys[form] = hash(norm)
            self.flags[form] = _form_flags(norm)
            self.follows[form] = norm in _NUMBER_WORDS or norm == "point"
            if norm in _NUMBER_START:  # the digits are no number word: no deeper recursion
                self.numeral[form] = self.form_id(_numeral(_NUMBER_WORDS[norm]))
        return form

    def first_seen(
        self, ids: npt.NDArray[np.intp]
    ) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.intp]]:
        """The distinct forms of ids in order of first appearance, their str hashes, and each
        id's index there."""
        import numpy as np

        if len(self.first) < len(self.objects):
            self.first = np.full(len(self.objects), _NEVER, dtype=np.intp)
            self.rank = np.zeros(len(self.objects), dtype=np.intp)
        first = self.first
        # Each form's first place, in a table of all forms that is left as it was found.
        places = np.arange(len(ids))
        np.minimum.at(first, ids, places)
        heads = np.flatnonzero(first[ids] == places)
        first[ids] = _NEVER
        distinct = ids[heads]
        self.rank[distinct] = np.arange(len(distinct))
        vocab: list[str] = self.objects[distinct].tolist()
        return vocab, self.keys[distinct], self.rank[ids]

    def _find(
        self, keys: npt.NDArray[np.uint64], slots: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.intp]:
        """The form id of each key (a word's bytes), -1 if not in the table; slots: where
        each key's probe starts."""
        import numpy as np

        # Most keys are found at the first slot: that round on all of them at once.
        stored = self.table[slots]
        hit = (stored[:, 0] == keys[:, 0]) & (stored[:, 1] == keys[:, 1])
        found = np.where(hit, stored[:, 2].astype(np.intp), -1)
        # Linear probing: on to the next slot until the key or an empty slot.
        todo = np.flatnonzero(~hit & (stored[:, 0] != 0))
        slots = (slots[todo] + 1) & self.mask
        while len(todo):
            stored = self.table[slots]
            wanted = keys[todo]
            hit = (stored[:, 0] == wanted[:, 0]) & (stored[:, 1] == wanted[:, 1])
            found[todo[hit]] = stored[hit, 2]
            on = ~hit & (stored[:, 0] != 0)
            todo = todo[on]
            slots = (slots[on] + 1) & self.mask
        return found

    def ids(
        self,
        text: str,
        codes: npt.NDArray[np.uint8] | npt.NDArray[np.uint32],
        starts: npt.NDArray[np.intp],
        ends: npt.NDArray[np.intp],
    ) -> npt.NDArray[np.intp]:
        """The form id of each word text[start:end] (codes: the text's character codes)."""
        import numpy as np

        lengths = ends - starts
        short = lengths <= 16
        if codes.dtype != np.uint8:
            above = np.zeros(len(codes) + 1, dtype=np.intp)
            np.cumsum(codes >= 128, out=above[1:])
            short &= above[ends] == above[starts]
        ids = np.empty(len(starts), dtype=np.intp)
        at = np.flatnonzero(short)
        if len(at):
            # Each word's characters, then zeros, as 16 bytes: no word holds a NUL, so
            # different words have different bytes, and an empty slot's key never occurs.
            padded = np.zeros(len(codes) + 16, dtype=np.uint8)
            padded[: len(codes)] = codes  # the words read here are ASCII: their codes fit
            windows = np.lib.stride_tricks.sliding_window_view(padded, 16)
            keys = windows[starts[at]].view(np.uint64)
            keys &= _key_masks()[lengths[at]]
            mixed = (keys[:, 0] * np.uint64(_HASH_A)) ^ (keys[:, 1] * np.uint64(_HASH_B))
            slots = (mixed >> np.uint64(64 - self.bits)).astype(np.intp)
            found = self._find(keys, slots)
            ids[at] = found
            missing = np.flatnonzero(found < 0)
            if len(missing):
                self._add(text, starts, ends, at, keys, slots, missing, ids)
        rest = np.flatnonzero(~short)
        if len(rest):
            words = [
                text[a:b] for a, b in zip(starts[rest].tolist(), ends[rest].tolist(), strict=True)
            ]
            ids[rest] = [self.form_id(norm) for norm in _canonical_words(words)]
        return ids

    def _add(
        self,
        text: str,
        starts: npt.NDArray[np.intp],
        ends: npt.NDArray[np.intp],
        at: npt.NDArray[np.intp],
        keys: npt.NDArray[np.uint64],
        slots: npt.NDArray[np.intp],
        missing: npt.NDArray[np.intp],
        ids: npt.NDArray[np.intp],
    ) -> None:
        """Put the words at[missing], not in the table, in it, and their ids in ids."""
        import numpy as np

        where = at[missing]
        words = [
            text[a:b] for a, b in zip(starts[where].tolist(), ends[where].tolist(), strict=True)
        ]
        added: dict[str, int] = {}
        first: list[int] = []  # of each word new here, the index in missing of its first copy
        for k, word in enumerate(words):
            if word not in added:
                added[word] = self.form_id(canonical_word(word))
                first.append(k)
        ids[where] = [added[word] for word in words]
        new = missing[first]
        pending_keys, pending_slots = keys[new], slots[new]
        pending_forms = ids[at[new]]
        self.words += len(new)
        while len(pending_slots):
            # Each key into the slot it has reached if empty, one key a slot; the others on
            # to the next slot.
            free = np.flatnonzero(self.table[pending_slots, 0] == 0)
            _, once = np.unique(pending_slots[free], return_index=True)
            put = free[once]
            self.table[pending_slots[put], :2] = pending_keys[put]
            self.table[pending_slots[put], 2] = pending_forms[put]
            left = np.ones(len(pending_slots), dtype=bool)
            left[put] = False
            pending_keys, pending_forms = pending_keys[left], pending_forms[left]
            pending_slots = (pending_slots[left] + 1) & self.mask


_FORMS: list[_Forms] = []


def _forms(words: int) -> _Forms:
    """The table of forms, with room for `words` more words.

    Made on first use (it holds some 12 MB), and made anew when it could be more than half
    full, or holds too many forms: a long build meets ever more rare words.
    """
    if (
        not _FORMS
        or _FORMS[0].words + words > (_FORMS[0].mask + 1) // 2
        or len(_FORMS[0].index) > 2 * _CANON_MAX
    ):
        _FORMS[:] = [_Forms(max(_TABLE_BITS, (2 * words).bit_length()))]
    return _FORMS[0]


class _Cut:
    """A whole text cut into words as _PLAIN.split would cut it, with their canonical forms.

    One pass over a transcript with numpy instead of a regular expression per stretch of each
    turn: the index build's cut. A word of _PLAIN is a run of word characters in which an
    apostrophe may stand between two of them. Also the places where _ODD matches in the whole
    text, and where a digit may stand, for _tokens.
    """

    __slots__ = (
        "_ends",
        "_starts",
        "digit_array",
        "end_array",
        "flags",
        "forms",
        "ids",
        "place_array",
        "places",
        "start_array",
    )

    def __init__(self, text: str, offset: int = 0) -> None:
        """Cut text, whose offsets are offset + index into it."""
        import numpy as np

        if text.isascii():
            data = text.encode("ascii")
            codes = np.frombuffer(data, dtype=np.uint8)
            cls = np.frombuffer(data.translate(_CUT_CLASS), dtype=np.uint8)
            like = codes
            # Where text[start:end] may hold a digit: _odd_places's answer for that stretch.
            digits = (codes >= 48) & (codes <= 57)
        else:
            codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            low = np.where(codes < 128, codes, 0).astype(np.uint8)
            cls = np.frombuffer(low.tobytes().translate(_CUT_CLASS), dtype=np.uint8).copy()
            above = np.flatnonzero(codes >= 128)
            points = codes[above].tolist()
            for c in set(points).difference(_ABOVE_ASCII):
                _ABOVE_ASCII[c] = _above_ascii(chr(c))
            classes = list(map(_ABOVE_ASCII.__getitem__, points))
            cls[above] = [c for c, _ in classes]
            low[above] = [a for _, a in classes]
            # The text with each character above ASCII replaced by one of its class for _ODD.
            like = low
            digits = (codes >= 48) & (codes <= 57)
            digits[above] = True
            for char, _ascii in _AS_ASCII:  # as _odd_places, which makes these ASCII first
                digits[codes == ord(char)] = False
        self.place_array = _odd_array(like, offset)
        self.places: list[int] = self.place_array.tolist()
        self.digit_array: npt.NDArray[np.intp] = np.flatnonzero(digits) + offset
        # word[k + 1]: whether character k is in a word (False before and after the text)
        word = np.zeros(len(cls) + 2, dtype=bool)
        word[1:-1] = cls == 1
        # An apostrophe joins the word characters on both sides of it.
        word[2:-2] |= (cls[1:-1] == 2) & (cls[:-2] == 1) & (cls[2:] == 1)
        edges = np.flatnonzero(word[1:] != word[:-1])
        offsets = edges + offset
        self.start_array: npt.NDArray[np.intp] = offsets[0::2]
        self.end_array: npt.NDArray[np.intp] = offsets[1::2]
        # as lists, made when first asked for (most cuts' turns need none)
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None
        self.forms = forms = _forms(len(self.start_array))
        # The id of each word's canonical form (equal ids, equal forms), and its _F_ flags.
        self.ids = forms.ids(text, codes, edges[0::2], edges[1::2])
        self.flags = forms.flags[self.ids]

    @property
    def starts(self) -> list[int]:
        """The words' starts."""
        if self._starts is None:
            self._starts = self.start_array.tolist()
        return self._starts

    @property
    def ends(self) -> list[int]:
        """The words' ends."""
        if self._ends is None:
            self._ends = self.end_array.tolist()
        return self._ends

    def take(self, a: int, b: int) -> tuple[list[str], list[int], list[int]] | None:
        """The words within [a, b), or None if a word runs across a or b (cut it apart)."""
        starts, ends = self.starts, self.ends
        i = bisect.bisect_left(starts, a)
        j = bisect.bisect_left(starts, b, i)
        if (i and ends[i - 1] > a) or (j and ends[j - 1] > b):
            return None
        norms: list[str] = self.forms.objects[self.ids[i:j]].tolist()
        return norms, starts[i:j], ends[i:j]

    def odd_places(self, a: int, b: int, base: int) -> tuple[list[int], bool]:
        """As _odd_places for [a, b), offsets less base; a few more places at the ends may be
        given (an _ODD match running out of [a, b)): a window around each changes nothing."""
        places = self.places
        found = places[bisect.bisect_left(places, a) : bisect.bisect_left(places, b)]
        if base:
            found = [p - base for p in found]
        digits = self.digit_array
        k = int(digits.searchsorted(a))
        return found, k < len(digits) and int(digits[k]) < b


def _runs(text: str, places: Iterable[int], start: int, end: int) -> Iterator[tuple[int, int]]:
    """The whitespace-free run of text[start:end] around each place (ascending), a run once,
    through the whitespace after it (so lookaheads see what a scan of the whole text sees)."""
    window_end = start
    for place in places:
        if place < window_end:  # in a run already taken
            continue
        a = place
        while a > start and not text[a - 1].isspace():
            a -= 1
        space = _SPACE.search(text, place, end)
        window_end = space.end() if space else end
        yield a, window_end


def _cut_off(
    text: str, starts: list[int], ends: list[int], k: int, last: int, a: int, b: int, base: int
) -> bool:
    """Whether the run text[a:b] is word k of starts/ends (offsets base + index, words before
    `last`), cut off by a hyphen before a blank: _TOKEN reads it as one stutter token."""
    return (
        k < last
        and starts[k] == base + a
        and ends[k] == base + b - 2
        and text[b - 2] in _HYPHENS
        and text[b - 1].isspace()
        and text[b - 1] != "\n"
        and (k + 1 == last or starts[k + 1] >= base + b)
    )


def _tokens(
    text: str, start: int, end: int, base: int, cut: _Cut | None = None
) -> tuple[_Words, bool]:
    """The tokens of text[start:end], exactly as _TOKEN cuts them, drops marked by their norm.

    Their offsets are base + index into text, as in the Tokens made of them. Also returns
    whether the stretch may hold a digit. `cut`, if given, holds the _PLAIN tokens of a text
    around this one, offsets alike.
    """
    if cut is not None:
        places, digits = cut.odd_places(base + start, base + end, base)
    else:
        places, digits = _odd_places(text, start, end)
    windows = list(_runs(text, places, start, end))
    plain = cut.take(base + start, base + end) if cut is not None else None
    if plain is not None:
        norms, starts, ends = plain
    else:
        chunk = text if start == 0 and end == len(text) else text[start:end]
        # [gap, word, gap, word, ..., gap]: the offsets are the running sums of the lengths.
        parts = _PLAIN.split(chunk)
        offsets = list(itertools.accumulate(map(len, parts), initial=base + start))
        norms = _canonical_words(parts[1::2])
        starts = offsets[1:-1:2]
        ends = offsets[2::2]
    if not windows:
        return _Words(norms, starts, ends), digits
    # Windows are whole runs, so each _PLAIN token lies inside one or outside all.
    full: list[tuple[int, int]] = []
    i = 0
    for a, b in windows:
        # Most windows are a word cut off by a hyphen ("appropri- the"): one _PLAIN word, the
        # hyphen, a blank. _TOKEN reads it as one stutter token, taken here without a scan.
        j = bisect.bisect_left(starts, base + a, i)
        if _cut_off(text, starts, ends, j, len(starts), a, b, base):
            norms[j] = _CUT_STUTTER
            ends[j] += 1
            i = j + 1
        else:
            full.append((a, b))
    if not full:
        return _Words(norms, starts, ends), digits
    out = _Words([], [], [])
    i = 0
    for a, b in full:
        j = bisect.bisect_left(starts, base + a, i)
        out.extend(norms[i:j], starts[i:j], ends[i:j])
        _full_tokens(text, a, b, base, out.norms, out.starts, out.ends)
        i = bisect.bisect_left(starts, base + b, j)
    out.extend(norms[i:], starts[i:], ends[i:])
    return out, digits


def _pairs(norms: list[str], head: str, tail: str) -> list[int]:
    """Where `head` stands just before `tail` in norms."""
    found: list[int] = []
    i = 0
    try:
        while True:
            i = norms.index(tail, i + 1)
            if norms[i - 1] == head:
                found.append(i - 1)
    except ValueError:
        return found


def _scan(
    text: str,
    segments: list[tuple[int, int]],
    base: int,
    dropped: _Drops,
    cut: _Cut | None = None,
) -> tuple[_Words, set[str]]:
    """Words with fillers, cut-off words and set-off phrases dropped.

    Also returns the words among them that may start a number phrase or "per cent".
    """
    words = _Words([], [], [])
    starters: set[str] = set()
    for seg_start, seg_end in segments:
        seg, digits = _tokens(text, seg_start, seg_end, base, cut)
        present = set(seg.norms)
        if "" in present:  # no word left once folded: skipped as if not there
            seg = seg.compress([bool(w) for w in seg.norms])
            present.discard("")
        starters.update(present.intersection(_NUMBER_OR_PER))
        # In ASCII text only a word with an ASCII digit can give a norm that starts with one.
        if digits:
            listed = list(present)
            starters.update(itertools.compress(listed, map(str.isdigit, map(_FIRST, listed))))
        pairs: list[int] = []
        if "know" in present and "you" in present:
            pairs += _pairs(seg.norms, "you", "know")
        if "mean" in present and "i" in present:
            pairs += _pairs(seg.norms, "i", "mean")
        if not pairs:
            _keep(seg, present, dropped, words)
            continue
        # Whether "you know" or "I mean" is a set-off filler depends on the words around it:
        # those stretches go word by word, the rest in bulk.
        stretches: list[list[int]] = []
        for h in sorted(pairs):
            if stretches and h <= stretches[-1][1]:
                stretches[-1][1] = h + 2
            else:
                stretches.append([h, h + 2])
        pos = 0
        for lo, hi in stretches:
            if pos < lo:
                _keep(seg.slice(pos, lo), None, dropped, words)
            _scan_words(text, seg, lo, hi, seg_end, base, dropped, words)
            pos = hi
        if pos < len(seg.norms):
            _keep(seg.slice(pos, len(seg.norms)), None, dropped, words)
    return words, starters


def _positions(words: list[str], wanted: set[str]) -> list[int]:
    """The sorted indices of the words that are in `wanted` (a few words, found by list.index,
    in C: faster than testing every word)."""
    found: list[int] = []
    for word in wanted:
        k = -1
        try:
            while True:
                k = words.index(word, k + 1)
                found.append(k)
        except ValueError:
            pass
    found.sort()
    return found


def _keep(seg: _Words, present: set[str] | None, dropped: _Drops, words: _Words) -> None:
    """Append words among which no "you know" or "I mean" is dropped, without fillers, stutters."""
    if present is None:
        present = set(seg.norms)
    hit = present.intersection(_STOP)
    if hit:
        # Deleted in place: seg's lists are its own, and fillers are a few words in a hundred.
        norms, starts, ends = seg.norms, seg.starts, seg.ends
        gone = _positions(norms, hit)
        for k in gone:
            reason = "stutter" if norms[k] == _CUT_STUTTER else "filler"
            dropped.append((reason, starts[k], ends[k]))
        for k in reversed(gone):
            del norms[k], starts[k], ends[k]
    if words.norms:
        words.extend(seg.norms, seg.starts, seg.ends)
    else:  # seg's lists are its own: take them rather than copy
        words.norms, words.starts, words.ends = seg.norms, seg.starts, seg.ends


def _scan_words(
    text: str,
    seg: _Words,
    lo: int,
    hi: int,
    seg_end: int,
    base: int,
    dropped: _Drops,
    words: _Words,
) -> None:
    """Append seg's words lo to hi one by one, dropping fillers, stutters and set-off phrases.

    The word before lo, if any, was read in bulk: kept unless a filler or a stutter.
    """
    norms, starts, ends = words.norms, words.starts, words.ends
    prev_end = seg.ends[lo - 1] if lo else 0  # of the previous word, kept or not
    prev_kept = bool(lo) and seg.norms[lo - 1] not in _STOP  # never at a segment start
    lead = -1  # index in words of a set-off "you"/"I" that was the previous word
    for norm, start, end in zip(seg.norms[lo:hi], seg.starts[lo:hi], seg.ends[lo:hi], strict=True):
        if norm in _STOP:
            reason = "stutter" if norm == _CUT_STUTTER else "filler"
            dropped.append((reason, start, end))
            prev_end, prev_kept, lead = end, False, -1
            continue
        if (
            lead >= 0
            and _PHRASE_TAIL.get(norm) == norms[lead]
            and text[ends[lead] - base : start - base].isspace()
            and _SET_OFF_RIGHT.match(text, end - base, seg_end)
        ):
            norms.pop()
            ends.pop()
            first = starts.pop()
            dropped.append(("filler", first, end))
            prev_end, prev_kept, lead = end, False, -1
            continue
        if norm in _PHRASE_HEAD and (
            not prev_kept or _PUNCT.search(text, prev_end - base, start - base)
        ):
            lead = len(norms)
        else:
            lead = -1
        norms.append(norm)
        starts.append(start)
        ends.append(end)
        prev_end, prev_kept = end, True


def _repeat_candidates(norms: list[str]) -> list[int]:
    """Each k where words k-s to k equal words k to k+s for some s of 1-3 (a possible repeat)."""
    n = len(norms)
    if n <= 32 and len(set(norms)) == n:  # most quotes and short turns: no word twice
        return []
    eq = operator.eq
    found = list(itertools.compress(range(1, n), map(eq, norms[1:], norms)))
    # Word k equal to word k-2 or k-3 is common ("of the people of the"); a repeat of two or
    # three words is not, so the rest of the check goes one candidate at a time.
    for k in itertools.compress(range(2, n - 1), map(eq, norms[2:-1], norms)):
        if norms[k + 1] == norms[k - 1]:
            found.append(k)
    for k in itertools.compress(range(3, n - 2), map(eq, norms[3:-2], norms)):
        if norms[k + 1] == norms[k - 2] and norms[k + 2] == norms[k - 1]:
            found.append(k)
    return sorted(set(found)) if found else found


def _numeral(entry: tuple[str, int, bool]) -> str:
    """The digits of a number word read by itself."""
    return _ordinal(entry[1]) if entry[2] else str(entry[1])


def _merges(
    text: str, words: _Words, numeric: list[int], base: int
) -> list[tuple[int, int, str, int]]:
    """Number phrases and "per cent" to read as one word: (i, j, norm, end) for words i to j,
    in order."""
    norms, starts, ends = words.norms, words.starts, words.ends
    found: list[tuple[int, int, str, int]] = []
    pos = 0
    n = len(norms)
    for i in numeric:
        if i < pos:
            continue
        norm, end = norms[i], ends[i]
        if norm == "per":
            if i + 1 < n and norms[i + 1] == "cent" and _joins(text, end, starts[i + 1], base):
                found.append((i, i + 2, "percent", ends[i + 1]))
                pos = i + 2
            continue
        following = norms[i + 1] if i + 1 < n else ""
        if following not in _NUMBER_WORDS and following != "point":
            # Most numbers are one word, which _parse_number would read as below.
            entry = _NUMBER_WORDS.get(norm)
            if entry is not None:
                found.append((i, i + 1, _numeral(entry), end))
                pos = i + 1
            continue  # digits alone stay as they are
        parsed = _parse_number(words, i, text, base)
        if parsed is not None:
            digits, j = parsed
            found.append((i, j, digits, ends[j - 1]))
            pos = j
    return found


def _merge(text: str, words: _Words, numeric: list[int], base: int) -> _Words:
    """Number phrases and "per cent" as one word."""
    merges = _merges(text, words, numeric, base)
    if not merges:
        return words
    norms, starts, ends = words.norms, words.starts, words.ends
    out = _Words([], [], [])
    pos = 0
    for i, j, norm, end in merges:
        out.extend(norms[pos:i], starts[pos:i], ends[pos:i])
        out.append(norm, starts[i], end)
        pos = j
    out.extend(norms[pos:], starts[pos:], ends[pos:])
    return out


def _drop_repeats(
    text: str, words: _Words, candidates: list[int], base: int, dropped: _Drops
) -> list[int]:
    """Where the first copy of 1-3 words repeated across a dash stands ("which he - which he").

    Two or three words said twice in a row are a false start too, dash or not ("is the is the"):
    no sentence needs them, and both quote and transcript lose them alike. Returns the sorted
    indices of the words to drop and adds their text to `dropped`.
    """
    norms, starts, ends = words.norms, words.starts, words.ends
    gone: set[int] = set()
    for k in candidates:
        if k - 1 in gone:
            continue
        dash = _DASH_GAP.search(text, ends[k - 1] - base, starts[k] - base) is not None
        for size in (3, 2, 1) if dash else (3, 2):
            if k - size < 0 or k + size > len(norms):
                continue
            if norms[k - size : k] != norms[k : k + size]:
                continue
            if any(k - size + t in gone for t in range(size)):
                continue
            first, last = starts[k - size], ends[k - 1]
            dropped.append(("stutter", first, last))
            gone.update(range(k - size, k))
            break
    return sorted(gone)


def _words(
    text: str, base: int, quote: bool, dropped: _Drops, cuts: list[int], cut: _Cut | None = None
) -> _Words:
    """The canonical words of normalise, adding what is left out to dropped, ellipses to cuts."""
    segments = _segments(text, quote, base, dropped, cuts)
    words, starters = _scan(text, segments, base, dropped, cut)
    # A word equal to one of the three before it may start the second copy of a repeat; only
    # those where the one, two or three words before equal the as many from it can be one.
    repeats = _repeat_candidates(words.norms)
    if repeats:
        gone = _drop_repeats(text, words, repeats, base, dropped)
        if gone:
            keep = bytearray(b"\x01") * len(words.norms)
            for i in gone:
                keep[i] = 0
            words = words.compress(keep)
    if starters:
        numeric = _positions(words.norms, starters)
        if numeric:
            words = _merge(text, words, numeric, base)
    return words


_SPAN_KEY = operator.itemgetter(1, 2)


def normalise(text: str, *, base: int = 0, quote: bool = False) -> Normalised:
    """Tokenise text into canonical words; offsets are base + index into text.

    quote=True reads the text as a quotation: ellipses split it into fragments and anything in
    brackets or parentheses is an editorial insertion. quote=False reads a transcript turn:
    brackets and parenthesised stage directions are annotations.
    """
    dropped: _Drops = []
    cuts: list[int] = []
    words = _words(text, base, quote, dropped, cuts)
    # tuple.__new__ makes a Token from a (norm, start, end) tuple in C, several times faster
    # than calling Token.
    rows = zip(words.norms, words.starts, words.ends, strict=True)
    tokens = tuple(map(tuple.__new__, itertools.repeat(Token), rows))
    n = len(tokens)
    if cuts:
        bounds = [0, *(bisect.bisect_left(words.starts, base + c) for c in cuts), n]
        fragments = tuple((a, b) for a, b in itertools.pairwise(bounds) if a < b)
    else:
        fragments = ((0, n),)
    dropped.sort(key=_SPAN_KEY)
    return Normalised(
        tokens=tokens,
        fragments=fragments,
        dropped=tuple(
            Dropped(reason, Span(start, end), text[start - base : end - base])
            for reason, start, end in dropped
        ),
    )


# Characters of a transcript that normalise_turns cuts into words at once.
_CUT_CHARS = 1 << 22


def normalise_turns(
    text: str, turns: Sequence[tuple[int, int]]
) -> tuple[list[str], list[int], list[int], list[int]]:
    """The tokens of the turns (start, length) of a transcript's text, as normalise gives them
    turn by turn, joined as lists: norms, starts, ends, and the count of each turn's.

    It makes neither Token nor Dropped objects, and cuts the whole text into words at once.
    """
    norms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    counts: list[int] = []
    for forms, ids, first, last in _turn_cuts(text, turns, counts):
        norms += forms.objects[ids].tolist()
        starts += first.tolist()
        ends += last.tolist()
    return norms, starts, ends, counts


class TurnArrays(NamedTuple):
    """The tokens of whole turns as the index stores them (normalise_turns_arrays)."""

    vocab: list[str]  # the distinct norms, in order of first appearance
    ids: npt.NDArray[np.uint32]  # each token's index in vocab
    starts: npt.NDArray[np.uint32]
    lengths: npt.NDArray[np.uint32]
    counts: list[int]  # tokens of each turn
    keys: npt.NDArray[np.int64]  # each norm's str hash


def normalise_turns_arrays(text: str, turns: Sequence[tuple[int, int]]) -> TurnArrays:
    """The tokens of normalise_turns as the index stores them, in arrays (TurnArrays).

    For the index build: no Python object is made per token, and the hashes are the table's
    (made once a form), not computed again for each transcript.
    """
    import numpy as np

    counts: list[int] = []
    cuts = list(_turn_cuts(text, turns, counts))
    if not cuts:
        empty = np.zeros(0, dtype=np.uint32)
        return TurnArrays([], empty, empty.copy(), empty.copy(), counts, np.zeros(0, np.int64))
    forms, ids, starts, ends = cuts[0]
    vocab, keys, local = forms.first_seen(ids)
    if len(cuts) > 1:
        # Each cut may have a table of forms of its own: cuts' words are told apart by their
        # strings.
        number = dict(zip(vocab, range(len(vocab)), strict=True))
        parts = [local]
        for forms, ids, _, _ in cuts[1:]:
            words, _, here = forms.first_seen(ids)
            renumber = [number.setdefault(word, len(number)) for word in words]
            parts.append(np.array(renumber, dtype=np.intp)[here])
        vocab = list(number)
        keys = np.fromiter(map(hash, vocab), dtype=np.int64, count=len(vocab))
        local = np.concatenate(parts)
        starts = np.concatenate([cut[2] for cut in cuts])
        ends = np.concatenate([cut[3] for cut in cuts])
    return TurnArrays(
        vocab,
        local.astype(np.uint32),
        starts.astype(np.uint32),
        (ends - starts).astype(np.uint32),
        counts,
        keys,
    )


def _turn_cuts(
    text: str, turns: Sequence[tuple[int, int]], counts: list[int]
) -> Iterator[tuple[_Forms, npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    """The tokens of the turns a few at a time: (table of forms, form ids, starts, ends) of
    each cut's turns, their counts appended to counts."""
    k = 0
    while k < len(turns):
        # The next turns that fit in _CUT_CHARS characters (one turn at least), cut at once: a
        # cut holds some 20 bytes per character.
        start, length = turns[k]
        cut_start, cut_end = start, start + length
        m = k + 1
        while m < len(turns):
            later, size = turns[m]
            if max(cut_end, later + size) - min(cut_start, later) > _CUT_CHARS:
                break
            cut_start, cut_end = min(cut_start, later), max(cut_end, later + size)
            m += 1
        cut = _Cut(text[cut_start:cut_end], cut_start)
        yield (cut.forms, *_cut_turns(text, cut, turns[k:m], counts))
        k = m


class _CutMarks:
    """Sorted indices of a cut's words that make a turn take normalise's own way."""

    __slots__ = ("digit", "empty", "pairs")

    def __init__(self, flags: npt.NDArray[np.uint8]) -> None:
        import numpy as np

        self.empty = np.flatnonzero(flags & _F_EMPTY)
        self.digit = np.flatnonzero(flags & _F_DIGIT)
        # "you" before "know", "I" before "mean": a set-off phrase may be dropped.
        head, tail = flags[:-1], flags[1:]
        pairs = ((head & _F_YOU) != 0) & ((tail & _F_KNOW) != 0)
        pairs |= ((head & _F_I) != 0) & ((tail & _F_MEAN) != 0)
        self.pairs = np.flatnonzero(pairs)


def _any_in(
    found: npt.NDArray[np.intp], lo: npt.NDArray[np.intp], hi: npt.NDArray[np.intp]
) -> npt.NDArray[np.bool_]:
    """Whether a number of the sorted array `found` is in [lo, hi), for each pair."""
    result: npt.NDArray[np.bool_] = found.searchsorted(hi) > found.searchsorted(lo)
    return result


# A turn's plan: (i, j, stutters) for each of its segments, or None.
_Plan = list[tuple[int, int, list[int]]] | None


def _turn_plans(
    text: str, cut: _Cut, marks: _CutMarks, turns: Sequence[tuple[int, int]]
) -> list[_Plan]:
    """The words of each turn as _scan would read them before dropping any, if they are
    ranges of the cut's words: (i, j, stutters) for each segment, stutters the indices of words
    cut off by a hyphen; None if the turn needs normalise's own way (a window _TOKEN must read,
    an empty word, a possible set-off phrase, a digit where _tokens sees none).

    The segments of all turns are looked up among the cut's words at once, by numpy."""
    import numpy as np

    seg_a: list[int] = []
    seg_b: list[int] = []
    owner: list[int] = []
    for k, (start, length) in enumerate(turns):
        for seg_start, seg_end in _segments(text[start : start + length], False, start, [], []):
            seg_a.append(start + seg_start)
            seg_b.append(start + seg_end)
            owner.append(k)
    a = np.array(seg_a, dtype=np.intp)
    b = np.array(seg_b, dtype=np.intp)
    # As _Cut.take and _tokens, in offsets of the whole text.
    i = cut.start_array.searchsorted(a)
    j = cut.start_array.searchsorted(b)
    # ends_before[m]: the end of word m - 1, -1 for none
    ends_before = np.concatenate([np.array([-1], dtype=np.intp), cut.end_array])
    digits = _any_in(cut.digit_array, a, b)
    bad = (ends_before[i] > a) | (ends_before[j] > b)
    bad |= _any_in(marks.empty, i, j) | _any_in(marks.pairs, i, j)
    bad |= ~digits & _any_in(marks.digit, i, j)
    place_from = cut.place_array.searchsorted(a)
    place_to = cut.place_array.searchsorted(b)
    plans: list[_Plan] = [[] for _ in turns]
    rows = zip(
        owner,
        i.tolist(),
        j.tolist(),
        bad.tolist(),
        place_from.tolist(),
        place_to.tolist(),
        seg_a,
        seg_b,
        strict=True,
    )
    for k, si, sj, wrong, pa, pb, sa, sb in rows:
        plan = plans[k]
        if plan is None:
            continue
        if wrong:
            plans[k] = None
            continue
        stutters: list[int] | None = []
        if pa < pb:
            stutters = _stutters(text, cut, cut.places[pa:pb], sa, sb, si, sj)
            if stutters is None:
                plans[k] = None
                continue
        plan.append((si, sj, stutters))
    return plans


def _stutters(
    text: str, cut: _Cut, places: list[int], a: int, b: int, i: int, j: int
) -> list[int] | None:
    """The indices of the words cut off by a hyphen at the _ODD places of text[a:b], whose
    words are the cut's i to j; None if another rule of _TOKEN may apply at one."""
    stutters: list[int] = []
    for w, window_end in _runs(text, places, a, b):
        # Only a word cut off by a hyphen, which _tokens takes without a scan.
        k = bisect.bisect_left(cut.starts, w, i)
        if not _cut_off(text, cut.starts, cut.ends, k, j, w, window_end, 0):
            return None
        stutters.append(k)
    return stutters


def _cut_turns(
    text: str, cut: _Cut, turns: Sequence[tuple[int, int]], counts: list[int]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The words of turns that lie in cut, as (form ids, starts, ends), their counts appended
    to counts.

    A turn whose words are ranges of the cut's (most are) is read from the cut's words kept
    in all such turns, with candidates for repeats and the words that may start a number found
    once for the whole cut by numpy on word ids; the others go through _words.
    """
    import numpy as np

    marks = _CutMarks(cut.flags)
    keep = np.zeros(len(cut.start_array), dtype=bool)
    # [first, end) of each turn's words among the cut's, or (-1, -1) for one that is not read
    # from them
    spans: list[int] = []
    last = 0
    for plan in _turn_plans(text, cut, marks, turns):
        if plan is None or plan[0][0] < last:
            spans += (-1, -1)
            continue
        for i, j, stutters in plan:
            keep[i:j] = True
            if stutters:
                keep[stutters] = False
        last = plan[-1][1]
        spans += (plan[0][0], last)
    keep &= (cut.flags & _F_STOP) == 0
    kept = np.flatnonzero(keep)
    ids = cut.ids[kept]
    starts = cut.start_array[kept]
    ends = cut.end_array[kept]
    forms = cut.forms
    # Words equal at a distance of 1-3: _repeat_candidates over all the turns' words at once.
    # A turn's words are a run of these, so the candidates in a run are a superset of its own,
    # and _drop_repeats checks each candidate in full. A word equal only to the one before it
    # is a repeat only across a dash: the others are left out, as _drop_repeats would drop
    # nothing for them.
    n = len(ids)
    same = np.zeros(n, dtype=bool)
    if n > 3:
        same[2:-1] = (ids[2:-1] == ids[:-3]) & (ids[3:] == ids[1:-2])
    if n > 5:
        same[3:-2] |= (ids[3:-2] == ids[:-5]) & (ids[4:-1] == ids[1:-4]) & (ids[5:] == ids[2:-3])
    once = np.flatnonzero(ids[1:] == ids[:-1]) + 1
    once = once[~same[once]]
    if len(once):
        gaps = zip(ends[once - 1].tolist(), starts[once].tolist(), strict=True)
        dashed = [_DASH_GAP.search(text, a, b) is not None for a, b in gaps]
        same[once[dashed]] = True
    repeats = np.flatnonzero(same)
    # Each turn's run of kept words, and its runs of repeat candidates.
    bounds = np.searchsorted(kept, spans)
    runs = np.searchsorted(repeats, bounds + np.tile([1, 0], len(turns)))
    # Words that may start a number. Most are a number word by itself, whose digits it
    # becomes, or digits alone, which stay: numpy reads them, _merges the others (those before
    # a word that may go on a number phrase, "per" before "cent"), in the turns it reads.
    numbers = np.flatnonzero(cut.flags[kept] & (_F_NUMBER | _F_DIGIT))
    # the end of the run of kept words of each one's turn
    turn_ends = bounds[1::2][np.asarray(spans[1::2]) >= 0]
    last = numbers + 1 == turn_ends[np.searchsorted(turn_ends, numbers, side="right")]
    following = ids[np.minimum(numbers + 1, max(n - 1, 0))]
    hard = ~last & (
        forms.follows[following]
        | (
            (ids[numbers] == forms.index.get("per", -1))
            & (following == forms.index.get("cent", -1))
        )
    )
    hard_runs = np.searchsorted(numbers[hard], bounds)
    number_runs = np.searchsorted(numbers, bounds)
    plain = (runs[0::2] == runs[1::2]) & (hard_runs[0::2] == hard_runs[1::2])
    # The words out of the kept ones, edited in place: a dropped repeat or the rest of a
    # number phrase is dropped, a number phrase's first word becomes the number. The words of
    # a turn not read from them are put in before the kept word `at` (the next turn's first).
    drop = np.zeros(n, dtype=bool)
    read = np.zeros(n, dtype=bool)  # the words of the turns read by _merges
    objects = forms.objects
    form_id = forms.form_id
    inserts: list[tuple[int, _Words]] = []
    at = 0
    for k, (start, length) in enumerate(turns):
        if spans[2 * k] < 0:
            words = _words(text[start : start + length], start, False, [], [], cut)
            inserts.append((at, words))
            counts.append(len(words.norms))
            continue
        fa, fb = int(bounds[2 * k]), int(bounds[2 * k + 1])
        at = fb
        if plain[k]:
            counts.append(fb - fa)
            continue
        read[fa:fb] = True
        words = _Words(objects[ids[fa:fb]].tolist(), starts[fa:fb].tolist(), ends[fa:fb].tolist())
        numeric = (numbers[number_runs[2 * k] : number_runs[2 * k + 1]] - fa).tolist()
        candidates = (repeats[runs[2 * k] : runs[2 * k + 1]] - fa).tolist()
        # where each of words stands among the kept words
        where: Sequence[int] = range(fa, fb)
        if candidates:
            gone = _drop_repeats(text, words, candidates, 0, [])
            if gone:
                flags = bytearray(b"\x01") * len(words.norms)
                for p in gone:
                    flags[p] = 0
                words = words.compress(flags)
                where = list(itertools.compress(where, flags))
                drop[[fa + p for p in gone]] = True
                if numeric:
                    dropped = set(gone)
                    numeric = [p - bisect.bisect_left(gone, p) for p in numeric if p not in dropped]
        size = len(words.norms)
        if numeric:
            for i, j, norm, end in _merges(text, words, numeric, 0):
                first = where[i]
                ids[first] = form_id(norm)
                ends[first] = end
                if j > i + 1:
                    drop[where[i + 1 : j]] = True
                    size -= j - i - 1
        counts.append(size)
    alone = numbers[~read[numbers]]
    ids[alone] = np.where(forms.numeral[ids[alone]] >= 0, forms.numeral[ids[alone]], ids[alone])
    if not drop.any() and not inserts:
        return ids, starts, ends
    left = np.flatnonzero(~drop)
    if not inserts:
        return ids[left], starts[left], ends[left]
    # The kept words left, in pieces between the turns read otherwise, which come between.
    cuts = np.searchsorted(left, [place for place, _ in inserts]).tolist()
    pieces: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]] = []
    pos = 0
    for cut_at, (_, words) in zip(cuts, inserts, strict=True):
        taken = left[pos:cut_at]
        pieces.append((ids[taken], starts[taken], ends[taken]))
        pieces.append(
            (
                np.array([form_id(norm) for norm in words.norms], dtype=np.intp),
                np.array(words.starts, dtype=np.intp),
                np.array(words.ends, dtype=np.intp),
            )
        )
        pos = cut_at
    taken = left[pos:]
    pieces.append((ids[taken], starts[taken], ends[taken]))
    return (
        np.concatenate([piece[0] for piece in pieces]),
        np.concatenate([piece[1] for piece in pieces]),
        np.concatenate([piece[2] for piece in pieces]),
    )


# --- names ---------------------------------------------------------------------------------

# Titles, offices and roles; a label made only of these ("THE PRESIDENT", "Q") names nobody.
_TITLES = _wordset(
    "mr mrs ms miss mx dr sir dame lord the former then president vice prime minister senator"
    " sen rep representative gov governor secretary chancellor prof professor rev reverend"
    " judge justice gen general adm admiral col colonel lt capt captain sgt mayor premier"
    " ambassador congressman congresswoman speaker leader chairman chairwoman chair"
    " commissioner attorney candidate presidential nominee elect sheikh pope emir state of"
    " foreign defense defence treasury homeland security house senate majority minority deputy"
    " acting chief executive ceo director spokesman spokeswoman spokesperson press democratic"
    " republican gop us u s uk eu un incumbent first lady moderator q announcer panelist"
    " panellist questioner host anchor interviewer reporter correspondent narrator audience"
    " member unidentified male female voice offscreen white adviser advisor campaign manager"
    " national committee official aide senior top staff"
)
_NATIONALITIES = _wordset(
    "greek french dutch swiss thai czech welsh scottish irish british kurdish israeli iraqi"
    " iranian saudi"
)
_NATIONALITY_ENDINGS = ("an", "ish", "ese", "ian", "i", "ch", "ic")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"})
# Lower-case particles before a surname ("Bill de Blasio", "Bashar al-Assad").
_PARTICLE = re.compile(
    rf"(?<!\w)(?:(?i:al|el)[{_HYPHENS}](?=\w)"
    r"|(?:al|el|van|von|de|da|di|del|della|der|den|du|la|le|bin|ibn|dos|das)\s+(?=\w))"
)
_NAME_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NICKNAMES = {
    "jimmy": "james",
    "jim": "james",
    "jamie": "james",
    "bill": "william",
    "billy": "william",
    "will": "william",
    "bob": "robert",
    "bobby": "robert",
    "rob": "robert",
    "dick": "richard",
    "rick": "richard",
    "ted": "edward",
    "ed": "edward",
    "jack": "john",
    "johnny": "john",
    "mike": "michael",
    "joe": "joseph",
    "tom": "thomas",
    "dan": "daniel",
    "don": "donald",
    "ron": "ronald",
    "chris": "christopher",
    "tony": "anthony",
    "andy": "andrew",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "kate": "katherine",
    "pat": "patrick",
    "jerry": "gerald",
    "chuck": "charles",
    "charlie": "charles",
    "fred": "frederick",
    "sam": "samuel",
    "al": "albert",
    "hank": "henry",
    "harry": "henry",
}


def _name_tokens(name: str) -> list[str]:
    """Folded name words with titles, honorifics and suffixes removed."""
    name = _NAME_PARENS.sub(" ", unicodedata.normalize("NFKC", name))
    if name.count(",") == 1:
        last, first = name.split(",")
        if not all(w in _NAME_SUFFIXES for w in re.findall(r"[^\W_]+", _fold(first))):
            name = f"{first} {last}"
    folded = _fold(name)
    for apostrophe in _APOSTROPHES:
        folded = folded.replace(apostrophe, "")  # O’Brien, O'Brien and OBrien are one name
    words = re.findall(r"[^\W_]+", folded)
    while words and words[-1] in _NAME_SUFFIXES:
        words.pop()
    if all(w in _TITLES for w in words):
        return []
    i = 0
    while i < len(words) - 1:
        w = words[i]
        nationality = (w in _NATIONALITIES or w.endswith(_NATIONALITY_ENDINGS)) and (
            words[i + 1] in _TITLES
        )
        if w not in _TITLES and not nationality:
            break
        i += 1
    return words[i:]


def canonical_name(name: str) -> str:
    """A person's name reduced for comparison: no titles, case, diacritics or punctuation."""
    return " ".join(_name_tokens(name))


def _name_parts(name: str) -> tuple[list[str], str]:
    """(given names, surname) with surname particles left out; surname "" for no name."""
    words = _name_tokens(_PARTICLE.sub("", name))
    if not words:
        return [], ""
    return words[:-1], words[-1]


def _compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return _NICKNAMES.get(a, a) == _NICKNAMES.get(b, b)


def same_person(a: str, b: str) -> bool:
    """Whether two renderings of a name can denote the same person (`Mr Erdogan`, `ERDOĞAN`)."""
    given_a, surname_a = _name_parts(a)
    given_b, surname_b = _name_parts(b)
    if not surname_a or surname_a != surname_b:
        return False
    if not given_a or not given_b:
        return True
    if not _compatible(given_a[0], given_b[0]):
        return False
    middle_a, middle_b = given_a[1:], given_b[1:]
    if len(middle_a) > len(middle_b):
        middle_a, middle_b = middle_b, middle_a
    # Middle names must agree where both have them: "George W. Bush" is not "George H.W. Bush".
    return all(_compatible(x, y) for x, y in zip(middle_a, middle_b, strict=False))
