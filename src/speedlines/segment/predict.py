"""Predict speedline masks for files and folders, writing NAME.mask.png (255 = speedline),
optionally NAME.prob.png and NAME.overlay.png; a bad file is reported and skipped, and each
image's files appear together or not at all."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from speedlines.batch import Outcome, each_file, output_folder, run_one
from speedlines.errors import InputError
from speedlines.image_io import load_image
from speedlines.segment.segmentation import MaskSource

MASK_SUFFIX, PROB_SUFFIX, OVERLAY_SUFFIX = ".mask.png", ".prob.png", ".overlay.png"


def _make(source: MaskSource, threshold: float | None, prob: bool, overlay: bool):
    from speedlines.atomic_io import encode_png
    from speedlines.preview import overlay as draw_overlay

    def make(path: Path) -> tuple[dict[str, bytes], float]:
        image = load_image(path)
        seg = source.segment(image, threshold)
        stem = path.stem
        files = {f"{stem}{MASK_SUFFIX}": encode_png(np.where(seg.mask, 255, 0).astype(np.uint8))}
        if prob:
            levels = np.clip(np.rint(seg.probability * 255), 0, 255).astype(np.uint8)
            files[f"{stem}{PROB_SUFFIX}"] = encode_png(levels)
        if overlay:
            files[f"{stem}{OVERLAY_SUFFIX}"] = encode_png(draw_overlay(image, seg.mask))
        return files, float(seg.mask.mean())

    return make


def predict_file(
    source: MaskSource,
    path: Path,
    out: Path,
    threshold: float | None = None,
    prob: bool = False,
    overlay: bool = False,
) -> Outcome:
    """Predict one image; errors come back in the outcome and nothing of it is written. The
    outcome's result is the share of speedline pixels."""
    make = _make(source, threshold, prob, overlay)
    return run_one(path, output_folder(out), make, {path.resolve()})


def predict_files(
    source: MaskSource,
    files: list[Path],
    out: str | os.PathLike,
    threshold: float | None = None,
    prob: bool = False,
    overlay: bool = False,
    on_file: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Predict every file into ``out``; an input's files appear together or not at all, and
    no output may replace an input or another input's outputs."""
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise InputError(f"threshold must lie in (0, 1), not {threshold}")
    return each_file(files, out, _make(source, threshold, prob, overlay), on_file)
