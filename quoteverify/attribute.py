"""Attribution: who an article says spoke each quote, and how that was found.

The article is read with every quotation's words blanked out, so that names and verbs inside
quotes never count. Each reporting clause (`Mr Putin said`, `said a US official`, `according
to Reuters`) is found once, with its subject; a quote then takes the nearest clause of its own
sentence, else the previous sentence's. Pronouns and descriptions (`he`, `the senator`) are
resolved afterwards, in article order, to the subject of the last reporting clause before them.
"""

from __future__ import annotations

import bisect
import dataclasses
import enum
import functools
import itertools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import assert_never

from quoteverify.models import (
    Attribution,
    AttributionKind,
    Block,
    BlockKind,
    Document,
    Quote,
    Span,
)
from quoteverify.normalise import canonical_name, same_person

# Names are compared many times over within an article (fullest forms, lone words): cached.
_canonical = functools.lru_cache(maxsize=8192)(canonical_name)
_same_person = functools.lru_cache(maxsize=65536)(same_person)


def _set(words: str) -> frozenset[str]:
    """The whitespace-separated words of a literal, as a set."""
    return frozenset(words.split())


# Stands in for quoted words: neither a word character nor whitespace nor punctuation we parse.
_FILL = "\x00"
# Pronouns and descriptions look this many blocks back for the clause they refer to.
_WINDOW_BLOCKS = 5

_VERBS = _set("""
    say says said tell tells told add adds added warn warns warned insist insists insisted
    argue argues argued claim claims claimed states stated declare declares declared write
    writes wrote tweet tweets tweeted ask asks asked explain explains explained note notes
    noted continue continues continued reply replies replied respond responds responded
    recall recalls recalled stress stresses stressed acknowledge acknowledges acknowledged
    admit admits admitted announce announces announced describe describes described call
    calls called report reports reported urge urges urged suggest suggests suggested predict
    predicts predicted vow vows vowed pledge pledges pledged promise promises promised boast
    boasts boasted concede concedes conceded complain complains complained counter counters
    countered observe observes observed remark remarks remarked joke jokes joked quip quips
    quipped testify testifies testified posted cautions cautioned charged contend contends
    contended maintain maintains maintained emphasise emphasises emphasised emphasize
    emphasizes emphasized shout shouts shouted spoke speaks confirm confirms confirmed deny
    denies denied repeat repeats repeated reiterate reiterates reiterated lament laments
    lamented exclaim exclaims exclaimed whisper whispers whispered mutter mutters muttered
    concluded concludes agree agrees agreed accuse accuses accused mused wondered thundered
    déclaré déclare dit affirmé affirme ajouté ajoute estimé estime souligné souligne expliqué
    explique assuré assure indiqué indique lancé martelé prévenu répondu
    sagte sagt sagten erklärte erklärt betonte betont meinte meint warnte warnt fügte
    """)
# Reporting verbs of two words: the cue is both (`shot back`).
_PHRASAL = {
    "shot": "back",
    "fired": "back",
    "hit": "back",
    "snapped": "back",
    "went": "on",
    "pointed": "out",
}
_PARTICIPLES = _set("""
    saying adding telling insisting warning noting arguing calling describing claiming
    stressing explaining declaring writing tweeting asking recalling urging vowing accusing
    """)
# Words that may stand between a subject and its verb: `Putin has repeatedly said`.
_AUX = _set("""
    also later then has had have would will could might may did does do once previously
    recently reportedly repeatedly again further earlier simply just first often never always
    even still already publicly privately himself herself
    """)
_LINKING = _set("was is were are seemed appeared remained looked sounded grew became")
# Verbs whose next word is their object: `Ramos, 58, told AFP` is Ramos's clause, never AFP's.
# `tell` is never inverted; the others are after a quote (`“Why?” asked Smith`) but not after a
# comma (`Clinton, who won, asked Sanders`).
_NEVER_INVERTED = _set("tell tells told")
_OBJECT_VERBS = _set("""
    tell tells told ask asks asked urge urges urged warn warns warned remind reminds reminded
    call calls called accuse accuses accused thank thanks thanked assure assures assured
    """)
_PRONOUNS = frozenset({"he", "she", "they"})
_PRONOUN_GENDER = {"he": "m", "she": "f"}
# Where an article tells a gender: `Mrs. Clinton`, `Clinton said she …`, `Kasich told
# reporters he …`.
_TITLE_GENDER = re.compile(
    r"\b(Mr|Mrs|Ms|Miss)\b\.?[^\S\n]+((?:[A-Z][\w’'-]*\.?[^\S\n]+)*[A-Z][\w’'-]*)"
)
_SAID_GENDER = re.compile(
    r"\b([A-Z][\w’'-]+),?[^\S\n]+(?:\w+[^\S\n]+)?"
    r"(?:said|says|added|told|tells|insisted|argued|noted|wrote)[^\S\n]+(?:\w+[^\S\n]+)?"
    r"(?:that[^\S\n]+)?(he|she)\b"
)
_OBJECT_PRONOUNS = frozenset({"him", "her", "them"})
# Common first names that tell a gender (`Bill Clinton` is no antecedent of `she`); names
# given to both (Kelly, Robin, Jordan) are left out.
_MALE_FIRST = _set("""
    Donald Bernie Bernard Ted Marco Jeb John Ben Chris Christopher Mike Michael Paul Rand Barack
    Joe Joseph Bill William Tim Timothy Rick Richard Scott Jim James Bob Robert David Dave Tom
    Thomas Mark Steve Steven Stephen Jeff Jeffrey Brian Kevin Jason Matt Matthew Dan Daniel
    George Jack Harry Peter Andrew Ron Ronald Mitch Reince Newt Rudy Corey Eric Frank Gary Greg
    Larry Martin Patrick Sean Charles Charlie Ed Edward Roger Jonathan Josh Joshua Adam Tony
    Anthony Nick Sam Samuel Fred Jerry Dennis Doug Howard Carl Kenneth Ken Keith Ray Walter
    Wayne Carlos Jose Juan Luis Vladimir Benjamin Bobby Jimmy Johnny Billy Philip Phil Henry
    Arthur Harold Chuck Orrin Lamar Raul Trey Darrell Jesse Lindsey Mitt Jon Bret
    Franklin Dwight Lyndon Gerald Ari Karl Ralph Roy Russell Alan Allen Bruce
""")
_FEMALE_FIRST = _set("""
    Hillary Carly Elizabeth Nancy Sarah Michelle Melania Ivanka Kellyanne Huma Jennifer Debbie
    Donna Mary Patricia Linda Barbara Susan Karen Lisa Betty Helen Sandra Ashley Kimberly Emily
    Amy Anna Angela Melissa Rebecca Laura Sharon Cynthia Kathleen Katie Kate Katherine Catherine
    Amanda Stephanie Nicole Rachel Heather Julie Julia Megyn Maxine Dianne Diane Kirsten Claire
    Tammy Maggie Maria Marie Ruth Sonia Elena Loretta Condoleezza Madeleine Jill Jane Joan Janet
    Jessica Caroline Christine Christina Margaret Ann Anne Alice Kristen Lauren Meghan Tulsi
    Joni Shelley Cecile Rosie Gina Zoe Theresa Samantha Sheryl Cheryl Jeanne Connie Marsha
    Chelsea Abby Gloria Kathy Valerie Dana Erin Hope Jeanine Nikki Mia Teresa Wendy Kristin
""")

_TITLES = _set("""
    Mr Mrs Ms Miss Mx Dr Sir Dame Lord Lady President Vice Prime Minister Senator Sen Rep
    Representative Congressman Congresswoman Gov Governor Secretary Chancellor King Queen
    Prince Princess Pope General Gen Lt Col Colonel Capt Captain Admiral Adm Sgt Commander
    Judge Justice Mayor Speaker Ambassador Sheikh Emir Premier Prof Professor Rev Reverend
    Rabbi Imam Cardinal Archbishop Bishop Chairman Chairwoman Director Chief Leader State
    Attorney Deputy Foreign Defence Defense Interior Finance Press Crown Sultan Ayatollah
    Executive Officer Spokesman Spokeswoman Spokesperson Former Top Senior Fellow Democrat
    Republican Democratic GOP Whip Minority Majority Commissioner Superintendent Sheriff
    Councilman Councilwoman Assemblyman Assemblywoman Lieutenant Treasurer Comptroller
    Alderman Alderwoman Delegate Lawmaker Rival Anchor Host Candidate Nominee Advocate
    Secretary-Treasurer Chair Co-Chair Administrator Counsel
    """)
# Abbreviations written with a dot that do not end a sentence and may join a name (`Mr. Smith`).
_ABBREVIATIONS = _set("""
    Mr Mrs Ms Dr Sen Rep Gov Gen Lt Col Capt Adm Sgt Prof Rev St Jr Sr Maj Pres Supt Mt Ft
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec No vs etc Inc Ltd Co Corp
    """)
# Capitalised words that start sentences but are never part of a name.
_STOP = _set("""
    The A An But And Or Nor So Yet If It Its This That These Those In On At For With By From
    To Of As When While After Before Since Until Although Though Because Earlier Later Then
    Now Meanwhile However Also Still His Her Their Our My Your We I You They He She There Here
    What Who Why How Where Which According Last Next Yesterday Today Tomorrow Asked Not No Yes
    Some Many Most All Both Each Every One Two Instead Indeed Even Just Only Such Despite During
    Under Over Into Amid Among Against Between Without Within Like Unlike Following Several
    Other Another Any Speaking Asked Meanwhile Moreover Furthermore Finally Again Afterwards
    Neither Either Whether Perhaps Maybe Sometimes Often Once Later Thus Hence Therefore
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February September
    October November December Hours Minutes Days Weeks Months Years Including Had Has Have
    Having Was Were Is Are Did Does Things Pressed Besides Come
    """)
# Small words a Title-Case headline leaves in lowercase.
_TITLE_SMALL = _set("a an the and or nor but of in on at to for with by from as is vs")
# Reporting verbs that open a sentence (`Said Ms Poynter, “…”`): capitalised, but no name.
_OPENING_VERBS = _set("Said Says Added Adds Stated Continued Tweeted Wrote Explained Noted")
# Months that are also names (`Theresa May`): a name only when titled or with a first name.
_MONTH_NAMES = frozenset({"March", "April", "May", "June", "July", "August"})
_PARTICLES = _set(
    "al el bin ibn ben abu de da di du del della dos das van von der den la le ter ten zu y"
)
_PREFIXED = re.compile(r"(?:al|el|bin|ibn|abu|ben)-[^\W\d_]")
_PLACES = _set("""
    Russia Turkey China France Germany Britain Iran Iraq Israel Syria Ukraine America Japan
    India Pakistan Afghanistan Egypt Italy Spain Canada Mexico Brazil Australia Korea Greece
    Poland Qatar Lebanon Libya Yemen Cuba Venezuela Moscow Washington Ankara Beijing Paris
    London Berlin Tehran Kyiv Kiev Damascus Brussels Europe Africa Asia Kremlin Pentagon
    Congress Parliament Hamas Hezbollah Taliban Downing Whitehall Westminster Brussels
    Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia
    Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts
    Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon
    Pennsylvania Tennessee Texas Utah Vermont Virginia Wisconsin Wyoming
    """)
# Places of two words: `New Hampshire`, `South Carolina`.
_COMPASS = _set("New North South East West Rhode")
_PLACE_SECOND = _PLACES | _set("""
    Carolina Dakota Hampshire Jersey York Mexico Zealand England Orleans Delhi Island Haven
    """)
_ORG_HEADS = _set("""
    State States Ministry Department Government Party Council Union Office House Federation
    Army Police Court Committee Commission Agency Bank Group University Company Corporation
    Corp Inc Ltd Institute Foundation Association Organization Organisation Service Services
    Republic Kingdom Nations Times Post News Press Journal Network Forces Guard Senate
    Assembly Parliament Administration Campaign Centre Center Board Authority Front Movement
    Coalition Alliance Street
    """)
_OUTLETS = (
    "Associated Press",
    "AP",
    "Reuters",
    "Agence France-Presse",
    "AFP",
    "CNN",
    "BBC",
    "Fox News",
    "NBC News",
    "NBC",
    "CBS News",
    "CBS",
    "ABC News",
    "ABC",
    "MSNBC",
    "New York Times",
    "Washington Post",
    "Wall Street Journal",
    "Financial Times",
    "Los Angeles Times",
    "USA Today",
    "Bloomberg",
    "TASS",
    "Tass",
    "RIA Novosti",
    "Interfax",
    "Anadolu Agency",
    "Anadolu",
    "Al Jazeera",
    "Sky News",
    "Guardian",
    "Politico",
    "Axios",
    "NPR",
    "Xinhua",
    "Kyodo",
    "Yonhap",
    "Sputnik",
    "Newsweek",
)
_OUTLET_ALT = "|".join(re.escape(o) for o in sorted(_OUTLETS, key=len, reverse=True))
_OUTLET_BEFORE = re.compile(rf"(?:\b[Tt]he\s+)?\b(?:{_OUTLET_ALT})$")
_OUTLET_AT = re.compile(rf"(?:[Tt]he\s+)?(?:{_OUTLET_ALT})\b")

# Descriptions that refer back to a person named earlier: `the senator`, `the Russian leader`.
_ROLES = _set("""
    senator president leader nominee candidate minister chancellor governor congressman
    congresswoman lawmaker premier king queen pope mayor secretary chairman chairwoman
    businessman businesswoman billionaire tycoon actor actress singer star coach manager
    ambassador general commander prosecutor judge frontrunner front-runner incumbent democrat
    republican president-elect prince princess emir monarch dictator strongman politician
    rapper founder executive ceo boss chief host author pontiff cleric activist
    """)
# Nouns of anonymous sources: `a US official`, `sources`, `a spokesman for the ministry`.
_ANON_NOUNS = _set("""
    official officials spokesperson spokespeople spokesman spokesmen spokeswoman spokeswomen
    source sources diplomat diplomats aide aides adviser advisers advisor advisors witness
    witnesses critic critics analyst analysts expert experts observer observers insider
    insiders resident residents activist activists officer officers authorities protester
    protesters supporter supporters opponent opponents people staff employee employees member
    members lawmakers legislators politicians leaders investigators prosecutors police
    scientists researchers doctors economists commentators allies colleagues friends
    neighbours neighbors relatives voters person strategist strategists operative operatives
    consultant consultants pollster pollsters donor donors organizer organizers organiser
    organisers company campaign ministry embassy government administration statement
    """)
# Nouns of anonymous sources that name one person, the possible antecedents of he or she.
_PERSON_NOUNS = _set("""
    official spokesperson spokesman spokeswoman source diplomat aide adviser advisor witness
    critic analyst expert observer insider resident activist officer protester supporter
    opponent member person strategist operative consultant pollster donor organizer organiser
    delegate voter
    """)
# Capitalised words that name groups of people: `Republicans said` is no antecedent of `he`.
_GROUP_NAMES = _set("""
    Democrats Republicans Americans Conservatives Liberals Independents Evangelicals Latinos
    Hispanics Muslims Christians Catholics Jews Mexicans Europeans Russians Voters Supporters
    Democrat Republican GOP Democratic
    """)
_ANON_MODIFIERS = _set("""
    senior top junior former unnamed anonymous administration government military
    intelligence security defence defense foreign ministry police party campaign western
    european american local other several some many few key independent ranking one two
    three four five state federal diplomatic european close
    """)
_DETERMINERS = _set(
    "a an the one two three four five several some many few other another his her their its our"
)
_COMPLEMENT = _set("for at with of from in inside within close familiar near on to")
# Words that may open a sentence before its subject: `But Putin said`.
_MODALS = _set("will would could should might may can must shall to")
_PREPOSITIONS = _set("""
    in at on from with for of by about against near into over after before during like than
    inside outside across toward towards throughout under between among
""")
_CONNECTIVES = _set("""
    but and so yet still then now meanwhile however also earlier later instead indeed again
    afterwards finally moreover
    """)

# Words after which a subject may open a (sub)clause: `When Trump wrapped up, ...`.
_CLAUSE_OPENERS = _set("""
    and but so yet then also when while as after before because since if though although
    where now once until whereas that
    """)
# Lowercase words after a name that show it is no subject: `Trump supporters`, `Cruz of Texas`.
_NOT_VERBS = _set("""
    that who which whom whose and or but nor if then than as of in on at by for with from to
    about into over after before during without against under between through across near
    this these those it its he she they him her them we us you i the a an not no
    campaign supporters fans allies aides rally rallies administration camp voters team
    """)

# Lowercase words of a description that leads up to a name: `former Obama adviser`.
_DESCRIPTIVE = _set("""
    former then late longtime long-time fellow acting outgoing incoming presumptive retired
    ex- veteran top senior chief deputy press communications campaign policy foreign
    national political digital finance legal media spokesman spokeswoman manager director
    secretary chair constituent delegate ally counsel attorney lawyer economist professor
    historian reporter columnist correspondent anchor editor commentator pundit co-founder
    co-chair superdelegate surrogate pastor sheriff commissioner organizer strategist
    ranking party boss co-host host chairman chairwoman founder president presidential
    vice-presidential gubernatorial congressional hopeful
    """)

_FUNCTION_WORDS = _set("""
    that who which whom whose and or but nor if then than as of in on at by for with from to
    is are was were be been being has have had do does did will would can could may might
    must shall should not no this these those it its he she they him her them we us you i
    """)

_WORD = re.compile(r"\w(?:[\w’'\-]*\w)?")
# Closing quotation marks; German closes with “ and ‘.
_CLOSING = '”"’»“‘'
_SENTENCE_END = re.compile(r"[.!?…]+[”\"’»“‘)\]]*(?=\s)")
_ANCHOR = re.compile(r"[”\"’»“‘)\]]*[^\S\n]*(?:[,;:—–-]+[^\S\n]*)?")
_ACCORDING = re.compile(r"\b(?:[Aa]ccording to|[Ss]elon|[Ll]aut)\b")
# What `according to` is followed by, up to punctuation: `a statement from the ministry`.
_NOUN_PHRASE = re.compile(r"[^\S\n]*([^,.;:!?“”\"\x00\n]{1,60}?)[^\S\n]*(?=[,.;:!?“”\"\n]|$)")
_DASH_LINE = re.compile(r"^[^\S\n]*(—|–|―|--|-)[^\S\n]*(?=\w)", re.MULTILINE)
_OPENING = '“"‘«'
# US party-and-state tags, `(R-Fla.)`, `(D)`, `, R-Ky.,`: blanked so the name meets its verb.
_PARTY_TAG = re.compile(
    r"[^\S\n]*\((?:[RDI]|Ind|Dem|Rep)(?:[-–—,][^\S\n]*[A-Z][\w.]*(?:[^\S\n][A-Z][\w.]*)?)?\)"
    r"|,[^\S\n]*(?:[RDI]|Ind)-[A-Z][\w.]*(?:[^\S\n][A-Z][\w.]*)?,"
)


class _Ref(enum.Enum):
    """What a subject is: a named person, an organisation, a pronoun, a role, an anonymous."""

    PERSON = "person"
    ORG = "org"
    PRONOUN = "pronoun"
    ROLE = "role"  # `the senator`: refers back to a person named earlier
    ANON = "anon"


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    block: int


@dataclass(frozen=True)
class _Subject:
    ref: _Ref
    start: int
    end: int
    printed: str  # the name without titles, or the pronoun or description as printed
    titled: bool = False
    outlet: bool = False
    begin: int = -1  # where the phrase starts, titles included (-1: at start)

    @property
    def first(self) -> int:
        return self.start if self.begin < 0 else self.begin


@dataclass(frozen=True)
class _Clause:
    subject: _Subject
    cue: str | None
    cue_start: int
    anchor: int  # where the clause starts: the subject, or the verb when it comes first


@dataclass(frozen=True)
class _Mention:
    name: str
    start: int
    block: int
    titled: bool


@dataclass(frozen=True)
class _Resolved:
    kind: AttributionKind
    speaker: str | None = None
    description: str | None = None
    rivals: int = 0  # other compatible antecedents within the window (pronouns, roles)


@dataclass(frozen=True)
class _Event:
    """A resolved subject in article order, for the pronouns after it."""

    start: int
    block: int
    resolved: _Resolved
    reported: bool  # the subject of a reporting clause or of a quote, not just of a sentence


def attribute(
    doc: Document, quotes: Sequence[Quote], *, aliases: Collection[str] = ()
) -> tuple[Attribution, ...]:
    """Who the article says spoke each quote, one Attribution per quote in the same order.

    `aliases` are descriptions a corpus maps to a speaker (`the Russian president`): such a
    description names its speaker outright instead of being anonymous or referring back.
    """
    reading = _Reading(doc, quotes, aliases)
    chosen = [reading.choose(q) for q in quotes]
    subjects = [c[0] for c in chosen if c is not None]
    resolved = reading.resolve(subjects)
    out: list[Attribution] = []
    for choice in chosen:
        if choice is None:
            out.append(Attribution(AttributionKind.NONE))
            continue
        subject, cue = choice
        r = resolved[(subject.start, subject.end)]
        out.append(
            Attribution(
                kind=r.kind,
                speaker=r.speaker,
                mention=doc.source_span(Span(subject.start, subject.end)),
                cue=cue,
                description=r.description,
                rivals=r.rivals,
            )
        )
    return tuple(out)


def _alias_key(description: str) -> str:
    """A description compared with corpus aliases: case, spacing and a leading article ignored."""
    words = description.casefold().split()
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def _mask(doc: Document, quotes: Sequence[Quote]) -> str:
    """doc.text with quoted words blanked; a quote's final `.?!,` stays to mark its end."""
    chars = list(doc.text)
    for q in quotes:
        for part in q.parts:
            span = doc.text_span(part.span)
            end = span.end
            if end > span.start and doc.text[end - 1] in ".?!,":
                end -= 1
            for i in range(span.start, end):
                if chars[i] != "\n":
                    chars[i] = _FILL
    return "".join(chars)


# A short quotation inside an apposition: `Hale, the author of “Going Viral,” said`.
_SHORT_QUOTE = re.compile(r"[“\"][^“”\"\n]{0,40}[”\"]")


def _bare(text: str) -> str:
    """text without the short quotations it holds whole (titles, nicknames in appositions)."""
    return _SHORT_QUOTE.sub(lambda m: " " * len(m.group()), text)


def _is_space_gap(gap: str) -> bool:
    return bool(gap) and not gap.strip() and gap.count("\n") <= 1


def _nameish(word: str) -> bool:
    if word in _STOP or word in _OPENING_VERBS:
        return False
    return word[0].isupper() or _PREFIXED.match(word) is not None


def _possessive(word: str) -> bool:
    return word.endswith(("’s", "'s"))


class _Reading:
    """One article read for attribution: masked text, words, name runs, sentences, clauses."""

    def __init__(self, doc: Document, quotes: Sequence[Quote], aliases: Collection[str]) -> None:
        self.doc = doc
        self.aliases = frozenset(_alias_key(a) for a in aliases)
        self.text = _PARTY_TAG.sub(lambda m: " " * len(m.group()), _mask(doc, quotes))
        self.blocks: tuple[Block, ...] = doc.blocks or (
            Block(BlockKind.PARAGRAPH, Span(0, len(doc.text))),
        )
        self.block_starts = [b.span.start for b in self.blocks]
        self.words = [
            _Word(m.group(), m.start(), m.end(), self.block_of(m.start()))
            for m in _WORD.finditer(self.text)
        ]
        self.word_starts = [w.start for w in self.words]
        self.sentences = self._sentences()
        self.sentence_starts = [s[0] for s in self.sentences]
        self.title_verbs = self._title_verbs()
        self.runs = self._name_runs()
        self.surnames = self._surnames()
        self.lowercase = frozenset(w.text for w in self.words if w.text.islower())
        # surname -> m, f or "" (told both ways), built when first asked
        self._genders: dict[str, str] | None = None
        self.mentions = self._mentions()
        self.clauses = self._clauses()

    # --- layout -------------------------------------------------------------------------

    def block_of(self, pos: int) -> int:
        return max(bisect.bisect_right(self.block_starts, pos) - 1, 0)

    def sentence_of(self, pos: int) -> int:
        return max(bisect.bisect_right(self.sentence_starts, pos) - 1, 0)

    def word_at(self, pos: int) -> int:
        """Index of the first word starting at or after pos."""
        return bisect.bisect_left(self.word_starts, pos)

    def joined(self, i: int) -> bool:
        """Whether words i and i+1 belong to one name as far as spacing goes."""
        a, b = self.words[i], self.words[i + 1]
        if a.block != b.block:
            return False
        gap = self.text[a.end : b.start]
        if _is_space_gap(gap):
            return True
        dotted = a.text in _ABBREVIATIONS or (len(a.text) == 1 and a.text.isupper())
        return dotted and gap.startswith(".") and (gap == "." or _is_space_gap(gap[1:]))

    def spaced(self, i: int) -> bool:
        """Whether only whitespace stands between words i and i+1."""
        a, b = self.words[i], self.words[i + 1]
        return a.block == b.block and _is_space_gap(self.text[a.end : b.start])

    def _name_runs(self) -> dict[int, tuple[int, int]]:
        """Maximal runs of capitalised words (with particles) that may be a name, by word."""
        runs: dict[int, tuple[int, int]] = {}
        words, n, i = self.words, len(self.words), 0
        while i < n:
            if not _nameish(words[i].text) or i in self.title_verbs:
                i += 1
                continue
            j = i
            while not _possessive(words[j].text) and j + 1 < n and self.joined(j):
                k = j + 1
                while k + 1 < n and words[k].text in _PARTICLES and self.joined(k):
                    k += 1
                if (
                    not _nameish(words[k].text)
                    or k in self.title_verbs
                    or (k > j + 1 and not self.joined(k - 1))
                ):
                    break
                j = k
            for k in range(i, j + 1):
                runs[k] = (i, j)
            i = j + 1
        return runs

    def _title_verbs(self) -> frozenset[int]:
        """Capitalised verbs of Title-Case sentences (`Zoe Saldana Asked Men To “…”`, `Trump
        Says …`): by word index, so that they end a name and count as verbs."""
        out: set[int] = set()
        for ss, se, _ in self.sentences:
            lo, hi = self.word_at(ss), self.word_at(se)
            content = [
                k
                for k in range(lo, hi)
                if self.words[k].text[0].isalpha() and self.words[k].text not in _TITLE_SMALL
            ]
            if len(content) < 4 or any(not self.words[k].text[0].isupper() for k in content):
                continue
            for k in content[1:]:
                lower = self.words[k].text.lower()
                if lower in _VERBS or (lower.endswith("ed") and len(lower) >= 6):
                    out.add(k)
        return frozenset(out)

    def _surnames(self) -> frozenset[str]:
        """Last words of the article's full names: `Bloomberg` is a person where the article
        names `Michael Bloomberg`, and `Guardian` where it names `Mayor Don Guardian`."""
        out: set[str] = set()
        for first, last in set(self.runs.values()):
            tokens = [w.text for w in self.words[first : last + 1]]
            while tokens and tokens[0] in _TITLES:
                tokens = tokens[1:]
            if (
                len(tokens) >= 2
                and not _possessive(tokens[-1])
                and tokens[-1] not in _ORG_HEADS
                and not _OUTLET_AT.fullmatch(" ".join(tokens))
                and (first == 0 or self.words[first - 1].text.lower() != "the")
            ):
                out.add(tokens[-1])
        return frozenset(out)

    def _sentences(self) -> list[tuple[int, int, int]]:
        """(start, end, block) of every sentence, in order."""
        out: list[tuple[int, int, int]] = []
        for bi, block in enumerate(self.blocks):
            bs, be = block.span.start, block.span.end
            starts = [bs]
            for m in _SENTENCE_END.finditer(self.text, bs, be):
                nxt = m.end()
                while nxt < be and self.text[nxt].isspace():
                    nxt += 1
                if nxt >= be or not (self.text[nxt].isupper() or self.text[nxt] in _OPENING):
                    continue
                if self._not_an_end(m, nxt):
                    continue
                starts.append(nxt)
            ends = [*starts[1:], be]
            out.extend((s, e, bi) for s, e in zip(starts, ends, strict=True))
        return out

    def _not_an_end(self, m: re.Match[str], nxt: int) -> bool:
        """An abbreviation's dot, or a quote's `?`/`!` followed by `Putin asked`."""
        mark = m.group()
        word = re.search(r"\w+$", self.text[max(m.start() - 40, 0) : m.start()])
        if mark == "." and word is not None:
            w = word.group()
            if w in _ABBREVIATIONS or (len(w) == 1 and w.isupper()):
                return True
        if mark[-1] not in _CLOSING:
            return False
        i = self.word_at(nxt)
        for _ in range(5):
            if i >= len(self.words):
                return False
            w = self.words[i].text
            if w in _VERBS or (i > self.word_at(nxt) and w.islower() and w.endswith("ed")):
                after = self.text[self.words[i].end : self.words[i].end + 1]
                return mark[0] in "?!" or after in (".", ",")
            if not (w[0].isupper() or w in _PRONOUNS) or w in _STOP - {"He", "She", "They"}:
                return False
            i += 1
        return False

    # --- names --------------------------------------------------------------------------

    def name(self, first: int, last: int) -> _Subject | None:
        """The run words[first..last] as a subject (person or organisation), titles removed."""
        words = self.words
        titled = False
        start = first
        for k in range(first, last):
            if words[k].text in _TITLES and any(
                words[m].text not in _TITLES for m in range(k + 1, last + 1)
            ):
                start, titled = k + 1, True
        while start < last and words[start].text in _PARTICLES:
            start += 1
        tokens = [w.text for w in words[start : last + 1]]
        if all(t in _TITLES for t in tokens):
            return None
        end = words[last].end - (2 if _possessive(words[last].text) else 0)
        printed = self.doc.text[words[start].start : end]
        begin = words[first].start
        after_the = first > 0 and words[first - 1].text.lower() == "the" and self.spaced(first - 1)
        single = tokens[0] if len(tokens) == 1 else None
        if single is not None and not titled and single in _MONTH_NAMES:
            return None
        if after_the:
            begin = words[first - 1].start
        if _OUTLET_AT.fullmatch(self.doc.text[begin:end]) and not (
            single is not None and not after_the and single in self.surnames
        ):
            return _Subject(_Ref.ORG, begin, end, self.doc.text[begin:end], outlet=True)
        if (
            after_the
            or tokens[-1] in _ORG_HEADS
            or (single is not None and (single in _PLACES or single.isupper()))
            or (len(tokens) == 2 and tokens[0] in _COMPASS and tokens[1] in _PLACE_SECOND)
        ):
            return _Subject(_Ref.ORG, begin, end, self.doc.text[begin:end])
        return _Subject(_Ref.PERSON, words[start].start, end, printed, titled=titled, begin=begin)

    def _mentions(self) -> list[_Mention]:
        """Every person named in the article, in order: for fuller forms and titled referents."""
        out: list[_Mention] = []
        seen: set[tuple[int, int]] = set()
        for first, last in self.runs.values():
            if (first, last) in seen:
                continue
            seen.add((first, last))
            subject = self.name(first, last)
            if subject is not None and subject.ref is _Ref.PERSON:
                out.append(
                    _Mention(
                        subject.printed, subject.start, self.block_of(subject.start), subject.titled
                    )
                )
        out.sort(key=lambda m: m.start)
        return out

    def fullest(self, name: str, pos: int) -> str:
        """The fullest form of `name` the article has given up to pos (`Recep Tayyip Erdogan`)."""
        tokens = set(_canonical(name).split())
        fuller: list[tuple[str, set[str]]] = []
        for m in self.mentions:
            if m.start > pos:
                break
            m_tokens = set(_canonical(m.name).split())
            if len(m_tokens) > len(tokens) and tokens <= m_tokens and _same_person(m.name, name):
                fuller.append((m.name, m_tokens))
        if not fuller:
            return name
        # Two people may share the surname (`Jeb Bush`, `George H.W. Bush`): the one named last
        # is meant, in the fullest form the article gave that person.
        best, best_tokens = fuller[-1]
        for other, other_tokens in fuller:
            if len(other_tokens) > len(best_tokens) and best_tokens <= other_tokens:
                best, best_tokens = other, other_tokens
        return best

    # --- subjects -----------------------------------------------------------------------

    def subject_ending(self, j: int, lo: int) -> _Subject | None:
        """The subject whose last word is words[j], not starting before offset lo."""
        if j < 0 or self.words[j].start < lo:
            return None
        w = self.words[j]
        m = _OUTLET_BEFORE.search(self.text, lo, w.end)
        if m is not None and m.group() not in self.surnames:
            return _Subject(
                _Ref.ORG, m.start(), m.end(), self.doc.text[m.start() : m.end()], outlet=True
            )
        anon = self._anon_with_complement(j, lo)
        if anon is not None:
            return anon
        if w.text.lower() in _PRONOUNS:
            return _Subject(_Ref.PRONOUN, w.start, w.end, w.text)
        lower = w.text.lower()
        if j in self.runs and not (self.runs[j][0] == j and lower in _ANON_NOUNS):
            first, last = self.runs[j]
            if last == j:
                while first < j and self.words[first].start < lo:
                    first += 1
                if _possessive(w.text):
                    return None
                of_whom = self._of_place(first, lo)
                if of_whom is not None:
                    return of_whom
                subject = self.name(first, last)
                if subject is not None:
                    return subject
        if lower in _ROLES:
            k = j
            for _ in range(4):
                if k == 0 or not self.spaced(k - 1) or self.words[k - 1].start < lo:
                    break
                k -= 1
                prev = self.words[k].text
                if prev.lower() == "the":
                    return self._described(_Ref.ROLE, k, j)
                if prev.lower() in _VERBS or prev in _STOP:
                    break
        if lower in _ANON_NOUNS:
            return self._described(_Ref.ANON, self._modifiers_before(j, lo), j)
        return None

    def _of_place(self, first: int, lo: int) -> _Subject | None:
        """`Rep. Tom Cole of Oklahoma`, `George Zornick of The Nation`: the person before `of`.

        words[first] starts a name run; when `of` (and `the`) leads to it from a person's name,
        the subject is that person, unless the run is itself a titled name (`Secretary of State
        John Kerry`).
        """
        k = first - 1
        if k >= 0 and self.words[k].text == "The" and self.spaced(k):
            k -= 1
        if k < 1 or self.words[k].text != "of" or not self.spaced(k) or not self.spaced(k - 1):
            return None
        if self.words[k - 1].start < lo or k - 1 not in self.runs:
            return None
        a, b = self.runs[k - 1]
        if b != k - 1 or _possessive(self.words[b].text):
            return None
        while a < b and self.words[a].start < lo:
            a += 1
        person = self.name(a, b)
        if person is None or person.ref is not _Ref.PERSON:
            return None
        place = self.name(first, self.runs[first][1])
        if place is not None and place.titled:
            return None
        return person

    def _described(self, ref: _Ref, first: int, last: int) -> _Subject:
        start, end = self.words[first].start, self.words[last].end
        return _Subject(ref, start, end, self.doc.text[start:end])

    def _modifiers_before(self, j: int, lo: int) -> int:
        """First word of the description ending in words[j]: `A USA official`."""
        k = j
        for _ in range(4):
            if k == 0 or not self.spaced(k - 1) or self.words[k - 1].start < lo:
                break
            prev = self.words[k - 1].text
            lower = prev.lower()
            if lower in _DETERMINERS:
                return k - 1
            ok = (
                lower in _ANON_MODIFIERS
                or _possessive(prev)
                or (prev[0].isupper() and prev not in _STOP)
                or ("-" in prev and prev.islower())
            )
            if not ok:
                break
            k -= 1
        return k

    def _anon_with_complement(self, j: int, lo: int) -> _Subject | None:
        """`a spokesman for the ministry`, `sources close to the Kremlin`, ending at words[j]."""
        for p in range(j - 1, max(j - 7, -1), -1):
            if self.words[p].start < lo or not self.spaced(p):
                return None
            w = self.words[p].text.lower()
            if w in _VERBS or w in {"that", "who", "which", "and", "but"}:
                return None
            if w in _ANON_NOUNS and self.words[p + 1].text.lower() in _COMPLEMENT:
                return self._described(_Ref.ANON, self._modifiers_before(p, lo), j)
        return None

    def subject_starting(self, i: int, hi: int, *, objects: bool = False) -> _Subject | None:
        """The subject whose first word is words[i], ending before offset hi."""
        if i >= len(self.words) or self.words[i].end > hi:
            return None
        w = self.words[i]
        m = _OUTLET_AT.match(self.text, w.start, hi)
        if m is not None and m.group() not in self.surnames:
            return _Subject(
                _Ref.ORG, m.start(), m.end(), self.doc.text[m.start() : m.end()], outlet=True
            )
        lower = w.text.lower()
        if lower in _PRONOUNS or (objects and lower in _OBJECT_PRONOUNS):
            return _Subject(_Ref.PRONOUN, w.start, w.end, w.text)
        named = self._named_after(i, hi)
        if named is not None:
            return named
        if i in self.runs and self.runs[i][0] == i and self.runs[i][1] > i:
            # `Police Commissioner Richard Ross`: a titled name, not `police`
            titled = self.name(i, self.runs[i][1])
            if titled is not None and titled.titled and self.words[self.runs[i][1]].end <= hi:
                return titled
        described = self._description_from(i, hi)
        if described is not None:
            return described
        if lower == "the" and i + 1 < len(self.words) and self.spaced(i):
            i += 1
        if i in self.runs and self.runs[i][0] == i:
            return self.name(i, self.runs[i][1])
        return None

    def _named_after(self, i: int, hi: int) -> _Subject | None:
        """A name that a description leads up to, from words[i]: `former Obama adviser David
        Axelrod`, `Clinton ally James Carville`, `Florida’s Rick Wilson`, `former Sen. Evan Bayh`.
        """
        words = self.words
        k, last_run, owned = i, -1, False
        while k < len(words) and k - i < 8 and words[k].end <= hi:
            text = words[k].text
            lower = text.lower()
            if k in self.runs and self.runs[k][0] == k:
                last_run = k
                k = self.runs[k][1]
                if _possessive(words[k].text):
                    last_run, owned = -1, True
            elif text[0].isupper() or not (_descriptive(lower) or (owned and _plain(lower))):
                # after a possessive any plain noun describes: `Reagan’s education secretary`
                break
            else:
                last_run = -1
            if k + 1 >= len(words) or not self.joined(k) or words[k + 1].end > hi:
                break
            k += 1
        if last_run <= i:
            return None
        end = self.runs[last_run][1]
        if end != k and words[end].end > hi:
            return None
        named = self.name(last_run, end)
        if named is None or named.ref is not _Ref.PERSON:
            return None
        return dataclasses.replace(named, begin=words[i].start)

    def _description_from(self, i: int, hi: int) -> _Subject | None:
        """`the Russian leader`, `a senior US official for ...`, starting at words[i]."""
        words = self.words
        k = i
        for _ in range(5):
            if k >= len(words) or words[k].end > hi:
                return None
            lower = words[k].text.lower()
            is_last = k + 1 >= len(words) or not self.spaced(k) or words[k + 1].end > hi
            noun_next = not is_last and words[k + 1].text.lower() in _ANON_NOUNS | _ROLES
            if lower in _ROLES and words[i].text.lower() == "the" and not noun_next:
                return self._unless_named(_Ref.ROLE, i, k, hi)
            if lower in _ANON_NOUNS and not noun_next:
                last = k
                if not is_last and words[k + 1].text.lower() in _COMPLEMENT:
                    while last + 1 < len(words) and self.spaced(last) and last - k < 6:
                        nxt = words[last + 1]
                        if nxt.end > hi or nxt.text.lower() in _VERBS | {"that", "who", "which"}:
                            break
                        last += 1
                return self._unless_named(_Ref.ANON, i, last, hi)
            if is_last:
                return None
            ok = (
                (lower in _DETERMINERS and k == i)
                or lower in _ANON_MODIFIERS
                or (k > i and words[i].text.lower() in _DETERMINERS and _plain(lower))
                or _possessive(words[k].text)
                or (words[k].text[0].isupper() and words[k].text not in _STOP)
                or (k > i and words[i].text.lower() == "the" and lower not in _VERBS)
            )
            if not ok:
                return None
            k += 1
        return None

    def _unless_named(self, ref: _Ref, first: int, last: int, hi: int) -> _Subject | None:
        """A description, unless a person's name follows it: `Kremlin aide Yuri Ushakov`."""
        nxt = last + 1
        if nxt < len(self.words) and self.spaced(last) and nxt in self.runs:
            a, b = self.runs[nxt]
            if a == nxt and self.words[b].end <= hi:
                named = self.name(a, b)
                if named is not None and named.ref is _Ref.PERSON:
                    return named
        return self._described(ref, first, last)

    def sentence_subject(self, ss: int, se: int) -> _Subject | None:
        """The person, pronoun or description a sentence opens with: `Putin spoke bluntly.`"""
        i = self.word_at(ss)
        while i < len(self.words) and self.words[i].text.lower() in _CONNECTIVES:
            i += 1
        candidates = [i]
        for k in range(i, min(i + 7, len(self.words) - 1)):
            if self.words[k].end >= se:
                break
            if self.text[self.words[k].end : self.words[k + 1].start].strip() == ",":
                candidates.append(k + 1)
                break
        for c in candidates:
            subject = self.subject_starting(c, se)
            if subject is None or subject.ref is _Ref.ORG or not self._surely_named(subject):
                continue
            nxt = self.word_at(subject.end)
            if subject.end < len(self.text) and self.text[subject.end] in "’'":
                continue
            if nxt >= len(self.words) or self.words[nxt].start >= se:
                continue
            gap = self.text[subject.end : self.words[nxt].start]
            verb = self.words[nxt].text
            if _is_space_gap(gap) and verb.islower() and verb not in {"and", "or", "nor", "of"}:
                return subject
            if (
                c == candidates[0]
                and gap.strip() == ","
                and subject.ref is _Ref.PERSON
                and self._verb_follows(subject.end, se) is not None
            ):
                # `Clinton, the Democratic front-runner, was critical`: a verb after the
                # apposition
                return subject
        return None

    def main_subject(self, ss: int, hi: int) -> _Subject | None:
        """The first subject before offset hi of a sentence that a verb follows.

        `For months, Cruz had praised Trump, stating ...`, `Pence, who is running again,
        praised Cruz for “...”`: the subject of whatever the sentence says, reporting verb or
        not, for quotes no reporting clause claims. A name after a preposition, an article or a
        verb (`at a Trump rally`, `praised Cruz`) is no subject.
        """
        k = self.word_at(ss)
        while k < len(self.words) and self.words[k].end <= hi:
            w = self.words[k]
            if k > 0 and self.words[k - 1].start >= ss and self.spaced(k - 1):
                prev = self.words[k - 1].text
                if prev.islower() and prev not in _CLAUSE_OPENERS:
                    k += 1
                    continue
            subject = self.subject_starting(k, hi)
            if subject is None or subject.first < w.start:
                k += 1
                continue
            if subject.end < len(self.text) and self.text[subject.end] in "’'":
                # the word after the possessive may open the subject: `Germany’s Chancellor
                # Angela Merkel heralded`
                k = max(self.word_at(subject.end), k + 1)
                continue
            verb = self._verb_follows(subject.end, hi)
            if verb is not None and (
                self._surely_named(subject) or verb in _VERBS or verb.endswith("ed")
            ):
                return subject
            k = max(self.word_at(subject.end), k + 1)
        return None

    def _verb_follows(self, pos: int, hi: int) -> str | None:
        """The verb that follows pos, past an apposition (`, who ...,`), adverbs, `himself`."""
        n = self.word_at(pos)
        if n >= len(self.words):
            return None
        gap = self.text[pos : self.words[n].start]
        if gap.strip() == ",":
            # an apposition: the verb follows its closing comma, within a couple of dozen words
            m = n
            while m < len(self.words) and m - n < 25 and self.words[m].end <= hi:
                after = (
                    self.text[self.words[m].end : self.words[m + 1].start]
                    if m + 1 < len(self.words)
                    else ""
                )
                # `president of the Thomas B. Fordham Institute,`: an initial's full stop
                # ends no apposition
                initial = after.startswith(".") and (
                    self.words[m].text in _ABBREVIATIONS
                    or (len(self.words[m].text) == 1 and self.words[m].text.isupper())
                )
                if any(
                    ch in _bare(after[1:] if initial else after)
                    for ch in _OPENING + "”" + _FILL + ".;:!?"
                ):
                    return None
                # `..., the High Commissioner for Refugees (UNHCR), reacted`
                if after.replace(")", "").strip() == ",":
                    n = m + 1
                    break
                m += 1
            else:
                return None
        elif not _is_space_gap(gap):
            return None
        for _ in range(3):
            if n >= len(self.words) or self.words[n].end > hi:
                return None
            word = self.words[n].text
            if (word in _AUX and word not in _FUNCTION_WORDS) or (
                word.endswith("ly") and word.islower()
            ):
                n += 1
                continue
            break
        if n >= len(self.words) or self.words[n].end > hi:
            return None
        verb = self.words[n].text
        if n in self.title_verbs:
            verb = verb.lower()
        if not verb.islower() or not verb.isalpha():
            return None
        if verb in _AUX or verb in _LINKING or verb in _VERBS:
            return verb
        if verb in _NOT_VERBS or verb in _ANON_NOUNS or verb in _ROLES:
            return None
        return verb

    # --- clauses ------------------------------------------------------------------------

    def _surely_named(self, subject: _Subject) -> bool:
        """A lone capitalised word opening a sentence (`Minutes later, ...`) is a name only
        when a verb follows it or the article names it elsewhere."""
        if subject.ref is not _Ref.PERSON or subject.titled or " " in subject.printed:
            return True
        if subject.printed.lower() in self.lowercase and subject.printed not in self.surnames:
            # `Immigration is now …` where the article also writes `immigration`
            return False
        nxt = self.word_at(subject.end)
        if nxt < len(self.words):
            verb = self.words[nxt].text
            # `Moments later, ...`, `Days ago, ...`: an adverb closing an opening phrase
            closes = self.text[self.words[nxt].end : self.words[nxt].end + 1] == ","
            if (verb in _LINKING or verb in _AUX or verb in _VERBS or verb.endswith("ed")) and not (
                closes and verb in _CONNECTIVES | {"ago"}
            ):
                return True
        return any(
            m.start != subject.start and _same_person(m.name, subject.printed)
            for m in self.mentions
        )

    def _clauses(self) -> list[_Clause]:
        """Every reporting clause of the article with its subject, in order of the cue."""
        out: list[_Clause] = []
        for ss, se, _ in self.sentences:
            in_sentence: list[_Clause] = []
            k = self.word_at(ss)
            while k < len(self.words) and self.words[k].start < se:
                w = self.words[k]
                clause: _Clause | None = None
                if w.text in _VERBS or self._phrasal(k) or k in self.title_verbs:
                    clause = self._verb_first(k, ss, se) or self._subject_first(k, ss)
                elif w.text.islower() and w.text.endswith("ed"):
                    # `“This is fantastic!” beamed Hartley`, `“Why?” Beck questioned`: any past
                    # tense right after a quote.
                    clause = self._verb_first(k, ss, se) or self._subject_first(
                        k, ss, after_quote=True
                    )
                elif w.text.lower() in _VERBS and k == self.word_at(ss):
                    # `Said Dorothy Poynter, who grew up with him, “We were proud.”`
                    clause = self._verb_first(k, ss, se, opening=True)
                if clause is None and (
                    w.text in _PARTICIPLES or (w.text in _VERBS and self._coordinated(k, ss))
                ):
                    subject = (
                        self._absolute(k, ss)
                        or (in_sentence[-1].subject if in_sentence else None)
                        or self.sentence_subject(ss, se)
                        or self.main_subject(ss, w.start)
                    )
                    if subject is not None and subject.end <= w.start:
                        clause = _Clause(subject, w.text, w.start, subject.first)
                if clause is not None:
                    in_sentence.append(clause)
                k += 1
            for m in _ACCORDING.finditer(self.text, ss, se):
                subject = self.subject_starting(self.word_at(m.end()), se, objects=True)
                if subject is None:
                    subject = self._noun_phrase(m.end(), se)
                if subject is not None:
                    in_sentence.append(_Clause(subject, m.group(), m.start(), m.start()))
            out.extend(sorted(in_sentence, key=lambda c: c.cue_start))
        return out

    def _phrasal(self, k: int) -> bool:
        particle = _PHRASAL.get(self.words[k].text)
        return (
            particle is not None
            and k + 1 < len(self.words)
            and self.words[k + 1].text == particle
            and self.spaced(k)
        )

    def _cue(self, k: int) -> str:
        """The verb as printed, with its particle for a phrasal verb."""
        if self._phrasal(k):
            return self.doc.text[self.words[k].start : self.words[k + 1].end]
        return self.words[k].text

    def _absolute(self, k: int, ss: int) -> _Subject | None:
        """`with Senator John McCain telling reporters`, `Ryan saying he was …`: the name right
        before a participle is its subject."""
        if self.words[k].text not in _PARTICIPLES or k == 0 or not self.spaced(k - 1):
            return None
        subject = self.subject_ending(k - 1, ss)
        if subject is None or subject.ref is not _Ref.PERSON:
            return None
        return subject

    def _coordinated(self, k: int, ss: int) -> bool:
        """`Wilson praised Rubio and said ...`: a verb sharing the subject of the sentence."""
        j = k - 1
        if j >= 0 and self.words[j].start >= ss and self.words[j].text in _AUX and self.spaced(j):
            j -= 1
        return (
            j >= 0
            and self.words[j].start >= ss
            and self.words[j].text in ("and", "but")
            and self.spaced(j)
        )

    def _verb_first(self, k: int, ss: int, se: int, *, opening: bool = False) -> _Clause | None:
        """`”, said Mr Putin`: the verb right after a closing quotation mark, or opening the
        sentence (`Said Mr Putin: “…”`)."""
        w = self.words[k]
        if w.text.lower() in _NEVER_INVERTED:
            return None
        before = self.text[ss : w.start].rstrip(" \t\n,;:—–-")
        cue = self._cue(k)
        if before.endswith((" a", " avait", " hat")):
            # the French and German perfect: `», a déclaré François Hollande`
            before, aux = before.rsplit(" ", 1)
            before = before.rstrip(" \t\n,;:—–-")
            cue = f"{aux} {cue}"
        after_comma = self.text[ss : w.start].rstrip(" \t").endswith(",")
        if not (
            before.endswith(tuple(_CLOSING)) or after_comma or (opening and not before.strip())
        ):
            return None
        subject = self.subject_starting(k + 1, se)
        if subject is None or not _is_space_gap(self.text[w.end : subject.first]):
            return None
        if (
            after_comma
            and not before.endswith(tuple(_CLOSING))
            and (w.text.lower() in _OBJECT_VERBS or not self._inverted_end(subject))
        ):
            return None
        return _Clause(subject, cue, w.start, w.start)

    def _inverted_end(self, subject: _Subject) -> bool:
        """`…, said Solovey, “…”` or `…, said Kunin.`: the subject ends the inverted clause."""
        rest = self.text[subject.end : subject.end + 40].lstrip(" \t")
        if not rest or rest[0] in ",.;:!?—–\n" + _OPENING + _FILL:
            return True
        word = re.match(r"\w+", rest)
        return word is not None and word.group() in ("in", "on", "at", "during", "after", "who")

    def _subject_first(self, k: int, ss: int, *, after_quote: bool = False) -> _Clause | None:
        """`Mr Putin said`, `Putin has repeatedly said`, `Dmitry Peskov, his spokesman, said`.

        With after_quote, only a subject right after a closing quotation mark counts.
        """
        w = self.words[k]
        j = k - 1
        for _ in range(3):
            if j < 0 or self.words[j].start < ss or not self.spaced(j):
                break
            lower = self.words[j].text
            if lower in _AUX or (lower.islower() and lower.endswith("ly")):
                j -= 1
            else:
                break
        if j < 0 or self.words[j].start < ss:
            return None
        if after_quote:
            # `“Why?” Beck questioned`: the quote ends in `,?!` and the name follows it
            subject = self.subject_ending(j, ss)
            head = self.text[ss : subject.first if subject else ss].rstrip(" \t\n")
            if subject is None or not re.search(r"[,?!][”\"’»]$", head):
                return None
            return _Clause(subject, self._cue(k), w.start, subject.first)
        if self.words[j].text == "who" and j > 0 and self.words[j - 1].start >= ss:
            # `Mike Lee, who declared ...`: the relative pronoun stands for the name before it.
            if self.text[self.words[j - 1].end : self.words[j].start].strip() != ",":
                return None
            j -= 1
            subject = self.subject_ending(j, ss)
            if subject is None or subject.ref is not _Ref.PERSON:
                return None
            return _Clause(subject, self._cue(k), w.start, subject.first)
        gap = self.text[self.words[j].end : self.words[j + 1].start]
        if _is_space_gap(gap):
            subject = self.subject_ending(j, ss)
        elif gap.strip() == ",":
            subject = self._appositive(j, ss)
        else:
            return None
        if subject is None:
            return None
        return _Clause(subject, self._cue(k), w.start, subject.first)

    def _appositive(self, j: int, ss: int) -> _Subject | None:
        """`Peskov, Putin’s spokesman, said` and `Putin’s spokesman, Peskov, said`: the name."""
        segment = _bare(self.text[ss : self.words[j].start])
        last = segment.rfind(",")
        if last < 0 or any(ch in segment[last:] for ch in _OPENING + "”" + _FILL):
            return None
        inner = self.subject_ending(j, ss + last + 1)
        if inner is not None and inner.first != self.words[self.word_at(ss + last)].start:
            inner = None
        # The head is the first subject standing before a comma, within a dozen words:
        # `Clinton, during a meeting in Columbus, Ohio, said` is Clinton's clause.
        heads: list[_Subject] = []
        for m in re.finditer(",", segment):  # commas inside short quotations are blanked
            c = ss + m.start()
            head_end = self.word_at(c) - 1
            if j - head_end > 16 or head_end < 0 or self.text[self.words[head_end].end : c].strip():
                continue
            if any(
                ch in _bare(self.text[c : self.words[j].start]) for ch in _OPENING + "”" + _FILL
            ):
                continue
            head = self.subject_ending(head_end, ss)
            if head is not None and not self._after_preposition(head, ss):
                heads.append(head)
        for head in heads:
            if head.ref is _Ref.PERSON:
                return head
        if inner is not None and inner.ref is _Ref.PERSON:
            return inner
        return heads[-1] if heads else None

    def _after_preposition(self, subject: _Subject, ss: int) -> bool:
        """`Speaking in Boston, Clinton, ... said`: a name after a preposition is no subject."""
        k = self.word_at(subject.first) - 1
        return (
            k >= 0
            and self.words[k].start >= ss
            and self.spaced(k)
            and self.words[k].text in _PREPOSITIONS
        )

    def _noun_phrase(self, start: int, hi: int) -> _Subject | None:
        """What `according to` names when it is no person: `according to a statement`."""
        m = _NOUN_PHRASE.match(self.text, start, hi)
        if m is None or not m.group(1) or len(m.group(1).split()) > 6:
            return None
        return _Subject(_Ref.ANON, m.start(1), m.end(1), self.doc.text[m.start(1) : m.end(1)])

    # --- quotes -------------------------------------------------------------------------

    def choose(self, quote: Quote) -> tuple[_Subject, str | None] | None:
        """The subject and cue a quote is attributed to, before pronouns are resolved."""
        parts = [self.doc.text_span(p.span) for p in quote.parts]
        if not parts:
            return None
        qs, qe = parts[0].start, parts[-1].end
        if quote.blockquote or self._whole_block(qs, qe):
            dashed = self._dash(qe)
            if dashed is not None:
                return dashed
        si, sj = self.sentence_of(qs), self.sentence_of(max(qe - 1, qs))
        ss, se = self.sentences[si][0], self.sentences[sj][1]
        found = self._in_sentence(parts, ss, se)
        if found is not None:
            return found
        if self.text[ss:qs].rstrip(" \t" + _OPENING).endswith(":"):
            subject = self.sentence_subject(ss, se)
            if subject is not None:
                return subject, ":"
        # No reporting clause: the subject of the words around the quote (`Hewlett sniped
        # that Fiorina was “learning on the job”`), with no cue.
        subject = self.main_subject(ss, qs)
        if subject is not None:
            return subject, None
        return self._previous_sentence(si, headline=quote.headline)

    def _whole_block(self, qs: int, qe: int) -> bool:
        """Whether the quotation is its paragraph, all of it: a signature line may follow."""
        block = self.blocks[self.block_of(qs)].span
        return self.block_of(qe - 1) == self.block_of(qs) and not (
            self.text[block.start : qs].strip(" \t\n" + _OPENING)
            or self.text[qe : block.end].strip(" \t\n" + _CLOSING + ".,")
        )

    def _in_sentence(
        self, parts: list[Span], ss: int, se: int
    ) -> tuple[_Subject, str | None] | None:
        """The nearest clause: between split parts, right after, before, later in the sentence."""
        qs, qe = parts[0].start, parts[-1].end
        ranked: list[_Clause] = []
        for a, b in itertools.pairwise(parts):
            ranked.extend(c for c in self.clauses if a.end <= c.anchor and c.cue_start < b.start)
        anchor_match = _ANCHOR.match(self.text, qe)
        anchor = anchor_match.end() if anchor_match else qe
        ranked.extend(c for c in self.clauses if c.anchor == anchor and self._attached(c, qe, se))
        colon = self._colon_before(ss, qs)
        if colon is not None:
            ranked.append(colon)
        before = [
            c for c in self.clauses if ss <= c.anchor and c.cue_start < qs and c.subject.end <= qs
        ]
        if len(before) > 1:
            # `Cruz said he is sure Rubio will continue to be “…”`: a verb after a modal is no
            # report but part of what the earlier clause reports
            reports = [c for c in before if not self._after_modal(c)]
            if reports:
                before = reports
        ranked.extend(sorted(before, key=lambda c: c.cue_start, reverse=True))
        ranked.extend(c for c in self.clauses if qe <= c.anchor < se and c.anchor != anchor)
        return _first_person(ranked)

    def _after_modal(self, clause: _Clause) -> bool:
        """Whether the clause's verb follows a modal: `will say`, `would continue`."""
        k = self.word_at(clause.cue_start) - 1
        return k >= 0 and self.spaced(k) and self.words[k].text in _MODALS

    def _attached(self, clause: _Clause, qe: int, se: int) -> bool:
        """Whether a clause right after a quote belongs to it, across a doubtful sentence end.

        `“Why?” Putin asked.` and `“We won.” Putin said.` are split as sentences, but the clause
        belongs to the quote: after `?` or `!` always, after `.` when the verb ends the clause.
        """
        if clause.anchor < se:
            return True
        if self.sentence_of(clause.anchor) != self.sentence_of(se) or se != clause.anchor:
            return False
        if self.text[qe - 1 : qe] in ("?", "!"):
            return True
        verb_end = clause.cue_start + len(clause.cue or "")
        return self.text[verb_end : verb_end + 1] in (".", ",")

    def _colon_before(self, ss: int, qs: int) -> _Clause | None:
        """`Putin: “…”`, the name and a colon right before the quotation."""
        head = self.text[ss:qs].rstrip(" \t" + _OPENING)
        if not head.endswith(":"):
            return None
        colon = ss + len(head) - 1
        j = self.word_at(colon) - 1
        if j < 0 or self.words[j].start < ss or self.text[self.words[j].end : colon].strip():
            return None
        if self.words[j].text in _VERBS:
            return None
        subject = self.subject_ending(j, ss)
        if subject is None or subject.ref is _Ref.PRONOUN:
            return None
        # `said in a statement:`, `told Fox News:`, `added about Carson:`: the words before the
        # colon are an object or a complement, not the speaker, when a lowercase word leads in.
        k = self.word_at(subject.first) - 1
        if k >= 0 and self.words[k].start >= ss and self.spaced(k):
            lead = self.words[k].text
            if lead.islower() and lead not in _CLAUSE_OPENERS | _CONNECTIVES:
                return None
        return _Clause(subject, ":", colon, subject.first)

    def _previous_sentence(self, si: int, *, headline: bool) -> tuple[_Subject, str | None] | None:
        """The clause, or the subject, of the sentence before the quote's."""
        if si == 0 or headline:
            return None
        ps, pe, pb = self.sentences[si - 1]
        qb = self.sentences[si][2]
        if pb != qb and (pb != qb - 1 or self.blocks[pb].kind is BlockKind.HEADING):
            return None
        clauses = [c for c in self.clauses if ps <= c.cue_start < pe and c.anchor >= ps]
        found = _first_person(sorted(clauses, key=lambda c: c.cue_start, reverse=True))
        if found is not None:
            return found
        subject = self.sentence_subject(ps, pe)
        if subject is None and self.text[ps:pe].rstrip().endswith(":"):
            # `In response, Trump issued the following statement:` announces the quotation
            subject = self.main_subject(ps, pe)
        return (subject, None) if subject is not None else None

    def _dash(self, qe: int) -> tuple[_Subject, str | None] | None:
        """A block quote signed on its last line, or the next: `— John F. Kennedy, 1962`."""
        bi = self.block_of(qe)
        places = [(qe, self.blocks[bi].span.end)]
        if bi + 1 < len(self.blocks):
            nxt = self.blocks[bi + 1].span
            line_end = self.text.find("\n", nxt.start, nxt.end)
            line_end = nxt.end if line_end < 0 else line_end
            # only a short line signs the quote above it, not a paragraph that opens with a dash
            if line_end - nxt.start <= 100:
                places.append((nxt.start, line_end))
        for start, end in places:
            for m in _DASH_LINE.finditer(self.text, start, end):
                line_end = self.text.find("\n", m.end(), end)
                hi = end if line_end < 0 else line_end
                subject = self.subject_starting(self.word_at(m.end()), hi)
                if subject is not None and subject.ref is not _Ref.PRONOUN:
                    return subject, m.group(1)
        return None

    # --- resolution ---------------------------------------------------------------------

    def resolve(self, chosen: Sequence[_Subject]) -> dict[tuple[int, int], _Resolved]:
        """Every subject resolved, in article order: pronouns and roles to earlier subjects."""
        events: dict[tuple[int, int], _Subject] = {}
        # A sentence about a person names who a later pronoun means (`Kasich took a different
        # tack. “…,” he said.`), whether it reports speech or not.
        for ss, se, _ in self.sentences:
            subject = self.sentence_subject(ss, se)
            if subject is not None and subject.ref is _Ref.PERSON:
                events[(subject.start, subject.end)] = subject
        events.update({(c.subject.start, c.subject.end): c.subject for c in self.clauses})
        events.update({(s.start, s.end): s for s in chosen})
        reported = {(c.subject.start, c.subject.end) for c in self.clauses}
        reported.update((s.start, s.end) for s in chosen)
        done: dict[tuple[int, int], _Resolved] = {}
        history: list[_Event] = []
        for key in sorted(events):
            subject = events[key]
            block = self.block_of(subject.start)
            r = self._resolve_one(subject, block, history)
            done[key] = r
            if r.kind is not AttributionKind.NONE:
                history.append(_Event(subject.start, block, r, key in reported))
        return done

    def _resolve_one(self, subject: _Subject, block: int, history: list[_Event]) -> _Resolved:
        match subject.ref:
            case _Ref.PERSON:
                name = self.fullest(subject.printed, subject.start)
                return _Resolved(AttributionKind.EXPLICIT, speaker=name)
            case _Ref.ORG | _Ref.ANON:
                if _alias_key(subject.printed) in self.aliases:
                    return _Resolved(AttributionKind.EXPLICIT, speaker=subject.printed)
                return _Resolved(AttributionKind.ANONYMOUS, description=subject.printed)
            case _Ref.PRONOUN:
                found = self._antecedent(subject, block, history)
                if found is not None:
                    event, rivals = found
                    return self._as_pronoun(event.resolved, subject.start, rivals)
                titled = self._titled_before(subject.start, block - _WINDOW_BLOCKS)
                if titled is not None:
                    return _Resolved(AttributionKind.PRONOUN, speaker=titled)
                return _Resolved(AttributionKind.NONE)
            case _Ref.ROLE:
                if _alias_key(subject.printed) in self.aliases:
                    return _Resolved(AttributionKind.EXPLICIT, speaker=subject.printed)
                named = [
                    e
                    for e in itertools.takewhile(
                        lambda e: e.block >= block - _WINDOW_BLOCKS, reversed(history)
                    )
                    if e.resolved.speaker is not None
                ]
                if named:
                    return self._as_pronoun(
                        named[0].resolved, subject.start, _rivals(named[0], named)
                    )
                titled = self._titled_before(subject.start, 0)
                if titled is not None:
                    return _Resolved(AttributionKind.PRONOUN, speaker=titled)
                return _Resolved(AttributionKind.ANONYMOUS, description=subject.printed)
            case _:
                assert_never(subject.ref)

    def _antecedent(
        self, pronoun: _Subject, block: int, history: list[_Event]
    ) -> tuple[_Event, int] | None:
        """What a pronoun refers to, and how many other people it might have meant: the last
        subject within the window whose gender, where the article tells it, agrees; a speaker
        reported in the pronoun's own paragraph wins over a later subject that reported nothing
        (`Putin said …. Hollande smiled. “…,” he said.`)."""
        gender = _PRONOUN_GENDER.get(pronoun.printed.lower())
        compatible: list[_Event] = []
        for event in reversed(history):
            if event.block < block - _WINDOW_BLOCKS:
                break
            speaker = event.resolved.speaker
            if gender is not None and not _one_person(event.resolved):
                # `he`/`she` is one person: not `the campaign`, `Republicans`, `The New York
                # Times` nor `U.S. leaders`, whatever subject came last
                continue
            if gender is not None and speaker is not None:
                known = self.gender_of(speaker)
                if known is not None and known != gender:
                    continue
            compatible.append(event)
        if not compatible:
            return None
        chosen = compatible[0]
        for event in compatible:
            if event.block != block:
                break
            if event.reported:
                chosen = event
                break
        return chosen, _rivals(chosen, compatible)

    def gender_of(self, name: str) -> str | None:
        """`m` or `f` where the article tells a person's gender without contradiction: a title
        (`Mr`, `Mrs`, `Ms`) before the surname, or `<surname> said (that) he/she`."""
        if self._genders is None:
            found: dict[str, set[str]] = {}
            for m in _TITLE_GENDER.finditer(self.text):
                found.setdefault(m.group(2).split()[-1], set()).add(
                    "m" if m.group(1) == "Mr" else "f"
                )
            for m in _SAID_GENDER.finditer(self.text):
                found.setdefault(m.group(1), set()).add("m" if m.group(2) == "he" else "f")
            self._genders = {k: next(iter(v)) if len(v) == 1 else "" for k, v in found.items()}
        words = name.split()
        if len(words) > 1 and words[0] in _MALE_FIRST:
            return "m"
        if len(words) > 1 and words[0] in _FEMALE_FIRST:
            return "f"
        return self._genders.get(words[-1]) or None

    def _as_pronoun(self, r: _Resolved, pos: int, rivals: int = 0) -> _Resolved:
        if r.speaker is None:
            return _Resolved(AttributionKind.ANONYMOUS, description=r.description, rivals=rivals)
        return _Resolved(
            AttributionKind.PRONOUN, speaker=self.fullest(r.speaker, pos), rivals=rivals
        )

    def _titled_before(self, pos: int, min_block: int) -> str | None:
        """The last person named with a title before pos: `Senator John Smith visited ...`."""
        for m in reversed(self.mentions):
            if m.start < pos and m.titled and m.block >= min_block:
                return self.fullest(m.name, pos)
        return None


def _one_person(r: _Resolved) -> bool:
    """Whether a resolved subject may be one person: a name that is no group of people nor a
    place, or a description whose noun is a person (`a campaign aide`, `the senator`)."""
    if r.speaker is not None:
        words = r.speaker.split()
        return not (
            words[-1] in _GROUP_NAMES or (words[-1] in _PLACES and words[0] not in _MALE_FIRST)
        )
    for word in (r.description or "").lower().split():
        if word in _ROLES or word in _PERSON_NOUNS:
            return True
    return False


def _rivals(chosen: _Event, candidates: Sequence[_Event]) -> int:
    """How many other people (or descriptions) the candidates name besides the chosen one."""
    others: list[_Resolved] = []
    for event in candidates:
        r = event.resolved
        if _same_referent(r, chosen.resolved) or any(_same_referent(r, o) for o in others):
            continue
        others.append(r)
    return len(others)


def _same_referent(a: _Resolved, b: _Resolved) -> bool:
    if a.speaker is not None and b.speaker is not None:
        return _same_person(a.speaker, b.speaker)
    return a.speaker == b.speaker and _alias_key(a.description or "") == _alias_key(
        b.description or ""
    )


def _descriptive(lower: str) -> bool:
    """A lowercase word of a description before a name: `political scientist`, `ally`."""
    if lower in _DESCRIPTIVE or lower in _ROLES or lower in _ANON_NOUNS:
        return True
    return (
        lower.endswith(("ist", "ian", "er", "or", "ant", "ent"))
        and lower.isalpha()
        and lower not in _NOT_VERBS | _CLAUSE_OPENERS | _FUNCTION_WORDS | _VERBS | _AUX
        and lower not in ("never", "ever", "other", "whether", "either", "rather", "later")
    )


def _plain(word: str) -> bool:
    """A lowercase word that may describe a source: `a longtime adviser`, not `a man who`."""
    return word.islower() and word not in _VERBS and word not in _FUNCTION_WORDS


def _first_person(ranked: Sequence[_Clause]) -> tuple[_Subject, str | None] | None:
    """The first clause whose subject is not a news outlet, else the first clause."""
    for c in ranked:
        if not c.subject.outlet:
            return c.subject, c.cue
    return (ranked[0].subject, ranked[0].cue) if ranked else None
