"""evaluate.py: label parsing and resolution, span matching, and every figure on hand-made data."""

from __future__ import annotations

import json

import pytest

from quoteverify.evaluate import (
    CalibrationBin,
    Counts,
    Label,
    LabelError,
    SpanRecord,
    SpeakerKind,
    calibration,
    evaluate,
    match_spans,
    overlap,
    parse_labels,
    resolve_labels,
    verdict_scores,
)
from quoteverify.models import (
    Attribution,
    AttributionKind,
    Finding,
    Quote,
    QuotePart,
    Span,
    Verdict,
)

ART = "a.txt"


def label(
    start: int,
    end: int,
    speaker: str | None = "Vladimir Putin",
    *,
    kind: SpeakerKind | None = None,
    verdict: Verdict | None = None,
    group: str | None = None,
    article: str = ART,
) -> Label:
    if kind is None:
        kind = SpeakerKind.NONE if speaker is None else SpeakerKind.NAME
    return Label(
        line=start,  # any distinct number: lines only name labels in errors
        article=article,
        span=Span(start, end),
        text=f"g{start}-{end}",
        claimed_speaker=speaker,
        speaker_kind=kind,
        expected_verdict=verdict,
        group=group,
    )


def finding(
    *spans: tuple[int, int],
    speaker: str | None = "Putin",
    kind: AttributionKind = AttributionKind.EXPLICIT,
    description: str | None = None,
    verdict: Verdict = Verdict.VERIFIED,
    confidence: float = 1.0,
    article: str = ART,
) -> Finding:
    parts = tuple(QuotePart(f"p{s}-{e}", Span(s, e)) for s, e in spans)
    return Finding(
        file=article,
        line=1,
        column=1,
        quote=Quote(parts),
        attribution=Attribution(kind, speaker, description=description),
        verdict=verdict,
        confidence=confidence,
        similarity=100.0,
        passage=None,
        diff=None,
    )


# --- overlap and matching -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 10), (0, 10), 1.0),
        ((0, 10), (0, 8), 0.8),  # 8 shared of the longer 10
        ((0, 10), (2, 12), 0.8),
        ((0, 10), (5, 25), 0.25),  # 5 shared of the longer 20
        ((0, 10), (10, 20), 0.0),  # touching is not overlapping
        ((0, 10), (20, 30), 0.0),
    ],
)
def test_overlap(a: tuple[int, int], b: tuple[int, int], expected: float) -> None:
    assert overlap(Span(*a), Span(*b)) == expected
    assert overlap(Span(*b), Span(*a)) == expected


@pytest.mark.parametrize(
    ("gold", "pred", "threshold", "expected"),
    [
        # the best pair is taken first, then the rest by descending overlap
        ([(0, 10)], [(0, 9), (0, 10)], 0.8, [(0, 1, 1.0)]),
        ([(0, 10), (0, 9)], [(0, 10)], 0.8, [(0, 0, 1.0)]),
        # one to one: a second gold cannot reuse the prediction
        ([(0, 10), (1, 10)], [(0, 10), (50, 60)], 0.8, [(0, 0, 1.0)]),
        # below the threshold nothing matches; at it, the pair counts
        ([(0, 10)], [(0, 7)], 0.8, []),
        ([(0, 10)], [(0, 8)], 0.8, [(0, 0, 0.8)]),
        ([(0, 10)], [(0, 7)], 0.7, [(0, 0, 0.7)]),
        # greedy: gold 1 takes pred 0 (10/11) before gold 0 could (9/10)
        ([(0, 10), (1, 12)], [(1, 11)], 0.5, [(1, 0, 0.9091)]),
        ([], [(0, 10)], 0.8, []),
    ],
)
def test_match_spans(
    gold: list[tuple[int, int]],
    pred: list[tuple[int, int]],
    threshold: float,
    expected: list[tuple[int, int, float]],
) -> None:
    pairs = match_spans([Span(*g) for g in gold], [Span(*p) for p in pred], threshold)
    assert [(p.gold, p.pred, round(p.overlap, 4)) for p in pairs] == expected


# --- extraction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "findings", "overlap_counts", "exact_counts"),
    [
        pytest.param([label(0, 10)], [finding((0, 10))], (1, 0, 0), (1, 0, 0), id="exact"),
        pytest.param(
            [label(0, 10)], [finding((0, 9))], (1, 0, 0), (0, 1, 1), id="overlap-above-threshold"
        ),
        pytest.param(
            [label(0, 10)], [finding((0, 7))], (0, 1, 1), (0, 1, 1), id="overlap-below-threshold"
        ),
        pytest.param(
            [label(0, 10, group="g"), label(20, 30, group="g")],
            [finding((0, 10), (20, 30))],
            (2, 0, 0),
            (2, 0, 0),
            id="split-quote-two-gold-parts",
        ),
        pytest.param(
            [label(0, 10, group="g"), label(20, 30, group="g")],
            [finding((0, 30))],
            (0, 1, 2),
            (0, 1, 2),
            id="split-quote-predicted-whole",
        ),
        pytest.param(
            [label(0, 10)],
            [finding((0, 10)), finding((0, 10))],
            (1, 1, 0),
            (1, 1, 0),
            id="duplicate-predictions",
        ),
        pytest.param(
            [label(0, 10), label(20, 30), label(40, 50)],
            [finding((0, 10))],
            (1, 0, 2),
            (1, 0, 2),
            id="missing-predictions",
        ),
        pytest.param(
            [label(0, 10)],
            [finding((0, 10), article="other.txt")],
            (0, 0, 1),
            (0, 0, 1),
            id="unlabelled-article-ignored",
        ),
        pytest.param(
            [label(0, 10), label(0, 10, article="b.txt")],
            [finding((0, 10), article="b.txt")],
            (1, 0, 1),
            (1, 0, 1),
            id="per-article",
        ),
    ],
)
def test_extraction_counts(
    labels: list[Label],
    findings: list[Finding],
    overlap_counts: tuple[int, int, int],
    exact_counts: tuple[int, int, int],
) -> None:
    ev = evaluate(labels, findings)
    assert ev.overlap == Counts(*overlap_counts)
    assert ev.exact == Counts(*exact_counts)


@pytest.mark.parametrize(
    ("counts", "precision", "recall", "f1"),
    [
        (Counts(3, 1, 2), 0.75, 0.6, 2 / 3),
        (Counts(0, 0, 0), None, None, None),
        (Counts(0, 2, 0), 0.0, None, 0.0),
        (Counts(4, 0, 0), 1.0, 1.0, 1.0),
    ],
)
def test_ratios(
    counts: Counts, precision: float | None, recall: float | None, f1: float | None
) -> None:
    assert (counts.precision, counts.recall, counts.f1) == (precision, recall, f1)


def test_false_positives_and_negatives_are_listed_sorted() -> None:
    labels = [label(40, 50, article="b.txt"), label(0, 10), label(20, 30)]
    findings = [finding((60, 70)), finding((0, 10)), finding((41, 50), article="b.txt")]
    ev = evaluate(labels, findings, threshold=0.95)
    assert ev.false_positives == (
        SpanRecord("a.txt", 60, 70, "p60-70"),
        SpanRecord("b.txt", 41, 50, "p41-50"),
    )
    assert ev.false_negatives == (
        SpanRecord("a.txt", 20, 30, "g20-30"),
        SpanRecord("b.txt", 40, 50, "g40-50"),
    )
    assert (ev.labels, ev.articles, ev.threshold) == (3, 2, 0.95)


# --- speakers -------------------------------------------------------------------------------


N, P, D = SpeakerKind.NAME, SpeakerKind.PRONOUN, SpeakerKind.DESCRIPTION
EXPLICIT, ANONYMOUS = AttributionKind.EXPLICIT, AttributionKind.ANONYMOUS


@pytest.mark.parametrize(
    ("gold", "kind", "ours", "ours_kind", "description", "correct"),
    [
        ("Vladimir Putin", N, "Putin", EXPLICIT, None, True),
        ("Recep Tayyip Erdoğan", N, "Mr Erdogan", EXPLICIT, None, True),
        ("George W. Bush", N, "George H.W. Bush", EXPLICIT, None, False),
        ("Vladimir Putin", N, "Lavrov", EXPLICIT, None, False),
        ("Vladimir Putin", P, "Putin", AttributionKind.PRONOUN, None, True),
        ("Vladimir Putin", N, None, AttributionKind.NONE, None, False),
        # a description is compared whole, with our anonymous source's description
        ("a Kremlin spokesperson", D, None, ANONYMOUS, "a Kremlin Spokesperson", True),
        ("a Kremlin spokesperson", D, None, ANONYMOUS, "a US official", False),
    ],
)
def test_speaker_correct(
    gold: str,
    kind: SpeakerKind,
    ours: str | None,
    ours_kind: AttributionKind,
    description: str | None,
    correct: bool,
) -> None:
    ev = evaluate(
        [label(0, 10, gold, kind=kind)],
        [finding((0, 10), speaker=ours, kind=ours_kind, description=description)],
    )
    assert ev.speaker_all.correct == int(correct)
    assert ev.speaker_all.total == 1
    named = kind is SpeakerKind.NAME
    assert (ev.speaker_name.correct, ev.speaker_name.total) == (int(correct and named), int(named))
    assert ev.unattributed == int(ours_kind is AttributionKind.NONE)
    assert len(ev.speaker_errors) == int(not correct)


def test_speaker_accuracy_table() -> None:
    labels = [
        label(0, 10, "Vladimir Putin"),  # right
        label(20, 30, "Vladimir Putin"),  # wrong speaker
        label(40, 50, "Barack Obama", kind=SpeakerKind.PRONOUN),  # right, not a name line
        label(60, 70, "Barack Obama", kind=SpeakerKind.PRONOUN),  # we attributed nobody
        label(80, 90, None),  # no gold speaker: not counted
        label(100, 110, "Barack Obama"),  # not extracted: not counted
        label(120, 130, "Erdogan", group="s"),  # a split quote counts once
        label(140, 150, "Erdogan", group="s"),
    ]
    findings = [
        finding((0, 10), speaker="Putin"),
        finding((20, 30), speaker="Lavrov"),
        finding((40, 50), speaker="Obama", kind=AttributionKind.PRONOUN),
        finding((60, 70), speaker=None, kind=AttributionKind.NONE),
        finding((80, 90), speaker="Putin"),
        finding((120, 130), (140, 150), speaker="Recep Tayyip Erdogan"),
    ]
    ev = evaluate(labels, findings)
    assert (ev.speaker_name.correct, ev.speaker_name.total) == (2, 3)
    assert (ev.speaker_all.correct, ev.speaker_all.total) == (3, 5)
    assert ev.speaker_name.accuracy == pytest.approx(2 / 3)
    assert ev.unattributed == 1
    assert [(e.start, e.expected, e.predicted) for e in ev.speaker_errors] == [
        (20, "Vladimir Putin", "Lavrov"),
        (60, "Barack Obama", None),
    ]


# --- verdicts and calibration ---------------------------------------------------------------


def test_verdict_scores_table() -> None:
    v = Verdict
    labels = [
        label(0, 10, verdict=v.VERIFIED),
        label(20, 30, verdict=v.VERIFIED),
        label(40, 50, verdict=v.ALTERED),
        label(60, 70, verdict=v.NOT_FOUND),
        label(80, 90, verdict=v.VERIFIED),  # not extracted: predicted "missing"
        label(100, 110, verdict=v.MISATTRIBUTED, group="s"),  # split: one quotation
        label(120, 130, verdict=v.MISATTRIBUTED, group="s"),
        label(140, 150),  # no expected verdict: not counted
    ]
    findings = [
        finding((0, 10), verdict=v.VERIFIED),
        finding((20, 30), verdict=v.ALTERED),
        finding((40, 50), verdict=v.ALTERED),
        finding((60, 70), verdict=v.VERIFIED),
        finding((100, 110), (120, 130), verdict=v.MISATTRIBUTED),
        finding((140, 150), verdict=v.NOT_FOUND),
    ]
    ev = evaluate(labels, findings)
    assert ev.verdicts is not None
    assert (ev.verdicts.overall.correct, ev.verdicts.overall.total) == (3, 6)
    assert ev.verdicts.overall.accuracy == 0.5
    assert ev.verdicts.confusion["verified"] == {
        "verified": 1,
        "altered": 1,
        "misattributed": 0,
        "not_found": 0,
        "unattributed": 0,
        "missing": 1,
    }
    assert ev.verdicts.confusion["not_found"]["verified"] == 1
    scores = {k: (s.precision, s.recall, s.support) for k, s in ev.verdicts.per_verdict.items()}
    assert scores == {
        "verified": (0.5, 1 / 3, 3),
        "altered": (0.5, 1.0, 1),
        "misattributed": (1.0, 1.0, 1),
        "not_found": (None, 0.0, 1),
        "unattributed": (None, None, 0),
    }


def test_verdict_scores_of_pairs() -> None:
    scores = verdict_scores([("verified", "verified"), ("altered", "missing")])
    assert (scores.overall.correct, scores.overall.total) == (1, 2)
    assert scores.per_verdict["altered"].recall == 0.0
    assert scores.per_verdict["altered"].precision is None


def test_without_verdicts() -> None:
    ev = evaluate([label(0, 10, verdict=Verdict.VERIFIED)], [finding((0, 10))], verdicts=False)
    assert ev.verdicts is None
    assert ev.calibration is None
    assert ev.overlap == Counts(1, 0, 0)


@pytest.mark.parametrize(
    ("confidence", "bin_index"),
    [(0.0, 0), (0.09, 0), (0.1, 1), (0.3, 3), (0.35, 3), (0.7, 7), (0.99, 9), (1.0, 9)],
)
def test_calibration_bins(confidence: float, bin_index: int) -> None:
    cal = calibration([(confidence, True)])
    assert [b.count for b in cal.bins] == [int(i == bin_index) for i in range(10)]
    assert cal.error is None  # one point is too few


def test_calibration_error_counts_only_full_bins() -> None:
    # 20 points at 0.95 of which 15 right (gap 0.2); 19 points at 0.15 all wrong (too few)
    points = [(0.95, i < 15) for i in range(20)] + [(0.15, False)] * 19
    cal = calibration(points)
    assert cal.bins[9] == CalibrationBin(0.9, 1.0, 20, pytest.approx(0.95), 0.75)
    assert cal.bins[1].count == 19
    assert cal.bins[1].accuracy == 0.0
    assert cal.bins[5] == CalibrationBin(0.5, 0.6, 0, None, None)
    assert cal.error == pytest.approx(0.2)


def test_calibration_from_evaluate_uses_matched_verdict_labels() -> None:
    labels = [
        label(0, 10, verdict=Verdict.VERIFIED),
        label(20, 30, verdict=Verdict.VERIFIED),
        label(40, 50, verdict=Verdict.VERIFIED),  # missing: no confidence, not binned
        label(60, 70),  # no expected verdict: not binned
    ]
    findings = [
        finding((0, 10), confidence=0.93),
        finding((20, 30), verdict=Verdict.ALTERED, confidence=0.41),
        finding((60, 70), confidence=0.5),
    ]
    ev = evaluate(labels, findings)
    assert ev.calibration is not None
    assert [(b.count, b.accuracy) for b in ev.calibration.bins if b.count] == [
        (1, 0.0),
        (1, 1.0),
    ]
    assert [b.low for b in ev.calibration.bins if b.count] == [0.4, 0.9]


# --- label files ----------------------------------------------------------------------------


def test_parse_labels_defaults_and_skips() -> None:
    text = (
        "# comment\n"
        "\n"
        '{"article": "./x/../a.txt", "start": 1, "end": 5, "claimed_speaker": "Putin"}\n'
        '{"article": "a.txt", "quote": "abc", "claimed_speaker": null, "group": 3}\n'
        '{"article": "a.txt", "quote": "d", "claimed_speaker": "he", "speaker_kind": "pronoun",'
        ' "expected_verdict": "altered", "note": "n"}\n'
    )
    lines = parse_labels(text, name="L")
    assert [(x.line, x.article, x.start, x.end, x.quote) for x in lines] == [
        (3, "a.txt", 1, 5, None),
        (4, "a.txt", None, None, "abc"),
        (5, "a.txt", None, None, "d"),
    ]
    assert [x.speaker_kind for x in lines] == [
        SpeakerKind.NAME,
        SpeakerKind.NONE,
        SpeakerKind.PRONOUN,
    ]
    assert [x.group for x in lines] == [None, "3", None]
    assert lines[2].expected_verdict is Verdict.ALTERED


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{", "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
        ([1], "not a JSON object"),
        ({"start": 1, "end": 2, "claimed_speaker": None}, "missing 'article'"),
        (
            {"article": "a", "start": 1, "claimed_speaker": None},
            "give both 'start' and 'end', or neither",
        ),
        ({"article": "a", "claimed_speaker": None}, "give 'start' and 'end', or 'quote'"),
        (
            {"article": "a", "start": 5, "end": 5, "claimed_speaker": None},
            "bad span: start 5, end 5",
        ),
        (
            {"article": "a", "start": "1", "end": 5, "claimed_speaker": None},
            "'start' must be an integer, not \"1\"",
        ),
        (
            {"article": "a", "start": True, "end": 5, "claimed_speaker": None},
            "'start' must be an integer, not true",
        ),
        ({"article": "a", "quote": "x"}, "missing 'claimed_speaker' (null when there is none)"),
        (
            {"article": "a", "quote": "x", "claimed_speaker": " "},
            "'claimed_speaker' is empty: use null for no speaker",
        ),
        (
            {"article": "a", "quote": "x", "claimed_speaker": "P", "speaker_kind": "nom"},
            "'speaker_kind' is 'nom': choose from name, pronoun, description, none",
        ),
        (
            {"article": "a", "quote": "x", "claimed_speaker": None, "speaker_kind": "name"},
            "speaker_kind 'name' needs a claimed_speaker",
        ),
        (
            {"article": "a", "quote": "x", "claimed_speaker": "P", "expected_verdict": "ok"},
            "'expected_verdict' is 'ok': choose from verified, altered, misattributed, "
            "not_found, unattributed",
        ),
        (
            {"article": "a", "quote": "x", "claimed_speaker": "P", "group": [1]},
            "'group' must be a string or an integer, not [1]",
        ),
        (
            {"article": "a", "quote": "x", "claimed_speker": "P"},
            "unknown key 'claimed_speker' (known: article, claimed_speaker, end, "
            "expected_verdict, group, note, quote, speaker_kind, start)",
        ),
    ],
)
def test_malformed_label_lines(line: object, message: str) -> None:
    raw = line if isinstance(line, str) else json.dumps(line)
    with pytest.raises(LabelError) as info:
        parse_labels(f"# header\n{raw}\n", name="L")
    assert str(info.value) == f"L:2: {message}"
    assert info.value.line == 2


def _label_file(lines: list[str]) -> str:
    head = '{"article": "a.txt", "claimed_speaker": null, '
    return "\n".join(line.replace("{", head, 1) for line in lines)


ARTICLE = "He said “no, no” and “no”. She said “no” too."


@pytest.mark.parametrize(
    ("lines", "spans"),
    [
        # a quote takes the first occurrence no other label line covers
        (['{"quote": "no"}', '{"quote": "no"}', '{"quote": "no"}'], [(9, 11), (13, 15), (22, 24)]),
        # offset lines claim their spans first, whatever their order
        (['{"quote": "no"}', '{"start": 9, "end": 15}'], [(22, 24), (9, 15)]),
        (['{"quote": "no, no"}', '{"quote": "no"}'], [(9, 15), (22, 24)]),
        (['{"start": 9, "end": 15, "quote": "no, no"}'], [(9, 15)]),
    ],
)
def test_resolve_labels(lines: list[str], spans: list[tuple[int, int]]) -> None:
    text = _label_file(lines)
    labels = resolve_labels(parse_labels(text, name="L"), {"a.txt": ARTICLE}, name="L")
    assert [(x.span.start, x.span.end) for x in labels] == spans
    assert all(x.text == ARTICLE[x.span.start : x.span.end] for x in labels)


NOT_FOUND = "quote not found in a.txt (or every occurrence is labelled)"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"quote": "yes"}'], f"L:1: {NOT_FOUND}"),
        (['{"quote": "too."}', '{"quote": "too."}'], f"L:2: {NOT_FOUND}"),
        (['{"start": 40, "end": 99}'], "L:1: end 99 is past the end of a.txt (45)"),
        (
            ['{"start": 9, "end": 11, "quote": "No"}'],
            "L:1: 'quote' differs from the article's text at start:end, \"no\"",
        ),
        (['{"start": 9, "end": 11}', '{"start": 9, "end": 11}'], "L:2: same span as line 1"),
        (
            [
                '{"start": 9, "end": 11, "group": "g"}',
                '{"start": 13, "end": 15, "group": "g", "expected_verdict": "altered"}',
            ],
            "L:2: expected_verdict differs from line 1 of group 'g'",
        ),
    ],
)
def test_resolve_labels_errors(lines: list[str], message: str) -> None:
    text = _label_file(lines)
    with pytest.raises(LabelError) as info:
        resolve_labels(parse_labels(text, name="L"), {"a.txt": ARTICLE}, name="L")
    assert str(info.value) == message
