"""Measure the pipeline on a labelled archive: extraction, speakers, verdicts, calibration.

Pure functions over label lines and findings; reading the files is the CLI's job. The label
format and every figure are documented in docs/eval.md.
"""

from __future__ import annotations

import enum
import json
import math
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quoteverify.errors import QuoteverifyError
from quoteverify.models import AttributionKind, Finding, Span, Verdict
from quoteverify.normalise import canonical_name, same_person

# A calibration bin needs this many findings before its gap counts in the calibration error:
# the share right of a handful of findings says little about the confidence.
CALIBRATION_MIN_COUNT = 20
CALIBRATION_BINS = 10
DEFAULT_OVERLAP = 0.8
# The predicted verdict of a labelled quotation the extractor did not find.
MISSING = "missing"

VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)

_KEYS = frozenset(
    {
        "article",
        "start",
        "end",
        "quote",
        "claimed_speaker",
        "speaker_kind",
        "expected_verdict",
        "group",
        "note",
    }
)


class LabelError(QuoteverifyError):
    """A malformed labels file: a bad line, or a label that does not fit its article."""


class SpeakerKind(enum.Enum):
    """How the article refers to the speaker at a labelled quote."""

    NAME = "name"
    PRONOUN = "pronoun"
    DESCRIPTION = "description"
    NONE = "none"


@dataclass(frozen=True)
class LabelLine:
    """One line of a labels file as written: offsets, or the quoted text to locate."""

    line: int  # 1-based line in the labels file
    article: str  # the article's path as written, normalised (posix)
    start: int | None
    end: int | None
    quote: str | None
    claimed_speaker: str | None
    speaker_kind: SpeakerKind
    expected_verdict: Verdict | None = None
    group: str | None = None


@dataclass(frozen=True)
class Label:
    """A label line located in its article: the gold span of one quoted segment."""

    line: int
    article: str
    span: Span
    text: str  # the article's text at span
    claimed_speaker: str | None
    speaker_kind: SpeakerKind
    expected_verdict: Verdict | None = None
    group: str | None = None


@dataclass(frozen=True)
class Counts:
    """True and false positives and false negatives, with the ratios they give."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None when nothing was predicted."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None when there is no gold span."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """2tp / (2tp + fp + fn), the harmonic mean of precision and recall."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass(frozen=True)
class Ratio:
    """How many of a total were right."""

    correct: int
    total: int

    @property
    def accuracy(self) -> float | None:
        """correct / total; None when the total is 0."""
        return _ratio(self.correct, self.total)


@dataclass(frozen=True)
class SpanRecord:
    """A span of an article that was predicted without gold, or gold without prediction."""

    article: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SpeakerError:
    """A matched quotation whose speaker we got wrong."""

    article: str
    start: int
    end: int
    text: str
    speaker_kind: str
    expected: str
    predicted: str | None


@dataclass(frozen=True)
class VerdictScore:
    """Precision and recall of one verdict, and how many labels expect it."""

    precision: float | None
    recall: float | None
    support: int


@dataclass(frozen=True)
class CalibrationBin:
    """Findings whose confidence falls in [low, high), and how often they were right."""

    low: float
    high: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True)
class Verdicts:
    """Verdict accuracy, per-verdict scores and the expected x predicted confusion matrix."""

    overall: Ratio
    per_verdict: Mapping[str, VerdictScore]
    confusion: Mapping[str, Mapping[str, int]]  # expected -> predicted -> count


@dataclass(frozen=True)
class Calibration:
    """Confidence bins and the largest gap between confidence and share right."""

    bins: tuple[CalibrationBin, ...]
    error: float | None  # over bins with at least CALIBRATION_MIN_COUNT findings


@dataclass(frozen=True)
class Evaluation:
    """Every figure of one evaluation run."""

    labels: int
    articles: int
    threshold: float
    overlap: Counts
    exact: Counts
    speaker_name: Ratio
    speaker_all: Ratio
    unattributed: int
    verdicts: Verdicts | None  # None when verdicts were not measured (no corpus)
    calibration: Calibration | None
    false_positives: tuple[SpanRecord, ...]
    false_negatives: tuple[SpanRecord, ...]
    speaker_errors: tuple[SpeakerError, ...]


@dataclass(frozen=True)
class Pair:
    """A gold span matched one-to-one to a predicted span."""

    gold: int
    pred: int
    overlap: float


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


# --- label files ----------------------------------------------------------------------------


def _bad(name: str, line: int, message: str) -> LabelError:
    return LabelError(message, file=name, line=line)


def _int(obj: Mapping[str, object], key: str, name: str, line: int) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, line, f"{key!r} must be an integer, not {json.dumps(value)}")
    return value


def _str(obj: Mapping[str, object], key: str, name: str, line: int) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(name, line, f"{key!r} must be a string, not {json.dumps(value)}")
    return value


def _choice(value: str | None, choices: Sequence[str], key: str, name: str, line: int) -> None:
    if value is not None and value not in choices:
        raise _bad(name, line, f"{key!r} is {value!r}: choose from {', '.join(choices)}")


def parse_label_line(raw: str, *, name: str, line: int) -> LabelLine:
    """One JSON object of a labels file; a LabelError names NAME:LINE."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _bad(name, line, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise _bad(name, line, "not a JSON object")
    unknown = sorted(set(obj) - _KEYS)
    if unknown:
        raise _bad(name, line, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    article = _str(obj, "article", name, line)
    if not article:
        raise _bad(name, line, "missing 'article'")
    start, end = _int(obj, "start", name, line), _int(obj, "end", name, line)
    quote = _str(obj, "quote", name, line)
    if (start is None) != (end is None):
        raise _bad(name, line, "give both 'start' and 'end', or neither")
    if start is None and not quote:
        raise _bad(name, line, "give 'start' and 'end', or 'quote'")
    if start is not None and end is not None and not 0 <= start < end:
        raise _bad(name, line, f"bad span: start {start}, end {end}")
    if "claimed_speaker" not in obj:
        raise _bad(name, line, "missing 'claimed_speaker' (null when there is none)")
    speaker = _str(obj, "claimed_speaker", name, line)
    if speaker is not None and not speaker.strip():
        raise _bad(name, line, "'claimed_speaker' is empty: use null for no speaker")
    kinds = [k.value for k in SpeakerKind]
    kind_name = _str(obj, "speaker_kind", name, line)
    _choice(kind_name, kinds, "speaker_kind", name, line)
    if kind_name is None:
        kind = SpeakerKind.NONE if speaker is None else SpeakerKind.NAME
    else:
        kind = SpeakerKind(kind_name)
    if speaker is None and kind is not SpeakerKind.NONE:
        raise _bad(name, line, f"speaker_kind {kind.value!r} needs a claimed_speaker")
    verdict_name = _str(obj, "expected_verdict", name, line)
    _choice(verdict_name, VERDICTS, "expected_verdict", name, line)
    group = obj.get("group")
    if group is not None and (isinstance(group, bool) or not isinstance(group, str | int)):
        raise _bad(name, line, f"'group' must be a string or an integer, not {json.dumps(group)}")
    note = obj.get("note")
    if note is not None and not isinstance(note, str):
        raise _bad(name, line, "'note' must be a string")
    return LabelLine(
        line=line,
        article=posixpath.normpath(article.replace("\\", "/")),
        start=start,
        end=end,
        quote=quote,
        claimed_speaker=speaker,
        speaker_kind=kind,
        expected_verdict=None if verdict_name is None else Verdict(verdict_name),
        group=None if group is None else str(group),
    )


def parse_labels(text: str, *, name: str) -> tuple[LabelLine, ...]:
    """Every label line of a labels file; blank lines and `#` comments are skipped."""
    out = []
    # Only "\n" ends a line: str.splitlines would also split at a U+2028 inside a JSON string.
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.lstrip("\ufeff").strip()
        if not stripped or stripped.startswith("#"):
            continue
        out.append(parse_label_line(stripped, name=name, line=number))
    return tuple(out)


def _overlaps(span: Span, used: Sequence[Span]) -> bool:
    return any(span.start < u.end and u.start < span.end for u in used)


def _find(text: str, quote: str, used: Sequence[Span]) -> Span | None:
    """The first occurrence of quote in text that overlaps no used span."""
    at = text.find(quote)
    while at >= 0:
        span = Span(at, at + len(quote))
        if not _overlaps(span, used):
            return span
        at = text.find(quote, at + 1)
    return None


def _check_group(label: Label, first: Label, name: str) -> None:
    for key in ("claimed_speaker", "speaker_kind", "expected_verdict"):
        if getattr(label, key) != getattr(first, key):
            raise _bad(
                name, label.line, f"{key} differs from line {first.line} of group {label.group!r}"
            )


def resolve_labels(
    lines: Sequence[LabelLine], texts: Mapping[str, str], *, name: str
) -> tuple[Label, ...]:
    """Locate every label line in its article's text (texts maps LabelLine.article to it).

    Offsets are checked against the text; a `quote` takes its first occurrence that no other
    label line of the article already covers (offset lines first, then quote lines in order).
    """
    spans: dict[int, Span] = {}
    used: dict[str, list[Span]] = {}
    for ll in lines:
        if ll.start is None or ll.end is None:
            continue
        text = texts[ll.article]
        if ll.end > len(text):
            raise _bad(name, ll.line, f"end {ll.end} is past the end of {ll.article} ({len(text)})")
        if ll.quote is not None and text[ll.start : ll.end] != ll.quote:
            found = json.dumps(text[ll.start : ll.end], ensure_ascii=False)
            raise _bad(
                name, ll.line, f"'quote' differs from the article's text at start:end, {found}"
            )
        spans[ll.line] = Span(ll.start, ll.end)
        used.setdefault(ll.article, []).append(spans[ll.line])
    for ll in lines:
        if ll.line in spans:
            continue
        assert ll.quote is not None
        found_span = _find(texts[ll.article], ll.quote, used.get(ll.article, []))
        if found_span is None:
            raise _bad(
                name, ll.line, f"quote not found in {ll.article} (or every occurrence is labelled)"
            )
        spans[ll.line] = found_span
        used.setdefault(ll.article, []).append(found_span)
    out: list[Label] = []
    seen: dict[tuple[str, Span], int] = {}
    groups: dict[tuple[str, str], Label] = {}
    for ll in lines:
        span = spans[ll.line]
        key = (ll.article, span)
        if key in seen:
            raise _bad(name, ll.line, f"same span as line {seen[key]}")
        seen[key] = ll.line
        label = Label(
            line=ll.line,
            article=ll.article,
            span=span,
            text=texts[ll.article][span.start : span.end],
            claimed_speaker=ll.claimed_speaker,
            speaker_kind=ll.speaker_kind,
            expected_verdict=ll.expected_verdict,
            group=ll.group,
        )
        if ll.group is not None:
            first = groups.setdefault((ll.article, ll.group), label)
            _check_group(label, first, name)
        out.append(label)
    return tuple(out)


# --- metrics --------------------------------------------------------------------------------


def overlap(a: Span, b: Span) -> float:
    """|a ∩ b| / max(|a|, |b|): 1.0 only for identical spans."""
    longest = max(len(a), len(b))
    if not longest:
        return 0.0
    return max(0, min(a.end, b.end) - max(a.start, b.start)) / longest


def match_spans(gold: Sequence[Span], pred: Sequence[Span], threshold: float) -> list[Pair]:
    """Greedy one-to-one matching of spans of one article, highest overlap first."""
    candidates = [
        Pair(g, p, o)
        for g, gs in enumerate(gold)
        for p, ps in enumerate(pred)
        if (o := overlap(gs, ps)) > 0 and o >= threshold
    ]
    candidates.sort(key=lambda c: (-c.overlap, c.gold, c.pred))
    taken_gold: set[int] = set()
    taken_pred: set[int] = set()
    pairs = []
    for c in candidates:
        if c.gold in taken_gold or c.pred in taken_pred:
            continue
        taken_gold.add(c.gold)
        taken_pred.add(c.pred)
        pairs.append(c)
    return sorted(pairs, key=lambda c: c.gold)


@dataclass(frozen=True)
class _Predicted:
    article: str
    span: Span
    text: str
    finding: Finding


def _predictions(findings: Sequence[Finding]) -> list[_Predicted]:
    return [_Predicted(f.file, part.span, part.text, f) for f in findings for part in f.quote.parts]


def _same_speaker(ours: str, gold: str) -> bool:
    if same_person(ours, gold):
        return True
    # A description ("a campaign spokesman") is no name: compare it whole.
    return (canonical_name(ours) or ours.casefold()) == (canonical_name(gold) or gold.casefold())


def _units(labels: Sequence[Label]) -> list[list[Label]]:
    """Quotations: the label lines of one group together, every other line alone."""
    units: dict[tuple[str, str | None, Span], list[Label]] = {}
    for label in labels:
        # An ungrouped line is keyed by its own span, which no other line shares.
        key = (label.article, label.group, Span(0, 0) if label.group is not None else label.span)
        units.setdefault(key, []).append(label)
    return [sorted(u, key=lambda x: x.span) for u in units.values()]


def _bin(confidence: float) -> int:
    # The epsilon keeps 0.3 in [0.3, 0.4) although 0.3 * 10 may fall just below 3.
    return min(max(math.floor(confidence * CALIBRATION_BINS + 1e-9), 0), CALIBRATION_BINS - 1)


def calibration(points: Sequence[tuple[float, bool]]) -> Calibration:
    """Bins of (confidence, right) points, and the largest |confidence - share right|."""
    bins = []
    gaps = []
    for i in range(CALIBRATION_BINS):
        inside = [(c, ok) for c, ok in points if _bin(c) == i]
        low, high = i / CALIBRATION_BINS, (i + 1) / CALIBRATION_BINS
        if not inside:
            bins.append(CalibrationBin(low, high, 0, None, None))
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        right = sum(1 for _, ok in inside if ok) / len(inside)
        bins.append(CalibrationBin(low, high, len(inside), mean, right))
        if len(inside) >= CALIBRATION_MIN_COUNT:
            gaps.append(abs(mean - right))
    return Calibration(tuple(bins), max(gaps) if gaps else None)


def verdict_scores(pairs: Sequence[tuple[str, str]]) -> Verdicts:
    """Accuracy, per-verdict precision/recall and confusion of (expected, predicted) pairs."""
    columns = (*VERDICTS, MISSING)
    confusion = {e: dict.fromkeys(columns, 0) for e in VERDICTS}
    for expected, predicted in pairs:
        confusion[expected][predicted] += 1
    per_verdict = {}
    for v in VERDICTS:
        tp = confusion[v][v]
        predicted_v = sum(confusion[e][v] for e in VERDICTS)
        support = sum(confusion[v].values())
        per_verdict[v] = VerdictScore(_ratio(tp, predicted_v), _ratio(tp, support), support)
    correct = sum(1 for e, p in pairs if e == p)
    return Verdicts(Ratio(correct, len(pairs)), per_verdict, confusion)


def evaluate(
    labels: Sequence[Label],
    findings: Sequence[Finding],
    *,
    threshold: float = DEFAULT_OVERLAP,
    verdicts: bool = True,
) -> Evaluation:
    """Every figure of docs/eval.md for labels against the findings of the same articles.

    Findings of articles without labels are ignored. With verdicts=False (no corpus to match
    against) the verdict and calibration figures are left out.
    """
    by_article: dict[str, list[Label]] = {}
    for label in labels:
        by_article.setdefault(label.article, []).append(label)
    pred_by_article: dict[str, list[_Predicted]] = {a: [] for a in by_article}
    for p in _predictions(findings):
        if p.article in pred_by_article:
            pred_by_article[p.article].append(p)
    # Label key -> the finding whose part it was matched to.
    matched: dict[tuple[str, Span], Finding] = {}
    fps: list[SpanRecord] = []
    fns: list[SpanRecord] = []
    tp = tp_exact = predicted = 0
    for article in sorted(by_article):
        gold = sorted(by_article[article], key=lambda lb: lb.span)
        pred = sorted(pred_by_article[article], key=lambda p: p.span)
        predicted += len(pred)
        pairs = match_spans([g.span for g in gold], [p.span for p in pred], threshold)
        tp += len(pairs)
        tp_exact += sum(1 for pair in pairs if pair.overlap == 1.0)
        for pair in pairs:
            matched[(article, gold[pair.gold].span)] = pred[pair.pred].finding
        hit_gold = {pair.gold for pair in pairs}
        hit_pred = {pair.pred for pair in pairs}
        fns.extend(
            SpanRecord(article, g.span.start, g.span.end, g.text)
            for i, g in enumerate(gold)
            if i not in hit_gold
        )
        fps.extend(
            SpanRecord(article, p.span.start, p.span.end, p.text)
            for i, p in enumerate(pred)
            if i not in hit_pred
        )
    overlap_counts = Counts(tp, predicted - tp, len(labels) - tp)
    exact_counts = Counts(tp_exact, predicted - tp_exact, len(labels) - tp_exact)

    name_ok = name_total = all_ok = all_total = unattributed = 0
    errors: list[SpeakerError] = []
    verdict_pairs: list[tuple[str, str]] = []
    points: list[tuple[float, bool]] = []
    for unit in _units(labels):
        head = unit[0]
        hit = next((matched[k] for lb in unit if (k := (lb.article, lb.span)) in matched), None)
        if head.expected_verdict is not None:
            got = hit.verdict.value if hit is not None else MISSING
            verdict_pairs.append((head.expected_verdict.value, got))
            if hit is not None:
                points.append((hit.confidence, hit.verdict is head.expected_verdict))
        if hit is None or head.claimed_speaker is None:
            continue
        ours = hit.attribution.speaker or hit.attribution.description
        ok = ours is not None and _same_speaker(ours, head.claimed_speaker)
        all_total += 1
        all_ok += ok
        if head.speaker_kind is SpeakerKind.NAME:
            name_total += 1
            name_ok += ok
        if hit.attribution.kind is AttributionKind.NONE:
            unattributed += 1
        if not ok:
            errors.append(
                SpeakerError(
                    head.article,
                    head.span.start,
                    unit[-1].span.end,
                    " ".join(lb.text for lb in unit),
                    head.speaker_kind.value,
                    head.claimed_speaker,
                    ours,
                )
            )
    return Evaluation(
        labels=len(labels),
        articles=len(by_article),
        threshold=threshold,
        overlap=overlap_counts,
        exact=exact_counts,
        speaker_name=Ratio(name_ok, name_total),
        speaker_all=Ratio(all_ok, all_total),
        unattributed=unattributed,
        verdicts=verdict_scores(verdict_pairs) if verdicts else None,
        calibration=calibration(points) if verdicts else None,
        false_positives=tuple(sorted(fps, key=_record_key)),
        false_negatives=tuple(sorted(fns, key=_record_key)),
        speaker_errors=tuple(sorted(errors, key=lambda e: (e.article, e.start, e.end))),
    )


def _record_key(r: SpanRecord) -> tuple[str, int, int, str]:
    return (r.article, r.start, r.end, r.text)
