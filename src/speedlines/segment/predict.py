"""Predict speedline masks for files and folders, writing NAME.mask.png (255 = speedline),
optionally NAME.prob.png and NAME.overlay.png; a bad file is reported and skipped."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speedlines.batch import each_file
from speedlines.errors import InputError
from speedlines.image_io import load_image
from speedlines.segment.segmenter import Segmenter

MASK_SUFFIX, PROB_SUFFIX, OVERLAY_SUFFIX = ".mask.png", ".prob.png", ".overlay.png"


@dataclass
class Outcome:
    source: Path
    outputs: list[Path]
    error: str | None = None
    speedline_fraction: float = 0.0


def predict_file(
    segmenter: Segmenter,
    source: Path,
    out: Path,
    threshold: float | None = None,
    prob: bool = False,
    overlay: bool = False,
) -> Outcome:
    """Predict one image; errors in the input come back in the outcome, nothing is written."""
    from speedlines.atomic_io import write_png
    from speedlines.preview import overlay as draw_overlay

    try:
        image = load_image(source)
    except InputError as exc:
        return Outcome(source, [], str(exc))
    t = segmenter.config.threshold if threshold is None else threshold
    p = segmenter.probability(image)
    mask = p > t
    stem = source.stem
    written = [write_png(out / f"{stem}{MASK_SUFFIX}", np.where(mask, 255, 0).astype(np.uint8))]
    if prob:
        levels = np.clip(np.rint(p * 255), 0, 255).astype(np.uint8)
        written.append(write_png(out / f"{stem}{PROB_SUFFIX}", levels))
    if overlay:
        written.append(write_png(out / f"{stem}{OVERLAY_SUFFIX}", draw_overlay(image, mask)))
    return Outcome(source, written, None, float(mask.mean()))


def predict_files(
    segmenter: Segmenter,
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
        lambda source, folder: predict_file(segmenter, source, folder, threshold, prob, overlay),
        lambda source, msg: Outcome(source, [], msg),
        on_file,
    )
