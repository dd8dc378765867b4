"""Generator throughput: images per second per style, 1 worker (baseline) vs N workers.

    .venv/bin/python benchmarks/generate.py [--crops 40] [--charts 12] [--workers 2]

Prints one table; the ratio column is the speed-up over the 1-worker run of the same style.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from speedlines.synth.writer import generate_dataset


def _rate(style: str, count: int, workers: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        manifest = generate_dataset(Path(tmp) / "d", count, 123, style, "mixed", workers)
        dt = time.perf_counter() - t0
    mpix = sum(i["width"] * i["height"] for i in manifest["items"]) / 1e6
    return count / dt, mpix / dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crops", type=int, default=40)
    ap.add_argument("--charts", type=int, default=12)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; seed 123; case mixed")
    print(f"{'style':<6} {'workers':>7} {'images/s':>9} {'Mpx/s':>7} {'ratio':>6}")
    for style, count in (("crop", args.crops), ("chart", args.charts)):
        base, _ = None, None
        for w in (1, args.workers):
            ips, mps = _rate(style, count, w)
            base = base or ips
            print(f"{style:<6} {w:>7} {ips:>9.2f} {mps:>7.2f} {ips / base:>6.2f}")


if __name__ == "__main__":
    main()
