"""Accuracy benchmark: `quoteverify eval` on real news and on a verification set from real debates.

Usage (from the repository root, with the project installed):

    python bench/accuracy.py [--data ../shared/data] [--out bench/out/accuracy.json]

1. polnear-train: the annotated quotations of 840 real news articles are turned into eval labels
   (in a temporary folder: the data is never copied into the repository) and checked without a
   corpus: extraction precision/recall/F1 and speaker accuracy.
2. debates-dev: bench/verification_set.py builds articles quoting the real debate transcripts,
   changed the way journalists change quotes and the way errors happen, with expected verdicts;
   they are checked against the transcripts: per-verdict precision/recall, accuracy, calibration.
   The set also holds quotes put in real news contexts (the text around PolNeAR quotations of
   the articles of the seed's parity, bench/README.md): accuracy is given for all quotes, for
   the quotes changed (the verdict targets) and for those in news contexts apart; calibration
   over all of them.

It prints the figures and writes them all to one JSON file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from attribution import load_gold  # bench/attribution.py, beside this script

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# How bench/attribution.py's gold classes map to eval's speaker kinds.
KINDS = {"name": "name", "pronoun": "pronoun", "relative": "pronoun", "org": "description"}


def polnear_labels(data: Path, version: str = "v3") -> list[dict[str, Any]]:
    """Eval labels from quotes.jsonl, with the gold speakers of bench/attribution.py.

    That script reduces each annotated mention to the name it scores against (titles and
    appositions cut off) and resolves a pronoun to an earlier name, an approximation of
    coreference (`version`: v2 takes the annotated speaker named last, v3 any person named last
    who may be a clause's subject; its docstring has both); both benchmarks share it so their
    figures agree.
    """
    labels = []
    seen: set[tuple[str, int, int]] = set()
    for article, golds in sorted(load_gold(data, version).items()):
        for n, gold in enumerate(golds):
            kind = KINDS.get(gold.cls, "none") if gold.name else "none"
            for span in gold.segments:
                # One quote is annotated under two attributions once; a span is labelled once.
                if (article, span.start, span.end) in seen:
                    continue
                seen.add((article, span.start, span.end))
                labels.append(
                    {
                        "article": str((data / article).resolve()),
                        "start": span.start,
                        "end": span.end,
                        "claimed_speaker": gold.name if kind != "none" else None,
                        "speaker_kind": kind,
                        "group": f"g{n}",
                    }
                )
    return labels


def run_eval(labels: Path, corpus: Path | None) -> dict[str, Any]:
    """Run `quoteverify eval` and return its JSON document."""
    cmd = [sys.executable, "-m", "quoteverify", "eval", str(labels), "--format", "json"]
    if corpus is not None:
        # The shared data is read-only material: the index goes next to the labels instead.
        cmd += ["--corpus", str(corpus), "--index-dir", str(labels.parent / "index")]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"eval failed ({done.returncode}): {done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def main() -> None:
    """Run both evaluations, print the figures and write them to a JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "accuracy.json")
    parser.add_argument("--seed", type=int, default=1, help="seed of the verification set")
    args = parser.parse_args()

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="qv-accuracy-") as tmp:
        work = Path(tmp)
        labels = polnear_labels(args.data / "polnear-train")
        path = work / "polnear.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in labels), encoding="utf-8")
        started = time.perf_counter()
        news = run_eval(path, None)
        news["seconds"] = round(time.perf_counter() - started, 2)
        figures["polnear_train"] = news
        # The same under the earlier pronoun gold, so a change of gold never hides a figure.
        labels_v2 = polnear_labels(args.data / "polnear-train", "v2")
        path_v2 = work / "polnear-v2.jsonl"
        path_v2.write_text("".join(json.dumps(x) + "\n" for x in labels_v2), encoding="utf-8")
        figures["polnear_train_gold_v2"] = run_eval(path_v2, None)["speaker"]

        vs = work / "verification"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "verification_set.py"),
                "--data",
                str(args.data / "debates-dev"),
                "--out",
                str(vs),
                "--seed",
                str(args.seed),
            ],
            check=True,
            capture_output=True,
        )
        started = time.perf_counter()
        debates = run_eval(vs / "labels.jsonl", args.data / "debates-dev")
        debates["seconds"] = round(time.perf_counter() - started, 2)
        figures["debates_verification"] = debates
        # The kinds that change quotes (the verdict targets) apart from the quotes set in real
        # news contexts, which measure attribution in real copy as much as the verdicts.
        for part, keep in (("verdict_kinds", False), ("news_kinds", True)):
            lines = (vs / "labels.jsonl").read_text(encoding="utf-8").splitlines()
            chosen = [x for x in lines if json.loads(x)["note"].startswith("news_") is keep]
            subset = vs / f"labels-{part}.jsonl"
            subset.write_text("".join(x + "\n" for x in chosen), encoding="utf-8")
            figures[f"debates_{part}"] = run_eval(subset, args.data / "debates-dev")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    ex = news["extraction"]
    sp = news["speaker"]
    print("polnear-train (real news, extraction and attribution)")
    for name in ("overlap", "exact"):
        e = ex[name]
        print(
            f"  extraction {name:7}  P {_pct(e['precision'])}  R {_pct(e['recall'])}"
            f"  F1 {_pct(e['f1'])}  (tp {e['tp']}, fp {e['fp']}, fn {e['fn']})"
        )
    for gold, speaker in (("v3", sp), ("v2", figures["polnear_train_gold_v2"])):
        for name in ("name", "all"):
            s = speaker[name]
            print(
                f"  speaker {name:4} (pronoun gold {gold})  {_pct(s['accuracy'])}"
                f"  ({s['correct']}/{s['total']})"
            )
    print(f"  {news['seconds']} s")
    v = debates["verdicts"]
    print("debates-dev verification set (verdicts)")
    print(f"  accuracy {_pct(v['accuracy'])} over {v['total']} quotes")
    for part, title in (("verdict_kinds", "quotes changed"), ("news_kinds", "real news contexts")):
        sub = figures[f"debates_{part}"]["verdicts"]
        print(f"    {title}: accuracy {_pct(sub['accuracy'])} over {sub['total']} quotes")
    changed = figures["debates_verdict_kinds"]["verdicts"]
    for title, part in (("all quotes", v), ("quotes changed", changed)):
        print(f"  per verdict, {title}")
        for verdict, row in sorted(part["per_verdict"].items()):
            print(
                f"    {verdict:14} precision {_pct(row['precision'])}"
                f"  recall {_pct(row['recall'])}  support {row['support']}"
            )
    cal = debates["calibration"]
    print(f"  calibration error {_pct(cal['error'])} (bins of 20 findings or more)")
    for b in cal["bins"]:
        if b["count"]:
            print(
                f"    [{b['low']:.1f}, {b['high']:.1f})  n {b['count']:5}"
                f"  confidence {b['mean_confidence']:.3f}  right {b['accuracy']:.3f}"
            )
    print(f"  {debates['seconds']} s")
    print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
