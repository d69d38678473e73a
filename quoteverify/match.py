"""Quote x corpus -> the best aligned passages, found by seed-and-extend over an inverted index."""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz.distance import Indel

from quoteverify.config import Config
from quoteverify.models import (
    Corpus,
    DiffKind,
    DiffOp,
    MatchResult,
    Passage,
    Span,
    Transcript,
)
from quoteverify.normalise import Normalised, Token, canonical_name, normalise, same_person

# Seeds are taken rarest first. Once _SEED_BUDGET postings have been read, common words are
# skipped if the votes are already decisive (some diagonal has _DECISIVE_VOTES: a bigram counts
# 2, a word 1), else reading goes on with bigrams only, up to _SEED_BUDGET_MAX postings. A rare
# bigram or two locate a passage, so work stays flat as the corpus grows; a quote of common words
# only ("I believe that the American people") needs more of them. A quote of nothing but "the"
# and "of" still gets its rarest feature.
_SEED_BUDGET = 300
_SEED_BUDGET_MAX = 1500
_DECISIVE_VOTES = 6
# A bounded search (a fragment near its neighbour) reads the tokens of a window up to this
# long instead of bisecting postings.
_WINDOW_SCAN_MAX = 4096
# Bigrams locate a passage far better than single words, so their votes count double.
_BIGRAM_WEIGHT = 2.0
# Windows with less than this share of the top window's votes are not worth aligning.
_MIN_VOTE_SHARE = 0.2
# Candidates aligned per fragment when it is searched near its neighbour.
_NEAR_CANDIDATES = 3
# Alignment refinements per window (each drops words cut off by an inner deletion).
_REFINE_ROUNDS = 4
# Windows whose similarity bound is below this are aligned without refinement: cutting can only
# move a passage that is nowhere near the quote, within the "nearest below 50" evidence band.
_REFINE_FLOOR = 50.0
# Pooled diagonals put in order per wanted window; past them the rest are sorted too.
_POOL_HEAD = 8

_TAGS = {
    "equal": DiffKind.EQUAL,
    "delete": DiffKind.DELETE,
    "insert": DiffKind.INSERT,
    "replace": DiffKind.REPLACE,
}


@dataclass(frozen=True)
class _Run:
    """Consecutive turns of one speaker label: a passage never leaves its run."""

    doc: int
    first: int  # global position of the first token
    end: int  # global position after the last token
    speaker: int  # speaker id


class RunLike(Protocol):
    """A run of consecutive turns of one speaker label, as either index stores it."""

    @property
    def doc(self) -> int: ...
    @property
    def first(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def speaker(self) -> int: ...


class PassageSource(Protocol):
    """What a passage reads of its transcript: path, turn speakers, lines and text slices."""

    @property
    def path(self) -> str: ...
    def speaker(self, turn: int) -> str: ...
    def line_of(self, offset: int) -> int: ...
    def __call__(self, start: int, end: int) -> str: ...
    def within(self, start: int, end: int) -> tuple[str, int] | None: ...


class MatchIndex(Protocol):
    """What match_quote reads from an index: the in-memory CorpusIndex or index.DiskIndex."""

    @property
    def ids(self) -> Sequence[Hashable]: ...
    @property
    def starts(self) -> Sequence[int]: ...
    @property
    def ends(self) -> Sequence[int]: ...
    @property
    def turn_of(self) -> Sequence[int]: ...
    @property
    def run_of(self) -> Sequence[int]: ...
    @property
    def runs(self) -> Sequence[RunLike]: ...
    @property
    def doc_bounds(self) -> Sequence[tuple[int, int]]: ...
    @property
    def transcripts(self) -> Sequence[Transcript]: ...
    @property
    def paths(self) -> Sequence[str]: ...
    @property
    def aliases(self) -> Mapping[str, str]: ...

    def encode(self, words: Sequence[str]) -> Sequence[Hashable]: ...
    def source(self, doc: int) -> PassageSource: ...
    def postings(self, words: Sequence[Hashable]) -> Sequence[int]: ...
    def speaker_ids(self, labels: frozenset[str]) -> frozenset[int]: ...
    def speaker_labels(self, claimed: str) -> frozenset[str]: ...
    def speaker_runs(self, speakers: frozenset[int]) -> tuple[Sequence[int], Sequence[int]]: ...


class CorpusIndex:
    """All turns' canonical words in one flat array, with an inverted index of words and bigrams.

    Global positions number every token of the corpus; transcripts and same-speaker runs are
    contiguous ranges of them. Everything match_quote needs goes through this class, so a
    persistent index can replace it behind the same attributes and methods.
    """

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.transcripts: tuple[Transcript, ...] = corpus.transcripts
        self.paths: tuple[str, ...] = tuple(t.path for t in corpus.transcripts)
        self.aliases: Mapping[str, str] = corpus.aliases
        self.words: list[str] = []
        self.starts = array("q")  # file offset of each token
        self.ends = array("q")
        self.turn_of = array("q")  # Turn.index of each token
        self.run_of = array("q")  # run id of each token
        self.doc_bounds: list[tuple[int, int]] = []  # [first, end) global positions per transcript
        self.runs: list[_Run] = []
        self.labels: list[str] = []  # speaker id -> label
        self._speaker_ids: dict[str, int] = {}
        self._unigrams: dict[str, array[int]] = {}
        self._bigrams: dict[str, array[int]] = {}
        self._label_cache: dict[str, frozenset[str]] = {}
        self._runs_cache: dict[frozenset[int], tuple[list[int], list[int]]] = {}
        for doc, transcript in enumerate(self.transcripts):
            self._add_transcript(doc, transcript)

    def _speaker_id(self, label: str) -> int:
        if label not in self._speaker_ids:
            self._speaker_ids[label] = len(self.labels)
            self.labels.append(label)
        return self._speaker_ids[label]

    def _add_transcript(self, doc: int, transcript: Transcript) -> None:
        first = len(self.words)
        run_start = first
        run_speaker: int | None = None
        for turn in transcript.turns:
            speaker = self._speaker_id(turn.speaker)
            if speaker != run_speaker:
                if run_speaker is not None and len(self.words) > run_start:
                    self.runs.append(_Run(doc, run_start, len(self.words), run_speaker))
                run_start, run_speaker = len(self.words), speaker
            run_id = len(self.runs)
            for tok in normalise(turn.text, base=turn.start).tokens:
                pos = len(self.words)
                if pos > run_start:
                    key = f"{self.words[-1]}\x00{tok.norm}"
                    self._bigrams.setdefault(key, array("q")).append(pos - 1)
                self._unigrams.setdefault(tok.norm, array("q")).append(pos)
                self.words.append(tok.norm)
                self.starts.append(tok.start)
                self.ends.append(tok.end)
                self.turn_of.append(turn.index)
                self.run_of.append(run_id)
        if run_speaker is not None and len(self.words) > run_start:
            self.runs.append(_Run(doc, run_start, len(self.words), run_speaker))
        self.doc_bounds.append((first, len(self.words)))

    @property
    def ids(self) -> Sequence[Hashable]:
        """The words as alignment compares them: here the canonical strings themselves."""
        return self.words

    def encode(self, words: Sequence[str]) -> list[Hashable]:
        """Quote words in the form of `ids`."""
        return list(words)

    def source(self, doc: int) -> SourceText:
        """The transcript's turns as passages read them."""
        return SourceText(self.transcripts[doc])

    def postings(self, words: Sequence[Hashable]) -> Sequence[int]:
        """Global positions where a word (one) or a bigram (two words) starts, ascending.

        (The protocol only asks a bigram's to be ascending: DiskIndex groups a word's by the
        word after it.)
        """
        if len(words) == 1:
            return self._unigrams.get(str(words[0]), ())
        return self._bigrams.get(f"{words[0]}\x00{words[1]}", ())

    def speaker_ids(self, labels: frozenset[str]) -> frozenset[int]:
        """The internal ids of speaker labels."""
        return frozenset(self._speaker_ids[x] for x in labels if x in self._speaker_ids)

    def speaker_runs(self, speakers: frozenset[int]) -> tuple[list[int], list[int]]:
        """First and end positions of the speakers' runs, ascending."""
        found = self._runs_cache.get(speakers)
        if found is None:
            mine = [r for r in self.runs if r.speaker in speakers]
            found = self._runs_cache[speakers] = ([r.first for r in mine], [r.end for r in mine])
        return found

    def speaker_labels(
        self, claimed: str, aliases: Mapping[str, str] | None = None
    ) -> frozenset[str]:
        """The transcript speaker labels that denote the claimed person."""
        if aliases is None:
            # Articles name the same few people again and again.
            if claimed not in self._label_cache:
                self._label_cache[claimed] = self._resolve(claimed, self.corpus.aliases)
            return self._label_cache[claimed]
        return self._resolve(claimed, aliases)

    def _resolve(self, claimed: str, table: Mapping[str, str]) -> frozenset[str]:
        wanted = claimed.casefold()
        canon = canonical_name(claimed)
        found = {x for x in self.labels if x == claimed or same_person(x, claimed)}
        for alias, label in table.items():
            if alias.casefold() == wanted or (canon and canonical_name(alias) == canon):
                found.add(label)
        return frozenset(x for x in found if x in self._speaker_ids)


def build_index(corpus: Corpus) -> CorpusIndex:
    """Normalise every turn of the corpus and index its words and word bigrams."""
    return CorpusIndex(corpus)


@dataclass(frozen=True)
class _Piece:
    """One quote fragment aligned to [start, end) global positions."""

    start: int
    end: int
    similarity: float
    ops: tuple[tuple[str, int, int, int, int], ...]  # rapidfuzz opcodes: source, quote ranges


@dataclass(frozen=True)
class _Chain:
    """Fragments of a quote aligned in order; None where a fragment was not found."""

    pieces: tuple[_Piece | None, ...]
    similarity: float
    start: int
    end: int


def _similarity(matches: int, quote_len: int, passage_len: int) -> float:
    """Share of words in common: 100 x 2 x matches / (quote words + passage words).

    Counting common words, not edits, makes an alignment that keeps a quoted word beat one that
    trades it for a cheaper-looking replacement at the passage's edge.
    """
    total = quote_len + passage_len
    return 200.0 * matches / total if total else 0.0


# The most source words a bracketed insertion may stand for: "[Kennedy]" for "he", "[the
# treaty]" for "it". More than this is not a clarification but a cut, which needs an ellipsis.
_BRACKET_MAX_WORDS = 3

_Op = tuple[str, int, int, int, int]


def _opcodes(window: Sequence[Hashable], q: Sequence[Hashable]) -> list[_Op]:
    """A longest-common-subsequence alignment; a deletion next to an insertion is a replacement.

    Edit distance would rather replace three words than delete three and insert three, which
    trades quoted words for source words at a passage's edge; the LCS keeps every common word.
    """
    out: list[_Op] = []
    prev_tag = ""
    # as_list gives plain tuples: far cheaper than reading five attributes of each opcode.
    codes: list[_Op] = Indel.opcodes(window, q).as_list()  # type: ignore[assignment]
    for op in codes:
        tag = op[0]
        if (tag == "insert" and prev_tag == "delete") or (tag == "delete" and prev_tag == "insert"):
            prev = out.pop()
            op = ("replace", min(prev[1], op[1]), max(prev[2], op[2]), prev[3], op[4])
            tag = "replace"
        out.append(op)
        prev_tag = tag
    return out


def _trim(
    index: MatchIndex,
    q: Sequence[Hashable],
    lo: int,
    hi: int,
    absorb: frozenset[int] = frozenset(),
) -> _Piece | None:
    """Align q inside words[lo:hi] and cut the passage to its aligned words.

    The passage runs from the first to the last common word, widened at each edge by as many
    source words as the quote has unmatched words there (so a changed first or last word shows
    as a replacement). Source words left out where the quote has a bracketed insertion (quote
    positions in `absorb`, at most _BRACKET_MAX_WORDS of them) are what the brackets stand for:
    they are not counted, and the diff does not show them.
    """
    a, b = lo, hi
    codes = _opcodes(index.ids[a:b], q) if b > a else []
    for _ in range(3):
        # Aligning the cut window again may place a repeated word differently: cut again.
        if b <= a:
            return None
        equal = [c for c in codes if c[0] == "equal"]
        if not equal:
            return None
        first, last = equal[0], equal[-1]
        cut = (max(lo, a + first[1] - first[3]), min(hi, a + last[2] + (len(q) - last[4])))
        if cut == (a, b):
            break
        a, b = cut
        codes = _opcodes(index.ids[a:b], q)
    kept: list[_Op] = []
    absorbed = 0
    for c in codes:
        if c[0] == "delete" and c[3] in absorb and c[2] - c[1] <= _BRACKET_MAX_WORDS:
            absorbed += c[2] - c[1]
            continue
        kept.append(c)
    matches = sum(c[2] - c[1] for c in kept if c[0] == "equal")
    return _Piece(a, b, _similarity(matches, len(q), b - a - absorbed), tuple(kept))


def _align(
    index: MatchIndex,
    q: Sequence[Hashable],
    lo: int,
    hi: int,
    absorb: frozenset[int] = frozenset(),
    *,
    refine: bool = True,
) -> _Piece | None:
    """The best passage for q within [lo, hi), trying cuts at inner deletions (if `refine`).

    Global edit distance does not care whether source words are skipped at the edge or inside,
    so an early stray match of a common word can drag the passage start; cutting there fixes it.
    """
    best = _trim(index, q, lo, hi, absorb)
    for _ in range(_REFINE_ROUNDS if refine else 0):
        if best is None:
            return None
        if best.similarity == 100.0:
            break
        better = best
        for tag, s0, s1, d0, d1 in best.ops:
            # A replacement with more source words than quote words holds a deletion too.
            if tag not in ("delete", "replace") or s1 - s0 <= d1 - d0:
                continue
            if s0 == 0 or s1 == best.end - best.start:
                continue
            # A cut can only pay when the deletion is at least as long as the quote words beyond
            # it (as long: the words are said twice, "No thanks to you. No thanks to you.").
            # Keep room on the cut side for those words, so they can find their place again
            # next to the rest.
            cuts = []
            if s1 - s0 >= d0:
                cuts.append((max(lo, best.start + s1 - d0), best.end))
            if s1 - s0 >= len(q) - d1:
                cuts.append((best.start, min(hi, best.start + s0 + len(q) - d1)))
            for a, b in cuts:
                cut = _trim(index, q, a, b, absorb)
                if cut is not None and (cut.similarity, -cut.start) > (
                    better.similarity,
                    -better.start,
                ):
                    better = cut
        if better is best:
            break
        best = better
    return best


def _window_postings(
    index: MatchIndex, lo: int, hi: int, wanted: Collection[Hashable]
) -> dict[Hashable, list[int]]:
    """Postings inside [lo, hi) of the wanted words and their pairs, read from the tokens.

    Gives word -> positions and (word, next) -> positions, ascending. Pairs never cross a
    same-speaker run, as in the index (runs tile the positions).
    """
    ids = index.ids
    stop = min(hi + 1, len(ids))
    words = ids[lo:stop]
    run_ends: set[int] = set()
    if lo < stop:
        runs = index.runs
        r = index.run_of[lo]
        while (end := runs[r].end) < stop:
            run_ends.add(end)
            r += 1
    found: dict[Hashable, list[int]] = {}
    last = len(words) - 1
    for k in range(min(hi, stop) - lo):
        word = words[k]
        if word not in wanted:
            continue
        found.setdefault(word, []).append(lo + k)
        if k < last and words[k + 1] in wanted and lo + k + 1 not in run_ends:
            found.setdefault((word, words[k + 1]), []).append(lo + k)
    return found


def _seed_windows(
    index: MatchIndex,
    q: Sequence[Hashable],
    allowed: frozenset[int] | None,
    lo: int,
    hi: int,
    count: int,
) -> list[tuple[int, int, int]]:
    """Candidate (diagonal, seed position, its run) triples: where q[0] would stand, by votes."""
    total = max(len(index.ids), 1)
    whole = lo <= 0 and hi >= total
    inside: dict[Hashable, list[int]] = {}
    if not whole and hi - lo <= _WINDOW_SCAN_MAX:
        inside = _window_postings(index, lo, hi, set(q))
    # (df, -size, j, postings, weight): rarest first, bigrams before words, then quote order
    # (the first three differ between any two features, so the postings are never compared).
    features: list[tuple[int, int, int, Sequence[int], float]] = []
    for size in (2, 1):
        for j in range(len(q) - size + 1):
            posts = index.postings(q[j : j + size])
            if not posts:
                continue
            weight = (_BIGRAM_WEIGHT if size == 2 else 1.0) * math.log(1.0 + total / len(posts))
            if not whole:
                # A word's postings need not be in position order: read the window instead.
                if hi - lo <= _WINDOW_SCAN_MAX:
                    posts = inside.get(q[j] if size == 1 else (q[j], q[j + 1]), [])
                else:
                    posts = sorted(p for p in posts if lo <= p < hi)
                if not posts:
                    continue
            features.append((len(posts), -size, j, posts, weight))
    features.sort()
    firsts: Sequence[int] = ()
    ends: Sequence[int] = ()
    if allowed is not None:
        firsts, ends = index.speaker_runs(allowed)
    votes: dict[int, float] = {}
    where: dict[int, int] = {}  # a diagonal's seed: its first posting read
    hits: dict[int, int] = {}
    most = 0
    scanned = 0
    for df, minus_size, j, posts, weight in features:
        size = -minus_size
        if votes and scanned + df > _SEED_BUDGET:
            # Past the budget only bigrams of undecided votes are read: they place a passage of
            # common words, where more common single words only add diagonals to sort.
            if most >= _DECISIVE_VOTES or scanned + df > _SEED_BUDGET_MAX:
                break
            if size == 1:
                continue
        scanned += df
        if allowed is not None:
            # The claimed speaker's runs, bisected: a posting is theirs when inside one.
            posts = [
                p for p in posts if (k := bisect.bisect_right(firsts, p) - 1) >= 0 and p < ends[k]
            ]
        get = votes.get
        if most >= _DECISIVE_VOTES:
            for p in posts:
                d = p - j
                v = get(d)
                if v is None:
                    votes[d] = weight
                    where[d] = p
                else:
                    votes[d] = v + weight
            continue
        for p in posts:
            d = p - j
            v = get(d)
            if v is None:
                votes[d] = weight
                where[d] = p
                hits[d] = size
                h = size
            else:
                votes[d] = v + weight
                h = hits[d] = hits[d] + size
            if h > most:
                most = h
    if not votes:
        return []
    # Insertions and omissions shift the diagonal, so a passage's votes are pooled over a band.
    band = 2 + len(q) // 4
    head = _POOL_HEAD * count
    pool, cut, least = _pooled(votes, where, band, head)
    ordered = pool(cut)
    complete = cut <= least
    picked: list[tuple[int, int, int]] = []
    run_of = index.run_of
    k = 0
    while True:
        if k == len(ordered):
            if complete:
                break
            ordered = pool(least)  # the head ran out before count windows were picked
            complete = True
            if k == len(ordered):
                break
        d, seed = ordered[k]
        k += 1
        run = run_of[seed]
        if any(abs(d - e) <= band and r == run for e, _p, r in picked):
            continue
        picked.append((d, seed, run))
        if len(picked) >= count:
            break
    return picked


# The postings read (diagonal, seed) pairs are pooled from, best first, down to a floor.
_Ranking = Callable[[float], list[tuple[int, int]]]


def _pooled(
    votes: Mapping[int, float], where: Mapping[int, int], band: int, head: int
) -> tuple[_Ranking, float, float]:
    """Votes pooled over a band of diagonals; the head's floor and the least share worth aligning.

    Only windows with a fair share of the top votes are aligned. Within a band of equal pooled
    score the most voted diagonal is the likeliest start. Only the head of the order is needed
    at first: the diagonals at least as pooled as the head's last (ties too), so an absent
    quote's many diagonals are neither all sorted nor all made into keys.
    """
    diagonals = sorted(votes)
    weights = [votes[d] for d in diagonals]
    accs: list[float] = []
    add = accs.append
    left = 0
    right = 0
    acc = 0.0
    n = len(diagonals)
    for d in diagonals:
        top = d + band
        while right < n and diagonals[right] <= top:
            acc += weights[right]
            right += 1
        bottom = d - band
        while diagonals[left] < bottom:
            acc -= weights[left]
            left += 1
        add(acc)
    least = _MIN_VOTE_SHARE * max(accs)
    cut = max(least, sorted(accs)[-head]) if n > head else least

    def pool(floor: float) -> list[tuple[int, int]]:
        ranked = sorted(
            (-a, -own, d) for a, own, d in zip(accs, weights, diagonals, strict=True) if a >= floor
        )
        return [(d, where[d]) for _a, _own, d in ranked]

    return pool, cut, least


def _windows(
    index: MatchIndex,
    q: Sequence[Hashable],
    allowed: frozenset[int] | None,
    lo: int,
    hi: int,
    count: int,
) -> list[tuple[int, int, RunLike]]:
    """The token ranges [a, b) around the best seeded diagonals, each in its run, and the run."""
    slack = 2 + len(q) // 3
    out = []
    for d, _seed, run_id in _seed_windows(index, q, allowed, lo, hi, count):
        run = index.runs[run_id]
        out.append((max(run.first, lo, d - slack), min(run.end, hi, d + len(q) + slack), run))
    return out


def _pieces(
    index: MatchIndex,
    q: Sequence[Hashable],
    allowed: frozenset[int] | None,
    lo: int,
    hi: int,
    count: int,
    absorb: frozenset[int] = frozenset(),
) -> list[_Piece]:
    """Aligned passages for q among the best seeded windows inside [lo, hi)."""
    out: dict[tuple[int, int], _Piece] = {}
    for a, b, _run in _windows(index, q, allowed, lo, hi, count):
        piece = _align(index, q, a, b, absorb)
        if piece is not None:
            out.setdefault((piece.start, piece.end), piece)
    return sorted(out.values(), key=lambda p: (-p.similarity, p.start))


def _bound(index: MatchIndex, q: Sequence[Hashable], a: int, b: int) -> float:
    """The highest similarity any passage inside ids[a:b] can reach: one C call, no opcodes.

    A passage keeps at most the window's longest common subsequence L with the quote, and is at
    least L words long, so its similarity is at most 200 L / (len(q) + L).
    """
    window = index.ids[a:b]
    common = (len(window) + len(q) - Indel.distance(window, q)) // 2
    return _similarity(common, len(q), common)


class _Pool:
    """The chains aligned so far, and which windows can still change the result.

    match_quote reports the best chain, the claimed speaker's best (`own`) and the best distinct
    runner-up, which only matters within the ambiguity margin of a reported passage: the best,
    or `own` once it is close enough to be reported (altered_similarity). A window whose bound
    is below all of these needs no alignment. The thresholds only rise as chains are added,
    so a window skipped once could never have mattered.
    """

    def __init__(self, index: MatchIndex, ids: frozenset[int], config: Config) -> None:
        self.index = index
        self.ids = ids
        self.config = config
        self.chains: dict[tuple[int, int], _Chain] = {}
        self.top: float | None = None
        self.own: float | None = None

    def wants(self, bound: float, speaker: int) -> bool:
        """Whether a window of this bound and speaker could change top, own or the runner-up."""
        if self.top is None:
            return True
        floor = self.top
        if self.ids:
            floor = min(floor, max(self.own or 0.0, self.config.altered_similarity))
        if bound >= floor - self.config.ambiguity_margin:
            return True
        return speaker in self.ids and (self.own is None or bound >= self.own)

    def add(self, chain: _Chain) -> None:
        """Keep a chain (the first of a start and end wins)."""
        key = (chain.start, chain.end)
        if key in self.chains:
            return
        self.chains[key] = chain
        self.top = max(self.top or 0.0, chain.similarity)
        if self.ids and _speakers(self.index, chain) <= self.ids:
            self.own = max(self.own or 0.0, chain.similarity)


def _chains(
    index: MatchIndex,
    q: Sequence[Hashable],
    fragments: Sequence[tuple[int, int]],
    allowed: frozenset[int] | None,
    config: Config,
    pool: _Pool,
    brackets: frozenset[int] = frozenset(),
) -> None:
    """Passages for every fragment in order, anchored on candidates of the longest fragment.

    The other fragments are looked for next to the anchor, each within the gap of its neighbour;
    one that aligns there below altered_similarity counts as missing (similarity 0), so that a
    stray common word near the anchor does not stretch the passage. Anchor windows are aligned
    best bound first, and only while the pool wants them.
    """
    sizes = [j - i for i, j in fragments]
    anchor = max(range(len(fragments)), key=lambda k: (sizes[k], -k))
    gap = config.ellipsis_max_gap_words
    # Bracket positions relative to each fragment's first word.
    absorb = [frozenset(k - i for k in brackets if i < k < j) for i, j in fragments]
    i0, j0 = fragments[anchor]
    qa = q[i0:j0]
    rest = sum(sizes) - sizes[anchor]
    windows = [
        ((sizes[anchor] * _bound(index, qa, a, b) + 100.0 * rest) / sum(sizes), a, b, run)
        for a, b, run in _windows(index, qa, allowed, 0, len(index.ids), config.candidates)
    ]
    windows.sort(key=lambda w: -w[0])
    seen: set[tuple[int, int]] = set()
    for bound, a, b, run in windows:
        if not pool.wants(bound, run.speaker):
            continue
        # Cuts only raise a passage that stays below _REFINE_FLOOR whatever they do: not
        # worth their alignments (the passage of an absent quote is never close).
        seed = _align(index, qa, a, b, absorb[anchor], refine=bound >= _REFINE_FLOOR)
        if seed is None or (seed.start, seed.end) in seen:
            continue
        seen.add((seed.start, seed.end))
        # The passage lies in its window, and so in the window's run.
        doc_lo, doc_hi = index.doc_bounds[run.doc]
        speaker = frozenset({run.speaker})
        pieces: list[_Piece | None] = [None] * len(fragments)
        pieces[anchor] = seed
        edge = seed.end
        for k in range(anchor + 1, len(fragments)):
            i, j = fragments[k]
            hi = min(doc_hi, edge + gap + sizes[k] + 2)
            near = [
                p
                for p in _pieces(index, q[i:j], speaker, edge, hi, _NEAR_CANDIDATES, absorb[k])
                if p.start - edge <= gap and p.similarity >= config.altered_similarity
            ]
            if near:
                pieces[k] = near[0]
                edge = near[0].end
        edge = seed.start
        for k in range(anchor - 1, -1, -1):
            i, j = fragments[k]
            lo = max(doc_lo, edge - gap - sizes[k] - 2)
            near = [
                p
                for p in _pieces(index, q[i:j], speaker, lo, edge, _NEAR_CANDIDATES, absorb[k])
                if edge - p.end <= gap and p.similarity >= config.altered_similarity
            ]
            if near:
                pieces[k] = near[0]
                edge = near[0].start
        found = [p for p in pieces if p is not None]
        weighted = sum(s * p.similarity for s, p in zip(sizes, pieces, strict=True) if p)
        pool.add(_Chain(tuple(pieces), weighted / sum(sizes), found[0].start, found[-1].end))


# Characters that join two tokens into one printed word: "Russian-Turkish", "U.S.-Russian".
_JOINERS = frozenset("-‐‑/")


def _printed_words(
    slice_of: Callable[[int, int], str], spans: Sequence[tuple[int, int]]
) -> tuple[str, ...]:
    """Words as printed; tokens split from one hyphenated word print as that word again."""
    words: list[str] = []
    prev_end = -1
    for start, end in spans:
        gap = slice_of(prev_end, start) if words and start - prev_end == 1 else ""
        if gap and gap in _JOINERS:
            words[-1] += gap + slice_of(start, end)
        else:
            words.append(slice_of(start, end))
        prev_end = end
    return tuple(words)


def _printed_text(
    text: str, base: int, starts: Sequence[int], ends: Sequence[int]
) -> tuple[str, ...]:
    """_printed_words of spans inside text, whose first character is at offset base."""
    words: list[str] = []
    prev_end = -1
    for start, end in zip(starts, ends, strict=True):
        word = text[start - base : end - base]
        if words and start - prev_end == 1 and text[prev_end - base] in _JOINERS:
            words[-1] += text[prev_end - base] + word
        else:
            words.append(word)
        prev_end = end
    return tuple(words)


def _quote_words(text: str | None, tokens: Sequence[Token]) -> tuple[str, ...]:
    if text is None:
        return tuple(t.norm for t in tokens)
    return _printed_text(text, 0, [t.start for t in tokens], [t.end for t in tokens])


def _passage(
    index: MatchIndex,
    chain: _Chain,
    quote: Normalised,
    fragments: Sequence[tuple[int, int]],
    text: str | None,
    labels: frozenset[int],
) -> Passage:
    doc = index.runs[index.run_of[chain.start]].doc
    source_text = index.source(doc)
    first_turn = index.turn_of[chain.start]
    span = Span(index.starts[chain.start], index.ends[chain.end - 1])
    tokens = quote.tokens
    ops: list[DiffOp] = []
    for piece, (i, j) in zip(chain.pieces, fragments, strict=True):
        if piece is None:
            words = _quote_words(text, tokens[i:j])
            ops.append(DiffOp(DiffKind.INSERT, (), words))
            continue
        # The piece's offsets in two reads, not two an op (an absent quote's have many).
        starts = index.starts[piece.start : piece.end]
        ends = index.ends[piece.start : piece.end]
        # A piece lies in one turn but for a freak: its words are then slices of one string.
        held = source_text.within(starts[0], ends[-1]) if starts else None
        for tag, s0, s1, d0, d1 in piece.ops:
            if held is not None:
                src = _printed_text(held[0], held[1], starts[s0:s1], ends[s0:s1])
            else:
                spans = list(zip(starts[s0:s1], ends[s0:s1], strict=True))
                src = _printed_words(source_text, spans)
            said = _quote_words(text, tokens[i + d0 : i + d1])
            ops.append(DiffOp(_TAGS[tag], src, said))
    return Passage(
        transcript=source_text.path,
        speaker=source_text.speaker(first_turn),
        turn=first_turn,
        line=source_text.line_of(span.start),
        span=span,
        text=source_text(span.start, span.end),
        similarity=chain.similarity,
        ops=tuple(_merge(ops)),
        speaker_match=bool(labels) and _speakers(index, chain) <= labels,
    )


class SourceText:
    """Slices of a transcript file, rebuilt from its turns (which are verbatim slices of it)."""

    def __init__(self, transcript: Transcript) -> None:
        self._transcript = transcript
        self.path = transcript.path
        self._turns = sorted(transcript.turns, key=lambda t: t.start)
        self._starts = [t.start for t in self._turns]
        self._speakers = {t.index: t.speaker for t in transcript.turns}

    def speaker(self, turn: int) -> str:
        """The speaker label of a turn (by Turn.index)."""
        return self._speakers[turn]

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in the file."""
        return self._transcript.line_of(offset)

    def within(self, start: int, end: int) -> tuple[str, int] | None:
        """The text of the turn holding [start, end) and its first offset; None across turns."""
        k = bisect.bisect_right(self._starts, start) - 1
        if k < 0 or end > self._starts[k] + len(self._turns[k].text):
            return None
        return self._turns[k].text, self._starts[k]

    def __call__(self, start: int, end: int) -> str:
        return source_slice(
            self._starts,
            [len(t.text) for t in self._turns],
            [t.speaker for t in self._turns],
            lambda k, a, b: self._turns[k].text[a:b],
            self.line_of,
            start,
            end,
        )


def source_slice(
    starts: Sequence[int],
    lengths: Sequence[int],
    speakers: Sequence[str],
    text: Callable[[int, int, int], str],
    line_of: Callable[[int], int],
    start: int,
    end: int,
) -> str:
    """The file's characters [start, end) from its turns, ordered by start.

    `text(k, a, b)` is characters a to b of turn k. The file between two turns is a line break
    and the next label, which the turns do not hold: it is rebuilt in the `Speaker: text` layout.
    """
    k = max(bisect.bisect_right(starts, start) - 1, 0)
    if starts and starts[k] <= start and end <= starts[k] + lengths[k]:
        # Within one turn, as nearly every word of a passage is.
        return text(k, start - starts[k], end - starts[k]) if end > start else ""
    parts: list[str] = []
    at = start
    n = len(starts)
    while at < end and k < n:
        turn_start = starts[k]
        if at < turn_start:
            breaks = line_of(turn_start) - line_of(at)
            parts.append("\n" * breaks + f"{speakers[k]}: " if breaks else " ")
            at = turn_start
        stop = min(end, turn_start + lengths[k])
        if stop > at:
            parts.append(text(k, at - turn_start, stop - turn_start))
            at = stop
        k += 1
    return "".join(parts)


def _merge(ops: Sequence[DiffOp]) -> list[DiffOp]:
    """Join adjacent ops of one kind (fragment boundaries split them)."""
    out: list[DiffOp] = []
    for op in ops:
        if out and out[-1].kind == op.kind:
            last = out.pop()
            op = DiffOp(op.kind, last.source + op.source, last.quote + op.quote)
        out.append(op)
    return out


def match_quote(
    index: MatchIndex,
    quote: Normalised,
    speaker: str | None,
    config: Config,
    *,
    text: str | None = None,
) -> MatchResult:
    """Find the passages best aligned to a quote: anywhere, by the claimed speaker, runner-up.

    `text` is the string the quote's token offsets index (the quote text when normalised with
    base=0); with it the diff ops show the quote's words as printed, without it canonically.
    The runner-up is exact whenever it could make the quote ambiguous (within ambiguity_margin
    of the best, or of the claimed speaker's best once that reaches altered_similarity).
    """
    # Words as the index stores them (ids on disk), so alignment compares like with like.
    q = index.encode(quote.words)
    fragments = [(i, j) for i, j in quote.fragments if j > i] or [(0, len(q))]
    labels = None if speaker is None else index.speaker_labels(speaker)
    ids = frozenset() if labels is None else index.speaker_ids(labels)
    short = labels is not None and len(q) <= config.fragment_max_words
    if not q:
        return MatchResult(None, None, None, not short, labels)
    # Where a bracketed insertion stands: the quote word it precedes.
    starts = [t.start for t in quote.tokens]
    brackets = frozenset(
        bisect.bisect_left(starts, d.span.start) for d in quote.dropped if d.reason == "insertion"
    )
    pool = _Pool(index, ids, config)
    if ids:
        _chains(index, q, fragments, ids, config, pool, brackets)
    if not short:
        _chains(index, q, fragments, None, config, pool, brackets)
    ranked = _ranked(index, pool.chains.values())
    if not ranked:
        return MatchResult(None, None, None, not short, labels)
    top = ranked[0]
    own = next((c for c in ranked if _speakers(index, c) <= ids), None) if ids else None
    runner = next((c for c in ranked[1:] if c.end <= top.start or top.end <= c.start), None)

    def build(chain: _Chain | None) -> Passage | None:
        if chain is None:
            return None
        return _passage(index, chain, quote, fragments, text, ids)

    return MatchResult(build(top), build(own), build(runner), not short, labels)


def _speakers(index: MatchIndex, chain: _Chain) -> set[int]:
    return {index.runs[index.run_of[p.start]].speaker for p in chain.pieces if p}


def _ranked(index: MatchIndex, chains: Collection[_Chain]) -> list[_Chain]:
    """The chains in _rank order; only ties of similarity read paths and offsets."""
    by_score = sorted(chains, key=lambda c: -c.similarity)
    out: list[_Chain] = []
    k = 0
    while k < len(by_score):
        m = k + 1
        while m < len(by_score) and by_score[m].similarity == by_score[k].similarity:
            m += 1
        tied = by_score[k:m]
        if len(tied) > 1:
            tied.sort(key=lambda c: _rank(index, c))
        out += tied
        k = m
    return out


def _rank(index: MatchIndex, chain: _Chain) -> tuple[float, str, int, int]:
    """Best first; ties go to the earlier passage by transcript path and offset."""
    doc = index.runs[index.run_of[chain.start]].doc
    path = index.paths[doc]
    return (-chain.similarity, path, index.starts[chain.start], index.ends[chain.end - 1])
