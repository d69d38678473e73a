"""Speaker attribution and speech/scare classification measured on PolNeAR (train split).

    python bench/attribution.py [--data ../shared/data/polnear-train] [--json OUT]
                                [--half all|even|odd] [--gold v1|v2]

Reads the data at run time (never copy it into the repository). Two measurements:

Speakers. Each annotated attribution of quotes.jsonl becomes one Quote (its quoted segments as
parts, in order), so extraction errors do not interfere; every other quotation the extractor finds
in the article is attributed with them (as the pipeline does) but not scored. The annotated
speaker mention is sorted into a class:

* name: the mention ends in a run of capitalised words (`Trump`, `House Speaker Paul Ryan`); the
  gold name is that run, at most three words, leading titles removed (`Paul Ryan`);
* org: a name that is an organisation (all capitals, or ending in News, Campaign, ...);
* pronoun: he, she, they (him, her, his, them). Gold is an approximation of coreference: the gold
  name of the most recent preceding annotated *name* mention in the same article (by offset);
  lines with no preceding name are left out of the score;
* relative: who, which, that (resolved like pronouns, reported apart);
* description (`a campaign spokesman`, `the statement`), none (no annotated source).

Three gold definitions (`--gold`; the speaker figures under all three are printed so nothing is
hidden):

* v1, the first approximation: as above.
* v2, closer to what the annotators meant, checked by hand on samples of the lines
  where it differs from v1:
  - name mentions: `to` also ends the name part (`a longtime adviser to Trump` is a description,
    not Trump); when the part before `of`/`to`/... is titles only (`Former Secretary of State
    Madeleine Albright`, `Speaker of the House Rep. Paul Ryan`), the last name run of the whole
    mention counts; a few more leading titles are removed (`Rabbi`, `Democrat`, `Advocate`, ...);
    a lone capitalised word the article also writes in lowercase and never capitalises inside a
    sentence (`Supporters`, `Aides`, `Some`) is a description, and so is a lone party word after
    a determiner (`one senior Democrat`).
  - pronouns he/she (and him/his/her): the gold is the article's annotated speaker (a v2 gold
    name of a name line) whose name was written last before the pronoun, anywhere in the text
    (`Sanders says the U.S. ... He says` is Sanders even though `Sanders says` holds no
    quotation and is not in quotes.jsonl). Only names that may be a clause's subject count: not
    after a preposition or a verb (`with Clinton`, `endorsed Clinton`), not possessives
    (`Clinton’s aides`) nor modifiers (`the Clinton campaign`); a surname two speakers share
    counts for the one last written in full. Speakers of the other gender are skipped where the
    article tells it: the first name (a short list of common ones), `Mr.`/`Mrs.`/`Ms.`, or the
    article's own `<surname> said (that) he/she`. When no such speaker precedes, the v1 gold
    stays. they/them and the relatives keep the v1 rule.
* v3 (default): v2, but the candidate antecedents of he/she are all the people the article
  names, not only its annotated speakers. PolNeAR marks the pronoun, not its referent, so a
  person quoted only through `he`/`she` (`Edward D. Kleinbard, former chief of staff ...,
  agreed ... “…,” he said.`) was never a v2 candidate and the gold fell back to an earlier,
  unrelated speaker. Hand-checked on samples of the changed lines (see bench/README.md):
  - more people: a full name (two to four capitalised words and initials, titles and
    sentence-opening words removed) counts when the article shows it is a person's: a common
    first name, a personal title before it (`Sen.`, `Mrs.`), or its surname alone reporting
    speech elsewhere (`Ebeling said`). A surname an annotated speaker has is left to that
    speaker. These extra people count only where they open a clause: at a sentence start,
    after a conjunction or an inverted `said`, or after a comma when a verb follows, and never
    before a preposition or `and`;
  - names inside quotations (annotated segments, and double-quoted runs within a paragraph)
    are no antecedents of the narration;
  - `Sanders` and `Bernie Sanders` are one speaker: a surname is shared only by full names
    with different first names (`Bill Clinton`, `Hillary Clinton`);
  - a capitalised word with a full stop ends a sentence (`... Gov. Scott Walker. Corey
    Lewandowski said`), unless it is a title or an initial.

Correct means `same_person(our speaker, gold name)`; an outlet or organisation we give as a
description counts when the description is the gold name (`Politico reported` is Politico; v2
only). "name" is the accuracy on name lines; "all" on name lines plus resolvable pronoun lines.
The same is measured through the real extractor: an annotated attribution is matched to the
extracted quote that covers at least 80% of its first segment and lies at least 80% inside its
segments; unmatched attributions count as wrong.

Classification. Every extracted quote is classified SPEECH or SCARE. An extracted quote is
"annotated" when at least 80% of its characters lie in quotes.jsonl segments. Annotated quotes
classified SCARE are lost recall; unannotated ones classified SPEECH are false positives (a lower
bound on precision: the annotators missed some quotations). Precision and recall are at 80%
overlap: an annotated line is recalled when a SPEECH quote covers 80% of it.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quoteverify.attribute import attribute
from quoteverify.classify import classify
from quoteverify.extract import extract, load_document
from quoteverify.models import (
    Attribution,
    BlockKind,
    DocFormat,
    Document,
    Quote,
    QuoteKind,
    QuotePart,
    Span,
)
from quoteverify.normalise import same_person

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear-train"
PRONOUNS = frozenset({"he", "she", "they", "him", "her", "his", "them"})
RELATIVES = frozenset({"who", "which", "that"})
TITLES = frozenset(
    str.split("""
    Mr Mrs Ms Dr President Vice Prime Minister Senator Sen Rep Gov Governor Secretary Speaker
    Chairman Chairwoman Director Chief Judge Justice Mayor Ambassador General Gen Leader Press
    Attorney Deputy Foreign State Former Candidate Nominee Sheriff Commissioner Chancellor
    Representative Congressman Congresswoman Pastor Rev Reverend Majority Minority Whip""")
)
# v2: leading words of a name mention that are titles or party labels too.
TITLES_V2 = TITLES | frozenset(
    str.split("""
    Rabbi Democrat Republican Advocate Secretary-Treasurer Host Co-host Father Pope Cardinal
    Bishop Professor Prof Lt Col Adm Sgt Capt Officer Executive Ranking Chair""")
)
GROUP_WORDS = frozenset(
    str.split("""
    Democrat Democrats Republican Republicans GOPer GOPers Conservative Conservatives Liberal
    Liberals Independent Independents Evangelical Evangelicals American Americans""")
)
PREPOSITIONS = frozenset(
    str.split("""
    with about against for from at on in into over toward towards than like of by between
    among without behind under to""")
)
# Present-tense verbs whose object a following name is (past tenses end in -ed).
OBJECT_VERBS = frozenset(
    str.split("""
    support supports back backs beat beats attack attacks call calls praise praises blast
    blasts defend defends endorse endorses criticize criticizes slam slams hit hits met meet
    meets told tell tells asked ask asks thank thanks join joins face faces""")
)
# Nouns a name modifies (`the Clinton campaign`): no antecedent of a pronoun.
MODIFIED = frozenset(
    str.split("""
    campaign campaigns supporters supporter aides aide administration camp rally rallies team
    foundation voters fans allies staff backers surrogates spokesman spokeswoman adviser
    advisers era years presidency victory win loss""")
)
SAID = r"(?:said|says|added|insisted|argued|claimed|noted|explained|told\s+\w+)"
# Common first names, to tell he from she where the article names the person in full.
MALE_NAMES = frozenset(
    str.split("""
    Donald Bernie Bernard Ted Marco Jeb John Ben Chris Christopher Mike Michael Paul Rand Barack
    Joe Joseph Bill William Tim Timothy Rick Richard Scott Jim James Bob Robert David Dave Tom
    Thomas Mark Steve Steven Stephen Jeff Jeffrey Brian Kevin Jason Matt Matthew Dan Daniel
    George Jack Harry Peter Andrew Ron Ronald Lindsey Mitch Reince Newt Rudy Corey Kellyanne
    Eric Frank Gary Greg Larry Martin Patrick Sean Charles Charlie Ed Edward Al Roger Ryan
    Jonathan Josh Joshua Adam Alex Tony Anthony Nick Sam Samuel Fred Jerry Dennis Doug Howard
    Carl Kenneth Ken Keith Lawrence Ray Walter Wayne Carlos Jose Juan Luis Francis Mohammed
    Muhammad Ahmed Omar Vladimir Benjamin Bobby Jimmy Johnny Tommy Billy Philip Phil Henry
    Arthur Harold Lou Leon Elijah Chuck Orrin Lamar Marty Raul Trey Mick Darrell Jesse""")
) - {"Kellyanne"}
FEMALE_NAMES = frozenset(
    str.split("""
    Hillary Carly Elizabeth Nancy Sarah Michelle Melania Ivanka Kellyanne Hope Huma Jennifer
    Debbie Donna Mary Patricia Linda Barbara Susan Karen Lisa Betty Helen Sandra Ashley Kimberly
    Emily Amy Anna Angela Melissa Rebecca Laura Sharon Cynthia Kathleen Katie Kate Katherine
    Catherine Amanda Stephanie Nicole Rachel Heather Julie Julia Megyn Maxine Dianne Diane
    Kelly Kirsten Claire Tammy Maggie Maria Marie Ruth Sonia Elena Loretta Condoleezza
    Madeleine Jill Jane Joan Janet Jessica Caroline Christine Christina Margaret Ann Anne Alice
    Kristen Lauren Meghan Tulsi Joni Kelly Shelley Cecile Rosie Gina Zoe Theresa Angela Marine
    Samantha Sheryl Cheryl Jeanne Connie Marsha Chelsea Abby Gloria Robin Kathy Val Valerie""")
)
ORG_ENDS = frozenset(
    str.split("""
    News Campaign Committee Party Post Times Journal Network Magazine Foundation Institute
    Association Council Department Administration Group Center Centre Project Inc Co Corp
    Media Report Review Office Agency Bureau Union Coalition Action PAC Fund Poll House""")
)
NAME_WORD = re.compile(r"^(?:[A-Z][\w’'.\-]*|de|van|von|del|la|le|al|bin)$")
OVERLAP = 0.8
GOLD_VERSIONS = ("v1", "v2", "v3")


@dataclass(frozen=True)
class Gold:
    """One annotated attribution with quotes: its segments and the speaker it is scored on."""

    article: str
    segments: tuple[Span, ...]
    mention: str | None
    mention_start: int
    cls: str  # name, org, pronoun, relative, description, none
    name: str | None  # the gold name scored against (None: not scored)
    cue: str | None


def gold_name(mention: str, text: str = "", *, version: str = "v2") -> tuple[str, str | None]:
    """(class, gold name) of an annotated speaker mention (text: the article, for v2).

    An apposition counts by its name: `Jeff Weaver, Sanders’ campaign manager,` and `Sanders’
    campaign manager, Jeff Weaver,` are both `Jeff Weaver`; `(D-Nev.)` and what follows `who`,
    `of`, `from` ... are left out.
    """
    version = "v2" if version == "v3" else version  # v3 differs from v2 on pronouns only
    lower = mention.casefold().strip()
    if lower in PRONOUNS:
        return "pronoun", None
    if lower in RELATIVES:
        return "relative", None
    cleaned = re.sub(r"\([^)]*\)", " ", mention)
    pieces = [p.strip() for p in cleaned.split(",") if p.strip()]
    first = _piece(pieces[0], version) if pieces else ("description", None)
    if first[0] == "description":
        for piece in pieces[1:]:
            words = piece.split()
            if words and all(NAME_WORD.match(w) for w in words):
                first = _piece(piece, version)
                break
    if version == "v2" and first[0] == "name" and first[1] is not None:
        name = first[1]
        words = cleaned.split()
        if " " not in name and (name in GROUP_WORDS or (text and _common_noun(name, text))):
            return "description", None
    return first


def _common_noun(word: str, text: str) -> bool:
    """A capitalised word the article also writes in lowercase and never capitalises inside a
    sentence: `Supporters`, `Aides`, not `Trump` nor (the person) `From`."""
    w = re.escape(word)
    return (
        re.search(rf"\b{w.lower()}\b", text) is not None
        and re.search(rf"[a-z,]\s+{w}\b", text) is None
    )


def _piece(piece: str, version: str = "v2") -> tuple[str, str | None]:
    """(class, gold name) of one comma-separated piece of a mention."""
    whole = piece
    ends = "who|which|of|from|at|in|with|for|on" + ("|to" if version == "v2" else "")
    piece = re.split(rf"\s(?:{ends})\s", piece)[0]
    if version == "v2":
        titles_only = all(w.rstrip(".") in TITLES_V2 for w in piece.split())
        if titles_only:
            # `Former Secretary of State Madeleine Albright`: the name is after the `of`
            piece = re.split(r"\s(?:who|which)\s", whole)[0]
    words = piece.split()
    run: list[str] = []
    for w in reversed(words):
        if NAME_WORD.match(w) and not w.endswith(("’s", "'s", "’")):
            run.insert(0, w)
        else:
            break
    if not run or run[-1].casefold() in PRONOUNS | {"i", "it", "we", "you"}:
        return "description", None
    if len(run) < len(words) and words[len(words) - len(run) - 1].casefold() in (
        "the",
        "a",
        "an",
    ):
        return "description", None
    if run[-1].isupper() or run[-1] in ORG_ENDS or run[0] == "The":
        return "org", " ".join(run)
    if version == "v2" and run[0] in ("A", "An", "One", "Another", "Some", "Two", "Three"):
        return "description", None  # `Another Muslim`, `One Democrat`
    run = run[-3:]
    titles = TITLES_V2 if version == "v2" else TITLES
    while len(run) > 1 and run[0].rstrip(".") in titles:
        run = run[1:]
    return "name", " ".join(run)


def load_gold(data: Path, version: str = "v2") -> dict[str, list[Gold]]:
    """The annotated attributions of each article, with pronoun lines resolved."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = collections.defaultdict(list)
    with (data / "quotes.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            groups[(row["article"], row["attribution_id"])].append(row)
    out: dict[str, list[Gold]] = collections.defaultdict(list)
    texts: dict[str, str] = {}
    for (article, _), rows in groups.items():
        rows.sort(key=lambda r: r["start"])
        first = rows[0]
        mention = first["speaker_mention"]
        if version != "v1" and article not in texts:
            texts[article] = (data / article).read_text(encoding="utf-8")
        text = texts.get(article, "")
        cls, name = ("none", None) if mention is None else gold_name(mention, text, version=version)
        out[article].append(
            Gold(
                article=article,
                segments=tuple(Span(r["start"], r["end"]) for r in rows),
                mention=mention,
                mention_start=first["speaker_start"] if mention is not None else -1,
                cls=cls,
                name=name,
                cue=first["cue"],
            )
        )
    for article, golds in out.items():
        named = sorted((g.mention_start, g.name) for g in golds if g.cls == "name")
        written = _written(texts[article], golds, version) if version != "v1" else []
        resolved: list[Gold] = []
        for g in golds:
            if g.cls in ("pronoun", "relative"):
                before = [n for s, n in named if s < g.mention_start]
                name = before[-1] if before else None
                gender = GENDER.get((g.mention or "").casefold())
                if version != "v1" and gender is not None:
                    name = _last_written(written, g.mention_start, gender) or name
                g = Gold(**{**g.__dict__, "name": name})
            resolved.append(g)
        out[article] = sorted(resolved, key=lambda g: g.segments[0].start)
    return dict(out)


GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}


@dataclass(frozen=True)
class Written:
    """Where the article writes the name of one of its annotated speakers."""

    start: int
    name: str
    gender: str | None


def _written(text: str, golds: Sequence[Gold], version: str = "v2") -> list[Written]:
    """Every place the article writes an annotated speaker's surname, as a candidate antecedent.

    Only a clause's subject counts: not a name after a verb or a preposition (`endorsed
    Clinton`, `with Clinton`), in a possessive (`Clinton’s aides`) or modifying a noun (`the
    Clinton campaign`); those are seldom what a following he/she refers to.
    """
    names = {g.name for g in golds if g.cls == "name" and g.name}
    quoted: list[tuple[int, int]] = []
    extra: set[str] = set()
    if version == "v3":
        extra = _persons(text, names)
        names |= extra
        quoted = sorted((s.start, s.end) for g in golds for s in g.segments)
        quoted += [m.span() for m in QUOTED.finditer(text)]
    by_surname: dict[str, list[str]] = collections.defaultdict(list)
    for name in sorted(names):
        by_surname[name.split()[-1]].append(name)
    out: list[Written] = []
    for name in sorted(names):
        surname = name.split()[-1]
        gender = _gender(text, name)
        shared = len(by_surname[surname]) > 1
        if version == "v3":
            # v3: `Sanders` and `Bernie Sanders` are one speaker; only different first names
            # (`Bill Clinton`, `Hillary Clinton`) make a surname shared
            shared = len({n.split()[0] for n in by_surname[surname] if " " in n}) > 1
        for m in re.finditer(rf"(?<![\w’'-]){re.escape(surname)}(?![\w-])", text):
            if any(a <= m.start() < b for a, b in quoted):
                continue  # v3: a name inside a quotation is no antecedent of the narration
            after = text[m.end() : m.end() + 2]
            if after in ("’s", "'s") or after[:1] in ("’", "'"):
                continue
            nxt = re.match(r"\s+(\w+)", text[m.end() : m.end() + 30])
            if nxt is not None and nxt.group(1) in MODIFIED:
                continue  # `the Clinton campaign`, `Trump supporters`
            if shared and not _written_in_full(text, m.start(), name):
                continue  # `Clinton` where the article quotes both Hillary and Bill Clinton
            # `Hillary Clinton`: the word before is part of the name, look before it
            lead = text[max(m.start() - 80, 0) : m.start()].split()
            # `Hillary Clinton`, `Sen. Bernie Sanders`: the name's own words
            while lead and lead[-1][:1].isupper() and lead[-1][-1] not in ',;:)”"':
                if version == "v3" and _ends_sentence(lead[-1]):
                    break  # v3: `... Gov. Scott Walker. Corey Lewandowski said`
                lead.pop()
            # a clause's subject, not the object of a verb or a preposition (`endorsed
            # Clinton`, `support Sanders`, `with Clinton`); `consultant Wilson` is a subject
            word = lead[-1] if lead else "."
            if name in extra and not _opens_clause(word, text[m.end() : m.end() + 100]):
                continue  # v3: a name never annotated as a speaker counts where it opens a clause
            if word in PREPOSITIONS or (word.isalpha() and word in OBJECT_VERBS):
                continue
            if word.isalpha() and word.islower() and word.endswith("ed"):
                continue
            out.append(Written(m.start(), name, gender))
    out.sort(key=lambda w: (w.start, w.name))
    return out


# A quotation in double marks within one paragraph.
QUOTED = re.compile(r"[“\"][^“”\"\n]*[”\"]")
# A run of capitalised words and initials: a full name where the article shows it is a person's.
CAPITALISED_RUN = re.compile(
    r"(?<![\w’'.-])(?:[A-Z][a-z]+\.?|[A-Z]\.)(?:\s+(?:[A-Z][\w’'-]*[a-z]|[A-Z]\.))+(?![\w’'-])"
)
PERSON_TITLES = frozenset(
    str.split("""
    Mr Mrs Ms Miss Dr Sen Senator Rep Representative Gov Governor President Congressman
    Congresswoman Mayor Judge Justice Secretary Pastor Rev Reverend Rabbi Professor Prof""")
)
ABBREVIATIONS = frozenset(str.split("Mr Mrs Ms Dr Sen Rep Gov Gen Lt Col St Jr Sr Rev Prof Capt"))
# Capitalised words that start sentences or name days, never a first name or a surname.
NOT_NAMES = frozenset(
    str.split("""
    The A An But And Or So If When While As After Before In On At For With From Of By To Since
    Because Although Though Then Now Also Yet Still This That These Those His Her Their Its Our
    It He She They We I You What Who Why How Where Monday Tuesday Wednesday Thursday Friday
    Saturday Sunday January February March April May June July August September October
    November December Al New North South East West San Santa Los Las Fort Port Mount Saint St
    United Great Had Has Have Is Was Were Did Does Do Should Would Could Will Can""")
)
# Words that may stand right before a clause's subject: `, Brown said`, `and Brown said`.
SUBJECT_LEADS = frozenset(
    str.split("""
    but when while after before because since if though although said says added told then
    so yet""")
)


def _ends_sentence(word: str) -> bool:
    """A word with a full stop that ends a sentence: not a title (`Sen.`) nor an initial (`D.`)."""
    bare = word.rstrip(".")
    return word.endswith(".") and len(bare) > 1 and bare not in TITLES_V2 | ABBREVIATIONS


def _opens_clause(before: str, after: str) -> bool:
    """v3: whether a name between the word before and the text after is a clause's subject.

    It opens a sentence or follows a conjunction or an inverted `said`, and no preposition or
    conjunction follows it (`“…” Trump in that passage`, `Trump and Cruz`); after a comma a
    verb must follow at once (`, Cruz said`, not `his manager, Corey Lewandowski, and`).
    """
    nxt = re.match(r"\s*([\w’'-]+|\S)", after)
    word = nxt.group(1) if nxt else ""
    if word in PREPOSITIONS or word in ("and", "or", "of"):
        return False
    if before[-1] == ",":
        if word == ",":
            # `The group’s director, Betty Bradley, said`: a verb follows the apposition
            rest = re.match(r"\s*,[^,.;:!?]{0,60},\s*([\w’'-]+)", after)
            return (
                rest is not None and rest.group(1).islower() and rest.group(1) not in ("and", "or")
            )
        return word.isalpha() and word.islower()
    if before.lower() in ("said", "says", "added", "told"):
        # `, said James Henson.` is inverted; `He said Mateen “has …”` reports what Mateen did
        return word in (",", ".", ";", ":")
    return before[-1] in '.;:!?)”"' or before.lower() in SUBJECT_LEADS


def _persons(text: str, speakers: set[str]) -> set[str]:
    """v3: the people an article names in full besides its annotated speakers.

    A full name counts when the article shows it is a person's: a common first name (`Edward D.
    Kleinbard`), a personal title right before it (`Sen. Cory Booker`), or its surname alone
    reporting speech elsewhere (`Ebeling said`, `said Ebeling`).
    """
    out: set[str] = set()
    for m in CAPITALISED_RUN.finditer(text):
        words = m.group().split()
        titled = False
        # `House Speaker Paul D. Ryan`: the name follows the last title
        cut = max((i + 1 for i, w in enumerate(words) if w.rstrip(".") in TITLES_V2), default=0)
        titled = any(w.rstrip(".") in PERSON_TITLES for w in words[:cut])
        words = words[cut:]
        while words and (words[0] in NOT_NAMES or words[0] in GROUP_WORDS):
            words.pop(0)
        if len(words) < 2 or len(words) > 4 or words[0].endswith("."):
            continue
        if any(w in NOT_NAMES or w.endswith(("’s", "'s")) for w in words):
            continue
        if words[-1] in ORG_ENDS | GROUP_WORDS | TITLES_V2:
            continue
        name = " ".join(words)
        surname = re.escape(words[-1])
        first_name = words[0] in MALE_NAMES | FEMALE_NAMES
        reports = re.search(
            rf"(?<![\w’'-])(?:{surname},?\s+{SAID}|said\s+{surname})(?![\w’'-])", text
        )
        if not (titled or first_name or reports):
            continue
        if words[-1] in {s.split()[-1] for s in speakers}:
            continue  # an annotated speaker's surname: the annotation tells who it is
        out.add(name)
    return out


def _written_in_full(text: str, pos: int, name: str) -> bool:
    """Whether the surname at pos belongs to name: written with its first name there, or the
    last full name with this surname written before pos is name."""
    words = name.split()
    if len(words) < 2:
        return False
    surname = re.escape(words[-1])
    last = None
    for m in re.finditer(rf"\b([A-Z][\w.]*)\s+{surname}\b", text[: pos + len(words[-1])]):
        if m.group(1) not in TITLES_V2:
            last = m.group(1)
    return last == words[0]


def _gender(text: str, name: str) -> str | None:
    """m or f when the article tells a speaker's gender unambiguously, else None.

    Evidence in order: the first name of the gold name, titles (`Mr.`, `Mrs.`), a first name
    written before the surname, then the article's `<surname> said (that) he/she`.
    """
    words = name.split()
    surname = re.escape(words[-1])
    steps: list[set[str]] = [set(), set(), set()]
    if len(words) > 1:
        steps[0] |= {"m"} if words[0] in MALE_NAMES else set()
        steps[0] |= {"f"} if words[0] in FEMALE_NAMES else set()
    for m in re.finditer(rf"\b(Mr|Mrs|Ms|Miss)\.?\s+(?:[A-Z][\w.]*\s+)*{surname}\b", text):
        steps[0].add("m" if m.group(1) == "Mr" else "f")
    for m in re.finditer(rf"\b([A-Z][a-z]+)\s+{surname}\b", text):
        if m.group(1) in MALE_NAMES:
            steps[1].add("m")
        elif m.group(1) in FEMALE_NAMES:
            steps[1].add("f")
    for m in re.finditer(rf"\b{surname},?\s+{SAID}\s+(?:that\s+)?(he|she)\b", text):
        steps[2].add("m" if m.group(1) == "he" else "f")
    for votes in steps:
        if len(votes) == 1:
            return votes.pop()
        if votes:
            return None
    return None


def _last_written(written: Sequence[Written], pos: int, gender: str) -> str | None:
    """The speaker written last before pos whose gender does not contradict the pronoun's."""
    for w in reversed(written):
        if w.start >= pos:
            continue
        if w.gender is None or w.gender == gender:
            return w.name
    return None


def heading_at(doc: Document, pos: int) -> bool:
    """Whether offset pos lies in a heading block."""
    return any(b.kind is BlockKind.HEADING and b.span.start <= pos < b.span.end for b in doc.blocks)


def gold_quote(doc: Document, g: Gold) -> Quote:
    """The Quote an annotated attribution stands for."""
    parts = tuple(QuotePart(doc.text[s.start : s.end], s) for s in g.segments)
    return Quote(parts=parts, headline=heading_at(doc, g.segments[0].start))


def chars(spans: Iterable[Span]) -> set[int]:
    """The character offsets spans cover."""
    return {i for s in spans for i in range(s.start, s.end)}


def quote_chars(q: Quote) -> set[int]:
    """The quoted characters of a quote, without white space."""
    return chars(p.span for p in q.parts)


@dataclass
class Tally:
    """Correct and total per class, and the error patterns."""

    right: collections.Counter[str]
    total: collections.Counter[str]
    kinds: collections.Counter[str]
    errors: collections.Counter[str]
    examples: dict[str, list[str]]

    @classmethod
    def new(cls) -> Tally:
        """An empty tally."""
        c = collections.Counter
        return cls(c(), c(), c(), c(), {})


def context(text: str, g: Gold, a: Attribution) -> str:
    """A short view of an error: the end of the quote, what follows, and both speakers."""
    s, e = g.segments[0].start, g.segments[-1].end
    lo = max(min(s, g.mention_start if g.mention_start >= 0 else s) - 60, 0)
    hi = min(max(e, g.mention_start) + 60, len(text))
    view = text[lo:hi]
    if e - s > 60:
        view = text[lo:s] + text[s : s + 25] + "…" + text[e - 25 : hi]
    return " ".join(view.split())


def score(
    tally: Tally,
    text: str,
    g: Gold,
    a: Attribution | None,
    *,
    keep_examples: bool = True,
    described: bool = True,
) -> None:
    """Count one annotated attribution (described: a description equal to the gold name counts,
    the v2 rule)."""
    kind = "missed" if a is None else a.kind.value
    tally.kinds[f"{g.cls}/{kind}"] += 1
    if g.name is None or g.cls not in ("name", "pronoun", "relative", "org"):
        return
    tally.total[g.cls] += 1
    tally.total[f"cue:{g.cls}:{cue_class(g.cue)}"] += 1
    contest = f"rivals:{g.cls}:" + ("-" if a is None else rivals_class(a))
    tally.total[contest] += 1
    ok = a is not None and (
        (a.speaker is not None and same_person(a.speaker, g.name))
        or (g.cls == "org" and g.name.casefold() in (a.description or a.speaker or "").casefold())
        or (
            described
            and a.description is not None
            and _bare_org(a.description) == _bare_org(g.name)
        )
    )
    if ok:
        tally.right[g.cls] += 1
        tally.right[f"cue:{g.cls}:{cue_class(g.cue)}"] += 1
        tally.right[contest] += 1
        return
    if a is None:
        return
    ours = a.kind.value if a.speaker is None else f"{a.kind.value}:other"
    pattern = f"{g.cls} cue={cue_class(g.cue)} -> ours {ours} cue={a.cue}"
    tally.errors[pattern] += 1
    if keep_examples:
        ex = tally.examples.setdefault(pattern, [])
        if len(ex) < 3:
            ex.append(f"[{a.speaker or a.description} vs {g.name}] {context(text, g, a)}")


def rivals_class(a: Attribution) -> str:
    """How contested our resolution was: `named` (no reference resolved), `0`, `1`, `2+`."""
    if a.kind.value != "pronoun":
        return a.kind.value
    return str(a.rivals) if a.rivals < 2 else "2+"


def _bare_org(name: str) -> str:
    """An organisation's name compared: case and a leading `the` ignored."""
    words = name.casefold().split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


CUES = ("said", "says", "told", "according to", "wrote", "added", "tweeted", "asked", "called")


def cue_class(cue: str | None) -> str:
    """The annotated cue, grouped."""
    if cue is None:
        return "none"
    c = cue.casefold()
    for k in CUES:
        if k in c:
            return k
    return "other"


@dataclass
class Confusion:
    """Speech/scare classification of extracted quotes against the annotation."""

    gold_speech: int = 0
    gold_scare: int = 0
    lost: int = 0  # annotated, classified SCARE
    false_speech: int = 0  # unannotated, classified SPEECH
    lines: int = 0
    recalled_all: int = 0  # annotated lines covered by any extracted quote
    recalled_speech: int = 0  # ... by a SPEECH one
    one_word_lost: int = 0
    one_word_false: int = 0
    single: int = 0  # quotes in single marks (never annotated: out of the annotation's scope)
    single_speech: int = 0  # ... classified SPEECH


def overlap_ok(a: set[int], b: set[int]) -> bool:
    """Whether b covers at least OVERLAP of a."""
    return bool(a) and len(a & b) >= OVERLAP * len(a)


def run_article(
    data: Path,
    golds: Sequence[Gold],
    gold_tally: Tally,
    ext_tally: Tally,
    conf: Confusion,
    lost: list[str],
    false: list[str],
    *,
    described: bool = True,
    also: Sequence[tuple[Sequence[Gold], Tally, bool]] = (),
) -> None:
    """Score one article in both modes and classify its extracted quotes; `also` are the same
    attributions under other gold definitions (golds, tally, described), scored on gold spans."""
    text = (data / golds[0].article).read_text(encoding="utf-8")
    doc = load_document(text, DocFormat.TEXT)
    extracted = list(extract(doc).quotes)
    gold_chars = chars(s for g in golds for s in g.segments)

    # gold spans, with the unannotated extracted quotes alongside (masked, not scored)
    gquotes = [gold_quote(doc, g) for g in golds]
    extra = [q for q in extracted if not (quote_chars(q) & gold_chars)]
    allq = sorted(gquotes + extra, key=lambda q: q.span.start)
    attrs = dict(zip((id(q) for q in allq), attribute(doc, allq), strict=True))
    for g, q in zip(golds, gquotes, strict=True):
        score(gold_tally, text, g, attrs[id(q)], described=described)
    for other, tally, other_described in also:
        for g, q in zip(other, gquotes, strict=True):
            assert g.segments == tuple(p.span for p in q.parts)
            score(tally, text, g, attrs[id(q)], keep_examples=False, described=other_described)

    # through the extractor
    eattrs = attribute(doc, extracted)
    kinds = classify(doc, extracted, eattrs)
    echars = [quote_chars(q) for q in extracted]
    for g in golds:
        # the extracted quote holding 80% of the attribution's first segment, itself 80% inside
        # the attribution's segments (a quote the attribution resumes later is another quote)
        first, gc = chars(g.segments[:1]), chars(g.segments)
        match = next(
            (
                i
                for i, ec in enumerate(echars)
                if overlap_ok(first, ec) and len(ec & gc) >= OVERLAP * len(ec)
            ),
            None,
        )
        a = None if match is None else eattrs[match]
        score(ext_tally, text, g, a, keep_examples=False, described=described)
    speech_chars = chars(
        p.span
        for q, k in zip(extracted, kinds, strict=True)
        if k is QuoteKind.SPEECH
        for p in q.parts
    )
    all_chars = chars(p.span for q in extracted for p in q.parts)
    for g in golds:
        for s in g.segments:
            sc = chars([s])
            conf.lines += 1
            conf.recalled_all += overlap_ok(sc, all_chars)
            conf.recalled_speech += overlap_ok(sc, speech_chars)
    for q, ec, k in zip(extracted, echars, kinds, strict=True):
        annotated = overlap_ok(ec, gold_chars)
        if opening_mark(text, q) in "‘'":
            # PolNeAR's quotes.jsonl only pairs double marks: single ones are scored apart
            conf.single += 1
            conf.single_speech += k is QuoteKind.SPEECH
            continue
        one = len(q.text.split()) == 1
        near = " ".join(text[max(q.span.start - 70, 0) : q.span.end + 30].split())
        view = f"{golds[0].article[9:40]}: …{near}"
        if annotated:
            conf.gold_speech += 1
            if k is QuoteKind.SCARE:
                conf.lost += 1
                conf.one_word_lost += one
                lost.append(view)
        else:
            conf.gold_scare += 1
            if k is QuoteKind.SPEECH:
                conf.false_speech += 1
                conf.one_word_false += one
                false.append(view)


def opening_mark(text: str, q: Quote) -> str:
    """The quotation mark that opens a quote."""
    i = q.parts[0].span.start - 1
    while i > 0 and text[i].isspace():
        i -= 1
    return text[i] if i >= 0 else ""


def pct(a: int, b: int) -> str:
    """a/b as a percentage string."""
    return f"{a / b:.3f} ({a}/{b})" if b else "n/a"


def accuracy(t: Tally) -> dict[str, Any]:
    """The headline accuracies of a tally."""
    name = (t.right["name"], t.total["name"])
    both = (t.right["name"] + t.right["pronoun"], t.total["name"] + t.total["pronoun"])
    return {
        "name": name[0] / max(name[1], 1),
        "name_n": name[1],
        "all": both[0] / max(both[1], 1),
        "all_n": both[1],
        "pronoun": t.right["pronoun"] / max(t.total["pronoun"], 1),
        "relative": t.right["relative"] / max(t.total["relative"], 1),
        "org": t.right["org"] / max(t.total["org"], 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--errors", type=int, default=30, help="error patterns to print")
    ap.add_argument("--show", choices=("patterns", "lost", "false"), default="patterns")
    ap.add_argument("--gold", choices=GOLD_VERSIONS, default="v3", help="gold definition")
    ap.add_argument(
        "--half",
        choices=("all", "even", "odd"),
        default="all",
        help="score the even- or odd-numbered articles only (in sorted order): develop on one"
        " half, check on the other",
    )
    args = ap.parse_args(argv)
    golds = {v: load_gold(args.data, v) for v in GOLD_VERSIONS}
    if args.half != "all":
        keep = 0 if args.half == "even" else 1
        for v, gold in golds.items():
            golds[v] = {a: g for i, (a, g) in enumerate(sorted(gold.items())) if i % 2 == keep}
    gold = golds[args.gold]
    others = {v: Tally.new() for v in GOLD_VERSIONS if v != args.gold}
    gt, et, conf = Tally.new(), Tally.new(), Confusion()
    lost: list[str] = []
    false: list[str] = []
    for article in sorted(gold):
        also = [(golds[v][article], t, v != "v1") for v, t in others.items()]
        run_article(
            args.data,
            gold[article],
            gt,
            et,
            conf,
            lost,
            false,
            described=args.gold != "v1",
            also=also,
        )
    print(f"== speakers, gold spans, every gold definition ({args.half} articles)")
    for v in GOLD_VERSIONS:
        t = gt if v == args.gold else others[v]
        acc = accuracy(t)
        print(
            f"  {v}: name {pct(t.right['name'], t.total['name'])}  pronoun"
            f" {pct(t.right['pronoun'], t.total['pronoun'])}  name+pronoun {acc['all']:.4f}"
            f" ({t.right['name'] + t.right['pronoun']}/{acc['all_n']})"
            + ("  <- below" if v == args.gold else "")
        )

    for label, t in (("gold spans", gt), ("extractor", et)):
        acc = accuracy(t)
        print(f"== speakers, {label}")
        for cls in ("name", "pronoun", "relative", "org"):
            print(f"  {cls:9} {pct(t.right[cls], t.total[cls])}")
        print(f"  all (name+pronoun) {acc['all']:.3f} of {acc['all_n']}")
        print("  by annotated cue (name lines):")
        for key in sorted(k for k in t.total if k.startswith("cue:name:")):
            print(f"    {key[9:]:13} {pct(t.right[key], t.total[key])}")
        print("  pronoun lines by our kind / rivals (other compatible antecedents):")
        for key in sorted(k for k in t.total if k.startswith("rivals:pronoun:")):
            print(f"    {key[15:]:13} {pct(t.right[key], t.total[key])}")
        print("  gold class / our kind:")
        for key, n in sorted(t.kinds.items()):
            print(f"    {key:24} {n}")
    precision = (conf.gold_speech - conf.lost) / max(
        conf.gold_speech - conf.lost + conf.false_speech, 1
    )
    recall = conf.recalled_speech / max(conf.lines, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print("== classification of extracted quotes (double marks; single marks apart)")
    print(
        f"  annotated {conf.gold_speech}: classified SCARE {conf.lost}"
        f" (one word {conf.one_word_lost})"
    )
    print(
        f"  unannotated {conf.gold_scare}: classified SPEECH {conf.false_speech}"
        f" (one word {conf.one_word_false})"
    )
    print(f"  precision {precision:.3f}")
    all_precision = (conf.gold_speech - conf.lost) / max(
        conf.gold_speech - conf.lost + conf.false_speech + conf.single_speech, 1
    )
    print(
        f"  single marks {conf.single}: classified SPEECH {conf.single_speech};"
        f" precision counting them as false: {all_precision:.3f}"
    )
    print(
        f"  recall at 80%: any extracted {pct(conf.recalled_all, conf.lines)}; SPEECH "
        f"{pct(conf.recalled_speech, conf.lines)}"
    )
    print(f"  F1 {f1:.3f}")
    if args.show == "patterns":
        print(f"== {args.errors} most frequent error patterns (gold spans)")
        for pattern, n in gt.errors.most_common(args.errors):
            print(f"{n:5}  {pattern}")
            for ex in gt.examples[pattern]:
                print(f"         {ex[:260]}")
    else:
        for line in lost if args.show == "lost" else false:
            print(line[:260])
    if args.json is not None:
        out = {
            "gold_spans": accuracy(gt),
            "extractor": accuracy(et),
            "classification": {
                **conf.__dict__,
                "precision": precision,
                "precision_with_single": all_precision,
                "recall": recall,
                "f1": f1,
            },
        }
        args.json.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
