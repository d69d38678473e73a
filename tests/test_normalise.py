"""Tests for quoteverify.normalise: canonical words, offsets, fragments, dropped material, names."""

from __future__ import annotations

import numpy as np
import pytest

import quoteverify.normalise as qnormalise
from quoteverify.models import Span
from quoteverify.normalise import (
    Dropped,
    Token,
    canonical_name,
    canonical_word,
    normalise,
    normalise_turns,
    normalise_turns_arrays,
    same_person,
)

# (as the article quotes it, as the transcript has it, the words both must give)
EQUAL: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "talks with the U.S. and U.N.",
        "talks with the US and UN",
        ("talks", "with", "the", "us", "and", "un"),
    ),
    ("U.S.-Russian ties", "US Russian ties", ("us", "russian", "ties")),
    # apostrophes, case, Unicode compatibility forms
    ("Don’t go", "don't go", ("don't", "go")),
    ("It‘s ours", "it's ours", ("it's", "ours")),
    ("donʼt", "don't", ("don't",)),
    ("don′t", "don`t", ("don't",)),
    ("‘Nobody’ knows", "nobody knows", ("nobody", "knows")),
    ("ＴＨＥ ﬁnal", "the final", ("the", "final")),
    ("STRASSE", "Straße", ("strasse",)),
    # dashes and spaces
    ("Russian–Turkish talks", "Russian Turkish talks", ("russian", "turkish", "talks")),
    ("Russian‐Turkish", "Russian-Turkish", ("russian", "turkish")),
    ("a\u00a0new\u2009deal", "a new deal", ("a", "new", "deal")),
    ("we—and they—agree", "we - and they - agree", ("we", "and", "they", "agree")),
    # diacritics
    ("Erdoğan", "Erdogan", ("erdogan",)),
    ("Łódź and Ørsted", "Lodz and Orsted", ("lodz", "and", "orsted")),
    ("Kılıçdaroğlu", "Kilicdaroglu", ("kilicdaroglu",)),
    ("Erdog\u0306an", "Erdogan", ("erdogan",)),  # decomposed input
    # punctuation is not a token
    ('"Yes!" (he said.)', "yes", ("yes",)),
    # editorial marks in the quote
    ("He [Trump] said it", "He said it", ("he", "said", "it")),
    ("the deal (between Russia and Turkey) holds", "the deal holds", ("the", "deal", "holds")),
    ("they was [sic] right", "they was right", ("they", "was", "right")),
    ("[T]he leader[s] agree", "the leaders agree", ("the", "leaders", "agree")),
    # annotations in the transcript
    ("we won", "we [laughter] won", ("we", "won")),
    ("we won", "we (applause) won", ("we", "won")),
    ("we won", "we [Laughter and applause] won", ("we", "won")),
    ("we won", "we (inaudible) won", ("we", "won")),
    ("we won", "we (GOVERNOR SMITH: Right.) won", ("we", "won")),
    # fillers
    ("I think we must act", "Uh, I think, um, we must act", ("i", "think", "we", "must", "act")),
    ("we must act", "You know, we must act", ("we", "must", "act")),
    ("it is, frankly, wrong", "it is, you know, frankly, wrong", ("it", "is", "frankly", "wrong")),
    ("the plan failed", "the plan, I mean, failed", ("the", "plan", "failed")),
    ("yes", "uh-huh, yes", ("yes",)),
    ("it works", "Er, erm, it works, hmm", ("it", "works")),
    # stutters and restarts
    ("I think so", "I- I think so", ("i", "think", "so")),
    ("the request", "appropri- the request", ("the", "request")),
    ("which he makes", "which he - which he makes", ("which", "he", "makes")),
    ("I think", "I—I think", ("i", "think")),
    ("we will go", "we will -- we will go", ("we", "will", "go")),
    # two or three words said twice are a false start even without a dash; one word is not
    ("is the business", "is the is the business", ("is", "the", "business")),
    ("I think that we", "I think that I think that we", ("i", "think", "that", "we")),
    ("that that is", "that that is", ("that", "that", "is")),
    # British and American spelling
    ("colour", "color", ("color",)),
    ("honourable behaviour", "honorable behavior", ("honorable", "behavior")),
    ("my favourite neighbours", "my favorite neighbors", ("my", "favorite", "neighbors")),
    ("we apologise", "we apologize", ("we", "apologize")),
    ("she realised", "she realized", ("she", "realized")),
    ("organisations", "organizations", ("organizations",)),
    ("analyse", "analyze", ("analyze",)),
    ("paralysed", "paralyzed", ("paralyzed",)),
    ("centre", "center", ("center",)),
    ("theatres", "theaters", ("theaters",)),
    ("metre", "meter", ("meter",)),
    ("litre", "liter", ("liter",)),
    ("travelled", "traveled", ("traveled",)),
    ("cancelled", "canceled", ("canceled",)),
    ("counsellor", "counselor", ("counselor",)),
    ("defence", "defense", ("defense",)),
    ("licence", "license", ("license",)),
    ("programme", "program", ("program",)),
    ("catalogue", "catalog", ("catalog",)),
    ("dialogue", "dialog", ("dialog",)),
    ("grey", "gray", ("gray",)),
    ("the colour’s", "the color's", ("the", "color's")),
    # numbers
    ("224", "two hundred twenty-four", ("224",)),
    ("224", "two hundred and twenty-four", ("224",)),
    ("fifty percent", "50 per cent", ("50", "percent")),
    ("50%", "fifty percent", ("50", "percent")),
    ("3.3 million", "3.3 million", ("3300000",)),
    ("3.3 million", "three point three million", ("3300000",)),
    ("1,000", "1000", ("1000",)),
    ("1,000", "one thousand", ("1000",)),
    ("2 billion dollars", "two billion dollars", ("2000000000", "dollars")),
    ("450,000", "four hundred and fifty thousand", ("450000",)),
    ("2,300,000", "two million three hundred thousand", ("2300000",)),
    ("the 2nd", "the second", ("the", "2nd")),
    ("21st century", "twenty-first century", ("21st", "century")),
    ("no one", "no 1", ("no", "1")),
    ("in the 1960’s", "in the 1960s", ("in", "the", "1960s")),
]


@pytest.mark.parametrize(("quote", "transcript", "expected"), EQUAL)
def test_quote_and_transcript_give_the_same_words(
    quote: str, transcript: str, expected: tuple[str, ...]
) -> None:
    assert normalise(quote, quote=True).words == expected
    assert normalise(transcript).words == expected


# Pairs that must stay different: spelling collisions, changed numbers, changed meaning.
DIFFERENT: list[tuple[str, str]] = [
    ("our", "or"),
    ("four", "for"),
    ("hours", "hors"),
    ("your", "yor"),
    ("tour", "tor"),
    ("pouring", "poring"),
    ("flour", "flor"),
    ("scouring", "scoring"),
    ("filled", "filed"),
    ("filling", "filing"),
    ("tilled", "tiled"),
    ("polling", "poling"),
    ("willed", "wiled"),
    ("pilled", "piled"),
    ("fill", "fil"),
    ("tell", "tel"),
    ("all", "al"),
    ("will", "wil"),
    ("hell", "hel"),
    ("prise", "prize"),
    ("advise", "advice"),
    ("devise", "device"),
    ("timbre", "timber"),
    ("entre", "enter"),
    ("hatred", "hatered"),
    ("224", "225"),
    ("two hundred twenty-four", "two hundred twenty-five"),
    ("fifty percent", "fifteen percent"),
    ("3.3 million", "3.3 billion"),
    ("twenty. Five", "twenty-five"),
    ("one, two", "12"),
    ("we will win", "we will not win"),
    ("can", "can't"),
    ("its", "it's"),
    ("were", "we're"),
    ("you know that", "that"),
    ("I mean it", "it"),
    ("so-so", "so"),
    ("e-mail", "email"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_texts_stay_different(a: str, b: str) -> None:
    assert normalise(a).words != normalise(b).words
    assert normalise(a, quote=True).words != normalise(b, quote=True).words


# American -ise words, and the -our words that look like a British spelling but are not one.
UNCHANGED = [
    "rise",
    "wise",
    "promise",
    "exercise",
    "otherwise",
    "surprise",
    "compromise",
    "enterprise",
    "premise",
    "franchise",
    "advise",
    "advice",
    "devise",
    "revise",
    "four",
    "our",
    "hour",
    "your",
    "tour",
    "pour",
    "flour",
    "sour",
    "devour",
    "contour",
    "fill",
    "tell",
    "all",
    "will",
    "hell",
    "meter",
    "liter",
    "timbre",
    "glamorous",
    "rigorous",
    "vigorous",
    "hatred",
    "string",
]


@pytest.mark.parametrize("word", UNCHANGED)
def test_words_that_no_spelling_rule_touches(word: str) -> None:
    assert canonical_word(word) == word


OFFSETS: list[tuple[str, int, bool, list[tuple[str, int, int]]]] = [
    (
        "He said two hundred and twenty-four times.",
        100,
        False,
        [("he", 100, 102), ("said", 103, 107), ("224", 108, 135), ("times", 136, 141)],
    ),
    (
        "Russian-Turkish talks, 50% of it",
        0,
        False,
        [
            ("russian", 0, 7),
            ("turkish", 8, 15),
            ("talks", 16, 21),
            ("50", 23, 25),
            ("percent", 25, 26),
            ("of", 27, 29),
            ("it", 30, 32),
        ],
    ),
    ("Erdoğan’s [T]he “deal”", 0, True, [("erdogan's", 0, 9), ("the", 10, 15), ("deal", 17, 21)]),
    ("fifty per cent", 5, False, [("50", 5, 10), ("percent", 11, 19)]),
    ("We [him] win … lead", 10, True, [("we", 10, 12), ("win", 19, 22), ("lead", 25, 29)]),
]


@pytest.mark.parametrize(("text", "base", "quote", "expected"), OFFSETS)
def test_token_offsets_point_into_the_original(
    text: str, base: int, quote: bool, expected: list[tuple[str, int, int]]
) -> None:
    tokens = normalise(text, base=base, quote=quote).tokens
    assert tokens == tuple(Token(norm, start, end) for norm, start, end in expected)
    for token in tokens:
        assert text[token.start - base : token.end - base].strip()


FRAGMENTS: list[tuple[str, bool, tuple[tuple[int, int], ...]]] = [
    ("we will win … and we will lead", True, ((0, 3), (3, 7))),
    ("we will win ... and we will lead", True, ((0, 3), (3, 7))),
    ("we will win . . . and we will lead", True, ((0, 3), (3, 7))),
    ("we will win [...] and we will lead", True, ((0, 3), (3, 7))),
    ("we will win […] and we will lead", True, ((0, 3), (3, 7))),
    ("we will win (...) and we will lead", True, ((0, 3), (3, 7))),
    ("we will win.... And we will lead", True, ((0, 3), (3, 7))),
    ("… we will win …", True, ((0, 3),)),
    ("a … b … c", True, ((0, 1), (1, 2), (2, 3))),
    ("a … … b", True, ((0, 1), (1, 2))),
    ("we will win and lead", True, ((0, 5),)),
    ("we will win ... and we will lead", False, ((0, 7),)),
    ("we will win [...] and we will lead", False, ((0, 7),)),
    ("", True, ((0, 0),)),
    ("…", True, ()),
]


@pytest.mark.parametrize(("text", "quote", "expected"), FRAGMENTS)
def test_ellipsis_fragments(text: str, quote: bool, expected: tuple[tuple[int, int], ...]) -> None:
    assert normalise(text, quote=quote).fragments == expected


DROPPED: list[tuple[str, bool, list[tuple[str, int, int, str]]]] = [
    (
        "We will [the president said] win and [sic] lead",
        True,
        [("insertion", 8, 28, "[the president said]"), ("sic", 37, 42, "[sic]")],
    ),
    (
        "a deal (between Russian Federation and Turkey) now",
        True,
        [("insertion", 7, 46, "(between Russian Federation and Turkey)")],
    ),
    (
        "good (applause) news (in part)",
        True,
        [("insertion", 5, 15, "(applause)"), ("insertion", 21, 30, "(in part)")],
    ),
    ("good (applause) news (in part)", False, [("annotation", 5, 15, "(applause)")]),
    (
        "[Crosstalk] so (Laughter.) yes",
        False,
        [("annotation", 0, 11, "[Crosstalk]"), ("annotation", 15, 26, "(Laughter.)")],
    ),
    ("it is [sic] so", False, [("sic", 6, 11, "[sic]")]),
    (
        "Uh, you know, the tack- attack was - was bad",
        False,
        [
            ("filler", 0, 2, "Uh"),
            ("filler", 4, 12, "you know"),
            ("stutter", 18, 23, "tack-"),
            ("stutter", 31, 34, "was"),
        ],
    ),
    (
        "well, um, I mean, mm-hmm",
        False,
        [("filler", 6, 8, "um"), ("filler", 10, 16, "I mean"), ("filler", 18, 24, "mm-hmm")],
    ),
    ("you know that I mean it", False, []),
    ("which he - which he makes", True, [("stutter", 0, 8, "which he")]),
    ("is the is the business", True, [("stutter", 0, 6, "is the")]),
    ("very, very hard", True, []),
]


@pytest.mark.parametrize(("text", "quote", "expected"), DROPPED)
def test_dropped_material_with_reason_and_span(
    text: str, quote: bool, expected: list[tuple[str, int, int, str]]
) -> None:
    assert normalise(text, quote=quote).dropped == tuple(
        Dropped(reason, Span(start, end), original) for reason, start, end, original in expected
    )


def test_dropped_spans_are_absolute() -> None:
    assert normalise("a [b] c", base=40, quote=True).dropped == (
        Dropped("insertion", Span(42, 45), "[b]"),
    )


CANONICAL_NAMES = [
    ("George H.W. Bush", "george h w bush"),
    ("John F Kennedy", "john f kennedy"),
    ("John F. Kennedy", "john f kennedy"),
    ("Mr. Erdogan", "erdogan"),
    ("MR. ERDOĞAN", "erdogan"),
    ("PRESIDENT ERDOĞAN", "erdogan"),
    ("Turkish President Recep Tayyip Erdoğan", "recep tayyip erdogan"),
    ("German Chancellor Angela Merkel", "angela merkel"),
    ("Vice President Richard M. Nixon", "richard m nixon"),
    ("Prime Minister Theresa May", "theresa may"),
    ("Secretary of State John Kerry", "john kerry"),
    ("U.S. President Barack Obama", "barack obama"),
    ("Sen. Ted Cruz (R-Texas)", "ted cruz"),
    ("Dr Jill Biden", "jill biden"),
    ("Sir Keir Starmer", "keir starmer"),
    ("Martin Luther King, Jr.", "martin luther king"),
    ("Bush, George W.", "george w bush"),
    ("Conan O’Brien", "conan obrien"),
    ("Bashar al-Assad", "bashar al assad"),
    ("John Chancellor", "john chancellor"),
    ("THE PRESIDENT", ""),
    ("Q", ""),
    ("MODERATOR", ""),
    ("Mr. President", ""),
]


@pytest.mark.parametrize(("name", "expected"), CANONICAL_NAMES)
def test_canonical_name(name: str, expected: str) -> None:
    assert canonical_name(name) == expected


SAME_PERSON = [
    ("Mr Erdogan", "Recep Tayyip Erdoğan", True),
    ("PRESIDENT ERDOĞAN", "Recep Tayyip Erdoğan", True),
    ("Mr Erdogan", "PRESIDENT ERDOĞAN", True),
    ("Jimmy E Carter", "Carter", True),
    ("Jimmy Carter", "James Earl Carter", True),
    ("J. Carter", "Jimmy Carter", True),
    ("George Bush", "George H.W. Bush", True),
    ("George Herbert Walker Bush", "George H.W. Bush", True),
    ("Jeb Bush", "George H.W. Bush", False),
    ("George W. Bush", "George H.W. Bush", False),
    ("John F Kennedy", "John Fitzgerald Kennedy", True),
    ("John F Kennedy", "Robert F Kennedy", False),
    ("Bashar al-Assad", "Assad", True),
    ("Bashar al-Assad", "al-Assad", True),
    ("Bashar al-Assad", "Hafez al-Assad", False),
    ("Bill de Blasio", "de Blasio", True),
    ("Senator Kennedy", "John F Kennedy", True),
    ("Kennedy", "Nixon", False),
    ("THE PRESIDENT", "President Obama", False),
    ("THE PRESIDENT", "THE PRESIDENT", False),
    ("Q", "Q", False),
    ("MODERATOR", "Moderator Jim Lehrer", False),
    ("", "Carter", False),
]


@pytest.mark.parametrize(("a", "b", "expected"), SAME_PERSON)
def test_same_person(a: str, b: str, expected: bool) -> None:
    assert same_person(a, b) is expected
    assert same_person(b, a) is expected


# Tokens and dropped material where the fast tokeniser for plain words hands over to the full
# one (hyphens, digits, initialisms, signs, marks, Unicode) or where word rules apply inside
# plain text; the values are those of the word-by-word implementation.
PLAIN_AND_ODD: list[
    tuple[str, int, list[tuple[str, int, int]], list[tuple[str, int, int, str]]]
] = [
    ("the cut- off", 0, [("the", 0, 3), ("off", 9, 12)], [("stutter", 4, 8, "cut-")]),
    ("the cut-\noff", 0, [("the", 0, 3), ("cut", 4, 7), ("off", 9, 12)], []),
    (
        "I was uh-huh right",
        0,
        [("i", 0, 1), ("was", 2, 5), ("right", 13, 18)],
        [("filler", 6, 12, "uh-huh")],
    ),
    (
        "I was Uh-Huh, right",
        0,
        [("i", 0, 1), ("was", 2, 5), ("right", 14, 19)],
        [("filler", 6, 12, "Uh-Huh")],
    ),
    (
        "we paid 1,000 dollars and 3.5 percent at 9 a.m. here",
        0,
        [
            ("we", 0, 2),
            ("paid", 3, 7),
            ("1000", 8, 13),
            ("dollars", 14, 21),
            ("and", 22, 25),
            ("3.5", 26, 29),
            ("percent", 30, 37),
            ("at", 38, 40),
            ("9", 41, 42),
            ("am", 43, 47),
            ("here", 48, 52),
        ],
        [],
    ),
    (
        "we won two hundred and twenty-four seats",
        10,
        [("we", 10, 12), ("won", 13, 16), ("224", 17, 44), ("seats", 45, 50)],
        [],
    ),
    (
        "so we um went there, uh, twice",
        0,
        [("so", 0, 2), ("we", 3, 5), ("went", 9, 13), ("there", 14, 19), ("twice", 25, 30)],
        [("filler", 6, 8, "um"), ("filler", 21, 23, "uh")],
    ),
    (
        "the café is in Erdog\u0306an’s inter\xadnal area",
        5,
        [
            ("the", 5, 8),
            ("cafe", 9, 13),
            ("is", 14, 16),
            ("in", 17, 19),
            ("erdogan's", 20, 30),
            ("internal", 31, 40),
            ("area", 41, 45),
        ],
        [],
    ),
    (
        "a\u00a0new\u2009deal\u202fnow",
        0,
        [("a", 0, 1), ("new", 2, 5), ("deal", 6, 10), ("now", 11, 14)],
        [],
    ),
    (
        "don't 'tis dogs' rock ’n’ roll O’Brien",
        0,
        [
            ("don't", 0, 5),
            ("tis", 7, 10),
            ("dogs", 11, 15),
            ("rock", 17, 21),
            ("n", 23, 24),
            ("roll", 26, 30),
            ("o'brien", 31, 38),
        ],
        [],
    ),
    (
        "WE WILL WIN, Senator",
        0,
        [("we", 0, 2), ("will", 3, 7), ("win", 8, 11), ("senator", 13, 20)],
        [],
    ),
    (
        "[T]he leader[s] agree [laughter] now (applause) yes",
        0,
        [("the", 0, 5), ("leaders", 6, 15), ("agree", 16, 21), ("now", 33, 36), ("yes", 48, 51)],
        [("annotation", 22, 32, "[laughter]"), ("annotation", 37, 47, "(applause)")],
    ),
    (
        "the snake_case and R&D and 50% of U.S. troops",
        0,
        [
            ("the", 0, 3),
            ("snakecase", 4, 14),
            ("and", 15, 18),
            ("r", 19, 20),
            ("and", 20, 21),
            ("d", 21, 22),
            ("and", 23, 26),
            ("50", 27, 29),
            ("percent", 29, 30),
            ("of", 31, 33),
            ("us", 34, 38),
            ("troops", 39, 45),
        ],
        [],
    ),
    (
        "it – is — so ‘very’ “good”…",
        0,
        [("it", 0, 2), ("is", 5, 7), ("so", 10, 12), ("very", 14, 18), ("good", 21, 25)],
        [],
    ),
    (
        "which he - which he makes is the is the business",
        0,
        [
            ("which", 11, 16),
            ("he", 17, 19),
            ("makes", 20, 25),
            ("is", 33, 35),
            ("the", 36, 39),
            ("business", 40, 48),
        ],
        [("stutter", 0, 8, "which he"), ("stutter", 26, 32, "is the")],
    ),
]


@pytest.mark.parametrize(("text", "base", "tokens", "dropped"), PLAIN_AND_ODD)
def test_tokens_where_plain_words_meet_the_other_rules(
    text: str,
    base: int,
    tokens: list[tuple[str, int, int]],
    dropped: list[tuple[str, int, int, str]],
) -> None:
    result = normalise(text, base=base)
    assert result.tokens == tuple(Token(norm, start, end) for norm, start, end in tokens)
    assert result.dropped == tuple(
        Dropped(reason, Span(start, end), original) for reason, start, end, original in dropped
    )


# "you know" and "I mean" depend on their neighbours: set off or not, after a filler, twice.
PHRASES: list[tuple[str, tuple[str, ...], list[tuple[str, int, int, str]]]] = [
    (
        "we won, you know, in the end, I mean, clearly",
        ("we", "won", "in", "the", "end", "clearly"),
        [("filler", 8, 16, "you know"), ("filler", 30, 36, "I mean")],
    ),
    (
        "so uh you know, it works",
        ("so", "it", "works"),
        [("filler", 3, 5, "uh"), ("filler", 6, 14, "you know")],
    ),
    (
        "well, you know you know, it works",
        ("well", "you", "know", "it", "works"),
        [("stutter", 6, 14, "you know")],
    ),
    ("and so you know, it works", ("and", "so", "you", "know", "it", "works"), []),
    (
        "as you know, we won. You know that we won",
        ("as", "you", "know", "we", "won", "you", "know", "that", "we", "won"),
        [],
    ),
    (
        "the the end, that that is, very very - very good",
        ("the", "the", "end", "that", "that", "is", "very", "very", "good"),
        [("stutter", 32, 36, "very")],
    ),
]


@pytest.mark.parametrize(("text", "words", "dropped"), PHRASES)
def test_phrases_and_repeats_among_plain_words(
    text: str, words: tuple[str, ...], dropped: list[tuple[str, int, int, str]]
) -> None:
    result = normalise(text)
    assert result.words == words
    assert result.dropped == tuple(
        Dropped(reason, Span(start, end), original) for reason, start, end, original in dropped
    )


def test_token_is_an_immutable_value() -> None:
    token = normalise("Colour", base=3).tokens[0]
    assert (token.norm, token.start, token.end) == ("color", 3, 9)
    assert type(token) is Token
    assert token == Token("color", 3, 9)
    assert hash(token) == hash(Token("color", 3, 9))
    assert token != Token("color", 3, 10)
    with pytest.raises(AttributeError):
        token.norm = "other"  # type: ignore[misc]


# normalise_turns: (text, turns as (start, length), the joined tokens, tokens per turn)
TURNS: list[tuple[str, list[tuple[int, int]], list[tuple[str, int, int]], list[int]]] = [
    (
        "Ada: We- we won, uh, the U.S. vote.\n"
        "Bob: Colour\u2019s (laughter) fine [applause] snake_case.\n",
        [(5, 30), (41, 47)],
        [
            ("we", 9, 11),
            ("won", 12, 15),
            ("the", 21, 24),
            ("us", 25, 29),
            ("vote", 30, 34),
            ("color's", 41, 49),
            ("fine", 61, 65),
            ("snakecase", 77, 87),
        ],
        [5, 3],
    ),
    # Turns that cut a word apart read it as the two pieces.
    ("abcdef ghi", [(0, 3), (3, 7)], [("abc", 0, 3), ("def", 3, 6), ("ghi", 7, 10)], [1, 2]),
    (
        "Erdo\u011fan\u2019s caf\u00e9- is \uff12\uff10 per cent of 3.5 million, U.S.-made",
        [(0, 56)],
        [
            ("erdogan's", 0, 9),
            ("is", 16, 18),
            ("20", 19, 21),
            ("percent", 22, 30),
            ("of", 31, 33),
            ("3500000", 34, 45),
            ("us", 47, 51),
            ("made", 52, 56),
        ],
        [8],
    ),
    # Turns read from the whole cut's words at once: a false start across a dash, a cut-off
    # word, numbers; a repeat that would span two turns is none; "you know" goes word by word.
    (
        "Ann: I think - I think the (laughter) the two- twenty five per cent of it is\n"
        "Bob: it is one one 3 million.\nAnn: it, you know, is it.\n",
        [(5, 71), (82, 24), (112, 20)],
        [
            ("i", 15, 16),
            ("think", 17, 22),
            ("the", 23, 26),
            ("the", 38, 41),
            ("25", 47, 58),
            ("percent", 59, 67),
            ("of", 68, 70),
            ("it", 71, 73),
            ("is", 74, 76),
            ("it", 82, 84),
            ("is", 85, 87),
            ("1", 88, 91),
            ("1", 92, 95),
            ("3000000", 96, 105),
            ("it", 112, 114),
            ("is", 126, 128),
            ("it", 129, 131),
        ],
        [9, 5, 3],
    ),
    # Words of more than 16 characters and words out of ASCII, the same forms as the others.
    (
        "Ann: Internationalisation - internationalisation, the THE the colour \u00e9t\u00e9"
        " \u00e9t\u00e9.\n",
        [(5, 72)],
        [
            ("internationalization", 28, 48),
            ("the", 50, 53),
            ("the", 54, 57),
            ("the", 58, 61),
            ("color", 62, 68),
            ("ete", 69, 72),
            ("ete", 73, 76),
        ],
        [7],
    ),
    # Turns that overlap: each reads its own words.
    (
        "Ann: I think - I think the (laughter) the two- twenty five per cent of it is\n",
        [(5, 71), (7, 20)],
        [
            ("i", 15, 16),
            ("think", 17, 22),
            ("the", 23, 26),
            ("the", 38, 41),
            ("25", 47, 58),
            ("percent", 59, 67),
            ("of", 68, 70),
            ("it", 71, 73),
            ("is", 74, 76),
            ("think", 7, 12),
            ("i", 15, 16),
            ("think", 17, 22),
            ("the", 23, 26),
        ],
        [9, 4],
    ),
    ("", [], [], []),
]


def _cuts_and_chains(monkeypatch: pytest.MonkeyPatch, cut_chars: int, one_chain: bool) -> None:
    """A fresh table of forms; cuts of cut_chars characters; one chain of slots if asked."""
    monkeypatch.setattr(qnormalise, "_CUT_CHARS", cut_chars)
    monkeypatch.setattr(qnormalise, "_FORMS", [])
    if one_chain:
        monkeypatch.setattr(qnormalise, "_HASH_A", 0)
        monkeypatch.setattr(qnormalise, "_HASH_B", 0)
        monkeypatch.setattr(qnormalise, "_TABLE_BITS", 6)


# A long transcript is cut a few turns at a time: here one or two turns per cut. With a hash
# of 0 every word is looked for in the table of words from its first slot on, past the others
# (a table of 64 slots, which keeps the words of earlier cuts).
# Both forms of the result, each from a fresh table: normalise_turns's lists, and the arrays
# of normalise_turns_arrays (vocabulary in order of first appearance, ids into it, the
# vocabulary's str hashes).
@pytest.mark.parametrize("arrays", [False, True], ids=["lists", "arrays"])
@pytest.mark.parametrize("one_chain", [False, True])
@pytest.mark.parametrize("cut_chars", [qnormalise._CUT_CHARS, 40])
@pytest.mark.parametrize(("text", "turns", "tokens", "counts"), TURNS)
def test_normalise_turns_gives_the_tokens_of_each_turn(
    text: str,
    turns: list[tuple[int, int]],
    tokens: list[tuple[str, int, int]],
    counts: list[int],
    cut_chars: int,
    one_chain: bool,
    arrays: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cuts_and_chains(monkeypatch, cut_chars, one_chain)
    if arrays:
        vocab, ids, starts, lengths, per_turn, keys = normalise_turns_arrays(text, turns)
        assert vocab == list(dict.fromkeys(norm for norm, _, _ in tokens))
        assert keys.tolist() == [hash(word) for word in vocab]
        assert [vocab[i] for i in ids.tolist()] == [norm for norm, _, _ in tokens]
        assert starts.tolist() == [start for _, start, _ in tokens]
        assert lengths.tolist() == [end - start for _, start, end in tokens]
        assert per_turn == counts
        return
    norms, starts_list, ends, per_turn = normalise_turns(text, turns)
    assert list(zip(norms, starts_list, ends, strict=True)) == tokens
    assert per_turn == counts
    each = [normalise(text[a : a + n], base=a).tokens for a, n in turns]
    assert [len(t) for t in each] == counts
    assert [tuple(t) for turn in each for t in turn] == tokens


# Fillers dropped, a number phrase, a repeat dropped, an annotation-only turn, an empty turn,
# a set-off "you know" (read word by word), "per cent", and "votes" in two turns.
ARRAYS_TEXT = (
    "Ann: Uh, we won twenty five votes, um, in the end in the end.\n"
    "Bob: [applause]\n"
    "Ann: Five per cent, you know, of votes.\n"
)
ARRAYS_TURNS = [(5, 56), (67, 10), (77, 0), (83, 34)]


# With cuts of 40 characters each turn is a cut of its own, and with one chain of 64 slots
# the table of forms is made anew between cuts: the cuts' words are numbered by their strings.
@pytest.mark.parametrize("one_chain", [False, True])
@pytest.mark.parametrize("cut_chars", [qnormalise._CUT_CHARS, 40])
def test_normalise_turns_arrays_numbers_words_in_order_of_first_appearance(
    cut_chars: int, one_chain: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cuts_and_chains(monkeypatch, cut_chars, one_chain)
    vocab, ids, starts, lengths, counts, keys = normalise_turns_arrays(ARRAYS_TEXT, ARRAYS_TURNS)
    assert vocab == ["we", "won", "25", "votes", "in", "the", "end", "5", "percent", "of"]
    assert keys.dtype == np.int64
    assert keys.tolist() == [hash(word) for word in vocab]
    assert ids.dtype == starts.dtype == lengths.dtype == np.uint32
    assert ids.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3]
    assert starts.tolist() == [9, 12, 16, 28, 50, 53, 57, 83, 88, 108, 111]
    assert lengths.tolist() == [2, 3, 11, 5, 2, 3, 3, 4, 8, 2, 5]
    assert counts == [7, 0, 0, 4]
    # the second copy of "in the end" is the one kept, as normalise keeps it
    assert ARRAYS_TEXT.index("in the end") == 39


def test_normalise_turns_arrays_of_no_turns_and_no_words() -> None:
    for turns in ([], [(0, 0)], [(0, 15)]):
        vocab, ids, starts, lengths, counts, keys = normalise_turns_arrays("[applause] uh.", turns)
        assert vocab == []
        assert keys.dtype == np.int64 and keys.tolist() == []
        assert ids.dtype == starts.dtype == lengths.dtype == np.uint32
        assert ids.tolist() == starts.tolist() == lengths.tolist() == []
        assert counts == [0] * len(turns)
