"""Digitize speed after the model: tracing and fitting, this tree against a baseline revision.

    .venv/bin/python benchmarks/digitize.py [--baseline REV] [--repeat 3] [--threads 2]

The masks of the example charts (and of chart-combined shrunk to 1 MP) come from the shipped
model once; then each source tree, this one and ``--baseline`` (a git revision, exported with
``git archive``), times ``trace_lines`` and the curve fits on the same masks in its own
process, alternately, so load from other processes hits both alike. Prints ms and ms per
megapixel for each, the ratio, and the end-to-end time (predict + digitize) of the 1 MP and
4 MP charts with the fp32 engine (ONNX Runtime) and the engine ``auto`` picks. A tree that
follows lines in the image's ink (``digitize.ink_trail``) traces with it, as ``digitize_image``
does, and the time to measure the ink counts as tracing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def scaled_calibration(d: dict, k: float) -> dict:
    """A calibration dict for the image scaled by ``k``."""
    d = json.loads(json.dumps(d))
    d["plot_area"] = [v * k for v in d["plot_area"]]
    for axis in ("x", "y"):
        d[axis]["pixel"] = [v * k for v in d[axis]["pixel"]]
    return d


def cases() -> list[tuple[str, np.ndarray, dict]]:
    """(name, RGB image, calibration dict) of the examples and a 1 MP chart."""
    import cv2

    from speedlines.image_io import load_image

    out = []
    for png in sorted(EXAMPLES.glob("*.png")):
        cal = json.loads(png.with_suffix(".json").read_text())
        out.append((png.stem, load_image(png), cal))
    name, image, cal = next(c for c in out if c[0] == "chart-combined")
    k = (1e6 / (image.shape[0] * image.shape[1])) ** 0.5
    size = (round(image.shape[1] * k), round(image.shape[0] * k))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    out.append((f"{name} 1 MP", small, scaled_calibration(cal, k)))
    return out


def child(masks: str, repeat: int) -> dict:
    """In a source tree's process: ms of tracing and of fitting per mask (best of repeat)."""
    from speedlines.digitize.calibration import Calibration
    from speedlines.digitize.curves import fit_speedline
    from speedlines.digitize.trace import trace_lines

    try:
        from speedlines.digitize.ink_trail import ink_darkness
    except ImportError:  # a tree from before ink following
        ink_darkness = None
    data = np.load(masks, allow_pickle=True)
    out = {}
    for name, cal in json.loads(str(data["calibrations"])).items():
        mask, prob = data[f"{name}/mask"], data[f"{name}/prob"]
        cal = Calibration.from_dict(cal)
        trace, fit = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            if ink_darkness is None:
                lines = trace_lines(mask, cal.plot_area, prob)
            else:
                ink = ink_darkness(data[f"{name}/image"])
                lines = trace_lines(mask, cal.plot_area, prob, None, ink)
            t1 = time.perf_counter()
            for k, inst in enumerate(lines):
                fit_speedline(inst, cal, k + 1, 50)
            fit.append(time.perf_counter() - t1)
            trace.append(t1 - t)
        out[name] = {"trace": min(trace) * 1000, "fit": min(fit) * 1000, "lines": len(lines)}
    return out


def run_tree(src: Path, masks: Path, repeat: int, threads: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), OMP_NUM_THREADS=str(threads))
    cmd = [sys.executable, __file__, "--child", str(masks), "--repeat", str(repeat)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(res.stdout.strip().splitlines()[-1])


def end_to_end(examples, threads: int, repeat: int) -> dict:
    """Seconds of predict + digitize per chart, for the fp32 engine and auto's choice."""
    from speedlines.digitize.calibration import Calibration
    from speedlines.digitize.pipeline import digitize_image
    from speedlines.segment.engine import OnnxEngine, cached_onnx
    from speedlines.segment.model import default_model, load_config
    from speedlines.segment.segmenter import Segmenter

    path = default_model()
    engines = {
        "fp32 (onnx)": Segmenter(OnnxEngine(cached_onnx(path), threads), load_config(path)),
    }
    auto = Segmenter.from_path(path, threads=threads)
    engines[f"auto ({auto.engine_name})"] = auto
    out: dict = {}
    for name, image, cal in examples:
        if name not in ("chart-combined", "chart-combined 1 MP"):
            continue
        cal = Calibration.from_dict(cal)
        for label, seg in engines.items():
            digitize_image(image, cal, seg)
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                digitize_image(image, cal, seg)
                times.append(time.perf_counter() - t)
            out.setdefault(name, {})[label] = min(times)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="38df6aa", help="git revision to compare with")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return
    import torch

    from speedlines.segment.engine import OnnxEngine, cached_onnx
    from speedlines.segment.model import default_model, load_config
    from speedlines.segment.segmenter import Segmenter

    torch.set_num_threads(args.threads)
    examples = cases()
    # Today's masks (the fp32 engine), so both trees digitize the same pixels.
    path = default_model()
    seg = Segmenter(OnnxEngine(cached_onnx(path), args.threads), load_config(path))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        arrays, cals = {}, {}
        for name, image, cal in examples:
            s = seg.segment(image)
            arrays[f"{name}/mask"], arrays[f"{name}/prob"] = s.mask, s.confidence
            arrays[f"{name}/image"] = image
            cals[name] = cal
        masks = tmp / "masks.npz"
        np.savez(masks, calibrations=json.dumps(cals), **arrays)
        base = tmp / "base"
        base.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.baseline, "src"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        trees = {"baseline": base / "src", "this tree": ROOT / "src"}
        runs: dict = {k: [] for k in trees}
        for _ in range(2):  # alternate, so a burst of load hits both
            for key, src in trees.items():
                runs[key].append(run_tree(src, masks, args.repeat, args.threads))
    res = {
        k: {n: {m: min(r[n][m] for r in rs) for m in rs[0][n]} for n in rs[0]}
        for k, rs in runs.items()
    }
    sizes = {name: image.shape[0] * image.shape[1] / 1e6 for name, image, _ in examples}
    print(f"baseline: {args.baseline}; best of {2 * args.repeat} runs, {args.threads} threads")
    head = f"{'chart':<22} {'MP':>5} {'step':<6} {'base ms':>9} {'new ms':>9}"
    print(f"{head} {'base ms/MP':>11} {'new ms/MP':>10} {'new/base':>9}")
    for name, mp in sizes.items():
        b, n = res["baseline"][name], res["this tree"][name]
        if b["lines"] != n["lines"]:
            print(f"{name}: {b['lines']} lines before, {n['lines']} now")
        for step in ("trace", "fit"):
            bs, ns = b[step], n[step]
            print(f"{name:<22} {mp:>5.2f} {step:<6} {bs:>9.1f} {ns:>9.1f} "
                  f"{bs / mp:>11.1f} {ns / mp:>10.1f} {ns / bs:>9.2f}")  # fmt: skip
    print("end to end (predict + digitize, this tree), seconds:")
    for name, row in end_to_end(examples, args.threads, args.repeat).items():
        cells = ", ".join(f"{label} {t:.2f} s" for label, t in row.items())
        print(f"  {name} ({sizes[name]:.2f} MP): {cells}")


if __name__ == "__main__":
    main()
