"""Train the learned line scorer (scrape/config/line_model.json) on dev data only (issue 20).

    python bench/noise.py --write-items /tmp/items --no-write      # writes the tune half A only
    python bench/train_lines.py /tmp/items [CORPORA] [--out scrape/config/line_model.json]

What it learns from, and nothing else:
  * the tune half (A) of the noise bank, as bench/noise.py --write-items writes it: each
    dressed dump's lines, labelled by the item's truth (a planted noise string: noise; a
    paragraph of the body: not noise; the title and anything unmatched: context only). The
    script refuses the held-out half B: it reads only ITEMS/A, and stops if an item plants a
    wording of a family the bank puts in half B;
  * the bodies of the dev corpora fundus-dev and readability (every paragraph, short
    subheadings and list items included, is not noise), so that the model knows what real
    articles' short lines look like.
Items whose body comes from zyte, the corpus held out in this project's sessions, are left
out, and zyte is never read.

The model is a logistic regression (L2, fitted by Newton's method with numpy, which only
this script needs) over scrape.clean.linescore.FEATURES, standardised. Its threshold is
the lowest probability at which out-of-fold predictions (5 folds by story, so no story's
lines are judged by a model that saw them) keep precision at PRECISION; those figures are
written into the model file beside the weights. scrape reads the file with
scrape.config.model; inference is a dot product in pure Python.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
import dress  # noqa: E402

from scrape.clean.linescore import FEATURES, TextContext, features  # noqa: E402
from scrape.clean.lineshape import ArticleWords  # noqa: E402
from scrape.clean.textdump import _blocks, _unwrap  # noqa: E402
from scrape.text import normalise_paragraph  # noqa: E402

DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
MODEL = REPO / "scrape" / "config" / "line_model.json"
TUNE_HALF = "A"
HELD_OUT = "zyte"
BODY_CORPORA = ("fundus-dev",)
PRECISION = 0.99
FOLDS = 5
L2 = 1.0
SEED = "train-lines-1"


def _norm(text: str) -> str:
    return " ".join(normalise_paragraph(text).split())


def dump_examples(items: Path, rng: random.Random, tune_half: str = TUNE_HALF
                  ) -> tuple[list[list[float]], list[int], list[str]]:
    """Features, labels and story ids of the tune half's dump lines."""
    half_of = {w.family_id: w.half for w in dress.load_bank().wordings}
    rows: list[list[float]] = []
    labels: list[int] = []
    groups: list[str] = []
    folder = items / tune_half
    if not folder.is_dir():
        sys.exit(f"{folder}: no tune half here (bench/noise.py --write-items writes ITEMS/{tune_half})")
    for truth_path in sorted(folder.glob("*.json")):
        truth = json.loads(truth_path.read_text("utf-8"))
        families = {n["family"] for n in truth["noise"] if n["family"]}
        if any(half_of.get(f, tune_half) != tune_half for f in families):
            sys.exit(f"{truth_path.name}: plants wordings of the held-out half; refusing to train on it")
        if truth["id"].startswith(f"{HELD_OUT}/"):
            continue
        lines = [normalise_paragraph(p) for block in _blocks(truth_path.with_suffix(".txt").read_text("utf-8"))
                 for p in _unwrap(block)]
        title = _norm(truth["title"])
        if lines and _norm(lines[0]) == title:
            lines = lines[1:]  # the dump cleaner takes the title off before the line filter
        body = {_norm(p) for p in truth["paragraphs"]}
        noise = {_norm(n["text"]) for n in truth["noise"]}
        # Pages reach the filter without their title: half the dumps are read without it too.
        context = TextContext.of(lines, ArticleWords.of(lines), title if rng.random() < 0.5 else None)
        for index, row in features(lines, context).items():
            key = _norm(lines[index])
            label = 1 if key in noise else 0 if key in body else None
            if label is not None:
                rows.append(row)
                labels.append(label)
                groups.append(truth["id"])
    return rows, labels, groups


def body_examples(corpora: Path) -> tuple[list[list[float]], list[int], list[str]]:
    """Features of every paragraph of the dev corpora's bodies, all not noise."""
    rows: list[list[float]] = []
    groups: list[str] = []
    for name in BODY_CORPORA:
        for line in (corpora / name / "cases.jsonl").read_text("utf-8").splitlines():
            case = json.loads(line)
            if not case.get("body"):
                continue
            paragraphs = [p for p in (normalise_paragraph(b) for b in re.split(r"\n\s*\n", case["body"])) if p]
            context = TextContext.of(paragraphs, ArticleWords.of(paragraphs), case.get("title"))
            found = list(features(paragraphs, context).values())
            rows.extend(found)
            groups.extend([f"{name}/{case['id']}"] * len(found))
    return rows, [0] * len(rows), groups


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (x standardised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    weights = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], L2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(design @ weights, -60, 60)))
        gradient = design.T @ (p - y) + penalty * weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights[:-1], float(weights[-1])


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    return means, scales


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: list[str]) -> np.ndarray:
    """Each example's probability from a model trained on the other folds' stories."""
    stories = sorted(set(groups))
    random.Random(SEED).shuffle(stories)
    fold_of = {story: i % FOLDS for i, story in enumerate(stories)}
    folds = np.array([fold_of[g] for g in groups])
    probabilities = np.zeros(len(y))
    for fold in range(FOLDS):
        train, test = folds != fold, folds == fold
        means, scales = standardise(x[train])
        weights, bias = fit((x[train] - means) / scales, y[train])
        probabilities[test] = 1 / (1 + np.exp(-np.clip(((x[test] - means) / scales) @ weights + bias, -60, 60)))
    return probabilities


def choose_threshold(probabilities: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """The lowest threshold keeping out-of-fold precision at PRECISION; its precision, recall."""
    best = (0.99, 0.0, 0.0)
    for threshold in np.arange(0.99, 0.3, -0.01):
        taken = probabilities >= threshold
        if not taken.any():
            continue
        precision = float(y[taken].mean())
        if precision < PRECISION:
            break
        best = (round(float(threshold), 2), precision, float(taken[y == 1].mean()))
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("items", type=Path, help="the folder bench/noise.py --write-items wrote")
    ap.add_argument("corpora", nargs="?", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument("--tune-half", choices=("A", "B"), default=TUNE_HALF,
                    help="the swap: train on half B (written with noise.py --tune-half B --report-half A) "
                         "into another --out, to report half A with noise.py --line-model")
    args = ap.parse_args(argv)
    if args.tune_half != TUNE_HALF and args.out == MODEL:
        sys.exit("the shipped model is trained on half A: give --out for a swapped model")
    held_out = "B" if args.tune_half == "A" else "A"
    if (args.items / held_out).exists():
        print(f"{args.items / held_out} is not read (held-out half)", file=sys.stderr)
    rng = random.Random(SEED)
    dump_rows, dump_labels, dump_groups = dump_examples(args.items, rng, args.tune_half)
    body_rows, body_labels, body_groups = body_examples(args.corpora)
    x = np.array(dump_rows + body_rows, dtype=float)
    y = np.array(dump_labels + body_labels, dtype=float)
    groups = dump_groups + body_groups
    probabilities = out_of_fold(x, y, groups)
    threshold, precision, recall = choose_threshold(probabilities, y)
    means, scales = standardise(x)
    weights, bias = fit((x - means) / scales, y)
    model = {
        "about": "bench/train_lines.py: logistic regression over scrape.clean.linescore.FEATURES",
        "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "trained_on": {"noise bank half": args.tune_half, "dump lines": len(dump_rows),
                       "noise lines": int(sum(dump_labels)), "dev corpus body lines": len(body_rows),
                       "corpora": list(BODY_CORPORA), "left out": HELD_OUT},
        "out_of_fold": {"folds": FOLDS, "precision": round(precision, 4), "recall": round(recall, 4)},
        "threshold": threshold,
        "features": list(FEATURES),
        "means": [round(float(v), 6) for v in means],
        "scales": [round(float(v), 6) for v in scales],
        "weights": [round(float(v), 6) for v in weights],
        "bias": round(bias, 6),
    }
    args.out.write_text(json.dumps(model, indent=1) + "\n", "utf-8")
    print(f"{len(dump_rows)} dump lines ({int(sum(dump_labels))} noise), {len(body_rows)} body lines; "
          f"out of fold at threshold {threshold}: precision {precision:.4f}, recall {recall:.4f}; wrote {args.out}")
    for name, weight in sorted(zip(FEATURES, weights, strict=True), key=lambda t: -abs(t[1]))[:12]:
        print(f"  {weight:+.2f} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
