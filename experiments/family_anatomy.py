"""What the spurious and the missed lines on the datasheet-family test sets are (issue 22).

Usage: python experiments/family_anatomy.py [--sets datasheet,gif,coloured,scan] [--count 20]
       [--probs runs/digitize-accuracy/probs/default] [--out runs/family-anatomy]
       [--keep-rules]

Reads the model probabilities that `experiments/digitize_accuracy.py` cached, traces each
chart with the shipped settings, matches the lines to the generator's truth, and describes
every unmatched traced line (where it lies against the true speedlines' region, whether it
crosses a matched line, its straightness and bend) and every missed truth line (how much of
it the model marked at all). Writes OUT/anatomy.json and prints counts per kind, and how
well line confidence ranks true lines above spurious ones. Traces as the tool does, with
the image's ink.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import cv2
import numpy as np

from speedlines.digitize.calibration import Calibration
from speedlines.digitize.ink_trail import ink_darkness
from speedlines.digitize.line_family import crosses
from speedlines.digitize.line_shape import is_rule, turning
from speedlines.digitize.trace import TraceSettings, trace_lines
from speedlines.evaluate.curve_accuracy import assess_lines, truth_lines
from speedlines.image_io import load_image
from speedlines.release.test_sets import ensure_set


def kind_of_spurious(line, matched_lines, truth) -> str:
    """A coarse name for an unmatched traced line."""
    p = line.points
    if is_rule(p, line.length):
        return "straight rule"
    if any(crosses(p, m.points, 3.0) for m in matched_lines):
        return "crosses a speedline"
    tx = np.concatenate([t[:, 0] for t in truth]) if truth else np.empty(0)
    ty = np.concatenate([t[:, 1] for t in truth]) if truth else np.empty(0)
    if len(tx):
        left_of = np.mean(p[:, 0] < np.percentile(tx, 1) - 5)
        above = np.mean(p[:, 1] < ty.min() - 5)
        if left_of > 0.5:
            return "left of the map"
        if above > 0.5:
            return "above the map"
    # Near a truth line but not matched: a part of a line, or a duplicate.
    dist = min(
        (
            np.median(np.min(np.linalg.norm(p[:, None] - t[None, ::4], axis=2), axis=1))
            for t in truth
        ),
        default=np.inf,
    )
    if dist < 6:
        return "on a speedline (piece or offset)"
    if turning(p) < -np.radians(10):
        return "bends the wrong way"
    return "between speedlines"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="datasheet,gif,coloured,scan")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--probs", type=Path, default=Path("runs/digitize-accuracy/probs/default"))
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--out", type=Path, default=Path("runs/family-anatomy"))
    ap.add_argument("--keep-rules", action="store_true", help="trace without the rule filter")
    args = ap.parse_args()
    settings = TraceSettings(drop_rules=not args.keep_rules)
    report = {}
    ranked = []  # (true line?, confidence, length / median length of its chart) per line
    for name in args.sets.split(","):
        data = ensure_set(name)
        kinds: collections.Counter = collections.Counter()
        missed: collections.Counter = collections.Counter()
        items = []
        for i in range(args.count):
            meta = json.loads((data / "meta" / f"{i}.json").read_text())
            cal = Calibration.from_dict(meta["calibration"])
            prob = cv2.imread(str(args.probs / name / f"{i}.png"), cv2.IMREAD_GRAYSCALE) / 255.0
            image = load_image(data / "image" / f"{i}.png")
            ink = ink_darkness(image)
            lines = trace_lines(prob > args.threshold, cal.plot_area, prob, settings, ink)
            acc = assess_lines([ln.points for ln in lines], meta, meta["width"], meta["height"])
            truth = truth_lines(meta)
            matched_found = {j for _, j in acc.matched}
            matched = [lines[j] for j in matched_found]
            typical = float(np.median([ln.length for ln in lines])) if lines else 1.0
            ranked += [(j in matched_found, ln.confidence, ln.length / typical)
                       for j, ln in enumerate(lines)]  # fmt: skip
            for j, ln in enumerate(lines):
                if j in matched_found:
                    continue
                k = kind_of_spurious(ln, matched, truth)
                kinds[k] += 1
                items.append({"set": name, "image": i, "kind": k, "length": ln.length,
                              "confidence": ln.confidence, "start": ln.points[0].tolist(),
                              "end": ln.points[-1].tolist()})  # fmt: skip
            hit = {t for t, _ in acc.matched}
            h, w = prob.shape
            for t_i, t in enumerate(truth):
                if t_i in hit or len(t) < 2:
                    continue
                r = np.clip(np.rint(t[:, 1]).astype(int), 0, h - 1)
                c = np.clip(np.rint(t[:, 0]).astype(int), 0, w - 1)
                # The best probability within 2 px of each truth point: marked at all?
                near = cv2.dilate((prob * 255).astype(np.uint8), np.ones((5, 5), np.uint8))
                marked = float(np.mean(near[r, c] > 255 * args.threshold))
                k = "model marked < 50 %" if marked < 0.5 else "marked, lost in tracing"
                missed[k] += 1
                items.append({"set": name, "image": i, "kind": "missed: " + k,
                              "truth_index": t_i, "marked": marked})  # fmt: skip
        report[name] = {"spurious": dict(kinds), "missed": dict(missed)}
        print(name, "spurious:", dict(kinds), "missed:", dict(missed))
        (args.out).mkdir(parents=True, exist_ok=True)
        (args.out / f"{name}.json").write_text(json.dumps(items, indent=1) + "\n")
    (args.out / "anatomy.json").write_text(json.dumps(report, indent=1) + "\n")
    # Does confidence rank doubt? The chance that a true line outranks a spurious one.
    true, conf, rel = (np.array(v, float) for v in zip(*ranked))
    scaled = conf * np.minimum(1, rel / 0.8)
    for label, score in (("confidence", conf), ("x min(1, length / 0.8 median)", scaled)):
        a, b = score[true == 1], score[true == 0]
        chance = (a[:, None] > b[None, :]).mean() + 0.5 * (a[:, None] == b[None, :]).mean()
        print(f"{label}: a true line outranks a spurious one with chance {chance:.3f}")


if __name__ == "__main__":
    main()
