"""A deterministic verification set built from real debate transcripts, and its scorer.

    python bench/verification_set.py --data ../shared/data/debates-dev --out DIR [--seed 1]
        [--per-kind N]
    python bench/verification_set.py --score RESULTS.jsonl --out DIR [--min-words 4]
    python bench/verification_set.py --run --data ../shared/data/debates-dev --out DIR

The first writes DIR/articles/NNNN.txt (one quotation each, in reporting prose) and
DIR/labels.jsonl (eval label format; `note` names the transformation applied). The second scores a
`quoteverify check DIR/articles --format jsonl` output against the labels; `--run` checks the
articles in-process and scores them. Nothing of the transcripts is written anywhere but DIR.

Ground truth comes from the construction, not from quoteverify's normaliser: a verified-kind quote
is the speaker's words with an edit a newsroom may make, an altered one changes words the speaker
said (and the result is not said by anyone), and so on; see bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quoteverify.corpus import load_corpus  # noqa: E402
from quoteverify.models import Corpus, Transcript  # noqa: E402

# --- the speakers ------------------------------------------------------------------------------

# The office each candidate held (or ran from) in a debate year: how a reporter would title him.
_TITLES = {
    ("kennedy", "1960"): "Senator",
    ("nixon", "1960"): "Vice President",
    ("carter", "1976"): "Governor",
    ("ford", "1976"): "President",
    ("carter", "1980"): "President",
    ("reagan", "1980"): "Governor",
    ("anderson", "1980"): "Congressman",
    ("reagan", "1984"): "President",
    ("mondale", "1984"): "Vice President",
    ("bush", "1988"): "Vice President",
    ("dukakis", "1988"): "Governor",
}
_NOT_CANDIDATES = re.compile(r"offscreen|announcer|audience", re.IGNORECASE)

VERIFIED_KINDS = (
    "exact",
    "case_punct",
    "ellipsis",
    "bracket",
    "fillers_dropped",
    "british",
    "digits",
    "two_sentences",
)
ALTERED_KINDS = (
    "word_replaced",
    "number_changed",
    "negation_flipped",
    "words_inserted",
    "clause_replaced",
    "name_changed",
)
MISATTRIBUTED_KINDS = ("misattributed_exact", "misattributed_edited")
NOT_FOUND_KINDS = ("recombined", "invented", "content_changed")
# The kinds of the first version of the set: every speaker named, every quote of 4 words or more.
NAMED_KINDS = (*VERIFIED_KINDS, *ALTERED_KINDS, *MISATTRIBUTED_KINDS, *NOT_FOUND_KINDS)
# Kinds that exercise the other evidence: how the speaker is referred to, and short fragments.
# Each is generated after the named kinds from its own random stream, so a seed's named kinds
# are the same articles as before they existed.
EVIDENCE_KINDS = {
    "pronoun_verified": "verified",  # a verified-kind quote, "he said" after a sentence naming him
    "pronoun_altered": "altered",  # an altered-kind quote, "he said"
    "anonymous": "unattributed",  # a candidate's words, credited to "an aide"
    "no_speaker": "unattributed",  # a candidate's words, credited to nobody
    "fragment": "verified",  # 1-3 words of the claimed speaker inside a paraphrase
    "fragment_not_said": "not_found",  # 1-3 words of the other candidate the claimed one never said
    "fragment_altered": "altered",  # 3 words of the claimed speaker, one of them changed
    "ambiguous": "verified",  # 4-8 words both candidates of the debate said
}
EXPECTED = {
    **dict.fromkeys(VERIFIED_KINDS, "verified"),
    **dict.fromkeys(ALTERED_KINDS, "altered"),
    **dict.fromkeys(MISATTRIBUTED_KINDS, "misattributed"),
    **dict.fromkeys(NOT_FOUND_KINDS, "not_found"),
    **EVIDENCE_KINDS,
}

# --- plain words -------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
_FILLER = {"uh", "um"}
_STOP_WORDS = (
    "a an the and or but if so of to in on at by for with from as is are was were be been being "
    "have has had do does did will would can could should may might must shall i you he she it "
    "we they me him her us them my your his its our their this that these those there here what "
    "which who whom whose when where why how not no never n't all any some more most very just "
    "than then also only about into over out up down one"
)
_STOP = frozenset(_STOP_WORDS.split())
_NEGATIONS = frozenset({"not", "never", "no"})
_CONTRACTIONS = {
    "don't": "do",
    "doesn't": "does",
    "didn't": "did",
    "can't": "can",
    "won't": "will",
    "isn't": "is",
    "aren't": "are",
    "wasn't": "was",
    "weren't": "were",
    "haven't": "have",
    "hasn't": "has",
    "wouldn't": "would",
    "shouldn't": "should",
    "couldn't": "could",
}
_AUX = ("is", "are", "was", "were", "will", "would", "can", "could", "should", "must", "do", "did")
_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_UNITS = {"one": 1, **{k: v for k, v in _NUMBERS.items() if v < 10}}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
# American -> British spellings a newsroom in London would print.
_BRITISH = {
    "program": "programme",
    "programs": "programmes",
    "defense": "defence",
    "offense": "offence",
    "center": "centre",
    "centers": "centres",
    "theater": "theatre",
    "gray": "grey",
    "judgment": "judgement",
    "traveled": "travelled",
    "traveling": "travelling",
    "canceled": "cancelled",
    "analyze": "analyse",
    "fulfill": "fulfil",
    "enrollment": "enrolment",
    "skillful": "skilful",
}
_BRITISH_OR = re.compile(
    r"^(labor|honor|favor|behavior|neighbor|harbor|color|vigor|endeavor|rumor|humor|valor"
    r"|savior|armor|ardor|candor|flavor|glamor|odor|rigor|splendor|vapor|tumor|clamor|fervor)"
    r"(s|ed|ing|able|ably|ite|ites|ers|er|ful)?$"
)
_BRITISH_IZE = re.compile(r"^(\w{3,})iz(e|es|ed|ing|ation|ations)$")


def plain_words(text: str) -> list[str]:
    """Lower-case words without punctuation, fillers left out: the ground-truth comparison."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text) if w.lower() not in _FILLER]


# --- passages ----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(
    r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bSt\.)(?<=[.?!])\s+(?=[A-Z0-9])"
)
_CLAUSE_END = re.compile(r"(?<=[,;])\s+")
_BAD = re.compile(r"[\"\[\]()…:]|\.\.|--|\b(?:uh|um)\b| - |\w- ", re.IGNORECASE)
_DISFLUENT = re.compile(r"\b(?:uh|um)\b| - ", re.IGNORECASE)


@dataclass(frozen=True)
class Speaker:
    """A candidate of one debate and the names a reporter would give him."""

    label: str  # the transcript label
    surname: str
    full: str  # the full name as printed: John F. Kennedy
    title: str


@dataclass(frozen=True)
class Passage:
    """A sentence or clause span of one candidate's turn."""

    doc: int
    turn: int
    speaker: str  # transcript label
    text: str
    sentences: int  # 1, or 2 for two consecutive sentences

    @property
    def words(self) -> int:
        return len(self.text.split())


def _full_name(label: str) -> str:
    parts = label.split()
    out = []
    for p in parts[1:-1]:
        out.append(".".join(p) + "." if p.isupper() and len(p) <= 3 else p)
    return " ".join([parts[0], *out, parts[-1]])


def candidates(transcript: Transcript) -> list[Speaker]:
    """The two speakers with the most words in a debate (moderators and panellists speak less)."""
    counts: Counter[str] = Counter()
    for turn in transcript.turns:
        if not _NOT_CANDIDATES.search(turn.speaker):
            counts[turn.speaker] += len(turn.text.split())
    top = sorted(counts, key=lambda s: (-counts[s], s))[:2]
    year = transcript.meta.get("date", transcript.path)[:4]
    out = []
    for label in sorted(top):
        surname = label.split()[-1]
        title = _TITLES.get((surname.lower(), year), "Mr.")
        out.append(Speaker(label, surname, _full_name(label), title))
    return out


def _spans(text: str) -> list[str]:
    sentences = [s.strip(" -–—") for s in _SENTENCE_END.split(text) if s.strip(" -–—")]
    out: list[str] = []
    for s in sentences:
        n = len(s.split())
        if 5 <= n <= 40:
            out.append(s)
        elif n > 40:
            # Long sentences give their clauses (a comma or semicolon span of 5 words or more).
            out.extend(c for c in _CLAUSE_END.split(s) if 5 <= len(c.split()) <= 40)
    return out


def passages(corpus: Corpus) -> tuple[list[Passage], list[Passage], dict[int, list[Speaker]]]:
    """Clean one-sentence passages, two-sentence passages, and the candidates of each debate."""
    singles: list[Passage] = []
    doubles: list[Passage] = []
    speakers: dict[int, list[Speaker]] = {}
    for doc, transcript in enumerate(corpus.transcripts):
        speakers[doc] = candidates(transcript)
        labels = {s.label for s in speakers[doc]}
        for turn in transcript.turns:
            if turn.speaker not in labels:
                continue
            sentences = [s.strip(" -–—") for s in _SENTENCE_END.split(turn.text)]
            for s in _spans(turn.text):
                singles.append(Passage(doc, turn.index, turn.speaker, s, 1))
            for a, b in itertools.pairwise(sentences):
                both = f"{a} {b}"
                if 8 <= len(both.split()) <= 40 and not _BAD.search(both):
                    doubles.append(Passage(doc, turn.index, turn.speaker, both, 2))
    return singles, doubles, speakers


# --- the corpus as plain words, for checking labels --------------------------------------------


class Truth:
    """Every speaker's turns as plain words, to check that a constructed label is right."""

    def __init__(self, corpus: Corpus) -> None:
        self.text: dict[str, str] = defaultdict(str)  # label -> " w w w | w w "
        self.all = ""
        self.trigrams: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        self.counts: Counter[str] = Counter()
        self.bigrams: dict[str, list[str]] = defaultdict(list)
        self.proper: Counter[str] = Counter()
        lower: Counter[str] = Counter()
        for transcript in corpus.transcripts:
            for turn in transcript.turns:
                words = plain_words(turn.text)
                joined = " " + " ".join(words) + " |"
                self.text[turn.speaker] += joined
                self.all += joined
                self.trigrams[turn.speaker].update(zip(words, words[1:], words[2:], strict=False))
                self.counts.update(words)
                for a, b in itertools.pairwise(words):
                    self.bigrams[a].append(b)
                for m in re.finditer(r"(?<=[a-z,] )([A-Z][a-z]{3,})\b", turn.text):
                    self.proper[m.group(1)] += 1
                for w in re.findall(r"\b[a-z]{4,}\b", turn.text):
                    lower[w] += 1
        # Names: capitalised in mid-sentence, and (almost) never written in lower case.
        titles = {"president", "governor", "senator", "congress", "vice", "secretary", "government"}
        self.names = sorted(
            w
            for w, c in self.proper.items()
            if c >= 3 and lower[w.lower()] == 0 and w.lower() not in titles
        )
        # Content words by frequency class, for plausible replacements.
        self.classes: dict[tuple[int, str], list[str]] = defaultdict(list)
        for w, c in sorted(self.counts.items()):
            if w.isalpha() and len(w) >= 4 and w not in _STOP and lower[w] >= c * 0.8:
                self.classes[(int(math.log2(c)), _suffix(w))].append(w)
        self.vocab = sorted(w for w, c in self.counts.items() if c >= 2 and w.isalpha())

    def said_by(self, words: Sequence[str], label: str) -> bool:
        """Whether the label's turns hold these plain words in a row."""
        return f" {' '.join(words)} " in self.text[label]

    def said_anywhere(self, words: Sequence[str]) -> bool:
        """Whether anyone's turns hold these plain words in a row."""
        return f" {' '.join(words)} " in self.all

    def overlap(self, words: Sequence[str], label: str) -> float:
        """Share of the quote's word trigrams found in the label's turns."""
        grams = list(zip(words, words[1:], words[2:], strict=False))
        if not grams:
            return 0.0
        have = self.trigrams[label]
        return sum(g in have for g in grams) / len(grams)

    def longest_run(self, words: Sequence[str]) -> int:
        """The longest run of the quote's words said in a row by anyone."""
        best = 0
        n = len(words)
        for i in range(n):
            k = best + 1
            while i + k <= n and self.said_anywhere(words[i : i + k]):
                best = k
                k += 1
        return best


def _suffix(w: str) -> str:
    for s in ("ing", "ed", "ly", "tion", "s"):
        if w.endswith(s):
            return s
    return ""


# --- transformations ---------------------------------------------------------------------------

_TOKENS = re.compile(r"\S+")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def _core(tok: str) -> str:
    return tok.strip(".,;:?!'’").lower()


def _strip_end(text: str) -> str:
    return text.rstrip(".,;:?! ")


def t_exact(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    return p.text


def t_case_punct(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    choice = rng.randrange(3)
    if choice == 0:
        # Drop every comma and semicolon.
        out = " ".join(t.rstrip(",;") for t in toks)
    elif choice == 1:
        # A quote taken up mid-sentence starts in lower case.
        if toks[0] == "I" or toks[0].startswith("I'"):
            return None
        out = " ".join([toks[0][:1].lower() + toks[0][1:], *toks[1:]])
    else:
        # Commas added after the third word, and a word in capitals for emphasis.
        k = min(2, len(toks) - 2)
        toks = [*toks]
        toks[k] = toks[k].rstrip(",") + ","
        j = rng.randrange(len(toks))
        toks[j] = toks[j].upper()
        out = " ".join(toks)
    return None if out == p.text else out


def t_ellipsis(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    n = len(toks)
    if n < 12:
        return None
    a = rng.randint(4, n - 8)
    b = rng.randint(a + 2, min(a + 8, n - 4))
    mark = rng.choice(("…", "...", " … ", " ... "))
    left = " ".join(toks[:a]).rstrip(",;")
    right = " ".join(toks[b:])
    return f"{left}{mark}{right}" if mark.startswith(" ") else f"{left} {mark} {right}"


_PRONOUNS = {
    "he": "{other}",
    "him": "{other}",
    "they": "[the Soviets]",
    "it": "[the program]",
}


def t_bracket(p: Passage, rng: random.Random, truth: Truth, other: str = "") -> str | None:
    toks = _tokens(p.text)
    slots = [i for i, t in enumerate(toks) if i > 0 and _core(t) in _PRONOUNS]
    if slots and rng.random() < 0.6:
        i = rng.choice(slots)
        insert = _PRONOUNS[_core(toks[i])].format(other=f"[{other}]")
        tail = toks[i][len(_core(toks[i])) :]
        toks[i] = insert + tail
        return " ".join(toks)
    # An added clarification after a word: "the treaty [on test bans]".
    i = rng.randrange(1, len(toks) - 1)
    if toks[i][-1] in ",.;":
        return None
    toks[i] = toks[i] + " " + rng.choice(("[in 1960]", "[the administration]", "[sic]", "[abroad]"))
    return " ".join(toks)


def t_fillers(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    # Drop fillers (uh, um, with their commas) and interruption dashes; a word repeated across a
    # dash ("I - I think") is kept once.
    text = re.sub(r",?\s*\b(?:uh|um)\b,?", " - ", p.text, flags=re.IGNORECASE)
    # A word cut off by a dash ("nin- late") is left out, as the transcript's reader hears it.
    toks = [t for t in _tokens(text) if not (t.endswith("-") and len(t) > 1)]
    out: list[str] = []
    for k, t in enumerate(toks):
        if t in ("-", "–", "—"):
            # A false start said again after the dash ("which he - which he") is printed once.
            for size in (3, 2, 1):
                after = [_core(x) for x in toks[k + 1 : k + 1 + size]]
                if len(out) >= size and [_core(x) for x in out[-size:]] == after:
                    del out[-size:]
                    break
            continue
        out.append(t)
    result = " ".join(out).strip(" ,")
    result = result[:1].upper() + result[1:]
    if result == p.text or len(result.split()) < 5:
        return None
    return result


def t_british(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    changed = False
    for i, t in enumerate(toks):
        core = re.sub(r"[^A-Za-z]", "", t)
        low = core.lower()
        new = _BRITISH.get(low)
        if new is None:
            m = _BRITISH_OR.match(low)
            if m:
                new = m.group(1)[:-2] + "our" + (m.group(2) or "")
        if new is None:
            m = _BRITISH_IZE.match(low)
            if m and m.group(1) + "ize" not in ("size", "prize", "seize"):
                new = m.group(1) + "is" + m.group(2)
        if new is None or not core:
            continue
        if core[0].isupper():
            new = new.capitalize()
        toks[i] = t.replace(core, new)
        changed = True
    return " ".join(toks) if changed else None


def _number_phrase(toks: Sequence[str], i: int) -> tuple[int, int] | None:
    """(value, tokens used) of a number-word phrase starting at toks[i]: `fifty`, `two million`."""
    w = _core(toks[i])
    parts = w.split("-")
    if len(parts) == 2 and parts[0] in _NUMBERS and parts[1] in _UNITS and toks[i][-1].isalpha():
        value, used = _NUMBERS[parts[0]] + _UNITS[parts[1]], 1
    elif w in _NUMBERS and w == toks[i].lower().strip(",.;?!") and toks[i][-1:].isalpha():
        value, used = _NUMBERS[w], 1
    else:
        return None
    if i + used < len(toks) and _core(toks[i + used]) in _SCALES and toks[i + used][-1].isalpha():
        value *= _SCALES[_core(toks[i + used])]
        used += 1
    return value, used


def t_digits(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    out: list[str] = []
    i = 0
    changed = False
    while i < len(toks):
        found = _number_phrase(toks, i) if i == 0 or _core(toks[i - 1]) not in ("no",) else None
        if found is None:
            out.append(toks[i])
            i += 1
            continue
        value, used = found
        around = {
            _core(toks[i - 1]) if i else "",
            _core(toks[i + used]) if i + used < len(toks) else "",
        }
        if around & {"point", "and", "hundred", "a", "of", "one"} or around & set(_NUMBERS):
            # Part of a longer number ("six point eight", "seven hundred and fifty"): leave it.
            out.extend(toks[i : i + used])
            i += used
            continue
        last = toks[i + used - 1]
        tail = last[len(last.rstrip(",.;?!")) :]
        digits = f"{value:,}" if value < 10**6 else f"{value // 10**6} million"
        if value >= 10**9 and value % 10**9 == 0:
            digits = f"{value // 10**9} billion"
        nxt = _core(toks[i + used]) if i + used < len(toks) else ""
        if nxt == "percent" and not tail:
            last2 = toks[i + used]
            tail = last2[len(last2.rstrip(",.;?!")) :]
            digits += rng.choice(("%", " per cent", " percent"))
            used += 1
        out.append(digits + tail)
        i += used
        changed = True
    return " ".join(out) if changed else None


def t_two_sentences(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    return p.text


# Altered ------------------------------------------------------------------------------------


def t_word_replaced(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    slots = [
        i
        for i, t in enumerate(toks)
        if _core(t).isalpha() and len(_core(t)) >= 4 and _core(t) not in _STOP and t[0].islower()
    ]
    if not slots:
        return None
    i = rng.choice(slots)
    w = _core(toks[i])
    pool = [x for x in truth.classes.get((int(math.log2(max(truth.counts[w], 1))), _suffix(w)), [])]
    pool = [x for x in pool if x != w and x[:4] != w[:4]]
    if not pool:
        return None
    new = rng.choice(pool)
    toks[i] = toks[i].replace(w, new, 1) if w in toks[i] else new
    return " ".join(toks)


def t_number_changed(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    slots = [
        i
        for i, t in enumerate(toks)
        if re.fullmatch(r"\$?\d[\d,.]*%?[,.;?!]?", t) or _number_phrase(toks, i)
    ]
    if not slots:
        return None
    i = rng.choice(slots)
    t = toks[i]
    m = re.search(r"\d[\d,]*", t)
    if m:
        value = int(m.group().replace(",", "").rstrip(",") or 0)
        if 1900 <= value <= 2100:
            new = value + rng.choice((-4, -2, 2, 4))
        else:
            new = value + max(1, value // 10) * rng.choice((1, 2, 3))
        toks[i] = t[: m.start()] + str(new) + t[m.end() :]
    else:
        w = _core(t).split("-")[0]
        pool = [x for x in _NUMBERS if x != w]
        new_w = rng.choice(pool)
        toks[i] = t.replace(w, new_w, 1) if w in t else t.lower().replace(w, new_w, 1)
    return " ".join(toks)


def t_negation_flipped(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    removable = [
        i
        for i, t in enumerate(toks)
        if _core(t) in ("not", "never") or _core(t).replace("’", "'") in _CONTRACTIONS
    ]
    if removable:
        i = rng.choice(removable)
        core = _core(toks[i]).replace("’", "'")
        if core in ("not", "never"):
            del toks[i]
        else:
            tail = toks[i][len(toks[i].rstrip(",.;?!")) :]
            new = _CONTRACTIONS[core]
            toks[i] = (new.capitalize() if toks[i][0].isupper() else new) + tail
        return " ".join(toks)
    addable = [i for i, t in enumerate(toks[:-1]) if t in _AUX and _core(toks[i + 1]) != "not"]
    if not addable:
        return None
    i = rng.choice(addable)
    toks.insert(i + 1, rng.choice(("not", "never")))
    return " ".join(toks)


_INSERTS = ("very", "really", "certainly", "simply", "entirely", "clearly", "already", "always")


def t_words_inserted(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    if len(toks) < 5:
        return None
    i = rng.randint(1, len(toks) - 1)
    k = rng.randint(1, 3)
    extra = rng.sample(_INSERTS, k)
    return " ".join([*toks[:i], *extra, *toks[i:]])


def t_clause_replaced(p: Passage, rng: random.Random, truth: Truth, donor: str = "") -> str | None:
    toks = _tokens(_strip_end(p.text))
    n = len(toks)
    if n < 8:
        return None
    keep = math.ceil(n * rng.uniform(0.7, 0.8))
    donor_toks = _tokens(_strip_end(donor))
    r = min(max(2, n - keep), len(donor_toks))
    if r < 2:
        return None
    return " ".join([*toks[:keep], *(t.lower() for t in donor_toks[-r:])])


def t_name_changed(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    toks = _tokens(p.text)
    names = set(truth.names)
    slots = [
        i for i, t in enumerate(toks) if i > 0 and t.rstrip(",.;?!'’s") in names and t[0].isupper()
    ]
    if not slots:
        return None
    i = rng.choice(slots)
    old = toks[i].rstrip(",.;?!'’s")
    pool = [x for x in truth.names if x != old]
    toks[i] = toks[i].replace(old, rng.choice(pool), 1)
    return " ".join(toks)


# Not found ----------------------------------------------------------------------------------


def t_invented(rng: random.Random, truth: Truth) -> str | None:
    """A sentence from a bigram chain over the corpus words."""
    starts = [w for w in ("we", "i", "the", "our", "this", "my", "they") if truth.bigrams[w]]
    w = rng.choice(starts)
    out = [w]
    n = rng.randint(8, 20)
    while len(out) < n:
        nxt = truth.bigrams.get(out[-1])
        if not nxt:
            break
        cand = rng.choice(nxt)
        if cand == "|":
            break
        out.append(cand)
    if len(out) < 8:
        return None
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def t_content_changed(p: Passage, rng: random.Random, truth: Truth) -> str | None:
    """Every content word replaced by another of its frequency class; function words kept."""
    toks = _tokens(_strip_end(p.text))
    if len(toks) < 6:
        return None
    for i, t in enumerate(toks):
        w = _core(t)
        if not w.isalpha() or w in _STOP:
            continue
        pool = truth.classes.get((int(math.log2(max(truth.counts[w], 1))), _suffix(w)), [])
        if pool:
            toks[i] = rng.choice(pool)
    return " ".join(toks)


# --- articles ----------------------------------------------------------------------------------

_TEMPLATES = (
    "“{q},” {name} said.",
    "{name} said: “{q}.”",
    "“{q},” said {name}, speaking during the televised debate.",
    "During the debate, {name} said, “{q}.”",
    "“{q},” {name} told the audience.",
    "Asked about the issue, {name} replied: “{q}.”",
    "{name} turned to the record. “{q},” {name_short} said.",
    "“{q},” {name} said on the debate stage, drawing applause.",
)


def _speaker_name(s: Speaker, rng: random.Random) -> tuple[str, str]:
    """(name as printed in the article, claimed speaker without title)."""
    form = rng.randrange(3)
    if form == 0:
        return s.surname, s.surname
    if form == 1:
        return f"{s.title} {s.surname}", s.surname
    return s.full, s.full


def article(q: str, s: Speaker, rng: random.Random) -> tuple[str, int, int, str]:
    """Article text, offsets of the quoted words, and the claimed speaker."""
    q = q.replace("\u2019", "’")
    shown, claimed = _speaker_name(s, rng)
    template = rng.choice(_TEMPLATES)
    body = _strip_end(q) if not q.rstrip().endswith("?") else q.rstrip()
    if body.endswith("?"):
        template = template.replace("{q},”", "{q}”").replace("{q}.”", "{q}”")
    before, after = template.split("{q}")
    before = before.format(name=shown, name_short=s.surname)
    after = after.format(name=shown, name_short=s.surname)
    text = before + body + after + "\n"
    # The quoted words run to the closing mark: a comma or full stop inside it is part of them.
    return text, len(before), text.index("”", len(before) + len(body)), claimed


# --- generation --------------------------------------------------------------------------------

Transform = Callable[[Passage, random.Random, Truth], str | None]

_TRANSFORMS: dict[str, Transform] = {
    "exact": t_exact,
    "case_punct": t_case_punct,
    "ellipsis": t_ellipsis,
    "fillers_dropped": t_fillers,
    "british": t_british,
    "digits": t_digits,
    "two_sentences": t_two_sentences,
    "word_replaced": t_word_replaced,
    "number_changed": t_number_changed,
    "negation_flipped": t_negation_flipped,
    "words_inserted": t_words_inserted,
    "name_changed": t_name_changed,
    "content_changed": t_content_changed,
}


@dataclass
class Item:
    """One generated quotation and its label."""

    kind: str
    quote: str
    speaker: Speaker  # who the article says spoke it
    source: Passage | None
    other: Speaker | None = None  # the other candidate of the debate, for EVIDENCE_KINDS
    news: NewsArticle | None = None  # the article, for NEWS_KINDS


def _check(kind: str, quote: str, p: Passage | None, claimed: Speaker, truth: Truth) -> bool:
    """Whether the expected verdict is certainly right for this quote (else skip it)."""
    words = plain_words(quote)
    if len(words) < 4:
        return False
    expected = EXPECTED[kind]
    if expected == "altered":
        assert p is not None
        # The change must be a real change, said by nobody, and leave most of the passage.
        if words == plain_words(p.text) or truth.said_anywhere(words):
            return False
        return truth.overlap(words, claimed.label) >= 0.3
    if expected == "misattributed":
        # Nothing close by the claimed speaker.
        return truth.overlap(words, claimed.label) < 0.2
    if expected == "not_found":
        return truth.longest_run(words) <= max(3, int(0.35 * len(words)))
    return True


def generate(
    data: str, seed: int, per_kind: int, *, evidence: bool = True, news: Path | None = None
) -> list[Item]:
    """The verification set: per_kind quotations of every kind, deterministic for a seed.

    Without `evidence`, only the NAMED_KINDS (the set before EVIDENCE_KINDS existed); with
    `news` (the PolNeAR folder), the NEWS_KINDS too."""
    corpus, _ = load_corpus([data])
    truth = Truth(corpus)
    singles, doubles, speakers = passages(corpus)
    clean = [p for p in singles if not _BAD.search(p.text)]
    disfluent = [
        p for p in singles if _DISFLUENT.search(p.text) and not re.search(r"[\"\[\]()…]", p.text)
    ]
    rng = random.Random(seed)
    items: list[Item] = []
    by_label = {s.label: s for ss in speakers.values() for s in ss}

    def other(p: Passage) -> Speaker:
        return next(s for s in speakers[p.doc] if s.label != p.speaker)

    kinds = [*VERIFIED_KINDS, *ALTERED_KINDS, *MISATTRIBUTED_KINDS, *NOT_FOUND_KINDS]
    used: set[tuple[int, int, str]] = set()
    for kind in kinds:
        pool = {"two_sentences": doubles, "fillers_dropped": disfluent}.get(kind, clean)
        made = 0
        tries = 0
        while made < per_kind and tries < per_kind * 60:
            tries += 1
            p = rng.choice(pool)
            if (p.doc, p.turn, p.text) in used:
                continue
            claimed = by_label[p.speaker]
            quote: str | None
            if kind == "bracket":
                quote = t_bracket(p, rng, truth, other=f"{other(p).title} {other(p).surname}")
            elif kind == "clause_replaced":
                donor = rng.choice(clean)
                if donor.doc == p.doc:
                    continue
                quote = t_clause_replaced(p, rng, truth, donor=donor.text)
            elif kind == "misattributed_exact":
                quote, claimed = p.text, other(p)
            elif kind == "misattributed_edited":
                edit = rng.choice((t_case_punct, t_ellipsis, t_british))
                quote, claimed = edit(p, rng, truth), other(p)
            elif kind == "recombined":
                quote = _recombined(p, clean, rng)
            elif kind == "invented":
                quote = t_invented(rng, truth)
                claimed = rng.choice(speakers[p.doc])
                p = None  # type: ignore[assignment]
            else:
                quote = _TRANSFORMS[kind](p, rng, truth)
            if quote is None or not _check(kind, quote, p, claimed, truth):
                continue
            if p is not None:
                used.add((p.doc, p.turn, p.text))
            items.append(Item(kind, quote, claimed, p))
            made += 1
    if evidence:
        items.extend(generate_evidence((clean, speakers, truth), seed, per_kind))
    if news is not None:
        # With real news around them, the templated unattributed quotes (one sentence, nobody
        # named anywhere) would only make attribution look easier than it is; they are still
        # drawn, so the kinds after them stay what they were for a seed.
        items = [i for i in items if i.kind not in TEMPLATED_UNATTRIBUTED]
        items.extend(generate_news((clean, speakers, truth), news, seed))
    return items


def _recombined(p: Passage, pool: Sequence[Passage], rng: random.Random) -> str | None:
    """Short pieces (3-4 words) of the same speaker's distant turns, joined into one sentence."""
    mine = [x for x in pool if x.speaker == p.speaker and (x.doc, x.turn) != (p.doc, p.turn)]
    pieces = [p, *rng.sample(mine, 3)]
    words: list[str] = []
    for x in pieces:
        toks = _tokens(_strip_end(x.text))
        k = rng.randint(3, 4)
        if len(toks) < k + 1:
            return None
        i = rng.randrange(0, len(toks) - k)
        words.extend(t.strip(",;.?!") for t in toks[i : i + k])
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# --- kinds for the other evidence: pronouns, anonymous sources, fragments, shared words --------

# Subjects of the sentence that names the speaker before "he said"; words we wrote.
_TOPICS = (
    "farm prices",
    "the budget",
    "defense spending",
    "the schools",
    "taxes",
    "foreign policy",
    "unemployment",
    "energy",
)
# Sentences naming the speaker, then the quote credited to "he". The last two name the other
# candidate too, as reports of a debate do: the pronoun's antecedent is then the subject.
_PRONOUN_TEMPLATES = (
    "{name} was asked about {topic}. “{q},” he said.",
    "{name} turned to {topic}. “{q},” he said.",
    "Asked about {topic}, {name} did not hesitate. “{q},” he said.",
    "{name} spoke at length about {topic}. He said: “{q}.”",
    "{name} answered {other} on {topic}. “{q},” he said.",
    "{name} disagreed with {other} about {topic}. “{q},” he told the audience.",
)
_ANONYMOUS_TEMPLATES = (
    "“{q},” an aide said.",
    "“{q},” a campaign adviser told reporters.",
    "One adviser put it this way: “{q}.”",
    "“{q},” a spokesman said after the debate.",
)
_NO_SPEAKER_TEMPLATES = (
    "The debate turned to {topic}. “{q}.”",
    "It was a long evening of arguments about {topic}. “{q}.”",
)
_FRAGMENT_TEMPLATES = (
    "{name} called it “{q}”.",
    "{name} spoke of “{q}” during the debate.",
    "{name} warned of “{q}” in his answer on {topic}.",
    "{name} described the plan as “{q}”.",
    "{name} said the country faced “{q}” on {topic}.",
)


_JOINERS = frozenset({"and", "or", "but", "of", "to", "in", "that", "which", "so", "because"})


def _fragment(p: Passage, rng: random.Random, size: int) -> list[str] | None:
    """`size` consecutive words of a passage, unbroken by punctuation, holding a content word."""
    toks = _tokens(_strip_end(p.text))
    if len(toks) < size:
        return None
    i = rng.randrange(len(toks) - size + 1)
    window = toks[i : i + size]
    if any(not re.fullmatch(r"[A-Za-z][A-Za-z'’-]*", t.rstrip(",;")) for t in window):
        return None
    if any(t[-1] in ",;" for t in window[:-1]):
        return None
    window[-1] = window[-1].rstrip(",;")
    # The words a reporter quotes inside a paraphrase end on a content word ("dead end", "a
    # great country"), not on "and" or "this"; a single word is a long one.
    last = _core(window[-1])
    if last in _STOP or len(last) < (5 if size == 1 else 4) or _core(window[0]) in _JOINERS:
        return None
    return window


def _lightly_altered(words: list[str], rng: random.Random, truth: Truth) -> list[str] | None:
    """The fragment with one content word inflected (-s added or dropped) or replaced."""
    slots = [i for i, w in enumerate(words) if _core(w) not in _STOP and len(_core(w)) >= 4]
    if not slots:
        return None
    i = rng.choice(slots)
    w = words[i]
    if rng.random() < 0.5:
        new = w[:-1] if w.endswith("s") and not w.endswith("ss") else w + "s"
    else:
        low = _core(w)
        pool = truth.classes.get((int(math.log2(max(truth.counts[low], 1))), _suffix(low)), [])
        pool = [x for x in pool if x[:4] != low[:4]]
        if not pool:
            return None
        new = rng.choice(pool)
    return [*words[:i], new, *words[i + 1 :]]


def _shared_runs(
    clean: Sequence[Passage], speakers: dict[int, list[Speaker]], truth: Truth
) -> list[tuple[Passage, str]]:
    """Runs of 4-8 words of a passage that the other candidate of its debate said too."""
    out: list[tuple[Passage, str]] = []
    for p in clean:
        other = next(s for s in speakers[p.doc] if s.label != p.speaker)
        toks = _tokens(_strip_end(p.text))
        for size in (8, 7, 6, 5, 4):
            found = None
            for i in range(len(toks) - size + 1):
                window = toks[i : i + size]
                if any(t[-1] in ",;:" for t in window[:-1]):
                    continue
                words = plain_words(" ".join(window))
                grams = zip(words, words[1:], words[2:], strict=False)
                if len(words) != size or not all(g in truth.trigrams[other.label] for g in grams):
                    continue
                if truth.said_by(words, other.label):
                    found = " ".join(window).rstrip(",;")
                    break
            if found:
                out.append((p, found))
                break
    return out


def generate_evidence(
    corpus_parts: tuple[list[Passage], dict[int, list[Speaker]], Truth],
    seed: int,
    per_kind: int,
) -> list[Item]:
    """The EVIDENCE_KINDS quotations, from a random stream of their own."""
    clean, speakers, truth = corpus_parts
    rng = random.Random(seed * 7 + 104729)
    by_label = {s.label: s for ss in speakers.values() for s in ss}

    def other(p: Passage) -> Speaker:
        return next(s for s in speakers[p.doc] if s.label != p.speaker)

    items: list[Item] = []
    used: set[tuple[int, int, str]] = set()
    # A sample of passages is enough to find shared runs (the search is slow on every passage).
    shared = _shared_runs(rng.sample(clean, min(len(clean), 3000)), speakers, truth)
    for kind in EVIDENCE_KINDS:
        made = tries = 0
        while made < per_kind and tries < per_kind * 60:
            tries += 1
            p = rng.choice(clean)
            claimed = by_label[p.speaker]
            quote: str | None = None
            if kind == "pronoun_verified":
                edit = rng.choice((t_exact, t_exact, t_case_punct, t_ellipsis, t_british))
                quote = edit(p, rng, truth)
            elif kind == "pronoun_altered":
                edit = rng.choice((t_word_replaced, t_negation_flipped, t_words_inserted))
                quote = edit(p, rng, truth)
                if quote is not None:
                    words = plain_words(quote)
                    if truth.said_anywhere(words) or truth.overlap(words, claimed.label) < 0.3:
                        continue
            elif kind in ("anonymous", "no_speaker"):
                quote = p.text
            elif kind == "fragment":
                words = _fragment(p, rng, rng.choice((1, 2, 2, 3, 3)))
                if words is None or not truth.said_by(plain_words(" ".join(words)), p.speaker):
                    continue
                quote = " ".join(words)
            elif kind == "fragment_not_said":
                claimed = other(p)
                words = _fragment(p, rng, rng.choice((1, 2, 2, 3, 3)))
                if words is None or truth.said_by(plain_words(" ".join(words)), claimed.label):
                    continue
                quote = " ".join(words)
            elif kind == "fragment_altered":
                words = _fragment(p, rng, 3)
                changed = _lightly_altered(words, rng, truth) if words else None
                if changed is None or truth.said_by(plain_words(" ".join(changed)), p.speaker):
                    continue
                quote = " ".join(changed)
            elif kind == "ambiguous":
                if not shared:
                    break
                p, quote = shared[rng.randrange(len(shared))]
                claimed = by_label[p.speaker]
            if quote is None or (p.doc, p.turn, p.text) in used:
                continue
            used.add((p.doc, p.turn, p.text))
            items.append(Item(kind, quote, claimed, p, other=other(p)))
            made += 1
    return items


def evidence_article(item: Item, rng: random.Random) -> tuple[str, int, int, str | None, str]:
    """Article text, offsets of the quoted words, claimed speaker and speaker kind of an
    EVIDENCE_KINDS item."""
    q = item.quote.replace("\u2019", "’")
    s = item.speaker
    shown, claimed = _speaker_name(s, rng)
    other = item.other or s
    topic = rng.choice(_TOPICS)
    kind: str = "name"
    if item.kind in ("pronoun_verified", "pronoun_altered"):
        template, kind = rng.choice(_PRONOUN_TEMPLATES), "pronoun"
    elif item.kind == "anonymous":
        template, kind = rng.choice(_ANONYMOUS_TEMPLATES), "description"
        claimed = re.search(r"(?:an?|One) (\w+)", template).group(0).lower()  # type: ignore[union-attr]
    elif item.kind == "no_speaker":
        template, kind, claimed = rng.choice(_NO_SPEAKER_TEMPLATES), "none", ""
    elif item.kind.startswith("fragment"):
        template = rng.choice(_FRAGMENT_TEMPLATES)
    else:
        template = rng.choice(_TEMPLATES)
    body = _strip_end(q) if not q.rstrip().endswith("?") else q.rstrip()
    if body.endswith("?"):
        template = template.replace("{q},”", "{q}”").replace("{q}.”", "{q}”")
    fill = {"name": shown, "name_short": s.surname, "topic": topic}
    fill["other"] = f"{other.title} {other.surname}"
    before, after = template.split("{q}")
    before, after = before.format(**fill), after.format(**fill)
    text = before + body + after + "\n"
    end = text.index("”", len(before) + len(body))
    return text, len(before), end, claimed or None, kind


# --- kinds in the context of real news: how articles really refer to speakers -------------------

# Quotes credited the way real articles credit them: the article text around a quotation of
# PolNeAR (real 2015-16 political news), the quoted words replaced by a debate passage, and the
# annotated speaker's name replaced by the candidate's. The templated kinds above always name the
# speaker in the sentence before the pronoun; these carry the long paragraphs, several speakers
# and indirect references of real copy, so the confidence of pronoun, anonymous and unattributed
# findings is measured where it is hard. Read at run time from the shared data, never copied.
NEWS_KINDS = {
    "news_name": "verified",  # the annotated speaker is a name
    "news_pronoun": "verified",  # ... a pronoun (he), resolved by the gold of bench/attribution.py
    "news_description": "unattributed",  # ... a description (`a campaign spokesman`)
    "news_none": "unattributed",  # no annotated speaker
}
EXPECTED.update(NEWS_KINDS)
TEMPLATED_UNATTRIBUTED = ("anonymous", "no_speaker")
# Paragraphs of the article before the quote's own kept as context, and the most allowed when
# reaching back to where a pronoun's speaker was named.
_NEWS_BEFORE = 2
_NEWS_REACH = 6
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class NewsArticle:
    """A generated article in real-news context, with its label fields."""

    text: str
    start: int
    end: int
    claimed: str | None
    speaker_kind: str


def polnear_titles() -> frozenset[str]:
    """Titles bench/attribution.py strips from a name (`Sen.`, `President`)."""
    import attribution as polnear

    return frozenset(polnear.TITLES_V2)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _PARAGRAPH.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def _para_of(paras: Sequence[tuple[int, int]], pos: int) -> int:
    return max(i for i, (a, _) in enumerate(paras) if a <= pos)


def news_lines(news: Path, seed: int) -> dict[str, list[tuple[str, Any]]]:
    """PolNeAR lines usable per news kind, from the articles whose position in sorted order has
    the seed's parity (seed 2, used to fit the confidence, and seeds 1 and 3 see disjoint
    articles)."""
    import attribution as polnear  # bench/attribution.py, beside this script

    golds = polnear.load_gold(news, "v3")
    out: dict[str, list[tuple[str, Any]]] = {k: [] for k in NEWS_KINDS}
    for n, article in enumerate(sorted(golds)):
        if n % 2 != seed % 2:
            continue
        text = (news / article).read_text(encoding="utf-8")
        for g in golds[article]:
            seg = g.segments[0]
            if len(g.segments) != 1 or len(text[seg.start : seg.end].split()) < 4:
                continue
            if "\n" in text[seg.start : seg.end]:
                continue
            kind = {
                "name": "news_name",
                "pronoun": "news_pronoun",
                "description": "news_description",
                "none": "news_none",
            }.get(g.cls)
            if kind is None:
                continue
            if kind in ("news_name", "news_pronoun"):
                # Debate candidates are men: a woman's quote renamed to one would not read true.
                if g.name is None or polnear._gender(text, g.name) == "f":
                    continue
                if kind == "news_pronoun" and (g.mention or "").lower() not in ("he", "him", "his"):
                    continue
            out[kind].append((text, g))
    return out


def news_article(kind: str, text: str, gold: Any, quote: str, s: Speaker) -> NewsArticle | None:
    """The article around one PolNeAR line, its quoted words replaced by `quote` and its
    speaker's name by s's (None when the speaker's name is out of reach)."""
    paras = _paragraphs(text)
    seg = gold.segments[0]
    here = _para_of(paras, seg.start)
    first, last = max(0, here - _NEWS_BEFORE), here
    if gold.mention_start >= 0:
        where = _para_of(paras, gold.mention_start)
        first, last = min(first, where), max(last, where)
    names: re.Pattern[str] | None = None
    if kind in ("news_name", "news_pronoun"):
        surname = gold.name.split()[-1]
        said = [m.start() for m in re.finditer(rf"\b{re.escape(surname)}\b", text[: seg.start])]
        if kind == "news_pronoun":
            if not said:
                return None
            first = min(first, _para_of(paras, said[-1]))
        titles = "|".join(re.escape(t) for t in sorted(polnear_titles()))
        # A first name before the surname goes with it; a title before it stays.
        names = re.compile(
            rf"\b(?:(?!(?:{titles})\b)[A-Z][a-z]+\s+(?:[A-Z]\.\s+)?)?{re.escape(surname)}\b"
        )
    if last - first > _NEWS_REACH:
        return None
    lo, hi = paras[first][0], paras[last][1]
    old = text[seg.start : seg.end]
    punct = old[len(old.rstrip(".,;:?!")) :]
    body = _strip_end(quote.replace("\u2019", "’"))
    if old[:1].islower():
        # A quote the sentence runs into starts in lower case, as the original did.
        body = body[:1].lower() + body[1:]
    before, after = text[lo : seg.start], text[seg.end : hi]
    if names is not None:

        def rename(m: re.Match[str]) -> str:
            return s.full if " " in m.group(0).strip() else s.surname

        before, after = names.sub(rename, before), names.sub(rename, after)
    words = body + punct
    article = before + words + after + "\n"
    claimed: str | None = None
    speaker_kind = {"news_name": "name", "news_pronoun": "pronoun"}.get(kind)
    if speaker_kind is not None:
        claimed = s.full
    elif kind == "news_description":
        claimed, speaker_kind = gold.mention, "description"
    else:
        speaker_kind = "none"
    return NewsArticle(article, len(before), len(before) + len(words), claimed, speaker_kind)


def generate_news(
    corpus_parts: tuple[list[Passage], dict[int, list[Speaker]], Truth],
    news: Path,
    seed: int,
) -> list[Item]:
    """The NEWS_KINDS quotations: a candidate's passage, as transcribed or with a verified-kind
    edit, in the context of a real news article; from a random stream of their own."""
    clean, speakers, truth = corpus_parts
    rng = random.Random(seed * 11 + 7368787)
    by_label = {s.label: s for ss in speakers.values() for s in ss}
    lines = news_lines(news, seed)
    by_length: dict[int, list[Passage]] = defaultdict(list)
    for p in clean:
        by_length[p.words].append(p)
    # Every usable line of the half, so names, pronouns, descriptions and unattributed quotes
    # come in the proportions real copy has them.
    items: list[Item] = []
    for kind, text, gold in [(k, t, g) for k in NEWS_KINDS for t, g in lines[k]]:
        seg = gold.segments[0]
        # A passage about as long as the quoted words it replaces keeps the sentence's shape.
        n = len(text[seg.start : seg.end].split())
        p = rng.choice(by_length[min(by_length, key=lambda k: (abs(k - n), k))])
        edit = rng.choice((t_exact, t_exact, t_case_punct))
        quote = edit(p, rng, truth)
        if quote is None:
            continue
        built = news_article(kind, text, gold, quote, by_label[p.speaker])
        if built is None:
            continue
        items.append(Item(kind, quote, by_label[p.speaker], p, news=built))
    return items


def write(items: Sequence[Item], out: Path, seed: int) -> None:
    """Write DIR/articles/NNNN.txt and DIR/labels.jsonl."""
    rng = random.Random(seed + 7919)
    # Its own stream, so that the named kinds' articles stay what they were.
    rng_evidence = random.Random(seed + 15485863)
    articles = out / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    for old in articles.glob("*.txt"):
        old.unlink()
    lines = []
    for n, item in enumerate(items, 1):
        speaker_kind = "name"
        claimed: str | None
        if item.news is not None:
            news = item.news
            text, start, end = news.text, news.start, news.end
            claimed, speaker_kind = news.claimed, news.speaker_kind
        elif item.kind in EVIDENCE_KINDS:
            text, start, end, claimed, speaker_kind = evidence_article(item, rng_evidence)
        else:
            text, start, end, claimed = article(item.quote, item.speaker, rng)
        name = f"articles/{n:04d}.txt"
        (out / name).write_text(text, encoding="utf-8")
        lines.append(
            {
                "article": name,
                "start": start,
                "end": end,
                "claimed_speaker": claimed,
                "speaker_kind": speaker_kind,
                "expected_verdict": EXPECTED[item.kind],
                # `quoteverify eval` knows only its own keys; `note` is free text it ignores.
                "note": item.kind,
            }
        )
    with (out / "labels.jsonl").open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


# --- scoring -----------------------------------------------------------------------------------

VERDICTS = ("verified", "altered", "misattributed", "not_found", "unattributed")


def _bins(rows: Iterable[tuple[float, bool]]) -> list[tuple[str, int, float, float]]:
    edges = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01]
    groups: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for c, ok in rows:
        k = max(i for i, e in enumerate(edges[:-1]) if c >= e)
        groups[k].append((c, ok))
    out = []
    for k in sorted(groups):
        g = groups[k]
        name = f"[{edges[k]:.2f}, {min(edges[k + 1], 1.0):.2f}{']' if k == len(edges) - 2 else ')'}"
        out.append((name, len(g), sum(c for c, _ in g) / len(g), sum(ok for _, ok in g) / len(g)))
    return out


def score(labels: Sequence[dict[str, object]], findings: Sequence[dict[str, object]]) -> str:
    """Per-verdict precision and recall, accuracy, per-kind accuracy and a calibration table."""
    by_key = {(Path(str(f["file"])).name, f["start"]): f for f in findings}
    pairs = [(lab, by_key.get((Path(str(lab["article"])).name, lab["start"]))) for lab in labels]
    lines = []
    right = sum(1 for lab, f in pairs if f and f["verdict"] == lab["expected_verdict"])
    lines.append(f"quotes: {len(pairs)}   accuracy: {right / max(len(pairs), 1):.4f}")
    groups = (
        ("named kinds", NAMED_KINDS),
        ("evidence kinds", EVIDENCE_KINDS),
        ("news kinds", NEWS_KINDS),
    )
    for title, kinds_of in groups:
        sub = [(lab, f) for lab, f in pairs if lab["note"] in kinds_of]
        ok = sum(1 for lab, f in sub if f and f["verdict"] == lab["expected_verdict"])
        if sub:
            lines.append(f"  {title}: {len(sub)} quotes, accuracy {ok / len(sub):.4f}")
    lines.append(f"missing findings: {sum(1 for _, f in pairs if f is None)}")
    lines.append("")
    lines.append(f"{'verdict':<14} {'precision':>9} {'recall':>7} {'expected':>8} {'predicted':>9}")
    for v in VERDICTS:
        exp = [(lab, f) for lab, f in pairs if lab["expected_verdict"] == v]
        pred = [(lab, f) for lab, f in pairs if f and f["verdict"] == v]
        tp = sum(1 for lab, f in pred if lab["expected_verdict"] == v)
        prec = tp / len(pred) if pred else float("nan")
        rec = tp / len(exp) if exp else float("nan")
        lines.append(f"{v:<14} {prec:>9.4f} {rec:>7.4f} {len(exp):>8} {len(pred):>9}")
    lines.append("")
    lines.append(f"{'kind':<22} {'n':>4} {'right':>6}  wrong verdicts")
    kinds = sorted({str(lab["note"]) for lab, _ in pairs}, key=lambda k: list(EXPECTED).index(k))
    for k in kinds:
        group = [(lab, f) for lab, f in pairs if lab["note"] == k]
        ok = sum(1 for lab, f in group if f and f["verdict"] == lab["expected_verdict"])
        wrong = Counter(
            str(f["verdict"]) if f else "missing"
            for lab, f in group
            if not f or f["verdict"] != lab["expected_verdict"]
        )
        lines.append(f"{k:<22} {len(group):>4} {ok / len(group):>6.3f}  {dict(wrong) or ''}")
    lines.append("")
    lines.append(f"{'confidence bin':<16} {'n':>5} {'mean conf':>9} {'right':>7} {'gap':>6}")
    rows = [
        (float(str(f["confidence"])), f["verdict"] == lab["expected_verdict"])
        for lab, f in pairs
        if f
    ]
    for name, n, mean, acc in _bins(rows):
        flag = "" if n < 20 or abs(mean - acc) <= 0.1 else "  <- off by more than 0.1"
        lines.append(f"{name:<16} {n:>5} {mean:>9.3f} {acc:>7.3f} {acc - mean:>+6.3f}{flag}")
    return "\n".join(lines)


def failures(labels: Sequence[dict[str, object]], findings: Sequence[dict[str, object]]) -> str:
    """One line per wrong verdict: kind, expected, got, similarity, quote and reasons."""
    by_key = {(Path(str(f["file"])).name, f["start"]): f for f in findings}
    out = []
    for lab in labels:
        f = by_key.get((Path(str(lab["article"])).name, lab["start"]))
        if f is None or f["verdict"] != lab["expected_verdict"]:
            got = f["verdict"] if f else "missing"
            sim = f["similarity"] if f else ""
            quote = f["quote"] if f else ""
            reasons = "; ".join(map(str, f["reasons"])) if f else ""  # type: ignore[call-overload]
            out.append(
                f"{lab['article']} {lab['note']}: expected {lab['expected_verdict']}, got {got} "
                f"({sim}) «{quote}» {reasons}"
            )
    return "\n".join(out)


def run_in_process(out: Path, data: str) -> list[dict[str, object]]:
    """Check DIR/articles against the corpus in-process, as `quoteverify check --format jsonl`."""
    from quoteverify.config import Config
    from quoteverify.match import build_index
    from quoteverify.models import DocFormat
    from quoteverify.pipeline import Article, check_article
    from quoteverify.report import finding_record

    corpus, _ = load_corpus([data])
    index = build_index(corpus)
    config = Config()
    records: list[dict[str, object]] = []
    for path in sorted((out / "articles").glob("*.txt")):
        name = path.relative_to(out).as_posix()
        result = check_article(
            Article(name, path.read_text(encoding="utf-8"), DocFormat.TEXT), index, config
        )
        records.extend(finding_record(f) for f in result.findings)
    return records


def band_of(record: dict[str, object]) -> str:
    """The CONFIDENCE_TABLE row of a finding record, rebuilt from its verdict and reasons."""
    from quoteverify.models import Verdict
    from quoteverify.normalise import normalise
    from quoteverify.verdict import evidence_band

    reasons = [str(r) for r in record["reasons"]]  # type: ignore[attr-defined]
    critical = any(r.startswith(("number ", "negation ", "name changed")) for r in reasons)
    return evidence_band(
        Verdict(record["verdict"]),
        len(normalise(str(record["quote"]), quote=True).tokens),
        float(str(record["similarity"])),
        critical=critical,
        in_corpus=not any(r.startswith("speaker not in corpus") for r in reasons),
    )


def fit(labels: Sequence[dict[str, object]], findings: Sequence[dict[str, object]]) -> str:
    """The base rates behind CONFIDENCE_TABLE and the attribution weights.

    Per verdict and evidence band, over findings with a named speaker: findings, right verdicts,
    and (right + 1) / (n + 2). Per attribution kind, over the findings its weight applies to
    (unattributed verdicts for anonymous and none; misattributed and not-found verdicts whose
    claimed speaker holds turns for explicit and pronoun, as verified and altered ones take no
    weight and a speaker outside the corpus has its own band): findings, right verdicts, the
    mean table value of their bands, and the weight that makes their mean confidence their
    smoothed share right (for unattributed verdicts, which have no band, that share itself).
    Then every attribution kind split by whether the corpus agrees with the speaker it was
    resolved to, and by templated or news articles.
    """
    from quoteverify.models import Verdict
    from quoteverify.verdict import CONFIDENCE_TABLE

    by_key = {(Path(str(f["file"])).name, f["start"]): f for f in findings}
    cells: dict[tuple[str, str], list[bool]] = defaultdict(list)
    kinds: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    split: dict[tuple[str, str, str], list[tuple[float, bool]]] = defaultdict(list)
    for lab in labels:
        f = by_key.get((Path(str(lab["article"])).name, lab["start"]))
        if f is None:
            continue
        ok = f["verdict"] == lab["expected_verdict"]
        band = band_of(f)
        attribution = str(f["attribution"])
        if attribution == "explicit":
            cells[(str(f["verdict"]), band)].append(ok)
        base = 1.0 if not band else CONFIDENCE_TABLE[(Verdict(f["verdict"]), band)]
        if f["verdict"] not in ("verified", "altered") and band != "not in corpus":
            kinds[attribution].append((base, ok))
        origin = "news" if str(lab.get("note", "")) in NEWS_KINDS else "templated"
        group = {"verified": "agrees", "altered": "agrees", "unattributed": "-"}.get(
            str(f["verdict"]), "disputes"
        )
        split[(attribution, group, origin)].append((base, ok))
    lines = [f"{'verdict':<14} {'band':<18} {'n':>5} {'right':>5} {'smoothed':>8}"]
    for (verdict, band), oks in sorted(cells.items()):
        n, r = len(oks), sum(oks)
        lines.append(f"{verdict:<14} {band:<18} {n:>5} {r:>5} {(r + 1) / (n + 2):>8.3f}")
    lines.append("")
    lines.append(f"{'attribution':<14} {'n':>5} {'right':>5} {'mean base':>9} {'weight':>6}")
    for attribution, rows in sorted(kinds.items()):
        n, r = len(rows), sum(ok for _, ok in rows)
        base = sum(b for b, _ in rows) / n
        weight = min(1.0, (r + 1) / (n + 2) / base)
        lines.append(f"{attribution:<14} {n:>5} {r:>5} {base:>9.3f} {weight:>6.3f}")
    lines.append("")
    lines.append(
        f"{'attribution':<14} {'corpus':<9} {'articles':<10} {'n':>5} {'right':>5} {'mean base':>9}"
    )
    for (attribution, group, origin), rows in sorted(split.items()):
        n, r = len(rows), sum(ok for _, ok in rows)
        base = sum(b for b, _ in rows) / n
        lines.append(f"{attribution:<14} {group:<9} {origin:<10} {n:>5} {r:>5} {base:>9.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate a verification set, or score findings against one."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "debates-dev"))
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-kind", type=int, default=100)
    ap.add_argument("--score", type=Path, help="a jsonl report of DIR/articles to score")
    ap.add_argument("--run", action="store_true", help="check DIR/articles in-process and score")
    ap.add_argument("--failures", action="store_true", help="list every wrong verdict")
    ap.add_argument("--fit", action="store_true", help="print base rates per evidence band")
    ap.add_argument("--min-words", type=int, default=4)
    ap.add_argument(
        "--news",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "polnear-train",
        help="PolNeAR folder for the NEWS_KINDS (`none` leaves them out)",
    )
    args = ap.parse_args(argv)
    if args.score or args.run:
        labels = [
            json.loads(x) for x in (args.out / "labels.jsonl").read_text("utf-8").splitlines()
        ]
        if args.score:
            text = args.score.read_text(encoding="utf-8")
            findings = [json.loads(x) for x in text.splitlines() if x.strip()]
        else:
            t0 = time.perf_counter()
            findings = run_in_process(args.out, args.data)
            print(f"checked in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        print(fit(labels, findings) if args.fit else score(labels, findings))
        if args.failures:
            print()
            print(failures(labels, findings))
        return 0
    t0 = time.perf_counter()
    news = None if str(args.news) == "none" else args.news
    items = generate(args.data, args.seed, args.per_kind, news=news)
    write(items, args.out, args.seed)
    counts = Counter(EXPECTED[i.kind] for i in items)
    print(
        f"{len(items)} quotes in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
