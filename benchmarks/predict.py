"""Prediction speed: PyTorch fp32 and bf16 vs ONNX Runtime on one model, against the compute limit.

    .venv/bin/python benchmarks/predict.py [--model DIR] [--threads 2] [--repeat 5]

Without --model it measures the shipped model (or an untrained EfficientNet-B0 UNet when none
is shipped). Prints ms per 256 x 256 tile and per megapixel for a 256 x 256 crop, a 1 MP and a
2000 x 1500 chart (with the model's tile plan and, as the baseline, square tiles of the
model's tile size only) for PyTorch fp32 (the baseline), PyTorch bf16 (only on CPUs with
native bf16) and ONNX Runtime fp32, each engine's ratio to the baseline, the model's FLOPs, the
machine's fp32 and bf16 GEMM rates, the distance to the compute limit (time / (FLOPs / GEMM
rate of the engine's precision)), which engine ``auto`` picks, and each engine's peak memory.
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


def gemm_gflops(threads: int, dtype: str = "float32", n: int = 2048, repeat: int = 5) -> float:
    import torch

    torch.set_num_threads(threads)
    a, b = (torch.rand(n, n).to(getattr(torch, dtype)) for _ in range(2))
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
        from speedlines.segment.engine import auto_engine, bf16_native

        gemm = {"fp32": gemm_gflops(args.threads)}
        engines = ["torch", "onnx"]
        if bf16_native():
            gemm["bf16"] = gemm_gflops(args.threads, "bfloat16")
            engines.insert(1, "torch-bf16")
        res = {}
        for engine in engines:
            cmd = [sys.executable, __file__, "--child", str(work), engine,
                   "--threads", str(args.threads), "--repeat", str(args.repeat)]  # fmt: skip
            child = subprocess.run(cmd, check=True, capture_output=True, text=True)
            res[engine] = json.loads(child.stdout.strip().splitlines()[-1])
    precision = {e: "bf16" if e == "torch-bf16" else "fp32" for e in engines}
    limit_ms = {e: gflop / gemm[precision[e]] * 1000 for e in engines}
    plan = f"up to {cfg.tile_max} px" if cfg.tile_max > tile else "square"
    print(f"model: {what} ({cfg.encoder}, {cfg.view} view, {tile} px tiles, {plan})")
    print(f"FLOPs per {tile} px tile: {gflop:.2f} GFLOP")
    for p, rate in gemm.items():
        print(f"{p} GEMM rate ({args.threads} threads): {rate:.0f} GFLOP/s, "
              f"compute limit {gflop / rate * 1000:.1f} ms per tile")  # fmt: skip
    if "torch-bf16" not in engines:
        print("no native bf16 on this CPU: torch-bf16 not measured")
    base = res["torch"]
    head = "".join(f"{e:>12}" for e in engines)
    ratios = "".join(f"{e + '/torch':>18}" for e in engines[1:])
    print(f"{'measure':<36}{head}{ratios}")
    rows = [("ms per tile", "ms_per_tile")]
    for name in [k for k in base if k.startswith(tuple(CASES))]:
        rows += [(f"{name} ms", (name, "ms")), (f"{name} ms/Mpx", (name, "ms_per_mpx"))]
    rows.append(("peak memory MB", "peak_mb"))

    def value(engine: str, key) -> float:
        return res[engine][key[0]][key[1]] if isinstance(key, tuple) else res[engine][key]

    for label, key in rows:
        vals = [value(e, key) for e in engines]
        cells = "".join(f"{v:>12.1f}" for v in vals)
        print(f"{label:<36}{cells}" + "".join(f"{v / vals[0]:>18.2f}" for v in vals[1:]))
    for e in engines:
        print(f"{e}: {res[e]['ms_per_tile'] / limit_ms[e]:.2f}x its compute limit per tile")
    best = min(engines, key=lambda e: res[e]["ms_per_tile"])
    print(f"fastest engine: {best}; auto picks: {auto_engine(cfg.engine)}")
    mpx_limit = limit_ms[best] * 1e6 / tile**2  # every pixel through the network exactly once
    fast = res[best]
    for name in [k for k in fast if k.startswith("chart")]:
        ms = fast[name]["ms_per_mpx"]
        print(f"{name}: {ms / 1000:.2f} s/Mpx with {best}, "
              f"{ms / mpx_limit:.2f}x the compute limit per Mpx")  # fmt: skip
    for name in CASES:
        base = f"{name} {tile} px tiles"
        if base in fast:
            ratio = fast[name]["ms"] / fast[base]["ms"]
            print(f"{name}: tile plan / square {tile} px tiles = {ratio:.2f}")


if __name__ == "__main__":
    main()
