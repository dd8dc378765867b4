"""int8 prediction: ONNX Runtime static quantization of the shipped model, measured (issue 20).

    .venv/bin/python experiments/int8_onnx.py [--calibration 24] [--check 4] [--out DIR]

The model's fp32 ONNX file is quantized (QDQ, int8 weights per channel) with activation
ranges calibrated on the tiles of generated charts (seeds 6200-6202, no test set). Each
variant is then timed per 256 px tile (batch 8, 2 threads) against ONNX fp32 in the same run,
and its masks compared with fp32 ones on ``--check`` images of each of the eight test sets:
pixel agreement, IoU with the fp32 mask and IoU with the truth.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from speedlines.release.test_sets import ensure_set
from speedlines.segment.engine import OnnxEngine, cached_onnx
from speedlines.segment.model import default_model
from speedlines.segment.segmenter import Segmenter
from speedlines.synth.sample import generate_sample

SETS = ["crop-simple", "crop-combined", "chart-simple", "chart-combined",
        "datasheet", "gif", "coloured", "scan"]  # fmt: skip


class Recorder:
    """An engine that keeps every batch it is given (the calibration tiles)."""

    name = "recorder"

    def __init__(self, inner):
        self.inner, self.batches = inner, []

    def __call__(self, batch):
        self.batches.append(batch.copy())
        return self.inner(batch)


def calibration_batches(fp32: Path, config, count: int) -> list[np.ndarray]:
    rec = Recorder(OnnxEngine(fp32, 2))
    seg = Segmenter(rec, config)
    styles = [("chart", "simple"), ("chart", "combined"), ("datasheet", "combined"),
              ("gif", "combined"), ("coloured", "combined"), ("scan", "combined")]  # fmt: skip
    for i in range(count):
        style, case = styles[i % len(styles)]
        seg.probability(generate_sample(6200 + i % 3, i, style, case).image)
    return rec.batches


def quantize(fp32: Path, out: Path, batches, **options) -> Path:
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(batches)

        def get_next(self):
            b = next(self.it, None)
            return None if b is None else {"image": b}

    if out.exists():  # made by an earlier run into the same --out
        return out
    pre = out.with_suffix(".pre.onnx")
    if not pre.exists():
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
    quantize_static(
        str(pre),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=options.pop("activation", QuantType.QUInt8),
        weight_type=QuantType.QInt8,
        **options,
    )
    return out


def ms_per_tile(engine, repeat: int = 5) -> float:
    x = np.random.default_rng(0).normal(size=(8, 3, 256, 256)).astype(np.float32)
    engine(x)
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        engine(x)
        best = min(best, (time.perf_counter() - t) / 8 * 1000)
    return best


def main() -> None:
    from onnxruntime.quantization import QuantType

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calibration", type=int, default=24, help="charts to calibrate on")
    ap.add_argument("--check", type=int, default=4, help="images per test set to compare")
    ap.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="int8-")))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    model = default_model()
    fp32 = cached_onnx(model)
    base = Segmenter(OnnxEngine(fp32, 2), Segmenter.from_path(model, engine="torch").config)
    batches = calibration_batches(fp32, base.config, args.calibration)
    print(f"calibration: {len(batches)} batches, {sum(len(b) for b in batches)} tiles")
    variants = {
        "int8 conv only, minmax": dict(op_types_to_quantize=["Conv"]),
        "int8 all, minmax": dict(),
        "int8 conv only, s8s8": dict(op_types_to_quantize=["Conv"], activation=QuantType.QInt8),
    }
    engines = {"onnx fp32": base.engine}
    for i, (name, opts) in enumerate(variants.items()):
        t = time.perf_counter()
        path = quantize(fp32, args.out / f"int8-{i}.onnx", batches, **opts)
        engines[name] = OnnxEngine(path, 2)
        size = path.stat().st_size / 1e6
        print(f"{name}: quantized in {time.perf_counter() - t:.0f} s, {size:.1f} MB")
    images = []
    for name in SETS:
        folder = ensure_set(name)
        pngs = sorted((folder / "image").glob("*.png"))[: args.check]
        images += [(name, p, folder / "label" / p.name) for p in pngs]
    import cv2

    print("| engine | ms per tile | vs fp32 | pixels agreeing | IoU with fp32 mask | "
          "IoU with truth | fp32 IoU with truth |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    fp32_ms = None
    fp32_masks = {}
    for name, engine in engines.items():
        ms = ms_per_tile(engine)
        fp32_ms = fp32_ms or ms
        seg = Segmenter(engine, base.config)
        agree, iou_fp32, iou_truth, iou_truth_fp32 = [], [], [], []
        for _, png, label in images:
            rgb = cv2.cvtColor(cv2.imread(str(png)), cv2.COLOR_BGR2RGB)
            truth = cv2.imread(str(label), cv2.IMREAD_GRAYSCALE) < 128
            mask = seg.predict(rgb)
            ref = fp32_masks.setdefault(str(png), mask)
            agree.append((mask == ref).mean())
            iou_fp32.append((mask & ref).sum() / max(1, (mask | ref).sum()))
            iou_truth.append((mask & truth).sum() / max(1, (mask | truth).sum()))
            iou_truth_fp32.append((ref & truth).sum() / max(1, (ref | truth).sum()))
        print(f"| {name} | {ms:.1f} | {ms / fp32_ms:.2f} | {np.min(agree):.4f} (min) | "
              f"{np.mean(iou_fp32):.4f} (min {np.min(iou_fp32):.4f}) | {np.mean(iou_truth):.4f} | "
              f"{np.mean(iou_truth_fp32):.4f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
