"""Measure quotation extraction against the annotated quotes of PolNeAR (train split).

Reads the shared data at run time and prints figures; never run as a unit test.

    python bench/extraction.py [--data ../shared/data/polnear-train] [--json OUT]

Every part of every extracted quote is a predicted span; every line of quotes.jsonl is a gold
span. Predictions and gold are matched one to one, greedily by overlap
|intersection| / max(|pred|, |gold|), among the pairs at or above the threshold (0.8, and
1.0 for exact spans). A regular-expression baseline is measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from quoteverify.extract import detect_format, extract, load_document
from quoteverify.textio import read_text

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear-train"
THRESHOLDS = (0.8, 1.0)
# Words before a quote that make it the name of something rather than speech.
_NAMING = re.compile(
    r"(?:so-called|so called|dubbed|titled|entitled|called|named|nicknamed|branded|labeled|"
    r"labelled|known as|term|word|words|phrase|slogan|hashtag)\W*$",
    re.I,
)
_REGEX_BASELINE = (re.compile("“([^”]*)”"), re.compile('"([^"]*)"'))

Span = tuple[int, int]


@dataclass
class Article:
    """One article: its text, gold spans and predicted spans."""

    name: str
    text: str
    gold: list[Span]
    pred: list[Span] = field(default_factory=list)
    headline: set[Span] = field(default_factory=set)  # predicted parts in a headline
    base: list[Span] = field(default_factory=list)


def load(data: Path) -> list[Article]:
    """Every article of the folder with its gold lines."""
    gold: dict[str, list[Span]] = defaultdict(list)
    with (data / "quotes.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            gold[d["article"]].append((d["start"], d["end"]))
    out = []
    for path in sorted((data / "articles").iterdir()):
        key = f"articles/{path.name}"
        text, _ = read_text(path, name=path.name)
        out.append(Article(key, text, sorted(gold.get(key, []))))
    return out


def predict(art: Article) -> tuple[list[Span], set[Span]]:
    """The extractor's parts as spans of the article, and those of them in a headline."""
    doc = load_document(art.text, detect_format(art.name))
    ex = extract(doc)
    spans = sorted((p.span.start, p.span.end) for q in ex.quotes for p in q.parts)
    heads = {(p.span.start, p.span.end) for q in ex.quotes if q.headline for p in q.parts}
    return spans, heads


def baseline(text: str) -> list[Span]:
    """Inside `“…”` and `"…"` pairs, paragraph by paragraph."""
    out: list[Span] = []
    for para in re.finditer(r"[^\n]+", text):
        for rx in _REGEX_BASELINE:
            for m in rx.finditer(para.group()):
                a, b = para.start() + m.start(1), para.start() + m.end(1)
                if text[a:b].strip():
                    out.append((a, b))
    return sorted(out)


def overlap(p: Span, g: Span) -> float:
    """|p ∩ g| / max(|p|, |g|)."""
    inter = min(p[1], g[1]) - max(p[0], g[0])
    if inter <= 0:
        return 0.0
    return inter / max(p[1] - p[0], g[1] - g[0])


def match(pred: list[Span], gold: list[Span], threshold: float) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching by overlap, best pairs first, at or above the threshold."""
    cands = []
    j0 = 0
    for i, p in enumerate(pred):
        while j0 < len(gold) and gold[j0][1] <= p[0]:
            j0 += 1
        for j in range(j0, len(gold)):
            g = gold[j]
            if g[0] >= p[1]:
                break
            o = overlap(p, g)
            if o >= threshold - 1e-12:
                cands.append((o, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for o, i, j in cands:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j, o))
    return out


def words(s: str) -> list[str]:
    """Words as the one-word filter counts them."""
    return s.split()


def scare_like(text: str, span: Span) -> bool:
    """The rough stand-in for the scare-quote filter: short title case, or a naming word before."""
    ws = words(text[span[0] : span[1]])
    if not ws:
        return True
    before = text[max(0, span[0] - 40) : span[0] - 1]
    if _NAMING.search(before):
        return True
    letters = [w for w in ws if any(c.isalpha() for c in w)]
    return 1 <= len(ws) <= 3 and all(w[0].isupper() or not w[0].isalpha() for w in letters)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1."""
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(
    arts: list[Article],
    get: Callable[[Article], list[Span]],
    *,
    keep_gold: Callable[[Article, Span], bool] = lambda a, s: True,
    keep_pred: Callable[[Article, Span], bool] = lambda a, s: True,
    drop_unmatched_pred: Callable[[Article, Span], bool] = lambda a, s: False,
) -> dict[str, dict[str, float]]:
    """P/R/F1 at each threshold; predictions with no gold at all can be excused by a filter."""
    out: dict[str, dict[str, float]] = {}
    for t in THRESHOLDS:
        tp = n_pred = n_gold = 0
        for a in arts:
            gold = [g for g in a.gold if keep_gold(a, g)]
            pred = [p for p in get(a) if keep_pred(a, p)]
            pairs = match(pred, gold, t)
            matched = {i for i, _, _ in pairs}
            excused = sum(
                1
                for i, sp in enumerate(pred)
                if i not in matched
                and drop_unmatched_pred(a, sp)
                and not any(overlap(sp, g) > 0 for g in gold)
            )
            n_pred += len(pred) - excused
            n_gold += len(gold)
            tp += len(pairs)
        prec, rec, f1 = prf(tp, n_pred, n_gold)
        out[f"{t:.1f}"] = {
            "tp": tp,
            "pred": n_pred,
            "gold": n_gold,
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
        }
    return out


# ------------------------------------------------------------------------------------------
# Error patterns
# ------------------------------------------------------------------------------------------

_DOUBLE = '"“”„«»'


def _ctx(text: str, span: Span, width: int = 40) -> str:
    a, b = span
    left = text[max(0, a - width) : a]
    right = text[b : b + width]
    mid = text[a:b]
    if len(mid) > 80:
        mid = mid[:38] + " … " + mid[-38:]
    return f"{left}⟦{mid}⟧{right}".replace("\n", "⏎")


def _edge_diff(text: str, p: Span, g: Span) -> str:
    """How a near miss differs at its edges."""
    out = []
    if p[0] < g[0]:
        out.append(f"pred starts earlier by {text[p[0] : g[0]]!r}")
    elif p[0] > g[0]:
        out.append(f"pred starts later, missing {text[g[0] : p[0]]!r}")
    if p[1] > g[1]:
        out.append(f"pred ends later by {text[g[1] : p[1]]!r}")
    elif p[1] < g[1]:
        out.append(f"pred ends earlier, missing {text[p[1] : g[1]]!r}")
    return "; ".join(out)


def _edge_class(text: str, p: Span, g: Span) -> str:
    """A pattern name for the edge difference: what kind of characters differ."""
    bits = []
    for a, b, where in (
        (min(p[0], g[0]), max(p[0], g[0]), "start"),
        (min(p[1], g[1]), max(p[1], g[1]), "end"),
    ):
        if a == b:
            continue
        s = text[a:b]
        if "\n" in s:
            kind = "line break"
        elif any(c in _DOUBLE for c in s):
            kind = "double mark"
        elif any(c in "‘’'" for c in s):
            kind = "single mark"
        elif not any(c.isalnum() for c in s):
            kind = f"punct {s.strip()!r}"
        else:
            kind = "words"
        longer = (where == "start" and p[0] < g[0]) or (where == "end" and p[1] > g[1])
        bits.append(f"{where} {'+' if longer else '-'}{kind}")
    return ", ".join(bits)


def _fn_class(text: str, g: Span, preds: list[Span]) -> str:
    touching = [p for p in preds if overlap(p, g) > 0]
    before = text[g[0] - 1] if g[0] else ""
    after = text[g[1]] if g[1] < len(text) else ""
    if touching:
        best = max(touching, key=lambda p: overlap(p, g))
        if best[0] <= g[0] and best[1] >= g[1]:
            return "FN: inside a longer prediction"
        if best[0] >= g[0] and best[1] <= g[1]:
            return "FN: prediction inside the gold"
        return "FN: partial overlap"
    n = len(words(text[g[0] : g[1]]))
    size = "one word" if n == 1 else "2-3 words" if n <= 3 else "4+ words"
    return f"FN: no prediction ({size}; marks {before!r}…{after!r})"


def _fp_class(text: str, p: Span, gold: list[Span]) -> str:
    touching = [g for g in gold if overlap(p, g) > 0]
    if touching:
        if len(touching) > 1:
            return "FP: spans several gold lines"
        return "FP: overlaps gold"
    before = text[p[0] - 1] if p[0] else ""
    after = text[p[1]] if p[1] < len(text) else ""
    if scare_like(text, p):
        kind = "scare-like"
    elif len(words(text[p[0] : p[1]])) == 1:
        kind = "one word"
    else:
        kind = "speech-like"
    return f"FP: no gold ({kind}; marks {before!r}…{after!r})"


def errors(arts: list[Article], threshold: float) -> tuple[Counter[str], dict[str, list[str]]]:
    """Error patterns at a threshold, with examples in context."""
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for a in arts:
        pairs = match(a.pred, a.gold, threshold)
        mp = {i for i, _, _ in pairs}
        mg = {j for _, j, _ in pairs}
        for j, g in enumerate(a.gold):
            if j in mg:
                continue
            near = [p for p in a.pred if overlap(p, g) > 0]
            best = max(near, key=lambda p: overlap(p, g)) if near else None
            if best is not None and overlap(best, g) >= 0.5:
                key = f"near miss: {_edge_class(a.text, best, g)}"
                ex = f"{_edge_diff(a.text, best, g)} | {_ctx(a.text, g)}"
                counts[key] += 1
                examples[key].append(f"{a.name}: {ex}")
                continue
            key = _fn_class(a.text, g, a.pred)
            counts[key] += 1
            examples[key].append(f"{a.name}: {_ctx(a.text, g)}")
        for i, p in enumerate(a.pred):
            if i in mp:
                continue
            near = [g for g in a.gold if overlap(p, g) >= 0.5]
            if near:
                continue  # counted as a near miss above
            key = _fp_class(a.text, p, a.gold)
            counts[key] += 1
            examples[key].append(f"{a.name}: {_ctx(a.text, p)}")
    return counts, examples


def single_mark_quotes(arts: list[Article]) -> tuple[int, int]:
    """Predicted parts opened by a single mark: all, and those with no gold under them."""
    n = no_gold = 0
    for a in arts:
        for p in a.pred:
            if p[0] and a.text[p[0] - 1] in "‘‹":
                n += 1
                if not any(overlap(p, g) > 0 for g in a.gold):
                    no_gold += 1
    return n, no_gold


def _fmt(name: str, res: dict[str, dict[str, float]]) -> Iterable[str]:
    for t, r in res.items():
        yield (
            f"  {name:<50} @{t}: P {r['precision']:.4f}  R {r['recall']:.4f}  "
            f"F1 {r['f1']:.4f}  (tp {r['tp']}, pred {r['pred']}, gold {r['gold']})"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    ap.add_argument("--patterns", type=int, default=30, help="how many error patterns to print")
    ap.add_argument("--examples", type=int, default=3, help="examples per pattern")
    args = ap.parse_args(argv)

    arts = load(args.data)
    for a in arts:
        a.pred, a.headline = predict(a)
        a.base = baseline(a.text)

    def multi(a: Article, s: Span) -> bool:
        return len(words(a.text[s[0] : s[1]])) > 1

    def scare(a: Article, s: Span) -> bool:
        return scare_like(a.text, s)

    results = {
        "extract_all": score(arts, lambda a: a.pred),
        "extract_scare_excused": score(arts, lambda a: a.pred, drop_unmatched_pred=scare),
        "extract_multiword": score(arts, lambda a: a.pred, keep_gold=multi, keep_pred=multi),
        "extract_multiword_scare_excused": score(
            arts, lambda a: a.pred, keep_gold=multi, keep_pred=multi, drop_unmatched_pred=scare
        ),
        "extract_body": score(arts, lambda a: [p for p in a.pred if p not in a.headline]),
        "extract_body_scare_excused": score(
            arts, lambda a: [p for p in a.pred if p not in a.headline], drop_unmatched_pred=scare
        ),
        "baseline_all": score(arts, lambda a: a.base),
        "baseline_scare_excused": score(arts, lambda a: a.base, drop_unmatched_pred=scare),
        "baseline_multiword": score(arts, lambda a: a.base, keep_gold=multi, keep_pred=multi),
        "baseline_multiword_scare_excused": score(
            arts, lambda a: a.base, keep_gold=multi, keep_pred=multi, drop_unmatched_pred=scare
        ),
    }
    n_single, single_no_gold = single_mark_quotes(arts)
    labels = {
        "extract_all": "extract, all parts (a)",
        "extract_scare_excused": "extract, scare-like FPs excused (b)",
        "extract_multiword": "extract, one-word gold and preds dropped",
        "extract_multiword_scare_excused": "extract, one-word dropped, scare excused",
        "extract_body": "extract, headlines left out",
        "extract_body_scare_excused": "extract, headlines out, scare-like excused",
        "baseline_all": "regex baseline, all",
        "baseline_scare_excused": "regex baseline, scare-like FPs excused",
        "baseline_multiword": "regex baseline, one-word dropped",
        "baseline_multiword_scare_excused": "regex baseline, one-word dropped, scare excused",
    }
    n_gold = sum(len(a.gold) for a in arts)
    print(f"{len(arts)} articles, {n_gold} gold lines")
    for key, res in results.items():
        for line in _fmt(labels[key], res):
            print(line)
    print(f"  parts opened by a single mark: {n_single} ({single_no_gold} with no gold under them)")
    n_head = sum(len(a.headline) for a in arts)
    head_single = sum(1 for a in arts for p in a.headline if a.text[p[0] - 1] in "‘‹")
    print(
        f"  parts in headlines (never annotated): {n_head}, {head_single} of them in single marks"
    )

    counts, examples = errors(arts, 0.8)
    print(f"\nerror patterns at overlap 0.8 ({sum(counts.values())} errors):")
    for key, n in counts.most_common(args.patterns):
        print(f"{n:5}  {key}")
        for ex in examples[key][: args.examples]:
            print(f"         {ex}")
    exact, ex_examples = errors(arts, 1.0)
    boundary = Counter({k: v for k, v in exact.items() if k.startswith("near miss")})
    print(f"\nexact-span misses that match at 0.5+ ({sum(boundary.values())}):")
    for key, n in boundary.most_common(15):
        print(f"{n:5}  {key}")
        for ex in ex_examples[key][: args.examples]:
            print(f"         {ex}")

    if args.json is not None:
        payload = {
            "articles": len(arts),
            "gold": n_gold,
            "results": results,
            "single_mark_parts": n_single,
            "single_mark_parts_no_gold": single_no_gold,
            "headline_parts": n_head,
            "headline_single_mark_parts": head_single,
            "patterns_0.8": dict(counts.most_common()),
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
