"""Speed of quoteverify.normalise against its previous version, with a differential check.

The previous version is read from git (`git show REV:quoteverify/normalise.py`) into a
temporary module, so both run in the same process on the same texts, one after the other in
each round; the best round of each counts. Never run as a unit test.

    python bench/normalise_speed.py [--data ../shared/data] [--before REV] [--rounds 5]
                                    [--words 300000] [--fuzz 20000] [--seed 1] [--json FILE]

Speed: MB of UTF-8 turn text per second of CPU time (one core; CPU time, so that other
processes on the machine do not count), through `normalise(turn.text, base=turn.start)` as
the index build calls it, on
- debates: the turns of the transcripts in DATA/debates-dev;
- synthetic: --words words of turns from bench/scale.py's generator (the index benchmark's
  corpus: Zipf vocabulary, fillers, stutters, annotations);
- noisy: --words words of turns in which every rule of normalise is in play (fillers, set-off
  "you know", stutters, repeats, numbers in words and digits, initialisms, editorial marks,
  Unicode, typographic apostrophes), about one word in 25.

Also the index build's path: `normalise_turns(text, turns)` over whole transcripts (the
debates, and the synthetic turns as transcripts of about 8,000 words, as bench/scale.py writes
them), against the previous version's `normalise` turn by turn; and, if the previous version
has normalise_turns, `normalise_turns_arrays` against it followed by the conversion of its
lists into the index's vocabulary and uint32 arrays that the build made before.

Differential check (exit status 1 on any difference): tokens (norm, start, end), fragments and
dropped material (reason, span, text) of both versions, in transcript and in quote mode, on
every debate turn, the quotations of DATA/polnear-train/quotes.jsonl, every fixture
transcript turn and article paragraph, the synthetic and noisy turns, and --fuzz short random
strings of the characters and pieces each rule of the tokeniser reacts to. Then the tokens of
`normalise_turns` against the previous `normalise` of each turn, on the debate and fixture
transcripts, the synthetic and noisy turns joined into transcripts, and --fuzz random texts
of the fuzz pieces cut into random turns (turns that touch, and stretches between them);
and on the same transcripts `normalise_turns_arrays` against those tokens as the index build
made them into arrays (vocabulary in order of first appearance, word ids, starts, lengths).

REV defaults to the newest commit whose quoteverify/normalise.py differs from the working tree.
"""

from __future__ import annotations

import argparse
import array
import itertools
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
from previous import git, load_previous, previous_revision
from scale import Generator  # bench/scale.py: the corpus of the index benchmark

from quoteverify import normalise as current
from quoteverify.corpus import parse_transcript, parse_vtt
from quoteverify.normalise import TurnArrays

ROOT = Path(__file__).resolve().parent.parent
MODULE = "quoteverify/normalise.py"
DEFAULT_DATA = ROOT.parent / "shared" / "data"

# (norm, start, end) tokens, fragments, (reason, start, end, text) dropped
Result = tuple[
    tuple[tuple[str, int, int], ...],
    tuple[tuple[int, int], ...],
    tuple[tuple[str, int, int, str], ...],
]


def result(module: ModuleType, text: str, base: int, quote: bool) -> Result:
    """One normalise call of `module`, as plain tuples comparable across the two versions."""
    n = module.normalise(text, base=base, quote=quote)
    return (
        tuple((t.norm, t.start, t.end) for t in n.tokens),
        tuple(n.fragments),
        tuple((d.reason, d.span.start, d.span.end, d.text) for d in n.dropped),
    )


# --- inputs ----------------------------------------------------------------------------------


# A transcript: its text and its turns as (start, length).
Document = tuple[str, list[tuple[int, int]]]


def transcript_turns(folder: Path) -> list[tuple[str, int]]:
    """(text, start) of every turn of the transcripts in folder."""
    # A turn's text is a verbatim slice of its file, so the documents' spans give it back.
    return [
        (text[start : start + length], start)
        for text, spans in transcript_documents(folder)
        for start, length in spans
    ]


def transcript_documents(folder: Path) -> list[Document]:
    """Every transcript in folder as parsed, with its turns."""
    docs: list[Document] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".txt", ".vtt"):
            continue
        parse = parse_vtt if path.suffix == ".vtt" else parse_transcript
        text = path.read_text(encoding="utf-8")
        transcript = parse(text, path=str(path), corpus=str(folder))
        docs.append((text, [(turn.start, len(turn.text)) for turn in transcript.turns]))
    return docs


def joined_documents(turns: Sequence[tuple[str, int]], words: int = 8_000) -> list[Document]:
    """Turns joined into transcripts of about `words` words, each after a speaker label."""
    docs: list[Document] = []
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    at = count = 0
    for text, _base in turns:
        label = "Ada Adler: "
        spans.append((at + len(label), len(text)))
        parts.append(f"{label}{text}\n\n")
        at += len(label) + len(text) + 2
        count += len(text.split())
        if count >= words:
            docs.append(("".join(parts), spans))
            parts, spans, at, count = [], [], 0, 0
    if parts:
        docs.append(("".join(parts), spans))
    return docs


def fuzz_documents(n: int, seed: int) -> Iterator[Document]:
    """Random texts of the fuzz pieces, cut into random turns: some touch, some leave gaps."""
    r = random.Random(seed)
    for _ in range(n):
        text = "".join(r.choice(_FUZZ_PIECES) for _ in range(r.randint(0, 60)))
        cuts = sorted(r.randint(0, len(text)) for _ in range(r.randint(0, 6)))
        spans = []
        for a, b in itertools.pairwise([0, *cuts, len(text)]):
            if r.random() < 0.8:
                spans.append((a, b - a))
        yield text, spans


def paragraphs(folder: Path) -> list[str]:
    """The paragraphs of the fixture articles."""
    out: list[str] = []
    for path in sorted(folder.glob("*")):
        if path.suffix in (".txt", ".md", ".html"):
            text = path.read_text(encoding="utf-8", errors="replace")
            out += [p for p in text.split("\n\n") if p.strip()]
    return out


def _wordlist(words: str) -> list[str]:
    return words.split()


# Everyday words by rough frequency, for the noisy turns; numbers and the rest come as noise.
_WORDS = _wordlist(
    "the and to of a i that we in is it you this have not be for will they our on with are"
    " people do what think all was but as there would can about so he if at my from an more"
    " country government president know going very want make now one said year time should"
    " been who them just jobs tax plan economy war peace world america american families"
    " health care school energy policy program programme colour labour favour honour realise"
    " organise analyse centre theatre travelled cancelled counsellor defence licence catalogue"
    " senator governor congress nation security freedom future believe important"
)
_RANK_WEIGHTS = list(itertools.accumulate(1.0 / (rank + 2) for rank in range(len(_WORDS))))
_NOISE: list[Callable[[random.Random], str]] = [
    lambda r: r.choice(["uh,", "um,", "Uh,", "er,", "ah", "hmm.", "mm-hmm,", "uh-huh."]),
    lambda r: r.choice(["you know,", ", you know,", "I mean,", "I mean", "you know that"]),
    lambda r: r.choice(["(Laughter)", "[applause]", "(CROSSTALK)", "[inaudible]", "(sic)"]),
    lambda r: r.choice(["[T]he", "leader[s]", "(in part)", "[...]", "…", "..."]),
    lambda r: f"{r.choice(['appropri', 'tack', 'wh', 'I'])}- ",
    lambda r: (lambda w: f"{w} {w}" if r.random() < 0.5 else f"{w} - {w}")(
        " ".join(r.choices(_WORDS, cum_weights=_RANK_WEIGHTS, k=r.randint(1, 3)))
    ),
    lambda r: r.choice(["1,000", "3.3", "50%", "2nd", "1960's", "21st", "$5", "10.5 percent"]),
    lambda r: r.choice(
        ["two hundred and twenty-four", "fifty per cent", "three point five million", "first"]
    ),
    lambda r: r.choice(["U.S.", "U.N.", "a.m.", "D.C.", "U.S.-Russian"]),
    lambda r: r.choice(["don’t", "it’s", "we’re", "'tis", "dogs'", "O’Brien", "rock ’n’ roll"]),
    lambda r: r.choice(["Erdoğan", "café", "Erdog\u0306an", "inter\xadnal", "ＴＨＥ", "ﬁnal"]),
    lambda r: r.choice(["Q&A", "R&D", "snake_case", "e-mail", "well-known", "—", "–", "--"]),
    lambda r: r.choice(["STRONG", "America's", "Mr.", "Dr", "(GOVERNOR SMITH: Right.)"]),
]


def noisy_turns(words: int, seed: int) -> list[tuple[str, int]]:
    """Deterministic speaker turns of about `words` words, every rule of normalise in play."""
    r = random.Random(seed)
    turns: list[tuple[str, int]] = []
    total = 0
    offset = 0
    while total < words:
        sentences = []
        for _ in range(r.randint(1, 12)):
            n = r.randint(4, 25)
            parts = r.choices(_WORDS, cum_weights=_RANK_WEIGHTS, k=n)
            for k in range(n):
                if r.random() < 0.04:
                    parts[k] = r.choice(_NOISE)(r)
                elif r.random() < 0.08:
                    parts[k] += ","
            sentence = " ".join(parts)
            sentences.append(sentence[:1].upper() + sentence[1:] + r.choice(".?.!"))
            total += n
        text = " ".join(sentences)
        turns.append((text, offset))
        offset += len(text) + 20
    return turns


def synthetic_turns(words: int, seed: int) -> list[tuple[str, int]]:
    """Speaker turns of about `words` words from bench/scale.py's generator, as it makes them."""
    gen = Generator(words, seed)
    turns: list[tuple[str, int]] = []
    total = 0
    offset = 0
    while total < words:
        n = max(3, int(gen.rng.expovariate(1 / 120)))
        text = " ".join(gen.turn(n))
        turns.append((text, offset))
        offset += len(text) + 20
        total += n
    return turns


_FUZZ_PIECES = [
    *"abcXYZ019 '’`-‐–—.,;:?!%&＆[]()…_\n\t\u00a0\u0301\u00adé²",
    "uh", "um", "mm", "huh", "hmm", "you", "know", "I", "mean", "per", "cent", "one", "two",
    "hundred", "and", "point", "five", "first", "thousand", "sic", "laughter", "U.S.", "[T]",
    "1,000", "3.3", "...", ". . .", "- ", " -", "the", "is the", "we", "colour",
    "Uh-Huh", "mm-HMM", "-\n", "h", "H", "a.", "‘", "“", "”", "\u2009", "\u202f", "−", "٣",
]  # fmt: skip


def fuzz_texts(n: int, seed: int) -> Iterator[str]:
    """Short random strings of the characters and pieces the tokeniser's rules react to."""
    r = random.Random(seed)
    for _ in range(n):
        yield "".join(r.choice(_FUZZ_PIECES) for _ in range(r.randint(0, 30)))


# --- measures --------------------------------------------------------------------------------


def differences(
    before: ModuleType, texts: Sequence[tuple[str, int]], limit: int = 5
) -> tuple[int, int, list[str]]:
    """(calls compared, calls that differ, examples) in transcript and in quote mode."""
    calls = 0
    bad = 0
    examples: list[str] = []
    for text, base in texts:
        for quote in (False, True):
            calls += 1
            old = result(before, text, base, quote)
            new = result(current, text, base, quote)
            if old != new:
                bad += 1
                if len(examples) < limit:
                    examples.append(f"{text[:200]!r} quote={quote}: {old} != {new}")
    return calls, bad, examples


def _u4(values: Iterable[int]) -> npt.NDArray[np.uint32]:
    """The values as uint32, as the index build made them from lists."""
    return np.frombuffer(array.array("I", values), dtype=np.uint32)


def index_arrays(
    norms: list[str], starts: list[int], ends: list[int], counts: list[int]
) -> TurnArrays:
    """What the index build made of normalise_turns's lists before normalise_turns_arrays."""
    vocab = list(dict.fromkeys(norms))
    local = dict(zip(vocab, range(len(vocab)), strict=True))
    ids = _u4(map(local.__getitem__, norms))
    starts_arr = _u4(starts)
    keys = np.fromiter(map(hash, vocab), dtype=np.int64, count=len(vocab))
    return TurnArrays(vocab, ids, starts_arr, _u4(ends) - starts_arr, counts, keys)


def same_arrays(a: TurnArrays, b: TurnArrays) -> bool:
    """Whether two results are equal: the same vocabulary, counts, and arrays' bytes."""
    return (
        a[0] == b[0]
        and a[4] == b[4]
        and all(
            x.dtype == y.dtype and x.tobytes() == y.tobytes()
            for x, y in zip((*a[1:4], a[5]), (*b[1:4], b[5]), strict=True)
        )
    )


def turn_differences(
    before: ModuleType, docs: Sequence[Document], limit: int = 5
) -> tuple[int, int, int, list[str]]:
    """(transcripts compared, transcripts where normalise_turns differs, where
    normalise_turns_arrays differs, examples): both against the previous version's normalise
    of each turn, the arrays as the index build made them of its tokens."""
    bad = bad_arrays = 0
    examples: list[str] = []
    for text, spans in docs:
        old: tuple[list[str], list[int], list[int], list[int]] = ([], [], [], [])
        for start, length in spans:
            tokens = before.normalise(text[start : start + length], base=start).tokens
            old[0].extend(t.norm for t in tokens)
            old[1].extend(t.start for t in tokens)
            old[2].extend(t.end for t in tokens)
            old[3].append(len(tokens))
        new = current.normalise_turns(text, spans)
        if new != old:
            bad += 1
            if len(examples) < limit:
                examples.append(f"{text[:200]!r} {spans[:10]}: {old} != {new}")
        old_arrays = index_arrays(*old)
        new_arrays = current.normalise_turns_arrays(text, spans)
        if not same_arrays(old_arrays, new_arrays):
            bad_arrays += 1
            if len(examples) < limit:
                examples.append(f"arrays {text[:200]!r} {spans[:10]}: {old_arrays} != {new_arrays}")
    return len(docs), bad, bad_arrays, examples


def _best_rates(
    docs: Sequence[Document], rounds: int, *paths: Callable[[str, list[tuple[int, int]]], object]
) -> list[float]:
    """Best MB/s over `rounds` of each way of reading whole transcripts, in turn each round."""
    size = sum(len(text.encode("utf-8")) for text, _ in docs)
    best = [float("inf")] * len(paths)
    for _ in range(rounds):
        for k, path in enumerate(paths):
            t0 = time.process_time()
            for text, spans in docs:
                path(text, spans)
            best[k] = min(best[k], time.process_time() - t0)
    return [size / 1e6 / seconds for seconds in best]


def document_speed(before: ModuleType, docs: Sequence[Document], rounds: int) -> list[float]:
    """Best MB/s over `rounds`: the previous normalise turn by turn, normalise_turns."""

    def turn_by_turn(text: str, spans: list[tuple[int, int]]) -> None:
        for start, length in spans:
            before.normalise(text[start : start + length], base=start)

    return _best_rates(docs, rounds, turn_by_turn, current.normalise_turns)


def arrays_speed(before: ModuleType, docs: Sequence[Document], rounds: int) -> list[float]:
    """Best MB/s over `rounds` of the index build's arrays: the previous normalise_turns and
    the build's conversion of its lists, normalise_turns_arrays."""

    def converted(text: str, spans: list[tuple[int, int]]) -> object:
        return index_arrays(*before.normalise_turns(text, spans))

    return _best_rates(docs, rounds, converted, current.normalise_turns_arrays)


def speed(
    modules: Sequence[ModuleType], turns: Sequence[tuple[str, int]], rounds: int
) -> list[float]:
    """Best MB/s over `rounds` of each module, the modules taking turns within each round."""
    size = sum(len(text.encode("utf-8")) for text, _ in turns)
    best = [float("inf")] * len(modules)
    for _ in range(rounds):
        for i, module in enumerate(modules):
            run = module.normalise
            t0 = time.process_time()
            for text, base in turns:
                run(text, base=base)
            best[i] = min(best[i], time.process_time() - t0)
    return [size / 1e6 / seconds for seconds in best]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and the differential check; print and optionally write the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    ap.add_argument("--before", default=None, help="git revision of the previous version")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--words", type=int, default=300_000, help="words of synthetic and of noisy turns"
    )
    ap.add_argument("--fuzz", type=int, default=20_000, help="random strings to compare")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)

    rev = args.before or previous_revision(MODULE)
    before = load_previous(MODULE, rev, "_normalise_before")
    print(f"previous version: {rev[:12]} ({git('log', '-1', '--format=%s', rev).strip()})")
    debates = transcript_turns(args.data / "debates-dev")
    synthetic = synthetic_turns(args.words, args.seed)
    noisy = noisy_turns(args.words, args.seed)
    figures: dict[str, Any] = {"before": rev, "speed": {}, "check": {}}

    for name, turns in (("debates", debates), ("synthetic", synthetic), ("noisy", noisy)):
        # A warm-up call of each version fills canonical_word's cache, as in a long build.
        speed([before, current], turns, 1)
        old, new = speed([before, current], turns, args.rounds)
        size = sum(len(text.encode("utf-8")) for text, _ in turns)
        figures["speed"][name] = {"mb": size / 1e6, "before": old, "after": new, "ratio": new / old}
        print(
            f"speed {name:<10} {size / 1e6:6.2f} MB  before {old:6.2f} MB/s"
            f"  after {new:6.2f} MB/s  x{new / old:.2f}"
        )

    documents = joined_documents(synthetic)
    debate_documents = transcript_documents(args.data / "debates-dev")
    for name, docs in (("debates", debate_documents), ("synthetic", documents)):
        document_speed(before, docs, 1)
        old, new = document_speed(before, docs, args.rounds)
        size = sum(len(text.encode("utf-8")) for text, _ in docs)
        figures["speed"][f"{name} transcripts"] = {
            "mb": size / 1e6,
            "before": old,
            "after": new,
            "ratio": new / old,
        }
        print(
            f"speed {name + ' transcripts (normalise_turns)':<10} {size / 1e6:6.2f} MB"
            f"  before {old:6.2f} MB/s  after {new:6.2f} MB/s  x{new / old:.2f}"
        )
        if hasattr(before, "normalise_turns"):
            arrays_speed(before, docs, 1)
            old, new = arrays_speed(before, docs, args.rounds)
            figures["speed"][f"{name} transcripts arrays"] = {
                "mb": size / 1e6,
                "before": old,
                "after": new,
                "ratio": new / old,
            }
            print(
                f"speed {name + ' transcripts (normalise_turns_arrays)':<10} {size / 1e6:6.2f} MB"
                f"  before {old:6.2f} MB/s  after {new:6.2f} MB/s  x{new / old:.2f}"
            )

    fixtures = ROOT / "fixtures"
    sets: list[tuple[str, list[tuple[str, int]]]] = [
        ("debates", debates),
        ("fixture transcripts", transcript_turns(fixtures / "transcripts")),
        ("fixture paragraphs", [(p, 0) for p in paragraphs(fixtures / "articles")]),
        ("synthetic", synthetic),
        ("noisy", noisy),
        ("fuzz", [(t, 7) for t in fuzz_texts(args.fuzz, args.seed)]),
    ]
    quotes = args.data / "polnear-train" / "quotes.jsonl"
    if quotes.exists():
        lines = quotes.read_text(encoding="utf-8").splitlines()
        sets.insert(1, ("polnear quotes", [(json.loads(line)["quote"], 0) for line in lines]))
    failed = 0
    for name, texts in sets:
        calls, bad, examples = differences(before, texts)
        failed += bad
        figures["check"][name] = {"calls": calls, "different": bad}
        print(f"check {name:<20} {calls:7d} calls  {bad} different")
        for example in examples:
            print("   ", example)
    doc_sets: list[tuple[str, list[Document]]] = [
        ("debates", debate_documents),
        ("fixture transcripts", transcript_documents(fixtures / "transcripts")),
        ("synthetic", documents),
        ("noisy", joined_documents(noisy)),
        ("fuzz", list(fuzz_documents(args.fuzz, args.seed))),
    ]
    for name, docs in doc_sets:
        calls, bad, bad_arrays, examples = turn_differences(before, docs)
        failed += bad + bad_arrays
        figures["check"][f"normalise_turns {name}"] = {"calls": calls, "different": bad}
        figures["check"][f"normalise_turns_arrays {name}"] = {
            "calls": calls,
            "different": bad_arrays,
        }
        print(f"check normalise_turns {name:<20} {calls:7d} transcripts  {bad} different")
        print(
            f"check normalise_turns_arrays {name:<13} {calls:7d} transcripts"
            f"  {bad_arrays} different"
        )
        for example in examples:
            print("   ", example)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
