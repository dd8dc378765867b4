"""Write a generated data set: image/N.png, label/N.png (0 = speedline), meta/N.json, manifest."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from speedlines import __version__, formats
from speedlines.atomic_io import write_json, write_png
from speedlines.batch import check_parallel
from speedlines.errors import InputError
from speedlines.synth.sample import CASES, generate_sample, style_names

MANIFEST = "manifest.json"
# The manifest holds one entry per image in memory: 100,000 images is days of generating and
# ~100 MB; 100,000,000 took 3 GB before writing anything.
MAX_COUNT = 100_000
SUBDIRS = ("image", "label", "meta")


def _write_one(job: tuple[str, int, int, str, str]) -> dict:
    out, seed, index, style, case = job
    sample = generate_sample(seed, index, style, case)
    root = Path(out)
    write_png(root / "image" / f"{index}.png", sample.image)
    write_png(root / "label" / f"{index}.png", np.where(sample.label, 0, 255).astype(np.uint8))
    write_json(root / "meta" / f"{index}.json", sample.meta)
    m = sample.meta
    return {
        "id": index,
        "style": m["style"],
        "case": m["case"],
        "width": m["width"],
        "height": m["height"],
        "lines": len(m["speedlines"]),
        "label_fraction": round(m["label_fraction"], 5),
    }


def prepare_output(out: Path, force: bool) -> None:
    """Create OUT, refusing to mix with an existing data set unless ``force``."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise InputError(f"{out} is not empty; pass --force to replace the data set in it")
        (out / MANIFEST).unlink(missing_ok=True)
        for sub in SUBDIRS:
            shutil.rmtree(out / sub, ignore_errors=True)
    try:
        for sub in SUBDIRS:
            (out / sub).mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"cannot write to {out}: {exc.strerror or exc}") from None


def iter_generate(
    out: Path, count: int, seed: int, style: str, case: str, workers: int
) -> Iterator[dict]:
    """Generate samples into ``out`` in parallel, yielding each item's manifest entry in order."""
    jobs = [(str(out), seed, i, style, case) for i in range(count)]
    if workers <= 1:
        yield from map(_write_one, jobs)
        return
    # fork keeps start-up cheap; each job seeds its own stream, so order and workers don't matter.
    ctx = mp.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(workers) as pool:
        yield from pool.imap(_write_one, jobs, chunksize=1)


def generate_dataset(
    out: str | os.PathLike,
    count: int,
    seed: int = 0,
    style: str = "mixed",
    case: str = "mixed",
    workers: int = 1,
    force: bool = False,
    on_item: Callable[[dict], None] | None = None,
) -> dict:
    """Generate a whole data set and return its manifest (written last, so its presence marks a
    complete set)."""
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"--count must be between 1 and {MAX_COUNT:,}, got {count}")
    if seed < 0:
        raise InputError(f"--seed must be 0 or more, got {seed}")
    try:
        style_names(style)  # refuses an unknown style before any work
    except InputError as exc:
        raise InputError(f"--style: {exc}") from None
    if case not in (*CASES, "mixed"):
        raise InputError(f"--case must be simple, combined or mixed, got {case!r}")
    check_parallel("--workers", workers)
    out = Path(out)
    prepare_output(out, force)
    items = []
    for item in iter_generate(out, count, seed, style, case, workers):
        items.append(item)
        if on_item:
            on_item(item)
    manifest = {
        "format": formats.DATASET,
        "generator": f"speedlines {__version__}",
        "seed": seed,
        "count": count,
        "style": style,
        "case": case,
        "label_convention": "label/N.png: 0 = speedline, 255 = background",
        "items": items,
    }
    write_json(out / MANIFEST, manifest)
    return manifest
