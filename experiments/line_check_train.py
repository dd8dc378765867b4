"""Train the learned line check (``digitize/line_check.py``) on generated maps (issue 22).

Usage: python experiments/line_check_train.py --sets DIR,DIR,... [--count 30]
       [--probs runs/verify/probs/default] [--out runs/line-check] [--install]

Traces every chart of the sets (folders of ``speedlines generate``) from the shipped model's
probabilities, cached by ``experiments/digitize_accuracy.py --out runs/verify``, with the
shipped tracing but without the check; labels each traced line by matching it to the
generator's truth (a piece of a speedline that does not match is no line, as it counts as a
spurious line), and measures its ``line_features``. Then, with the charts split in five
folds (no chart in both), trains scikit-learn's GradientBoostingClassifier and reports, per
set and threshold, the spurious lines removed and the true lines lost out of fold. Finally
fits on all charts and writes OUT/line_check.json (the trees, the threshold, a card with the
data, seeds and the out-of-fold counts); ``--install`` copies it beside the shipped model.
Needs scikit-learn (``.venv/bin/pip install scikit-learn==1.9.1``, the ``experiments`` extra;
only here: the tool evaluates the trees itself).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np

from speedlines.digitize.calibration import Calibration
from speedlines.digitize.ink_trail import ink_darkness
from speedlines.digitize.line_check import (
    DEFAULT_CHECK,
    FEATURES,
    FORMAT,
    LineCheck,
    line_features,
)
from speedlines.digitize.trace import TraceSettings, trace_lines
from speedlines.evaluate.curve_accuracy import assess_lines
from speedlines.image_io import load_image
from speedlines.release.test_sets import ensure_set

PARAMS = {"n_estimators": 150, "max_depth": 3, "learning_rate": 0.1, "subsample": 0.8}


def candidates(data: Path, count: int, probs: Path):
    """Features, labels (1 = matches a true speedline) and chart ids of every traced line."""
    xs, ys, ids = [], [], []
    for i in range(min(count, len(list((data / "meta").glob("*.json"))))):
        meta = json.loads((data / "meta" / f"{i}.json").read_text())
        cal = Calibration.from_dict(meta["calibration"])
        cached = probs / data.name.removeprefix("test-") / f"{i}.png"
        prob = cv2.imread(str(cached), cv2.IMREAD_GRAYSCALE) / 255.0
        ink = ink_darkness(load_image(data / "image" / f"{i}.png"))
        settings = TraceSettings(line_check=False)
        lines = trace_lines(prob > 0.5, cal.plot_area, prob, settings, ink)
        if not lines:
            continue
        acc = assess_lines([ln.points for ln in lines], meta, meta["width"], meta["height"])
        matched = {j for _, j in acc.matched}
        xs.append(line_features(lines, cal.plot_area, ink))
        ys += [int(j in matched) for j in range(len(lines))]
        ids += [f"{data.name.removeprefix('test-')}/{i}"] * len(lines)
        print(f"{data.name} {i}: {len(lines)} lines", end="\r", file=sys.stderr)
    return np.concatenate(xs), np.array(ys), np.array(ids)


def described(data: Path) -> dict:
    """A generated set as the card records it: folder, style, case and generator seed."""
    manifest = json.loads((data / "manifest.json").read_text())
    return {"set": data.name} | {k: manifest.get(k) for k in ("style", "case", "seed")}


THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.5)


def trade_off(odds, y, ids, threshold: float) -> dict:
    """Prints, per set, the true lines lost and the spurious lines removed at each threshold;
    returns the counts at ``threshold``."""
    sets = np.array([s.split("/")[0] for s in ids])
    print("| set | true lines | spurious | " + " | ".join(
        f"t={t}: lost / removed" for t in THRESHOLDS) + " |")  # fmt: skip
    counts = {}
    for name in [*dict.fromkeys(sets), "all"]:
        k = np.ones(len(y), bool) if name == "all" else sets == name
        row = []
        for t in THRESHOLDS:
            lost = int(((odds < t) & (y == 1) & k).sum())
            removed = int(((odds < t) & (y == 0) & k).sum())
            row.append(f"{lost} / {removed}")
            if t == threshold:
                counts[name] = {"true": int((y[k] == 1).sum()), "spurious": int((y[k] == 0).sum()),
                                "true_lost": lost, "spurious_removed": removed}  # fmt: skip
        print(f"| {name} | {int((y[k] == 1).sum())} | {int((y[k] == 0).sum())} | "
              + " | ".join(row) + " |")  # fmt: skip
    return counts


def export(model, threshold: float, card: dict) -> dict:
    """The fitted ensemble as the JSON that ``LineCheck.load`` reads."""
    trees = []
    for est in model.estimators_[:, 0]:
        t = est.tree_
        trees.append({"feature": t.feature.tolist(), "threshold": t.threshold.tolist(),
                      "left": t.children_left.tolist(), "right": t.children_right.tolist(),
                      "value": t.value[:, 0, 0].tolist()})  # fmt: skip
    x0 = np.zeros((1, len(FEATURES)))
    init = float(model._raw_predict_init(x0)[0, 0])
    return {"format": FORMAT, "features": FEATURES, "init": init,
            "rate": model.learning_rate, "trees": trees, "threshold": threshold,
            "card": card}  # fmt: skip


def main() -> None:
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.model_selection import GroupKFold

    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", required=True)
    ap.add_argument("--count", type=int, default=30)
    ap.add_argument("--probs", type=Path, default=Path("runs/verify/probs/default"))
    ap.add_argument("--out", type=Path, default=Path("runs/line-check"))
    ap.add_argument("--threshold", type=float, default=0.05, help="the shipped cut")
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--install", action="store_true")
    ap.add_argument("--test-sets", default="", help="fixed test sets to report, e.g. gif,scan")
    ap.add_argument("--test-probs", type=Path, default=Path("runs/digitize-accuracy/probs/default"))
    args = ap.parse_args()
    parts = [candidates(Path(s), args.count, args.probs) for s in args.sets.split(",")]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    ids = np.concatenate([p[2] for p in parts])
    print(f"\n{len(y)} lines, {int(y.sum())} true, {int((1 - y).sum())} not", file=sys.stderr)
    odds = np.zeros(len(y))
    for train, test in GroupKFold(5).split(x, y, ids):
        m = GradientBoostingClassifier(**PARAMS, random_state=args.seed).fit(x[train], y[train])
        odds[test] = m.predict_proba(x[test])[:, 1]
    print("Out of fold:")
    folds = trade_off(odds, y, ids, args.threshold)
    model = GradientBoostingClassifier(**PARAMS, random_state=args.seed).fit(x, y)
    if args.test_sets:
        print("Test sets (the model fitted on all charts):")
        for name in args.test_sets.split(","):
            tx, ty, tids = candidates(ensure_set(name), 20, args.test_probs)
            trade_off(model.predict_proba(tx)[:, 1], ty, tids, args.threshold)
    imp = sorted(zip(model.feature_importances_, FEATURES), reverse=True)
    print("importance:", ", ".join(f"{f} {v:.3f}" for v, f in imp[:10]))
    card = {"trained_on": [described(Path(d)) for d in args.sets.split(",")],
            "charts_per_set": args.count,
            "lines": len(y), "params": PARAMS | {"seed": args.seed},
            "out_of_fold_at_threshold": folds}  # fmt: skip
    doc = export(model, args.threshold, card)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "line_check.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc) + "\n")
    tmp.replace(path)
    # The numpy evaluation must give sklearn's odds.
    mine = LineCheck.load(path).odds(x)
    assert np.allclose(mine, model.predict_proba(x)[:, 1], atol=1e-9), "export mismatch"
    print(f"wrote {path}")
    if args.install:
        shutil.copyfile(path, DEFAULT_CHECK)
        print(f"installed as {DEFAULT_CHECK}")


if __name__ == "__main__":
    main()
