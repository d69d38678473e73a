"""Scale benchmark of the persistent index: build, size, start-up, per-quote search, recall.

Generates a deterministic corpus in our transcript format (speaker turns, fillers, stutters,
[crosstalk]) and query quotes (70 % present with realistic edits, 30 % absent), builds the index,
then measures. Never run as a unit test.

    python bench/scale.py --words 1000000 [--words 10000000] [--words 100000000 --allow-huge]
                          [--out bench/out] [--queries 1000] [--brute 20] [--json FILE]

Figures (one JSON object per corpus size, printed and written to --json):
- build: seconds, MB of transcript text per second (and per core), peak RSS of the build
  process and of its worker processes (ru_maxrss), transcripts re-normalised on a refresh;
- size: index bytes per corpus word, split into the search index (ids + postings + tables) and
  text and offsets;
- cold start: opening the index in a fresh interpreter and answering one quote, and checking
  one article through the pipeline (wall, interpreter start included);
- search: per-quote median and p95 of `search` (seed-and-extend over the index, as in
  match.match_quote: rarest word bigrams and words vote for diagonals, rapidfuzz aligns the best
  windows), and of match_quote itself on the DiskIndex for a sample;
- batch: quotes per second with 2 worker processes sharing the mapped index;
- quality: recall@1 of present quotes (a passage elsewhere that scores as well as the true one
  counts), false matches of absent quotes of ten words or more (best similarity >= 60);
- brute force: the same sample aligned by rapidfuzz partial_ratio_alignment against every
  transcript's text, and the speed ratio to `search`.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from quoteverify.config import Config
from quoteverify.index import DiskIndex, build_or_refresh, open_index
from quoteverify.match import match_quote
from quoteverify.normalise import normalise

OUT = Path(__file__).resolve().parent / "out"
# Postings read per quote, rarest n-grams first (match._SEED_BUDGET is 1500): a rare bigram or
# two locate a passage, and common words only add diagonals to sort.
SEED_BUDGET = 300
ELLIPSIS_SLACK = 12  # words an ellipsis may stand for, in the search window


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


FUNCTION_WORDS = _split(
    "the of and to a in that is it i we you this for not be on are with have as they was "
    "but what will do at there our all so by he can an from if would about which been one "
    "more people very who has no or think them my their just us going get me because were "
    "when some how know now want these like said out make up time also say here only "
    "other than then well should could those did into over any must let see why where "
    "need right good first"
)
ONSETS = _split("b c d f g h j k l m n p r s t v w z br cl dr fl gr pl st tr sh ch th")
VOWELS = _split("a e i o u ai ea io ou")
CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck"]
NAMES = _split(
    "Ada Boris Clara Dmitri Elena Farid Grace Hiro Ines Jonas Kemal Lena Marco Nadia Omar "
    "Priya Rafael Sofia Tariq Uma Viktor Wen Yusuf Zara"
)
SURNAMES = _split(
    "Adler Brandt Castillo Dumont Eriksen Fischer Garcia Haddad Ivanova Jensen Kowalski "
    "Lindqvist Moreau Novak Okafor Petrov Quinn Rossi Sato Tanaka Ueda Varga Weber Yilmaz"
)
FILLERS = ("uh", "um", "uh,", "um,")
ANNOTATIONS = ("[crosstalk]", "[laughter]", "[applause]", "[inaudible]")


# --- corpus generation ----------------------------------------------------------------------


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Function words first, then made-up content words, in Zipf rank order."""
    words = list(dict.fromkeys(FUNCTION_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)
            for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


@dataclass(frozen=True)
class Query:
    """A quote to look for, and where it really is (None for an absent one)."""

    text: str
    kind: str  # exact, ellipsis, dropped, changed, punctuation, absent
    path: str | None = None
    start: int = 0  # character span of the source words in the transcript
    end: int = 0


class Generator:
    """Deterministic spoken-language text over a Zipf vocabulary."""

    def __init__(self, total_words: int, seed: int) -> None:
        self.rng = random.Random(seed)
        size = int(20_000 + 25 * math.sqrt(total_words))
        self.vocab = vocabulary(size, random.Random(seed + 1))
        self.cum = list(_cumulative([1.0 / (r + 2.7) for r in range(size)]))

    def words(self, n: int, rng: random.Random | None = None) -> list[str]:
        """n words drawn by Zipf's law."""
        return (rng or self.rng).choices(self.vocab, cum_weights=self.cum, k=n)

    def turn(self, n: int) -> list[str]:
        """A turn of about n words as printed: sentences, commas, fillers, stutters, noise."""
        rng = self.rng
        out: list[str] = []
        raw = self.words(n)
        k = 0
        while k < len(raw):
            length = rng.randint(5, 25)
            sentence = raw[k : k + length]
            k += length
            for i, word in enumerate(sentence):
                r = rng.random()
                if r < 0.03:
                    out.append(rng.choice(FILLERS))
                elif r < 0.04:
                    out.append(f"{word}-")  # a stutter: "the- the"
                elif r < 0.042:
                    out.append(rng.choice(ANNOTATIONS))
                w = word.capitalize() if i == 0 else word
                if i == len(sentence) - 1:
                    w += "?" if rng.random() < 0.1 else "."
                elif rng.random() < 0.08:
                    w += ","
                out.append(w)
        return out


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def generate(
    folder: Path, total_words: int, queries: int, seed: int = 7
) -> tuple[list[Query], int]:
    """Write the corpus (unless already there) and return the queries and the corpus bytes."""
    gen = Generator(total_words, seed)
    qrng = random.Random(seed + 2)
    per_file = 8_000
    files = max(1, total_words // per_file)
    present = int(queries * 0.7)
    out: list[Query] = []
    done_marker = folder / ".complete"
    write = not done_marker.exists()
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for f in range(files):
        speakers = [
            f"{gen.rng.choice(NAMES)} {gen.rng.choice(SURNAMES)}"
            for _ in range(gen.rng.randint(2, 5))
        ]
        speakers = list(dict.fromkeys(speakers))
        date = f"{2000 + f % 20}-{1 + f % 12:02d}-{1 + f % 28:02d}"
        head = f"---\ntitle: Event {f}\ndate: {date}\nspeakers: [{', '.join(speakers)}]\n---\n"
        parts = [head]
        at = len(head)
        turns: list[tuple[int, list[str]]] = []
        words = 0
        while words < per_file:
            speaker = gen.rng.choice(speakers)
            n = min(per_file - words, max(3, int(gen.rng.expovariate(1 / 120))))
            body = gen.turn(n)
            words += n
            label = f"{speaker}: "
            turns.append((at + len(label), body))
            line = label + " ".join(body) + "\n\n"
            parts.append(line)
            at += len(line)
        text = "".join(parts)
        path = f"{f // 1000:03d}/{f:06d}_event.txt"
        size += len(text.encode())
        if write:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
        # Present quotes, spread evenly over the files.
        want = present * (f + 1) // files - present * f // files
        for _ in range(want):
            out.append(_present_quote(qrng, gen, path, turns))
    for _ in range(queries - present):
        n = qrng.randint(6, 30)
        out.append(Query(" ".join(gen.words(n, qrng)), "absent"))
    if write:
        done_marker.write_text("ok\n")
    qrng.shuffle(out)
    return out, size


def _present_quote(
    rng: random.Random, gen: Generator, path: str, turns: list[tuple[int, list[str]]]
) -> Query:
    long = [t for t in turns if len(t[1]) >= 12]
    start, body = rng.choice(long)
    n = min(len(body), rng.choice((6, 8, 10, 12, 15, 20, 25, 30)))
    i = rng.randrange(len(body) - n + 1)
    picked = body[i : i + n]
    offset = start + sum(len(w) + 1 for w in body[:i])
    end = offset + len(" ".join(picked))
    words = [w for w in picked if w not in FILLERS and w not in ANNOTATIONS]
    kind = rng.choice(("exact", "exact", "ellipsis", "dropped", "changed", "punctuation"))
    if kind == "ellipsis" and len(words) >= 12:
        a = rng.randrange(3, len(words) - 7)
        words = [*words[:a], "...", *words[a + rng.randint(2, 5) :]]
    elif kind == "dropped" and len(words) >= 6:
        del words[rng.randrange(1, len(words) - 1)]
    elif kind == "changed" and len(words) >= 6:
        words[rng.randrange(1, len(words) - 1)] = gen.words(1, rng)[0]
    elif kind == "punctuation":
        words = [w.strip(".,?").lower() for w in words]
        words[0] = words[0].capitalize()
    else:
        kind = "exact"
    return Query(" ".join(words), kind, path, offset, end)


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """An aligned passage: [start, end) global token positions and its similarity."""

    start: int
    end: int
    similarity: float


def search(index: DiskIndex, words: Sequence[str], count: int = 3, slack: int = 0) -> list[Hit]:
    """Seed-and-extend as match_quote does it: vote on diagonals, align the best windows."""
    q = index.encode(words)
    total = max(len(index.ids), 1)
    features = []
    for size in (2, 1):
        for j in range(len(q) - size + 1):
            key = q[j : j + size]
            if min(key) < 0:
                continue
            posts = index.postings(key)
            if posts:
                features.append((len(posts), -size, j, posts))
    features.sort(key=lambda f: f[:3])
    votes: dict[int, float] = {}
    scanned = 0
    for df, neg, j, posts in features:
        if votes and scanned + df > SEED_BUDGET:
            break
        scanned += df
        weight = (2.0 if neg == -2 else 1.0) * math.log(1.0 + total / df)
        for p in posts:
            d = p - j
            votes[d] = votes.get(d, 0.0) + weight
    if not votes:
        return []
    # Pool votes over bands of diagonals (insertions and omissions shift them): bucket d // band,
    # each bucket scored with its neighbours; the best voted diagonal stands for its bucket.
    band = 2 + len(q) // 4
    buckets: dict[int, float] = {}
    best: dict[int, int] = {}
    for d, v in votes.items():
        b = d // band
        buckets[b] = buckets.get(b, 0.0) + v
        if b not in best or (v, -d) > (votes[best[b]], -best[b]):
            best[b] = d
    pooled = sorted(
        (
            (
                buckets[b] + buckets.get(b - 1, 0.0) + buckets.get(b + 1, 0.0),
                votes[best[b]],
                best[b],
            )
            for b in buckets
        ),
        key=lambda x: (-x[0], -x[1], x[2]),
    )
    picked: list[int] = []
    for score, _own, d in pooled:
        if score < 0.2 * pooled[0][0]:
            break
        if any(abs(d - e) <= 2 * band for e in picked):
            continue
        picked.append(d)
        if len(picked) >= count * 2:
            break
    width = 2 + len(q) // 3 + slack
    hits = []
    for d in picked:
        run = index.runs[index.run_of[max(d, 0)]]
        hit = align(index, q, max(run.first, d - width), min(run.end, d + len(q) + width))
        if hit is not None:
            hits.append(hit)
    hits.sort(key=lambda h: (-h.similarity, h.start))
    return hits[:count]


def align(index: DiskIndex, q: Sequence[int], lo: int, hi: int) -> Hit | None:
    """Align q within ids[lo:hi], cut to the first and last aligned word."""
    for _ in range(3):
        if hi <= lo:
            return None
        codes = Levenshtein.opcodes(index.ids[lo:hi], q)
        aligned = [c for c in codes if c.tag in ("equal", "replace")]
        if not any(c.tag == "equal" for c in aligned):
            return None
        a, b = lo + aligned[0].src_start, lo + aligned[-1].src_end
        if (a, b) == (lo, hi):
            m = sum(c.src_end - c.src_start for c in codes if c.tag == "equal")
            return Hit(lo, hi, 200.0 * m / (len(q) + hi - lo))
        lo, hi = a, b
    return None


def _quote_words(text: str) -> tuple[list[str], int]:
    norm = normalise(text, quote=True)
    return list(norm.words), ELLIPSIS_SLACK * (len(norm.fragments) - 1)


# --- measuring ------------------------------------------------------------------------------


class _Docs:
    """Global position -> transcript path and character span."""

    def __init__(self, index: DiskIndex) -> None:
        self.index = index
        self.firsts = [a for a, _ in index.doc_bounds]
        self.paths = list(index.paths)
        self.by_path = {p: k for k, p in enumerate(self.paths)}

    def locate(self, hit: Hit) -> tuple[str, int, int]:
        doc = bisect.bisect_right(self.firsts, hit.start) - 1
        return self.paths[doc], self.index.starts[hit.start], self.index.ends[hit.end - 1]

    def window(self, path: str, start: int, end: int) -> tuple[int, int]:
        """The token positions of a transcript's character span."""
        doc = self.by_path[path]
        a, b = self.index.doc_bounds[doc]
        starts = self.index.starts
        lo = a + bisect.bisect_left(_Slice(starts, a, b), start)
        hi = a + bisect.bisect_left(_Slice(starts, a, b), end)
        return lo, hi


class _Slice:
    def __init__(self, seq: Sequence[int], a: int, b: int) -> None:
        self.seq, self.a, self.b = seq, a, b

    def __len__(self) -> int:
        return self.b - self.a

    def __getitem__(self, i: int) -> int:
        return self.seq[self.a + i]


def _percentile(values: Sequence[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))] if s else float("nan")


def _judge(
    index: DiskIndex, docs: _Docs, query: Query, hits: Sequence[Hit], words: Sequence[str]
) -> bool:
    """Recall@1: the top hit overlaps the true span, or a passage scoring as well was found."""
    if not hits or query.path is None:
        return False
    path, start, end = docs.locate(hits[0])
    if path == query.path and start < query.end and query.start < end:
        return True
    lo, hi = docs.window(query.path, query.start, query.end)
    true = align(index, index.encode(words), max(lo - 3, 0), hi + 3)
    return true is not None and hits[0].similarity >= true.similarity


_WORKER: DiskIndex | None = None


def _worker_init(folder: str) -> None:
    global _WORKER
    _WORKER = open_index(folder)


def _worker_search(text: str) -> float:
    assert _WORKER is not None
    words, slack = _quote_words(text)
    hits = search(_WORKER, words, slack=slack)
    return hits[0].similarity if hits else 0.0


def _build_child(corpus: str, index_dir: str, queue: multiprocessing.Queue[object]) -> None:
    stats = build_or_refresh([corpus], index_dir, workers=2)
    queue.put(
        {
            "stats": asdict(stats) | {"warnings": len(stats.warnings)},
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        }
    )


def _build(corpus: Path, index_dir: Path) -> dict[str, object]:
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[object] = ctx.Queue()
    proc = ctx.Process(target=_build_child, args=(str(corpus), str(index_dir), queue))
    proc.start()
    result = queue.get()
    proc.join()
    assert isinstance(result, dict)
    return result


def _sizes(index_dir: Path) -> dict[str, int]:
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    out = {"search": 0, "offsets": 0, "text": 0, "metadata": 0}
    for f in gen.iterdir():
        n = f.stat().st_size
        if f.name.endswith(("_starts", "_lens")):
            out["offsets"] += n
        elif f.name in ("text", "lines"):
            out["text"] += n
        elif f.name.startswith(("s", "vocab")) and f.name != "stat.json":
            out["search"] += n
        else:
            out["metadata"] += n
    return out


def _cold_start(index_dir: Path, query: str, article: str) -> dict[str, float]:
    """Wall seconds of fresh interpreters: open + one search; and one article's check."""
    here = str(Path(__file__).resolve().parent)
    code_open = (
        f"import sys; sys.path.insert(0, {here!r})\n"
        "from scale import search, _quote_words\n"
        "from quoteverify.index import open_index\n"
        f"i = open_index({str(index_dir)!r})\n"
        f"w, s = _quote_words({query!r}); search(i, w, slack=s)\n"
    )
    code_check = (
        "from quoteverify.index import open_index\n"
        "from quoteverify.pipeline import Article, check_article\n"
        "from quoteverify.config import Config\n"
        "from quoteverify.models import DocFormat\n"
        f"i = open_index({str(index_dir)!r})\n"
        f"r = check_article(Article('a.txt', {article!r}, DocFormat.TEXT), i, Config())\n"
        "assert r.findings\n"
    )
    out = {}
    for name, code in (("open_and_search_s", code_open), ("check_article_s", code_check)):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - t)
        out[name] = min(times)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import quoteverify.pipeline"], check=True)
    out["interpreter_and_import_s"] = time.perf_counter() - t
    return out


def run(
    total_words: int, out: Path, queries: int, brute: int, match_sample: int
) -> dict[str, object]:
    """Generate, build, measure one corpus size."""
    corpus = out / f"corpus-{total_words}"
    index_dir = out / f"index-{total_words}"
    t = time.perf_counter()
    qs, corpus_bytes = generate(corpus, total_words, queries)
    gen_s = time.perf_counter() - t
    print(
        f"[{total_words:,}] corpus ready ({corpus_bytes / 1e6:.1f} MB) in {gen_s:.1f}s",
        file=sys.stderr,
    )
    if index_dir.exists():
        import shutil

        shutil.rmtree(index_dir)
    built = _build(corpus, index_dir)
    stats = built["stats"]
    assert isinstance(stats, dict)
    print(f"[{total_words:,}] built in {stats['seconds']:.1f}s", file=sys.stderr)
    # A refresh after changing one transcript re-normalises only it.
    victim = sorted(corpus.rglob("*.txt"))[0]
    original = victim.read_bytes()
    victim.write_bytes(original + b"Ada Adler: One more sentence for the refresh.\n")
    t = time.perf_counter()
    refresh = build_or_refresh([str(corpus)], index_dir)
    refresh_s = time.perf_counter() - t
    victim.write_bytes(original)
    build_or_refresh([str(corpus)], index_dir)

    t = time.perf_counter()
    index = open_index(index_dir)
    open_s = time.perf_counter() - t
    words = index.size
    docs = _Docs(index)
    sizes = _sizes(index_dir)

    prepared = [(q, *_quote_words(q.text)) for q in qs]
    # Warm the page cache and the caches, as the targets say.
    for _q, w, s in prepared[:50]:
        search(index, w, slack=s)
    times, recall, present, false, absent10 = [], 0, 0, 0, 0
    for q, w, s in prepared:
        t = time.perf_counter()
        hits = search(index, w, slack=s)
        times.append(time.perf_counter() - t)
        if q.path is not None:
            present += 1
            recall += _judge(index, docs, q, hits, w)
        elif len(w) >= 10:
            absent10 += 1
            false += bool(hits) and hits[0].similarity >= Config().altered_similarity
    config = Config()
    mq_times = []
    for q, _w, _s in prepared[:match_sample]:
        norm = normalise(q.text, quote=True)
        t = time.perf_counter()
        match_quote(index, norm, None, config, text=q.text)  # type: ignore[arg-type]
        mq_times.append(time.perf_counter() - t)

    # Batch: two processes sharing the mapped index.
    texts = [q.text for q in qs]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2, initializer=_worker_init, initargs=(str(index_dir),)) as pool:
        pool.map(_worker_search, texts[:20])
        t = time.perf_counter()
        pool.map(_worker_search, texts, chunksize=50)
        batch_s = time.perf_counter() - t

    # Brute force on a sample: every transcript's text, rapidfuzz partial_ratio_alignment.
    sample = [q for q, _w, _s in prepared if q.path is not None][:brute]
    texts_by_doc = [index.text_of(d).lower() for d in range(len(index.doc_bounds))]
    brute_times, brute_ok = [], 0
    for q in sample:
        needle = q.text.lower()
        t = time.perf_counter()
        best, best_doc = -1.0, -1
        for d, text in enumerate(texts_by_doc):
            r = fuzz.partial_ratio_alignment(needle, text, score_cutoff=max(best, 0))
            if r is not None and r.score > best:
                best, best_doc = r.score, d
        brute_times.append(time.perf_counter() - t)
        brute_ok += best_doc >= 0 and docs.paths[best_doc] == q.path
    del texts_by_doc
    article = "\n\n".join(f"“{q.text}”, she said." for q in qs[:5])
    cold = _cold_start(index_dir, qs[0].text, article)
    median = statistics.median(times)
    figures: dict[str, object] = {
        "words": words,
        "transcripts": len(index.doc_bounds),
        "corpus_mb": corpus_bytes / 1e6,
        "build_s": stats["seconds"],
        "build_mb_per_s": corpus_bytes / 1e6 / stats["seconds"],
        "build_mb_per_s_per_core": corpus_bytes / 1e6 / stats["seconds"] / 2,
        "build_peak_rss_mb": built["peak_rss_mb"],
        "build_workers_peak_rss_mb": built["workers_peak_rss_mb"],
        "refresh_one_changed_s": refresh_s,
        "refresh_normalised": refresh.normalised,
        "refresh_reused": refresh.reused,
        "index_bytes": sum(sizes.values()),
        "bytes_per_word": {k: v / words for k, v in sizes.items()}
        | {"total": sum(sizes.values()) / words},
        "open_s_in_process": open_s,
        "cold_start": cold,
        "queries": len(qs),
        "search_median_ms": median * 1e3,
        "search_p95_ms": _percentile(times, 0.95) * 1e3,
        "match_quote_sample": len(mq_times),
        "match_quote_median_ms": statistics.median(mq_times) * 1e3 if mq_times else None,
        "match_quote_p95_ms": _percentile(mq_times, 0.95) * 1e3 if mq_times else None,
        "batch_2_workers_s": batch_s,
        "batch_quotes_per_s": len(texts) / batch_s,
        "batch_10k_quotes_s": 10_000 * batch_s / len(texts),
        "recall_at_1": recall / present if present else None,
        "present": present,
        "false_match_rate_absent_10plus": false / absent10 if absent10 else None,
        "absent_10plus": absent10,
        "brute_sample": len(sample),
        "brute_median_ms": statistics.median(brute_times) * 1e3 if brute_times else None,
        "brute_recall_at_1": brute_ok / len(sample) if sample else None,
        "speedup_vs_brute": statistics.median(brute_times) / median if brute_times else None,
        "peak_rss_mb_bench": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark for each --words size and write the JSON figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, action="append", help="corpus size in words")
    ap.add_argument("--allow-huge", action="store_true", help="allow 100 M words or more")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--brute", type=int, default=20, help="quotes aligned by brute force")
    ap.add_argument("--match-sample", type=int, default=200, help="quotes through match_quote")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    sizes = args.words or [1_000_000, 10_000_000]
    if any(s >= 100_000_000 for s in sizes) and not args.allow_huge:
        ap.error("100 M words or more needs --allow-huge (about 600 MB of text)")
    results = []
    for size in sizes:
        figures = run(size, args.out, args.queries, args.brute, args.match_sample)
        print(json.dumps(figures, indent=2))
        results.append(figures)
    path = args.json or args.out / "scale.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
