"""The speech / scare-quote classifier on articles as the pipeline reads them."""

from __future__ import annotations

import pytest

from quoteverify.attribute import attribute
from quoteverify.classify import classify
from quoteverify.extract import extract, load_document
from quoteverify.models import DocFormat, QuoteKind

SPEECH = QuoteKind.SPEECH
SCARE = QuoteKind.SCARE


def _kinds(article: str) -> list[tuple[str, QuoteKind]]:
    doc = load_document(article, DocFormat.TEXT)
    quotes = extract(doc).quotes
    kinds = classify(doc, quotes, attribute(doc, quotes))
    return [(q.text, k) for q, k in zip(quotes, kinds, strict=True)]


CLASSIFY = [
    # a headline quote that a body quote repeats is verified once, in the body
    (
        "Mayor says the bridge ‘will open in May’\n\n“It will open in May,” Mayor Lee said.",
        [("will open in May", SCARE), ("It will open in May,", SPEECH)],
    ),
    (
        "Mayor says the bridge ‘will open in May’\n\nThe mayor spoke on Friday about the bridge.",
        [("will open in May", SPEECH)],
    ),
    # titles ending with the sentence's full stop: after the kind of work, a possessive,
    # or the prepositions of broadcasts
    ("Kim Lee starred in the film “Riverbend.”", [("Riverbend.", SCARE)]),
    ("Lee told the story on Channel Nine’s “Sunrise.”", [("Sunrise.", SCARE)]),
    (
        "“I am ready,” Lee said on “Morning Report.”",
        [("I am ready,", SPEECH), ("Morning Report.", SCARE)],
    ),
    (
        "“I am ready,” Lee told “Morning Report,” on Monday.",
        [("I am ready,", SPEECH), ("Morning Report,", SCARE)],
    ),
    (
        "She read from her memoir, “A Long Way Home And Back Again Through The Hills.”",
        [("A Long Way Home And Back Again Through The Hills.", SCARE)],
    ),
    # ... but a chant or a place after another preposition is not a title
    ("The hall rang with chants of “Go Team Go!”", [("Go Team Go!", SPEECH)]),
    ("Lee promised new jobs from “Maine to Texas.”", [("Maine to Texas.", SPEECH)]),
    # the title of an article in a digest, then its words
    (
        "Intro.\n“Storm hits coast,” by the Herald’s Ann Lee: “The water rose fast.”",
        [("Storm hits coast,", SCARE), ("The water rose fast.", SPEECH)],
    ),
    # a year in parentheses dates a work or a poster
    (
        "Intro.\nIts posters read “No new taxes for anyone!” (2012) in every town.",
        [("No new taxes for anyone!", SCARE)],
    ),
    # a nickname inside a name; a day after a name is no surname
    ("Intro.\nThe coach, Robert “Bobby” Lane, resigned.", [("Bobby", SCARE)]),
    ("Intro.\nFans called Smith “Magic” Tuesday night.", [("Magic", SPEECH)]),
    # words introduced as words: such as, click, self-described, pseudonym, a definition
    (
        "Intro.\nThey searched for words such as “budget,” “audit” and “deficit.”",
        [("budget,", SCARE), ("audit", SCARE), ("deficit.", SCARE)],
    ),
    ("Intro.\nTo join, click “sign up” below.", [("sign up", SCARE)]),
    ("Intro.\nThe self-described “news junkie” signed up.", [("news junkie", SCARE)]),
    ("Intro.\nHe posted under the pseudonym “Night Owl” for years.", [("Night Owl", SCARE)]),
    ("Intro.\n“Détente” is a French word.", [("Détente", SCARE)]),
    ("Intro.\n“Never” was his answer.", [("Never", SPEECH)]),
    ("Intro.\nSee more below.\n“See also:”\nThe next part.", [("See also:", SCARE)]),
    # words spoken in the first person stay speech; a fragment is never a name
    (
        "Intro.\nWhen she used the words “I’m not done,” the crowd cheered.",
        [("I’m not done,", SPEECH)],
    ),
    ("Intro.\nHe refused to use the words “tax hike” at all.", [("tax hike", SCARE)]),
    (
        "Intro.\nThe fund was branded “in honour of” its founder, Lee wrote.",
        [("in honour of", SPEECH)],
    ),
]


@pytest.mark.parametrize(("article", "expected"), CLASSIFY)
def test_classify(article: str, expected: list[tuple[str, QuoteKind]]) -> None:
    assert _kinds(article) == expected
