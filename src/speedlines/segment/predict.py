"""Predict speedline masks for files and folders, writing NAME.mask.png (255 = speedline),
optionally NAME.prob.png and NAME.overlay.png; a bad file is reported and skipped."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from speedlines.batch import Outcome, each_file
from speedlines.errors import InputError
from speedlines.image_io import load_image
from speedlines.segment.segmentation import MaskSource

MASK_SUFFIX, PROB_SUFFIX, OVERLAY_SUFFIX = ".mask.png", ".prob.png", ".overlay.png"


def predict_file(
    source: MaskSource,
    path: Path,
    out: Path,
    threshold: float | None = None,
    prob: bool = False,
    overlay: bool = False,
) -> Outcome:
    """Predict one image; errors in the input come back in the outcome, nothing is written.
    The outcome's result is the share of speedline pixels."""
    from speedlines.atomic_io import write_png
    from speedlines.preview import overlay as draw_overlay

    try:
        image = load_image(path)
    except InputError as exc:
        return Outcome(path, [], str(exc))
    seg = source.segment(image, threshold)
    stem = path.stem
    mask_png = np.where(seg.mask, 255, 0).astype(np.uint8)
    written = [write_png(out / f"{stem}{MASK_SUFFIX}", mask_png)]
    if prob:
        levels = np.clip(np.rint(seg.probability * 255), 0, 255).astype(np.uint8)
        written.append(write_png(out / f"{stem}{PROB_SUFFIX}", levels))
    if overlay:
        written.append(write_png(out / f"{stem}{OVERLAY_SUFFIX}", draw_overlay(image, seg.mask)))
    return Outcome(path, written, None, float(seg.mask.mean()))


def predict_files(
    source: MaskSource,
    files: list[Path],
    out: str | os.PathLike,
    threshold: float | None = None,
    prob: bool = False,
    overlay: bool = False,
    on_file: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Predict every file into ``out``; two inputs with the same name would overwrite, so the
    second is refused."""
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise InputError(f"threshold must lie in (0, 1), not {threshold}")
    return each_file(
        files,
        out,
        lambda path, folder: predict_file(source, path, folder, threshold, prob, overlay),
        on_file,
    )
