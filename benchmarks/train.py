"""Training speed: fp32 vs bf16 mixed precision per encoder, against the machine's GEMM rates.

    .venv/bin/python benchmarks/train.py [--encoders efficientnet-b0,resnet34,resnet18]
                                         [--size 256] [--batch 8] [--steps 6] [--threads 2]

One training step is what ``speedlines train`` runs: a UNet forward, the BCE + Jaccard loss,
backward and an Adam update, on random tiles. fp32 runs NCHW (today's layout before bf16);
bf16 runs under CPU autocast with channels_last, as ``speedlines train`` does with
``--precision auto`` on CPUs with native bf16 (Lightning's ``bf16-mixed``). Each
(encoder, precision) pair runs in its own process, so its peak memory is its own. Prints
seconds per step, images per second, the bf16/fp32 speed-up, the model's training FLOPs per
step (3x the forward pass) and the distance to the compute limit of each precision.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PRECISIONS = ("fp32", "bf16")


def measure(encoder: str, precision: str, size: int, batch: int, steps: int, threads: int):
    """Runs in a child process: seconds per training step and peak memory."""
    import torch

    from speedlines.segment.model import ModelConfig, build_model
    from speedlines.training.losses import build_loss

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    model = build_model(ModelConfig(encoder=encoder, input_size=size)).train()
    bf16 = precision == "bf16"
    fmt = torch.channels_last if bf16 else torch.contiguous_format
    model = model.to(memory_format=fmt)
    loss_fn = build_loss("bce_jaccard")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 3, size, size).to(memory_format=fmt)
    y = (torch.rand(batch, 1, size, size) > 0.9).float()

    def step() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()  # first step: allocations and kernel choice
    t = time.perf_counter()
    for _ in range(steps):
        step()
    s = (time.perf_counter() - t) / steps
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"s_per_step": s, "images_per_s": batch / s, "peak_mb": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoders", default="efficientnet-b0,resnet34,resnet18")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child", nargs=2, metavar=("ENCODER", "PRECISION"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        res = measure(*args.child, args.size, args.batch, args.steps, args.threads)
        print(json.dumps(res))
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from predict import gemm_gflops, model_gflops  # the same rates as the predict benchmark
    from speedlines.segment.engine import bf16_native
    from speedlines.segment.model import ModelConfig, build_model

    precisions = PRECISIONS if bf16_native() else ("fp32",)
    gemm = {"fp32": gemm_gflops(args.threads)}
    if "bf16" in precisions:
        gemm["bf16"] = gemm_gflops(args.threads, "bfloat16")
    for p, rate in gemm.items():
        print(f"{p} GEMM rate ({args.threads} threads): {rate:.0f} GFLOP/s")
    if "bf16" not in precisions:
        print("no native bf16 on this CPU: fp32 only")
    print(f"batch {args.batch} of {args.size} px, {args.steps} timed steps after one warm-up")
    head = f"{'encoder':<18}{'precision':>10}{'s/step':>9}{'img/s':>8}{'GFLOP/step':>12}"
    print(f"{head}{'x limit':>9}{'peak MB':>9}{'bf16 speed-up':>15}")
    for encoder in args.encoders.split(","):
        model = build_model(ModelConfig(encoder=encoder, input_size=args.size))
        # forward + backward ~ 3x the forward FLOPs
        gflop = 3 * model_gflops(model.eval(), args.size) * args.batch
        base = None
        for p in precisions:
            cmd = [sys.executable, __file__, "--child", encoder, p, "--size", str(args.size),
                   "--batch", str(args.batch), "--steps", str(args.steps),
                   "--threads", str(args.threads)]  # fmt: skip
            child = subprocess.run(cmd, check=True, capture_output=True, text=True)
            r = json.loads(child.stdout.strip().splitlines()[-1])
            limit = gflop / gemm[p]
            base = base or r["s_per_step"]
            gain = f"{base / r['s_per_step']:.2f}x" if p == "bf16" else ""
            print(f"{encoder:<18}{p:>10}{r['s_per_step']:>9.2f}{r['images_per_s']:>8.1f}"
                  f"{gflop:>12.1f}{r['s_per_step'] / limit:>9.1f}{r['peak_mb']:>9.0f}"
                  f"{gain:>15}")  # fmt: skip


if __name__ == "__main__":
    main()
