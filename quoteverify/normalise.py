"""Text -> canonical word tokens, each keeping its offsets in the original text.

Quotes and transcripts go through the same function, so a canonical form only has to be the same
for every way of writing one spoken word; it need not be a real word. Rules that map British to
American spelling are therefore safe as long as they never make two different words equal.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from quoteverify.models import Span


@dataclass(frozen=True)
class Token:
    """One word as matched (`norm`) and where it stands in the original text."""

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


def _joins(text: str, end: int, start: int) -> bool:
    gap = text[end:start]
    return gap.isspace() or (len(gap) == 1 and gap in _HYPHENS)


def _parse_number(items: list[tuple[str, int, int]], i: int, text: str) -> tuple[str, int] | None:
    """The number phrase starting at items[i], as (digits, index after it), or None."""
    total = Decimal(0)
    group = Decimal(0)
    last = ""
    last_scale = 10**15
    ordinal = False
    j = i
    n = len(items)
    while j < n:
        word = items[j][0]
        if j > i and not _joins(text, items[j - 1][2], items[j][1]):
            break
        entry = _NUMBER_WORDS.get(word)
        if entry is None:
            if j == i and _DECIMAL.fullmatch(word):
                group, last = Decimal(word), "d"
                j += 1
                continue
            if word == "and" and last in ("h", "s") and j + 1 < n:
                nxt = _NUMBER_WORDS.get(items[j + 1][0])
                if (
                    nxt
                    and nxt[0] in "ukt"
                    and nxt[1]
                    and _joins(text, items[j][2], items[j + 1][1])
                ):
                    last = "and"
                    j += 1
                    continue
            if word == "point" and last in ("u", "k", "t"):
                digits = ""
                k = j + 1
                while k < n and _joins(text, items[k - 1][2], items[k][1]):
                    d = _NUMBER_WORDS.get(items[k][0])
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
    m = _OUR.fullmatch(word)
    if m:
        return m.group(1) + "or" + (m.group(2) or "")
    m = _ISE.fullmatch(word)
    if m and m.group(1) + "ise" not in _ISE_KEEP:
        return m.group(1) + "iz" + m.group(2)
    m = _YSE.fullmatch(word)
    if m:
        return m.group(1) + "yz" + m.group(2)
    m = _RE_END.fullmatch(word)
    if m and word not in _RE_KEEP:
        return m.group(1) + "er" + m.group(2)
    m = _LOGUE.fullmatch(word)
    if m:
        suffix = m.group(2) or m.group(3) or ""
        return m.group(1) + {"d": "ed"}.get(suffix, suffix)
    m = _LL.fullmatch(word)
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
    s = _fold(word.translate(_PREPARE)).strip("'")
    if not s:
        return s
    if s[0].isdigit():
        return _canon_digits(s)
    return _spell(s)


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


def _segments(
    text: str, quote: bool, base: int, dropped: list[Dropped], cuts: list[int]
) -> list[tuple[int, int]]:
    """The stretches of text whose words count, between editorial marks and annotations."""
    if "[" not in text and "(" not in text and (not quote or ("…" not in text and "." not in text)):
        return [(0, len(text))]
    marks = _MARKS_QUOTE if quote else _MARKS_TRANSCRIPT
    segments: list[tuple[int, int]] = []
    pos = 0
    for m in marks.finditer(text):
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
            dropped.append(Dropped(reason, Span(base + start, base + end), text[start:end]))
        segments.append((pos, start))
        pos = end
    segments.append((pos, len(text)))
    return segments


def _may_start_number(norm: str) -> bool:
    return norm in _NUMBER_START or norm == "per" or norm[0].isdigit()


def _scan(
    text: str, segments: list[tuple[int, int]], base: int, dropped: list[Dropped]
) -> tuple[list[tuple[str, int, int]], list[int], list[int]]:
    """Word items (norm, start, end) with fillers, cut-off words and set-off phrases dropped.

    Also returns where a number phrase or "per cent" may start and where a word equals one of
    the three before it (a possible dash-separated repeat), so later passes visit only those.
    """
    items: list[tuple[str, int, int]] = []
    numeric: list[int] = []
    repeats: list[int] = []
    canon = canonical_word
    for seg_start, seg_end in segments:
        prev_end = -1  # end of the previous item, kept or not; -1 at a segment start
        prev_kept = False
        lead = -1  # index in items of a set-off "you"/"I" that was the previous item
        for m in _TOKEN.finditer(text, seg_start, seg_end):
            kind = m.lastgroup
            start, end = m.span()
            if kind == "w" or kind == "n":
                norm = canon(m.group())
                if not norm:
                    continue
            elif kind == "x":
                norm = canon(m.group().replace(".", ""))
                if not norm:
                    continue
            elif kind == "p":
                norm = "percent"
            elif kind == "a":
                norm = "and"
            else:
                reason = "filler" if kind == "f" else "stutter"
                dropped.append(Dropped(reason, Span(base + start, base + end), text[start:end]))
                prev_end, prev_kept, lead = end, False, -1
                continue
            if norm in _FILLERS:
                dropped.append(Dropped("filler", Span(base + start, base + end), text[start:end]))
                prev_end, prev_kept, lead = end, False, -1
                continue
            k = len(items)
            if (
                lead >= 0
                and _PHRASE_TAIL.get(norm) == items[lead][0]
                and text[items[lead][2] : start].isspace()
                and _SET_OFF_RIGHT.match(text, end, seg_end)
            ):
                first = items.pop()[1]
                k -= 1
                if repeats and repeats[-1] == k:
                    repeats.pop()
                dropped.append(Dropped("filler", Span(base + first, base + end), text[first:end]))
                prev_end, prev_kept, lead = end, False, -1
                continue
            if norm in _PHRASE_HEAD and (
                prev_end < 0 or not prev_kept or _PUNCT.search(text, prev_end, start)
            ):
                lead = k
            else:
                lead = -1
            if norm in _NUMBER_START or norm == "per" or norm[0].isdigit():
                numeric.append(k)
            if k and (
                norm == items[-1][0]
                or (k > 1 and norm == items[-2][0])
                or (k > 2 and norm == items[-3][0])
            ):
                repeats.append(k)
            items.append((norm, start, end))
            prev_end, prev_kept = end, True
    if numeric and items and numeric[-1] >= len(items):  # its "you" was popped
        numeric = [i for i in numeric if i < len(items)]
    return items, numeric, repeats


def _merge(
    text: str, items: list[tuple[str, int, int]], numeric: list[int]
) -> list[tuple[str, int, int]]:
    """Number phrases and "per cent" as one token."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    n = len(items)
    for i in numeric:
        if i < pos:
            continue
        norm, start, end = items[i]
        if norm == "per":
            if i + 1 < n and items[i + 1][0] == "cent" and _joins(text, end, items[i + 1][1]):
                out.extend(items[pos:i])
                out.append(("percent", start, items[i + 1][2]))
                pos = i + 2
            continue
        parsed = _parse_number(items, i, text)
        if parsed is not None:
            out.extend(items[pos:i])
            digits, j = parsed
            out.append((digits, start, items[j - 1][2]))
            pos = j
    if pos == 0:
        return items
    out.extend(items[pos:])
    return out


def _drop_repeats(
    text: str,
    items: list[tuple[str, int, int]],
    candidates: list[int],
    base: int,
    dropped: list[Dropped],
) -> list[tuple[str, int, int]]:
    """Drop the first copy of 1-3 words repeated across a dash ("which he - which he").

    Two or three words said twice in a row are a false start too, dash or not ("is the is the"):
    no sentence needs them, and both quote and transcript lose them alike.
    """
    gone: set[int] = set()
    for k in candidates:
        if k - 1 in gone:
            continue
        dash = _DASH_GAP.search(text, items[k - 1][2], items[k][1]) is not None
        for size in (3, 2, 1) if dash else (3, 2):
            if k - size < 0 or k + size > len(items):
                continue
            if any(items[k - size + t][0] != items[k + t][0] for t in range(size)):
                continue
            if any(k - size + t in gone for t in range(size)):
                continue
            first, last = items[k - size][1], items[k - 1][2]
            dropped.append(Dropped("stutter", Span(base + first, base + last), text[first:last]))
            gone.update(range(k - size, k))
            break
    if not gone:
        return items
    return [item for idx, item in enumerate(items) if idx not in gone]


def normalise(text: str, *, base: int = 0, quote: bool = False) -> Normalised:
    """Tokenise text into canonical words; offsets are base + index into text.

    quote=True reads the text as a quotation: ellipses split it into fragments and anything in
    brackets or parentheses is an editorial insertion. quote=False reads a transcript turn:
    brackets and parenthesised stage directions are annotations.
    """
    dropped: list[Dropped] = []
    cuts: list[int] = []
    segments = _segments(text, quote, base, dropped, cuts)
    items, numeric, repeats = _scan(text, segments, base, dropped)
    if repeats:
        kept = len(items)
        items = _drop_repeats(text, items, repeats, base, dropped)
        if len(items) != kept:
            numeric = [i for i, item in enumerate(items) if _may_start_number(item[0])]
    if numeric:
        items = _merge(text, items, numeric)
    tokens = tuple(Token(norm, base + start, base + end) for norm, start, end in items)
    n = len(tokens)
    if cuts:
        starts = [t[1] for t in items]
        bounds = [0, *(bisect.bisect_left(starts, c) for c in cuts), n]
        fragments = tuple((a, b) for a, b in itertools.pairwise(bounds) if a < b)
    else:
        fragments = ((0, n),)
    dropped.sort(key=lambda d: (d.span.start, d.span.end))
    return Normalised(tokens=tokens, fragments=fragments, dropped=tuple(dropped))


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
