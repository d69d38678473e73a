"""Tests for the attribution stage: who the article says spoke each quote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quoteverify.attribute import attribute
from quoteverify.classify import classify
from quoteverify.models import (
    Attribution,
    AttributionKind,
    Block,
    BlockKind,
    Document,
    Quote,
    QuoteKind,
    QuotePart,
    Span,
)

E = AttributionKind.EXPLICIT
P = AttributionKind.PRONOUN
A = AttributionKind.ANONYMOUS
N = AttributionKind.NONE

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_2c19eea2428d6ab8.txt"

_PAIR = re.compile(r"“([^”]*)”|«\s*([^»]*?)\s*»|„([^“]*)“")
_PREFIXES = {"# ": BlockKind.HEADING, "> ": BlockKind.BLOCKQUOTE}


def _document(article: str) -> tuple[Document, list[Quote]]:
    """A Document with one block a line, and its “…” quotes (split quotes joined).

    Lines starting `# ` are headings and `> ` block quotes (consecutive ones are one block);
    the marker is blanked to spaces in `text`, as Markdown reading does.
    """
    text = list(article)
    blocks: list[Block] = []
    pos = 0
    for line in article.split("\n"):
        kind = BlockKind.PARAGRAPH
        for prefix, k in _PREFIXES.items():
            if line.startswith(prefix):
                kind = k
                text[pos : pos + len(prefix)] = " " * len(prefix)
        span = Span(pos, pos + len(line))
        if line.strip():
            last = blocks[-1] if blocks else None
            if (
                kind is BlockKind.BLOCKQUOTE
                and last
                and last.kind is kind
                and last.span.end == pos - 1
            ):
                blocks[-1] = Block(kind, Span(last.span.start, span.end))
            else:
                blocks.append(Block(kind, span))
        pos += len(line) + 1
    doc = Document(source=article, text="".join(text), blocks=tuple(blocks))
    quotes: list[Quote] = []
    prev: re.Match[str] | None = None
    for m in _PAIR.finditer(doc.text):
        g = next(i for i in (1, 2, 3) if m.group(i) is not None)
        part = QuotePart(m.group(g), Span(m.start(g), m.end(g)))
        gap = doc.text[prev.end() : m.start()] if prev else ""
        if (
            prev is not None
            and quotes[-1].parts[-1].text.endswith(",")
            and part.text[:1].islower()
            and not re.search(r"[.!?\n]", gap)
        ):
            quotes[-1] = Quote(parts=(*quotes[-1].parts, part))
        else:
            block = next(b for b in blocks if b.span.start <= m.start() < b.span.end)
            quotes.append(
                Quote(
                    parts=(part,),
                    headline=block.kind is BlockKind.HEADING,
                    blockquote=block.kind is BlockKind.BLOCKQUOTE,
                )
            )
        prev = m
    return doc, quotes


def _attribute(article: str) -> tuple[Attribution, ...]:
    doc, quotes = _document(article)
    return attribute(doc, quotes)


def _summary(a: Attribution) -> tuple[AttributionKind, str | None, str | None, str | None]:
    return a.kind, a.speaker, a.cue, a.description


CASES = [
    # --- explicit patterns ---------------------------------------------------------------
    ("“We will respond,” Putin said.", [(E, "Putin", "said", None)]),
    ("“We will respond,” said Mr Putin.", [(E, "Putin", "said", None)]),
    (
        "“We will respond,” Mr Putin said at a news conference in Paris.",
        [(E, "Putin", "said", None)],
    ),
    ("“It is fine,” Mr. Smith told CNN on Monday.", [(E, "Smith", "told", None)]),
    ("Putin says “the West is lying” about Syria.", [(E, "Putin", "says", None)]),
    (
        "The plan is “dead”, according to Angela Merkel.",
        [(E, "Angela Merkel", "according to", None)],
    ),
    ("Putin: “We will respond.”", [(E, "Putin", ":", None)]),
    ("# Putin: “Turkey stabbed us in the back”", [(E, "Putin", ":", None)]),
    ("“Why should we apologise?” Putin asked.", [(E, "Putin", "asked", None)]),
    (
        "“This is fantastic!” beamed Donald Hartley of Madison.",
        [(E, "Donald Hartley", "beamed", None)],
    ),
    ("“We will win.” Putin said.", [(E, "Putin", "said", None)]),
    ("Hillary shot back, “I could have stayed home.”", [(E, "Hillary", "shot back", None)]),
    (
        "Cruz won the backing of Mike Lee, who declared: “It is time to unite.”",
        [(E, "Mike Lee", "declared", None)],
    ),
    (
        "Wilson praised Rubio and said he would bring “positive change”.",
        [(E, "Wilson", "said", None)],
    ),
    (
        "Clinton, during a meeting in Columbus, Ohio, said she was “going to win”.",
        [(E, "Clinton", "said", None)],
    ),
    (
        "« Nous poursuivrons nos frappes », a déclaré François Hollande.",
        [(E, "François Hollande", "a déclaré", None)],
    ),
    ("„Wir müssen reden“, sagte Angela Merkel am Mittwoch.", [(E, "Angela Merkel", "sagte", None)]),
    # the quote's own sentence, before it
    (
        "Putin said the US and Russia would need to have “serious consultations” on the matter.",
        [(E, "Putin", "said", None)],
    ),
    # a long quote, then the attribution with an afterthought
    (
        "“But of course incidents like the destruction of our aircraft are absolutely "
        "unacceptable”, Mr Putin said at a news conference, standing alongside Hollande.",
        [(E, "Putin", "said", None)],
    ),
    # the sentence before the quote names the speaker
    ("Putin spoke bluntly. “Turkey stabbed us in the back.”", [(E, "Putin", "spoke", None)]),
    ("Putin was blunt: “Turkey stabbed us in the back.”", [(E, "Putin", ":", None)]),
    # --- titles and fuller names ---------------------------------------------------------
    ("Prime Minister Theresa May said “Brexit means Brexit”.", [(E, "Theresa May", "said", None)]),
    (
        "Vice President Joe Biden told reporters: “It is a big deal.”",
        [(E, "Joe Biden", "told", None)],
    ),
    (
        "French President François Hollande said “France is at war”.",
        [(E, "François Hollande", "said", None)],
    ),
    ("Sen. Chris Murphy said: “We need a vote.”", [(E, "Chris Murphy", "said", None)]),
    (
        "Turkish President Recep Tayyip Erdogan spoke in Ankara.\n"
        "Later, Mr Erdogan said: “We are not afraid.”",
        [(E, "Recep Tayyip Erdogan", "said", None)],
    ),
    ("George H.W. Bush said the war was “necessary”.", [(E, "George H.W. Bush", "said", None)]),
    ("John F. Kennedy said “we choose to go to the moon”.", [(E, "John F. Kennedy", "said", None)]),
    ("Bashar al-Assad called the rebels “terrorists”.", [(E, "Bashar al-Assad", "called", None)]),
    ("Ursula von der Leyen said Europe was “united”.", [(E, "Ursula von der Leyen", "said", None)]),
    ("Recep Tayyip Erdoğan said Turkey was “ready”.", [(E, "Recep Tayyip Erdoğan", "said", None)]),
    ("But Putin insisted it was “impossible” to miss.", [(E, "Putin", "insisted", None)]),
    ("On Monday Putin said the talks were “useful”.", [(E, "Putin", "said", None)]),
    (
        "Dmitry Peskov, Putin’s spokesman, said the claims were “absurd”.",
        [(E, "Dmitry Peskov", "said", None)],
    ),
    (
        "Putin’s spokesman, Dmitry Peskov, said the claims were “absurd”.",
        [(E, "Dmitry Peskov", "said", None)],
    ),
    # --- possessives -----------------------------------------------------------------------
    ("Mr Erdogan described Mr Putin’s claims as “unfair”.", [(E, "Erdogan", "described", None)]),
    ("Putin’s spokesman said the claims were “absurd”.", [(A, None, "said", "Putin’s spokesman")]),
    # --- outlets ---------------------------------------------------------------------------
    (
        "Putin said the countries would need “serious talks”, according to the Associated Press.",
        [(E, "Putin", "said", None)],
    ),
    ("The deal is “finished”, according to Reuters.", [(A, None, "according to", "Reuters")]),
    ("“The deal is finished,” Reuters reported.", [(A, None, "reported", "Reuters")]),
    ("The Kremlin said the report was “nonsense”.", [(A, None, "said", "The Kremlin")]),
    ("Turkey said the jet was “warned ten times”.", [(A, None, "said", "Turkey")]),
    # --- pronouns --------------------------------------------------------------------------
    (
        "Putin met Hollande on Thursday. Putin said the talks were useful. Hollande smiled. "
        "The two men shook hands. “We will work together,” he said.",
        [(P, "Putin", "said", None)],
    ),
    ("“It is over,” he said.", [(N, None, "said", None)]),
    (
        "Erdogan said Turkey would not apologise.\nHe was defiant.\n“We did nothing wrong.”",
        [(P, "Erdogan", None, None)],
    ),
    (
        "Putin told the Duma the attack was a crime.\n“We will respond,” he said, “with force.”",
        [(P, "Putin", "said", None)],
    ),
    (
        "A US official said the decision was final.\nShe added: “There is no going back.”",
        [(A, None, "added", "A US official")],
    ),
    # a pronoun more than five blocks after its referent resolves to nothing
    (
        "Putin said the talks failed.\na\nb\nc\nd\ne\nf\n“We will see,” he said.",
        [(N, None, "said", None)],
    ),
    # --- descriptions that refer back ------------------------------------------------------
    (
        "John McCain said the vote was close.\n“We lost,” the senator said.",
        [(P, "John McCain", "said", None)],
    ),
    (
        "Vladimir Putin spoke in Moscow on Monday.\n"
        "“Russia will not back down,” the Russian leader said.",
        [(P, "Vladimir Putin", "said", None)],
    ),
    (
        "Donald Trump said the election was rigged.\n"
        "“Believe me,” the Republican nominee told supporters.",
        [(P, "Donald Trump", "told", None)],
    ),
    ("“We lost,” the senator said.", [(A, None, "said", "the senator")]),
    # --- anonymous sources -----------------------------------------------------------------
    (
        "“We are watching closely,” a senior official said.",
        [(A, None, "said", "a senior official")],
    ),
    (
        "A USA official said it raises “significant concerns”.",
        [(A, None, "said", "A USA official")],
    ),
    ("Officials said the plan was “on track”.", [(A, None, "said", "Officials")]),
    (
        "“We are concerned,” a spokesman for the ministry said.",
        [(A, None, "said", "a spokesman for the ministry")],
    ),
    ("Sources said the talks were “at an impasse”.", [(A, None, "said", "Sources")]),
    (
        "A source close to the Kremlin said the deal was “dead”.",
        [(A, None, "said", "A source close to the Kremlin")],
    ),
    ("Diplomats described the meeting as “frosty”.", [(A, None, "described", "Diplomats")]),
    ("“The army fired first,” witnesses told reporters.", [(A, None, "told", "witnesses")]),
    ("Critics called the bill “a disaster”.", [(A, None, "called", "Critics")]),
    ("“We will not apologise,” an aide said.", [(A, None, "said", "an aide")]),
    # --- block quotes ----------------------------------------------------------------------
    (
        "> “Ask not what your country can do for you.”\n> — John F. Kennedy, inaugural address",
        [(E, "John F. Kennedy", "—", None)],
    ),
    (
        "> “The only thing we have to fear is fear itself.”\n-- Franklin D. Roosevelt, 1933",
        [(E, "Franklin D. Roosevelt", "--", None)],
    ),
    # --- several speakers in one paragraph -------------------------------------------------
    (
        "“We want peace,” Putin said. Erdogan replied that Turkey wanted “answers first”. "
        "“Turkey will defend its borders.”",
        [
            (E, "Putin", "said", None),
            (E, "Erdogan", "replied", None),
            (E, "Erdogan", "replied", None),
        ],
    ),
    (
        "Putin called it “a stab in the back” while Erdogan called the claims “slander”.",
        [(E, "Putin", "called", None), (E, "Erdogan", "called", None)],
    ),
    # --- news-writing patterns ------------------------------------------------------------
    # US party-and-state tags stand between the name and its verb
    ("“We need a vote,” Sen. Jane Doyle (D-Ore.) said.", [(E, "Jane Doyle", "said", None)]),
    ("Rep. Tom Hale, R-Ky., said the bill was “dead”.", [(E, "Tom Hale", "said", None)]),
    # after the verb, a description leading up to the name
    (
        "“It was a long night,” said former Obama adviser Dan Pruitt.",
        [(E, "Dan Pruitt", "said", None)],
    ),
    ("“We lost,” said Clinton ally Joe Marsh.", [(E, "Joe Marsh", "said", None)]),
    ("“It is over,” said Ohio’s Rick Dalton, a consultant.", [(E, "Rick Dalton", "said", None)]),
    ("“That was that,” said Police Commissioner Ray Ross.", [(E, "Ray Ross", "said", None)]),
    (
        "“Voters are angry,” said Montclair University political scientist Ann Hale.",
        [(E, "Ann Hale", "said", None)],
    ),
    (
        "“We will win,” said Donald Trump, the Republican nominee.",
        [(E, "Donald Trump", "said", None)],
    ),
    # inverted clauses after a comma, or opening the sentence
    ("But, said Solovey, “I don’t want a fight.”", [(E, "Solovey", "said", None)]),
    ("“It will be hard” for the party, said Kunin.", [(E, "Kunin", "said", None)]),
    ("Said Dora Poole, who grew up nearby, “We were proud.”", [(E, "Dora Poole", "Said", None)]),
    ("Stated Stone:\n“The stakes are high.”", [(E, "Stone", "Stated", None)]),
    # any past tense right after a quote ending in `,?!`
    ("“Your reputation is amazing,” Trump assured Jones.", [(E, "Trump", "assured", None)]),
    ("“Why now?” Beck questioned.", [(E, "Beck", "questioned", None)]),
    # no reporting verb: the subject of the sentence, with no cue
    (
        "Walter Hale sniped that the chief was “learning on the job”.",
        [(E, "Walter Hale", None, None)],
    ),
    (
        "For months, Cruz had praised Trump, stating there was “a benefit” to his run.",
        [(E, "Cruz", None, None)],
    ),
    (
        "Pence, who is running for reelection, praised Cruz for “the courage of his convictions.”",
        [(E, "Pence", None, None)],
    ),
    # ... past a description that opens with a capitalised adjective
    (
        "Republican presidential hopeful Tom Reed is questioning whether the plan was “ever"
        " tested.”",
        [(E, "Tom Reed", None, None)],
    ),
    # ... past a possessive before the title
    (
        "France’s President Paul Leblanc hailed the accord as “historic.”",
        [(E, "Paul Leblanc", None, None)],
    ),
    # ... past an apposition holding an initial's full stop
    (
        "Mary K. Dunn, head of the John Q. Adams Center, praised the bill as “long overdue.”",
        [(E, "Mary K. Dunn", None, None)],
    ),
    # ... past an apposition that closes on a parenthesis
    (
        "Ann Hale, the High Commissioner for Refugees (UNHCR), reacted coolly to the deal, “We"
        " are concerned.”",
        [(E, "Ann Hale", None, None)],
    ),
    # a sentence announcing the quotation of the next paragraph with a colon
    (
        "In response to the news of the vote in the state senate, Governor Tom Reed issued the"
        " following statement:\n“We will fight on.”",
        [(E, "Tom Reed", None, None)],
    ),
    # a quotation that is its whole paragraph, signed on the next line
    ("“We will win this state.”\n— Ann Hale, Denver.", [(E, "Ann Hale", "—", None)]),
    (
        "Notebook.\n“We will win.”\n-Mayor Tom Reed, speaking after the vote.",
        [(E, "Tom Reed", "-", None)],
    ),
    # a participle's own subject: `with X telling ...`
    (
        "The meeting ended with Senator John Reed telling reporters it was “productive”.",
        [(E, "John Reed", "telling", None)],
    ),
    (
        "Mike Lane, who ran the campaign in 2012, said it was “a mess”.",
        [(E, "Mike Lane", "said", None)],
    ),
    (
        "In an interview with CNN, Ellen Park said: “We are ready.”",
        [(E, "Ellen Park", "said", None)],
    ),
    (
        "Ellen Park wrote in a Facebook post that the plan was “cruel”.",
        [(E, "Ellen Park", "wrote", None)],
    ),
    ("Ellen Park tweeted that the deal was “a disgrace”.", [(E, "Ellen Park", "tweeted", None)]),
    (
        "In a statement, Ellen Park said the ruling was “wrong”.",
        [(E, "Ellen Park", "said", None)],
    ),
    (
        "Senator Ellen Park spoke in Ohio on Monday.\n“This is our moment,” the senator said.",
        [(P, "Ellen Park", "said", None)],
    ),
    ("# Park: “We Will Win”", [(E, "Park", ":", None)]),
    # --- real-news patterns, second round -------------------------------------------------
    # `told`'s next word is its object, never an inverted subject
    (
        "“We were wrong to wait,” Ramos, 58, told AFP in an interview.",
        [(E, "Ramos", "told", None)],
    ),
    (
        "Ellen Park, who called him first, told her supporters, “I still love Ohio.”",
        [(E, "Ellen Park", "told", None)],
    ),
    # a colon after an object or a complement: the speaker is the clause's subject
    (
        "Dora Lane, the campaign chair, said in a statement: “We are ready.”",
        [(E, "Dora Lane", "said", None)],
    ),
    ("Kemp later told Fox News: “We will come together.”", [(E, "Kemp", "told", None)]),
    ("Wells added about Dalton: “He feels sorry.”", [(E, "Wells", "added", None)]),
    # `NAME of PLACE`: the person, not the place or the publication
    (
        "Rep. Tom Hale of Oklahoma, an ally of the leadership, said he was “worried”.",
        [(E, "Tom Hale", "said", None)],
    ),
    ("Gus Zorn of The Nation wrote, “It rings hollow.”", [(E, "Gus Zorn", "wrote", None)]),
    # a one-word outlet name that the article gives as a person's surname
    (
        "Mayor Don Guardian spoke first. Guardian said the city was “devastated” by it.",
        [(E, "Don Guardian", "said", None)],
    ),
    (
        "Michael Bloomberg ran the city. Now Bloomberg says the race is “an outrage”.",
        [(E, "Michael Bloomberg", "says", None)],
    ),
    # Title-Case headlines: the capitalised verb ends the name and reports
    (
        "13 Zoe Vale Asked Men Everywhere To “Redefine Masculinity.” Photo. Fans cheered.",
        [(E, "Zoe Vale", "Asked", None)],
    ),
    (
        "# Gina Ruiz Questioned What It Means To Be “Latino Enough”",
        [(E, "Gina Ruiz", "Questioned", None)],
    ),
    ("# Trump Says Clinton Is “Unfit”", [(E, "Trump", "Says", None)]),
    # a short title or nickname inside the apposition between the name and its verb
    (
        "“We had better days,” Texas delegate Bill Marsh, wearing a hat and “Cruz” pins, said.",
        [(E, "Bill Marsh", "said", None), (N, None, None, None)],
    ),
    # `according to` a possessive description that leads up to the name
    (
        "For Trump, according to Ronald Reagan’s former education secretary Will Benton, the "
        "speech is “a test” of him.",
        [(E, "Will Benton", "according to", None)],
    ),
    # a pronoun: the subject of the last sentence about a person, though it reported nothing
    (
        "Cruz spoke first.\nJohn Kasich took a different tack and praised the crowd.\n"
        "“You have to unite people,” he said.",
        [(P, "John Kasich", "said", None)],
    ),
    # ... but a speaker reported in the pronoun's own paragraph wins (see the Putin case above)
    # a pronoun skips a person of the other gender, as the article tells it
    (
        "Ann Hale said she would run.\nMr. Dole spoke later.\nMs. Hale waved.\n"
        "“I am not done,” he said.",
        [(P, "Dole", "said", None)],
    ),
    # two people share a surname: the one named last is meant
    (
        "George H.W. Bush stayed home.\nJeb Bush toured the state.\n"
        "Bush says it is “interesting” that many are undecided.",
        [(E, "Jeb Bush", "says", None)],
    ),
    # a first name tells the gender: `Bill` is no antecedent of `she`
    (
        "Mary Lowe spoke first.\nThen Bill Lowe took the stage.\n“We are ready,” she said.",
        [(P, "Mary Lowe", "said", None)],
    ),
    # `Moments later,` opens the sentence; the person follows it
    (
        "Moments later, Tom Reed made his point politely.\n“That is not a policy,” he said.",
        [(P, "Tom Reed", "said", None)],
    ),
    # a place after a preposition heads no apposition: the person does
    (
        "Speaking in Boston, Clinton, without naming him, also accused Sanders of delay.\n"
        "“You can't just show up,” she said.",
        [(P, "Clinton", "said", None)],
    ),
    (
        "In a court in Dayton, Ohio, Lazar, in a grey suit, said little.\n"
        "“They are accurate,” he said.",
        [(P, "Lazar", "said", None)],
    ),
    # a capitalised word the article also writes in lowercase is no person
    (
        "Sam Ortiz spoke about immigration.\nImmigration is now an issue of dignity.\n"
        "“We owe them,” he said.",
        [(P, "Sam Ortiz", "said", None)],
    ),
    # descriptions and titles before an inverted clause's name
    (
        "“They are frustrated,” said Oversight ranking Democrat Eli Jones (D-Md.).",
        [(E, "Eli Jones", "said", None)],
    ),
    (
        "“It hurts a little,” said Republican party boss Rex Prior.",
        [(E, "Rex Prior", "said", None)],
    ),
    ("“Imagine that,” mused Blaze co-host Stu Berg.", [(E, "Stu Berg", "mused", None)]),
    (
        "“We lost,” said Alderman Will D. Byrne, whose ward includes the park.",
        [(E, "Will D. Byrne", "said", None)],
    ),
    # a verb after a modal is part of what the earlier clause reports
    (
        "In a statement, Cruz said he is certain Rubio will continue to be “a champion” for us.",
        [(E, "Cruz", "said", None)],
    ),
    (
        "Asked about Trump, President Ann Obi said she expected that voters will say “no” to him.",
        [(E, "Ann Obi", "said", None)],
    ),
    # he/she is one person: no group, organisation, place or non-person description
    (
        "Tom Reed spoke first.\nRepublicans cheered the plan.\n“We won,” he said.",
        [(P, "Tom Reed", "said", None)],
    ),
    (
        "Ann Hale spoke first.\nThe New York Times reported the vote.\n“We won,” she said.",
        [(P, "Ann Hale", "said", None)],
    ),
    (
        "Tom Reed spoke first.\nA campaign statement said the plan works.\n“We won,” he said.",
        [(P, "Tom Reed", "said", None)],
    ),
    (
        "Ann Hale spoke first.\nSouth Carolina voted today.\n“We won,” she said.",
        [(P, "Ann Hale", "said", None)],
    ),
    # a sentence about a person with an apposition names who the pronoun means
    (
        "Cruz spoke first.\nLee Ortiz, the state party chairman, was critical of the plan.\n"
        "“It will fail,” he said.",
        [(P, "Lee Ortiz", "said", None)],
    ),
    # an office held in an organisation is no part of the name
    ("“It is time,” said City Public Advocate Ana Ruiz.", [(E, "Ana Ruiz", "said", None)]),
    (
        "“We had to,” said Steel Workers Secretary-Treasurer Tom Reed.",
        [(E, "Tom Reed", "said", None)],
    ),
    # a description in a Title-Case headline is no part of the name
    ("# Rival Ann Hale Says “We Won”", [(E, "Ann Hale", "Says", None)]),
    # --- nothing to go on ------------------------------------------------------------------
    ("The weather was cold.\n“Winter is coming.”", [(N, None, None, None)]),
    ("# “Winter is coming”", [(N, None, None, None)]),
]


@pytest.mark.parametrize(("article", "expected"), CASES)
def test_attribute_table(
    article: str, expected: list[tuple[AttributionKind, str | None, str | None, str | None]]
) -> None:
    assert [_summary(a) for a in _attribute(article)] == expected


REPORTING_VERBS = [
    "said", "told reporters", "added", "warned", "insisted", "argued", "claimed", "stated",
    "declared", "wrote", "tweeted", "asked", "explained", "noted", "continued", "replied",
    "responded", "recalled", "stressed", "acknowledged", "admitted", "announced", "says",
]  # fmt: skip


@pytest.mark.parametrize("verb", REPORTING_VERBS)
def test_every_reporting_verb(verb: str) -> None:
    cue = verb.split()[0]
    assert [_summary(a) for a in _attribute(f"“Words matter,” Ms Jones {verb}.")] == [
        (E, "Jones", cue, None)
    ]


def test_seed_article() -> None:
    # `as he warned ... “play with fire”`: the nearest clause is `he warned`, so PRONOUN with
    # cue `warned`, resolved to the subject of the clause before it (Mr Erdogan described).
    article = SEED.read_text(encoding="utf-8")
    got = [_summary(a) for a in _attribute(article)]
    assert got == [
        (E, "Putin", "said", None),
        (E, "Recep Tayyip Erdogan", "described", None),
        (P, "Recep Tayyip Erdogan", "warned", None),
        (A, None, "said", "A USA official"),
        (E, "Putin", "said", None),
        (E, "Putin", "said", None),
        (E, "Putin", "insisted", None),
    ]


MENTIONS = [
    ("“We will respond,” Mr Putin said.", ["Putin"]),
    ("“It is over,” he said.", ["he"]),
    ("“We are watching closely,” a senior official said.", ["a senior official"]),
    ("John McCain said the vote was close.\n“We lost,” the senator said.", ["the senator"]),
    ("Putin’s spokesman said the claims were “absurd”.", ["Putin’s spokesman"]),
    ("Putin: “We will respond.”", ["Putin"]),
    ("The weather was cold.\n“Winter is coming.”", [None]),
]


@pytest.mark.parametrize(("article", "mentions"), MENTIONS)
def test_mention_text(article: str, mentions: list[str | None]) -> None:
    got = [
        None if a.mention is None else article[a.mention.start : a.mention.end]
        for a in _attribute(article)
    ]
    assert got == mentions


@pytest.mark.parametrize(
    ("article", "spans"),
    [
        ("“We will respond,” Mr Putin said.", [Span(22, 27)]),
        ("Mr Erdogan described Mr Putin’s claims as “unfair”.", [Span(3, 10)]),
        ("A US official said it was “final”. She added: “No.”", [Span(0, 13), Span(35, 38)]),
    ],
)
def test_mention_offsets(article: str, spans: list[Span]) -> None:
    assert [a.mention for a in _attribute(article)] == spans


def test_mention_is_an_offset_in_source() -> None:
    # An HTML article: text is the visible prose, offsets map it back into the markup.
    source = "<p>“Hi,” Mr Putin said.</p>"
    text = source[3:-4]
    doc = Document(
        source=source,
        text=text,
        blocks=(Block(BlockKind.PARAGRAPH, Span(0, len(text))),),
        offsets=tuple(range(3, 3 + len(text))),
    )
    quote = Quote(parts=(QuotePart("Hi,", Span(4, 7)),))
    (got,) = attribute(doc, [quote])
    assert got.mention == Span(12, 17)
    assert source[12:17] == "Putin"
    assert _summary(got) == (E, "Putin", "said", None)


def test_one_attribution_per_quote_in_order() -> None:
    doc, quotes = _document("“A,” Putin said. “B,” Erdogan said. “C,” Hollande said.")
    got = attribute(doc, list(reversed(quotes)))
    assert [a.speaker for a in got] == ["Hollande", "Erdogan", "Putin"]
    assert attribute(doc, []) == ()


@pytest.mark.parametrize(
    ("article", "aliases", "expected"),
    [
        (
            "“We will act,” the Russian president said.",
            ("the Russian president",),
            (AttributionKind.EXPLICIT, "the Russian president", "said", None),
        ),
        (
            "“We will act,” the Russian president said.",
            (),
            (AttributionKind.ANONYMOUS, None, "said", "the Russian president"),
        ),
        (
            "“We will act,” a Kremlin spokesman said.",
            ("Kremlin Spokesman",),
            (AttributionKind.EXPLICIT, "a Kremlin spokesman", "said", None),
        ),
    ],
)
def test_corpus_alias_names_its_speaker(
    article: str,
    aliases: tuple[str, ...],
    expected: tuple[AttributionKind, str | None, str | None, str | None],
) -> None:
    doc, quotes = _document(article)
    (result,) = attribute(doc, quotes, aliases=aliases)
    assert _summary(result) == expected


SPEECH = QuoteKind.SPEECH
SCARE = QuoteKind.SCARE

CLASSIFY = [
    # names, titles, words introduced as words
    ("Fighters of the so-called “Islamic State” took the town.", [SCARE]),
    ("She wrote a book titled “Women at Work” last year.", [SCARE]),
    ("The ad, entitled “Our Story”, aired on Sunday.", [SCARE]),
    ("The group, known as the “Midnight Crew”, was disbanded.", [SCARE]),
    ("Trump dubbed him “Little Marco” at the rally.", [SCARE]),
    ("Clinton avoided the term “illegal immigrant” in the speech.", [SCARE]),
    ("The emails were labeled “top secret” by the agency.", [SCARE]),
    ("He hosted “Saturday Night Live” in November.", [SCARE]),
    ("Clinton said so in an interview on ABC’s “Good Morning America” on Monday.", [SCARE]),
    ("Rubio appeared on “Meet the Press” and said he would stay.", [SCARE]),
    # partial quotes inside a reporting clause, and whole sentences, are speech
    ("Trump called the deal “a disaster” for workers.", [SPEECH]),
    ("Erdogan described Putin’s claims as “unfair”.", [SPEECH]),
    ("Erdogan warned Russia not to “play with fire”.", [SPEECH]),
    ("Trump called her “Crooked Hillary” again.", [SPEECH]),
    ("“We Will Not Back Down,” Park said.", [SPEECH]),
    ("“Make America Great Again!” the crowd chanted.", [SPEECH]),
    ("The plan is “dead”, according to Angela Merkel.", [SPEECH]),
    ("“We will respond,” he said, “with force.”", [SPEECH]),
    ("> “Ask Not What Your Country Can Do”\n> — John F. Kennedy", [SPEECH]),
]


@pytest.mark.parametrize(("article", "expected"), CLASSIFY)
def test_classify_table(article: str, expected: list[QuoteKind]) -> None:
    doc, quotes = _document(article)
    assert list(classify(doc, quotes, attribute(doc, quotes))) == expected


def test_classify_seed_is_all_speech() -> None:
    doc, quotes = _document(SEED.read_text(encoding="utf-8"))
    assert classify(doc, quotes, attribute(doc, quotes)) == (SPEECH,) * 7


@pytest.mark.parametrize(
    ("article", "rivals"),
    [
        # one person in sight: uncontested
        ("Ann Hale spoke first.\n“We are ready,” she said.", [0]),
        # a man of the other gender is no rival of `she`; a woman is
        ("Ann Hale spoke.\nMr. Dole spoke.\n“We are ready,” she said.", [0]),
        ("Ann Hale spoke.\nMary Lowe spoke.\n“We are ready,” she said.", [1]),
        # the same person named twice counts once; someone of unknown gender counts
        ("Ann Hale spoke.\nLee Ortiz spoke.\nHale waved.\n“We are ready,” she said.", [1]),
        # a named speaker is not resolved at all
        ("“We are ready,” Ann Hale said.", [0]),
    ],
)
def test_pronoun_rivals(article: str, rivals: list[int]) -> None:
    assert [a.rivals for a in _attribute(article)] == rivals
