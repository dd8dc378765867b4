"""Prediction speed: PyTorch eager vs ONNX Runtime on the same model, against the compute limit.

    .venv/bin/python benchmarks/predict.py [--model DIR] [--threads 2] [--repeat 5]

Without --model it measures the shipped model (or an untrained EfficientNet-B0 UNet when none
is shipped). Prints ms per 256 x 256 tile and per megapixel for a 256 x 256 crop, a 1 MP and a
2000 x 1500 chart (with the model's tile plan and, as the baseline, square tiles of the
model's tile size only), the ONNX/eager ratio, the model's FLOPs, the machine's fp32 GEMM rate,
the distance to the compute limit (time / (FLOPs / GEMM rate)) and each engine's peak memory.
Each engine runs in its own process so peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

CASES = {"crop 256x256": (256, 256), "chart 1155x866": (866, 1155), "chart 2000x1500": (1500, 2000)}


def gemm_gflops(threads: int, n: int = 2048, repeat: int = 5) -> float:
    import torch

    torch.set_num_threads(threads)
    a, b = torch.rand(n, n), torch.rand(n, n)
    a @ b
    t = time.perf_counter()
    for _ in range(repeat):
        a @ b
    return 2 * n**3 * repeat / (time.perf_counter() - t) / 1e9


def model_gflops(model, size: int) -> float:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    return counter.get_total_flops() / 1e9


def chart_image(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    image = np.full((h, w, 3), 245, np.uint8)
    image[:: max(1, h // 12)] = image[:, :: max(1, w // 16)] = 200
    for _ in range(10):
        r = int(rng.integers(0, h))
        image[r : r + 2, w // 5 : w - w // 5] = 30
    return image


def measure(model_dir: str, engine: str, threads: int, repeat: int) -> dict:
    """Runs in a child process: timings and peak memory of one engine."""
    from speedlines.segment.segmenter import Segmenter

    seg = Segmenter.from_path(model_dir, engine=engine, threads=threads, batch_size=4)
    s = seg.config.tile_size or seg.config.input_size
    out: dict = {}
    tile = np.random.default_rng(0).standard_normal((1, 3, s, s)).astype(np.float32)
    seg._run(tile)
    t = time.perf_counter()
    for _ in range(repeat):
        seg._run(tile)
    out["ms_per_tile"] = (time.perf_counter() - t) / repeat * 1000
    plan = seg.config
    for name, (h, w) in CASES.items():
        image = chart_image(h, w)
        for key, cfg in ((name, plan), (f"{name} {s} px tiles", replace(plan, tile_max=0))):
            if key != name and (plan.tile_max <= s or h <= s):
                continue
            seg.config = cfg
            seg.probability(image)
            t = time.perf_counter()
            n = max(1, repeat // (2 if h > 1000 else 1))
            for _ in range(n):
                seg.probability(image)
            dt = (time.perf_counter() - t) / n
            out[key] = {"ms": dt * 1000, "ms_per_mpx": dt * 1000 / (h * w / 1e6)}
    seg.config = plan
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def default_model_dir(tmp: Path) -> tuple[str, str]:
    from speedlines.segment.model import DEFAULT_MODEL, ModelConfig, build_model, save_model

    if (DEFAULT_MODEL / "config.json").is_file():
        return str(DEFAULT_MODEL), "shipped model"
    cfg = ModelConfig(encoder="efficientnet-b0", input_size=256, view="tile")
    save_model(tmp / "b0", build_model(cfg).eval(), cfg)
    return str(tmp / "b0"), "untrained EfficientNet-B0 UNet"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", nargs=2, metavar=("MODEL", "ENGINE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args.threads, args.repeat)))
        return
    from speedlines.segment.engine import ONNX_FILE, export_onnx
    from speedlines.segment.model import load_model

    warnings.filterwarnings("ignore", "Constant folding")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model_dir, what = (args.model, args.model) if args.model else default_model_dir(tmp)
        # Export into a scratch copy so the benchmark never changes the model folder.
        work = tmp / "work"
        work.mkdir()
        for f in Path(model_dir).iterdir():
            if f.is_file():
                (work / f.name).write_bytes(f.read_bytes())
        model, cfg = load_model(work)
        export_onnx(model, work / ONNX_FILE)
        tile = cfg.tile_size or cfg.input_size
        gflop = model_gflops(model, tile)
        gemm = gemm_gflops(args.threads)
        res = {}
        for engine in ("torch", "onnx"):
            cmd = [sys.executable, __file__, "--child", str(work), engine,
                   "--threads", str(args.threads), "--repeat", str(args.repeat)]  # fmt: skip
            child = subprocess.run(cmd, check=True, capture_output=True, text=True)
            res[engine] = json.loads(child.stdout.strip().splitlines()[-1])
    limit_ms = gflop / gemm * 1000
    plan = f"up to {cfg.tile_max} px" if cfg.tile_max > tile else "square"
    print(f"model: {what} ({cfg.encoder}, {cfg.view} view, {tile} px tiles, {plan})")
    print(f"FLOPs per {tile} px tile: {gflop:.2f} GFLOP")
    print(f"fp32 GEMM rate ({args.threads} threads): {gemm:.0f} GFLOP/s")
    print(f"compute limit: {limit_ms:.1f} ms per tile")
    print(f"{'measure':<36} {'torch':>10} {'onnx':>10} {'onnx/torch':>11}")
    t, o = res["torch"], res["onnx"]
    rows = [("ms per tile", t["ms_per_tile"], o["ms_per_tile"])]
    for name in [k for k in t if k.startswith(tuple(CASES))]:
        rows.append((f"{name} ms", t[name]["ms"], o[name]["ms"]))
        rows.append((f"{name} ms/Mpx", t[name]["ms_per_mpx"], o[name]["ms_per_mpx"]))
    rows.append(("peak memory MB", t["peak_mb"], o["peak_mb"]))
    for name, a, b in rows:
        print(f"{name:<36} {a:>10.1f} {b:>10.1f} {b / a:>11.2f}")
    best = min(("torch", t["ms_per_tile"]), ("onnx", o["ms_per_tile"]), key=lambda e: e[1])
    print(f"faster engine: {best[0]}, {best[1] / limit_ms:.2f}x the compute limit per tile")
    fast = res[best[0]]
    mpx_limit = limit_ms * 1e6 / tile**2  # every pixel through the network exactly once
    for name in [k for k in fast if k.startswith("chart")]:
        ms = fast[name]["ms_per_mpx"]
        print(f"{name}: {ms / 1000:.2f} s/Mpx with {best[0]}, "
              f"{ms / mpx_limit:.2f}x the compute limit per Mpx")  # fmt: skip
    for name in CASES:
        base = f"{name} {tile} px tiles"
        if base in fast:
            ratio = fast[name]["ms"] / fast[base]["ms"]
            print(f"{name}: tile plan / square {tile} px tiles = {ratio:.2f}")


if __name__ == "__main__":
    main()
