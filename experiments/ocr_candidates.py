"""Measure OCR candidates (issue 23) on the tick labels of generated full charts.

    PYTHONPATH=src .venv/bin/python experiments/ocr_candidates.py rapid|tess11|tess6 [COUNT]

Each engine reads the strips outside the true plotting frame (below it: x labels, left of it:
y labels) of charts generate_sample(9000, i, style="chart"); a number read is right when it is
the nearest true tick value (MaxNLocator / LogLocator as the generator draws them) at its
position. rapidocr runs its own detector + recogniser; tesseract via pytesseract (apt
tesseract-ocr) in page-segmentation mode 11 (sparse text) or 6 (one block).
"""

import re
import sys
import time

import numpy as np
from matplotlib.ticker import LogLocator, MaxNLocator

from speedlines.digitize.calibration import Calibration
from speedlines.synth.sample import generate_sample

NUM = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def truth_ticks(meta, axis):
    cal = meta["calibration"]
    lo, hi = sorted(cal[axis]["value"])
    g = meta["appearance"]["grid"]
    if axis == "y" and cal["y"]["scale"] == "log":
        t = LogLocator().tick_values(lo, hi)
    else:
        t = MaxNLocator(g["xbins" if axis == "x" else "ybins"]).tick_values(lo, hi)
    return [v for v in t if lo - 1e-9 * abs(hi) <= v <= hi + 1e-9 * abs(hi)]


def rapid():
    from rapidocr_onnxruntime import RapidOCR

    eng = RapidOCR()

    def run(img):
        res, _ = eng(img)
        out = []
        for box, text, score in res or []:
            b = np.array(box)
            out.append((b[:, 0].mean(), b[:, 1].mean(), text, float(score)))
        return out

    return run


def tess(psm):
    import pytesseract

    def run(img):
        d = pytesseract.image_to_data(
            img, config=f"--psm {psm}", output_type=pytesseract.Output.DICT
        )
        out = []
        for i, t in enumerate(d["text"]):
            if t.strip():
                out.append(
                    (
                        d["left"][i] + d["width"][i] / 2,
                        d["top"][i] + d["height"][i] / 2,
                        t.strip(),
                        float(d["conf"][i]) / 100,
                    )
                )
        return out

    return run


def measure(name, run, seeds):
    n_true = n_ok = n_wrong = 0
    times = []
    for s in seeds:
        smp = generate_sample(9000, s, style="chart")
        m = smp.meta
        cal = Calibration.from_dict(m["calibration"])
        img = smp.image
        x0, _y0, _x1, y1 = m["calibration"]["plot_area"]
        H, _W = img.shape[:2]
        t = time.perf_counter()
        xs = run(np.ascontiguousarray(img[min(H - 1, y1 + 2) :, :]))
        ys = run(np.ascontiguousarray(img[:, : max(1, x0 - 1)]))
        times.append(time.perf_counter() - t)
        for axis, dets, off in (("x", xs, (0, y1 + 2)), ("y", ys, (0, 0))):
            truth = truth_ticks(m, axis)
            n_true += len(truth)
            span = abs(np.diff(cal.x.value if axis == "x" else cal.y.value)[0])
            for cx, cy, text, _sc in dets:
                t2 = text.replace(" ", "")
                if not NUM.match(t2):
                    continue
                v = float(t2.replace(",", "."))
                pos = cx + off[0] if axis == "x" else cy + off[1]
                ax = cal.x if axis == "x" else cal.y
                tv = float(ax.to_data(pos))
                near = min(truth, key=lambda q: abs(q - tv)) if truth else None
                if (
                    near is not None
                    and abs(v - near) <= 1e-6 * max(1, abs(near))
                    and abs(near - tv) < 0.05 * span
                ):
                    n_ok += 1
                else:
                    n_wrong += 1
    print(
        f"{name}: truth ticks {n_true}, read right {n_ok} ({n_ok / n_true:.1%}), "
        f"numbers wrong {n_wrong} ({n_wrong / max(1, n_ok + n_wrong):.1%} of numbers read), "
        f"time/chart {np.mean(times):.2f} s (median {np.median(times):.2f})",
        flush=True,
    )


seeds = range(int(sys.argv[2]) if len(sys.argv) > 2 else 30)
which = sys.argv[1]
run = {"rapid": rapid, "tess11": lambda: tess(11), "tess6": lambda: tess(6)}[which]()
measure(which, run, seeds)
