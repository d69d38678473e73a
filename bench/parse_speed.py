"""Speed of corpus.parse_transcript against its previous version, with a differential check.

The previous version is read from git (`git show REV:quoteverify/corpus.py`) into a temporary
module, so both run in the same process on the same texts, one after the other in each round;
the best round of each counts. Never run as a unit test.

    python bench/parse_speed.py [--corpus DIR ...] [--data ../shared/data] [--before REV]
                                [--rounds 3] [--fuzz 5000] [--seed 1]

Speed: MB of UTF-8 transcript text per second of CPU time (one core), through
`parse_transcript(text, path=..., corpus=...)` as the index build's workers call it, on each
--corpus folder's *.txt files (default: bench/out/corpus-10000000 and corpus-1000000, the
index benchmark's corpora that bench/scale.py writes).

Differential check (exit status 1 on any difference): the Transcript of both versions (turns,
meta, speakers, line starts), or their error (type, message, file and line), on every file of
the --corpus folders, every fixture transcript, the transcripts of DATA/debates-dev, and
--fuzz random transcripts built from the pieces the parser reacts to (front matter with and
without speakers, BOM, CR LF and lone CR, blank and whitespace-only lines, text before the
first label, titles and particles in labels, label-like lines that are no names, colons in
text, Unicode names and blanks, no final line feed, empty files).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from previous import git, load_previous, previous_revision

from quoteverify import corpus as current
from quoteverify.errors import QuoteverifyError
from quoteverify.textio import read_text

ROOT = Path(__file__).resolve().parent.parent
MODULE = "quoteverify/corpus.py"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_CORPORA = [ROOT / "bench/out/corpus-10000000", ROOT / "bench/out/corpus-1000000"]

Parse = Callable[..., object]
Outcome = object  # a Transcript, or (error type, message, file, line)


def outcome(parse: Parse, text: str, path: str) -> Outcome:
    """The parse's Transcript, or its error as comparable plain values."""
    try:
        return parse(text, path=path, corpus="corpus")
    except QuoteverifyError as exc:
        return (type(exc).__name__, exc.message, exc.file, exc.line)


# --- inputs ----------------------------------------------------------------------------------


def read_folder(folder: Path) -> list[tuple[str, str]]:
    """(relative path, text) of each .txt transcript under folder, as the corpus loader reads."""
    files = sorted(p for p in folder.rglob("*.txt") if not p.name.upper().startswith("README"))
    return [(p.relative_to(folder).as_posix(), read_text(p, name=str(p))[0]) for p in files]


NAMES = [
    "Ann Lee",
    "Bo  Ng",
    "Dr. J.R. Okafor",
    "THE PRESIDENT",
    "MR. SMITH",
    "Q",
    "A",
    "Charles de Gaulle",
    "Mary O'Neil-Smith",
    "José Núñez",
    "Владимир Путин",
    "Recep Tayyip Erdoğan",
    "Ángela",
    "李明",
    "O’Brien",
]
NOT_NAMES = [
    "Note",
    "Therefore, I think the question is",
    "The question now is",
    "the president",
    "Carl",
    "http",
    "Time 10",
    "One Two Three Four Five Six Seven",
    "ann lee",
    "ANN LEE ",
    "Ann\tLee",
    "Mr. de",
    "de Gaulle",
    "x_y",
    "Ann  Lee",
    "-Dash",
]
TEXTS = [
    "Good morning.",
    "A question: what now?",
    "Numbers: three.",
    "see http://example.org",
    "",
    " ",
    "\t",
    "Yes, sir:",
    "«Oui» — non…",
    "ratio 3:2",
    "Это так.",
]
BLANKS = ["", " ", "\t", "  \t ", "\x0c", "\u00a0", "\u2028", "\u3000", "\x85"]
ENDINGS = ["\n", "\n", "\n", "\r\n", "\r\n", "\r", " \n", "\r\r\n"]


def random_line(rng: random.Random, names: Sequence[str]) -> str:
    """One line: a label (a name or not) with text, plain text, a blank or an odd piece."""
    kind = rng.random()
    if kind < 0.45:
        label = rng.choice(names if rng.random() < 0.7 else NOT_NAMES)
        sep = rng.choice([": ", ":", ":\t", " : ", ":x", ": ", "::", ":\u00a0"])
        lead = rng.choice(["", "", "", " ", "\t"])
        return lead + label + sep + rng.choice(TEXTS)
    if kind < 0.7:
        return rng.choice(TEXTS) + rng.choice(["", " and more", ": colon", " Note: x"])
    if kind < 0.9:
        return rng.choice(BLANKS)
    return rng.choice(["---", "Ann Lee", ":", ": x", "Q:", "A:", "Q: A: B:", "Carl: hi", "\ufeff"])


def front_matter(rng: random.Random, names: Sequence[str]) -> list[str]:
    """Front matter lines, sometimes declaring speakers, sometimes broken."""
    lines = ["---"]
    if rng.random() < 0.7:
        declared = rng.sample(list(names), k=rng.randint(1, min(3, len(names))))
        lines.append("speakers: [" + ", ".join(declared) + "]")
    extras = [
        "title: Town hall: part 2",
        "date: 2021-03-04",
        "source:",
        "",
        "  ",
        "venue: Hall B",
        "date: 2021-02-30",  # a bad date
        "two words: no",
        "title: again",
        "speakers: []",
        "novalue",
        "key:value",
    ]
    for _ in range(rng.randint(0, 3)):
        extras_weighted = extras[:6] if rng.random() < 0.85 else extras
        lines.insert(rng.randint(1, len(lines)), rng.choice(extras_weighted))
    if rng.random() < 0.95:
        lines.append(rng.choice(["---", "---", "--- ", "---\t"]))
    return lines


def fuzz_transcript(rng: random.Random) -> str:
    """A random transcript: maybe BOM and front matter, then lines with mixed endings."""
    names = rng.sample(NAMES, k=rng.randint(1, 5))
    lines = front_matter(rng, names) if rng.random() < 0.5 else []
    if rng.random() < 0.8:
        # Mostly well formed: a label first.
        lines.append(rng.choice(names) + ": " + rng.choice(TEXTS))
    lines += [random_line(rng, names) for _ in range(rng.randint(0, 25))]
    if rng.random() < 0.05:
        lines = []
    ending = rng.choice(ENDINGS[:4])
    text = "".join(line + (ending if rng.random() < 0.8 else rng.choice(ENDINGS)) for line in lines)
    if rng.random() < 0.3:
        text = text.rstrip("\r\n")  # no final line feed
    if rng.random() < 0.15:
        text = "\ufeff" + text
    return text


def fuzz_transcripts(count: int, seed: int) -> Iterator[tuple[str, str]]:
    """`count` random transcripts as (name, text)."""
    rng = random.Random(seed)
    for i in range(count):
        yield f"fuzz/{i:05d}.txt", fuzz_transcript(rng)


# --- measures --------------------------------------------------------------------------------


def cpu_seconds(parse: Parse, files: Sequence[tuple[str, str]]) -> float:
    """CPU time of one pass of `parse` over the files."""
    start = time.process_time()
    for path, text in files:
        parse(text, path=path, corpus="corpus")
    return time.process_time() - start


def differences(
    before: Parse, after: Parse, files: Sequence[tuple[str, str]] | Iterator[tuple[str, str]]
) -> tuple[int, int, list[str]]:
    """(files compared, files that raised, a description of each difference)."""
    compared = raised = 0
    found: list[str] = []
    for path, text in files:
        old, new = outcome(before, text, path), outcome(after, text, path)
        compared += 1
        raised += isinstance(old, tuple)
        if old != new:
            found.append(f"{path}: {text[:200]!r}\n  before: {old!r}\n  after:  {new!r}")
    return compared, raised, found


def main(argv: Sequence[str] | None = None) -> int:
    """Time both versions, then compare their results; exit status 1 on a difference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--before", default=None, help="git revision (default: previous)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fuzz", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    rev = args.before or previous_revision(MODULE)
    before = load_previous(MODULE, rev, "_corpus_before").parse_transcript
    after = current.parse_transcript
    print(f"previous version: {rev[:12]} ({git('log', '-1', '--format=%s', rev).strip()})")
    corpora = [(folder, read_folder(folder)) for folder in args.corpus or DEFAULT_CORPORA]

    for folder, files in corpora:
        mb = sum(len(text.encode("utf-8")) for _, text in files) / 1e6
        old = new = float("inf")
        for _ in range(args.rounds):
            old = min(old, cpu_seconds(before, files))
            new = min(new, cpu_seconds(after, files))
        print(
            f"speed {folder.name}: {len(files)} files {mb:.1f} MB  before {old:.3f} CPU-s"
            f" {mb / old:.1f} MB/CPU-s  after {new:.3f} CPU-s {mb / new:.1f} MB/CPU-s"
            f"  x{old / new:.2f}"
        )

    sets: list[tuple[str, Sequence[tuple[str, str]] | Iterator[tuple[str, str]]]] = [
        (folder.name, files) for folder, files in corpora
    ]
    sets.append(("fixtures", read_folder(ROOT / "fixtures")))
    debates = args.data / "debates-dev"
    if debates.is_dir():
        sets.append(("debates-dev", read_folder(debates)))
    else:
        print(f"(no {debates}: debates skipped)")
    sets.append(("fuzz", fuzz_transcripts(args.fuzz, args.seed)))
    failed = False
    for name, files in sets:
        compared, raised, found = differences(before, after, files)
        print(f"check {name}: {compared} files, {raised} errors, {len(found)} differences")
        for text in found[:5]:
            print(text)
        failed |= bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
