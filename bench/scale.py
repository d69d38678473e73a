"""Scale benchmark of the persistent index: build, size, start-up, per-quote search, recall.

Generates a deterministic corpus in our transcript format (speaker turns, fillers, stutters,
[crosstalk]) and query quotes (70 % present with realistic edits, 30 % absent), builds the index,
then measures. Never run as a unit test.

    python bench/scale.py --words 1000000 [--words 10000000] [--words 100000000 --allow-huge]
                          [--out bench/out] [--queries 1000] [--brute 20] [--builds 3]
                          [--json FILE]

Figures (one JSON object per corpus size, printed and written to --json):
- build: seconds, MB of transcript text per second (and per core), MB per CPU-second (user +
  system time of the build process and its worker processes, from getrusage: the machine may
  be shared, and wall time under load understates the work done per core), each the median of
  --builds builds from scratch (all of them listed: the same build varies by up to 10 % here
  from run to run), peak RSS of the build process and of its worker processes (ru_maxrss, the
  most over the builds), transcripts re-normalised on a refresh;
- size: index bytes per corpus word, split into the search index (ids + postings + tables) and
  text and offsets;
- cold start: opening the index in a fresh interpreter and answering one quote, and checking
  one article through the pipeline (wall, interpreter start included);
- search: per-quote median and p95 of `match.match_quote` on the DiskIndex (the path `check`
  takes: rarest word bigrams and words vote for diagonals, rapidfuzz aligns the best windows,
  passages are built), wall time and this thread's CPU time (the machine may be shared: CPU time
  shows the work, wall time what a user waits); the quote's normalisation is timed apart;
- batch: quotes per second with 2 worker processes sharing the mapped index (normalise and
  match_quote each quote);
- quality: recall@1 of present quotes (a passage elsewhere that scores as well as the true one
  counts), false matches of absent quotes of ten words or more (best similarity >= 60);
- brute force: the same sample aligned by rapidfuzz partial_ratio_alignment against every
  transcript's text, and the speed ratio to match_quote.
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
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from quoteverify.config import Config
from quoteverify.index import DiskIndex, build_or_refresh, open_index
from quoteverify.match import match_quote
from quoteverify.models import Passage
from quoteverify.normalise import normalise

OUT = Path(__file__).resolve().parent / "out"


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


# --- judging ------------------------------------------------------------------------------


def true_similarity(index: DiskIndex, q: Sequence[int], lo: int, hi: int) -> float | None:
    """Similarity of q aligned within ids[lo:hi], cut to its first and last aligned word."""
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
            return 200.0 * m / (len(q) + hi - lo)
        lo, hi = a, b
    return None


# --- measuring ------------------------------------------------------------------------------


class _Docs:
    """Global position -> transcript path and character span."""

    def __init__(self, index: DiskIndex) -> None:
        self.index = index
        self.firsts = [a for a, _ in index.doc_bounds]
        self.paths = list(index.paths)
        self.by_path = {p: k for k, p in enumerate(self.paths)}

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
    index: DiskIndex, docs: _Docs, query: Query, best: Passage | None, words: Sequence[str]
) -> bool:
    """Recall@1: the best passage overlaps the true span, or one scoring as well was found."""
    if best is None or query.path is None:
        return False
    if (
        best.transcript == query.path
        and best.span.start < query.end
        and query.start < best.span.end
    ):
        return True
    lo, hi = docs.window(query.path, query.start, query.end)
    true = true_similarity(index, index.encode(words), max(lo - 3, 0), hi + 3)
    return true is not None and best.similarity >= true


_WORKER: DiskIndex | None = None
_CONFIG = Config()


def _worker_init(folder: str) -> None:
    global _WORKER
    _WORKER = open_index(folder)


def _worker_match(text: str) -> float:
    """Normalise and match one quote, as check does for each quotation."""
    assert _WORKER is not None
    result = match_quote(_WORKER, normalise(text, quote=True), None, _CONFIG, text=text)
    return result.best.similarity if result.best is not None else 0.0


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# The build in a fresh interpreter, as `quoteverify index` runs it: not in a fork of this
# process, whose heap (the generated corpus, the queries) the build's forked workers would
# inherit and copy as they write to it (3 to 5 % slower at 1 M words). The CLI's module is
# imported first for the settings it makes (OpenBLAS's threads); imports (numpy's 0.1 s among
# them, which a process pays once) are not timed.
_BUILD_CODE = """
import json, resource, sys
import quoteverify.cli
import numpy
from quoteverify.index import build_or_refresh

def cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

start = cpu()
# The build's processes have ended (and been waited for) when it returns.
stats = build_or_refresh([sys.argv[1]], sys.argv[2], workers=2)
print(json.dumps({
    "seconds": stats.seconds,
    "cpu_s": cpu() - start,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


@dataclass(frozen=True)
class Built:
    """One build from scratch: wall seconds (the build's own), CPU seconds, peak RSS in MB."""

    seconds: float
    cpu_s: float
    peak_rss_mb: float
    workers_peak_rss_mb: float


def _build(corpus: Path, index_dir: Path) -> Built:
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_CODE, str(corpus), str(index_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout)
    return Built(
        float(result["seconds"]),
        float(result["cpu_s"]),
        float(result["peak_rss_mb"]),
        float(result["workers_peak_rss_mb"]),
    )


def _sizes(index_dir: Path) -> dict[str, int]:
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    out = {"search": 0, "offsets": 0, "text": 0, "metadata": 0}
    for f in gen.iterdir():
        n = f.stat().st_size
        if f.name.endswith(("_marks", "_offs", "_over", "_lens")) and f.name[0] == "s":
            out["offsets"] += n
        elif f.name.startswith("text") or f.name == "lines":
            out["text"] += n
        elif f.name.startswith(("s", "vocab", "uni_", "bi_", "pos")) and f.name != "stat.json":
            out["search"] += n
        else:
            out["metadata"] += n
    return out


def _cold_start(index_dir: Path, query: str, article: str) -> dict[str, float]:
    """Wall seconds of fresh interpreters: open + one match; and one article's check."""
    code_open = (
        "from quoteverify.config import Config\n"
        "from quoteverify.index import open_index\n"
        "from quoteverify.match import match_quote\n"
        "from quoteverify.normalise import normalise\n"
        f"i = open_index({str(index_dir)!r})\n"
        f"match_quote(i, normalise({query!r}, quote=True), None, Config(), text={query!r})\n"
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
    for name, code in (("open_and_match_s", code_open), ("check_article_s", code_check)):
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


def run(total_words: int, out: Path, queries: int, brute: int, builds: int) -> dict[str, object]:
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
    runs = []
    for _ in range(builds):
        if index_dir.exists():
            import shutil

            shutil.rmtree(index_dir)
        # The corpus just written and the index just deleted would otherwise be written back
        # to disk during the build, which then waits on I/O it did not cause (seen: 10.2 s
        # instead of 8.4 at 10 M words, 40 % of the first seconds in I/O wait).
        os.sync()
        built = _build(corpus, index_dir)
        print(
            f"[{total_words:,}] built in {built.seconds:.2f}s ({built.cpu_s:.1f} CPU-s)",
            file=sys.stderr,
        )
        runs.append(built)
    build_s = statistics.median(r.seconds for r in runs)
    cpu_s = statistics.median(r.cpu_s for r in runs)
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

    config = Config()
    t = time.perf_counter()
    prepared = [(q, normalise(q.text, quote=True)) for q in qs]
    normalise_ms = (time.perf_counter() - t) / len(qs) * 1e3
    # Warm the page cache and the caches, as the targets say.
    for q, norm in prepared[:50]:
        match_quote(index, norm, None, config, text=q.text)
    times, cpu, recall, present, false, absent10 = [], [], 0, 0, 0, 0
    best_of: list[Passage | None] = []
    for q, norm in prepared:
        t, c = time.perf_counter(), time.thread_time()
        result = match_quote(index, norm, None, config, text=q.text)
        cpu.append(time.thread_time() - c)
        times.append(time.perf_counter() - t)
        best_of.append(result.best)
    for (q, norm), best in zip(prepared, best_of, strict=True):
        if q.path is not None:
            present += 1
            recall += _judge(index, docs, q, best, norm.words)
        elif len(norm.words) >= 10:
            absent10 += 1
            false += best is not None and best.similarity >= config.altered_similarity

    # Batch: two processes sharing the mapped index.
    texts = [q.text for q in qs]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2, initializer=_worker_init, initargs=(str(index_dir),)) as pool:
        pool.map(_worker_match, texts[:20])
        t = time.perf_counter()
        pool.map(_worker_match, texts, chunksize=50)
        batch_s = time.perf_counter() - t

    # Brute force on a sample: every transcript's text, rapidfuzz partial_ratio_alignment.
    sample = [q for q, _n in prepared if q.path is not None][:brute]
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
    timed = list(zip(prepared, times, strict=True))
    figures: dict[str, object] = {
        "words": words,
        "transcripts": len(index.doc_bounds),
        "corpus_mb": corpus_bytes / 1e6,
        "build_s": build_s,
        "build_s_runs": [r.seconds for r in runs],
        "build_mb_per_s": corpus_bytes / 1e6 / build_s,
        "build_mb_per_s_per_core": corpus_bytes / 1e6 / build_s / 2,
        "build_mb_per_s_per_core_runs": [corpus_bytes / 1e6 / r.seconds / 2 for r in runs],
        "build_cpu_s": cpu_s,
        "build_cpu_s_runs": [r.cpu_s for r in runs],
        "build_mb_per_cpu_s": corpus_bytes / 1e6 / cpu_s,
        "build_peak_rss_mb": max(r.peak_rss_mb for r in runs),
        "build_workers_peak_rss_mb": max(r.workers_peak_rss_mb for r in runs),
        "refresh_one_changed_s": refresh_s,
        "refresh_normalised": refresh.normalised,
        "refresh_reused": refresh.reused,
        "index_bytes": sum(sizes.values()),
        "bytes_per_word": {k: v / words for k, v in sizes.items()}
        | {"total": sum(sizes.values()) / words},
        "open_s_in_process": open_s,
        "cold_start": cold,
        "queries": len(qs),
        "match_quote_median_ms": median * 1e3,
        "match_quote_p95_ms": _percentile(times, 0.95) * 1e3,
        "match_quote_cpu_median_ms": statistics.median(cpu) * 1e3,
        "match_quote_cpu_p95_ms": _percentile(cpu, 0.95) * 1e3,
        "match_quote_by_kind_median_ms": {
            kind: statistics.median(t for (q, _n), t in timed if q.kind == kind) * 1e3
            for kind in sorted({q.kind for q in qs})
        },
        "normalise_ms_per_quote": normalise_ms,
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
    ap.add_argument("--builds", type=int, default=3, help="builds from scratch (median)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    sizes = args.words or [1_000_000, 10_000_000]
    if any(s >= 100_000_000 for s in sizes) and not args.allow_huge:
        ap.error("100 M words or more needs --allow-huge (about 600 MB of text)")
    if args.builds < 1:
        ap.error("--builds must be 1 or more")
    results = []
    for size in sizes:
        figures = run(size, args.out, args.queries, args.brute, args.builds)
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
