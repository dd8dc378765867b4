"""Digitize image files into NAME.csv, NAME.json, NAME.overlay.png and NAME.map.

All of an image's outputs are computed before the first is written, and they appear together
or not at all (``speedlines.batch.write_set``), so a failure leaves no partial set behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speedlines.atomic_io import encode_png
from speedlines.batch import Outcome, each_file, output_folder, run_one
from speedlines.digitize.axes import Recognizer, read_axes
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.pipeline import Digitization, digitize_image, draw_overlay
from speedlines.digitize.tables import DEFAULT_BETAS, to_csv, to_gasturb_map, to_json
from speedlines.errors import InputError
from speedlines.formats import read_json
from speedlines.image_io import load_image
from speedlines.segment.segmentation import MaskSource

__all__ = [
    "MAX_BETAS",
    "MAX_POINTS",
    "CalibrationSource",
    "DigitizeOptions",
    "digitize_file",
    "digitize_files",
]

# Upper bounds of the points per line and beta values (CLI and web): beyond these the tables
# only cost memory (10,000,000 points took over 6 GB).
MAX_POINTS, MAX_BETAS = 2000, 200
# A mask covering more than this share of the plotting area is not line art (a threshold near
# 0, a dark or noisy image); tracing it would only exhaust memory.
MAX_MASK_SHARE = 0.5


class CalibrationSource:
    """One calibration for every image, or a folder with NAME.json per image.

    A per-image file may hold the calibration itself or an object with a ``calibration`` key
    (as the generator's ``meta/N.json`` does).
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        fixed: Calibration | None = None,
        recognize: Recognizer | None = None,
        units: dict[str, str] | None = None,
    ):
        """``recognize`` (an OCR recogniser) instead of a path: each image's axes are read from
        its tick labels and their units from the axis titles (``axes.read_axes``); ``units``
        given (not empty) replace those read."""
        self.recognize = recognize
        self.units = {k: v for k, v in (units or {}).items() if v}
        self.source = "auto" if recognize is not None else None
        if recognize is not None:
            self.folder, self.fixed = None, None
            return
        self.folder = Path(path) if path is not None and Path(path).is_dir() else None
        if fixed is None and path is not None and self.folder is None:
            fixed = Calibration.load(path)
        if fixed is None and self.folder is None:
            raise InputError("a calibration is needed: --calibration CAL.json or --x-axis/--y-axis")
        self.fixed = fixed

    def for_image(self, source: Path, image: np.ndarray | None = None) -> Calibration:
        if self.recognize is not None:
            try:
                image = load_image(source) if image is None else image
                calibration = read_axes(image, self.recognize).calibration
            except InputError as exc:
                raise InputError(f"{source}: axes not read: {exc}") from None
            units = calibration.units | self.units
            return dataclasses.replace(calibration, units=units)
        if self.fixed is not None:
            return self.fixed
        # NAME.calibration.json is what `speedlines calibrate` writes; NAME.json the older form
        paths = [self.folder / f"{source.stem}{end}" for end in (".calibration.json", ".json")]
        path = next((p for p in paths if p.is_file()), None)
        if path is None:
            raise InputError(f"{source}: no calibration {paths[0]} or {paths[1].name}")
        d = read_json(path, "calibration file")
        try:
            return Calibration.from_dict(d.get("calibration", d) if isinstance(d, dict) else d)
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None


@dataclass
class DigitizeOptions:
    speeds: list[float] | None = None
    threshold: float | None = None
    points: int = 50
    betas: int = DEFAULT_BETAS
    decimal: str = "."
    mask: bool = False  # also write NAME.mask.png
    # Without speeds: read them from the labels printed next to the lines (PP-OCR)
    speed_labels: bool = False

    def __post_init__(self):
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise InputError(f"threshold must lie in (0, 1), not {self.threshold}")
        for name, value, most in (
            ("points", self.points, MAX_POINTS),
            ("betas", self.betas, MAX_BETAS),
        ):
            if not 2 <= value <= most:
                raise InputError(f"--{name} must be between 2 and {most}, got {value}")
        if self.decimal not in (".", ","):
            raise InputError(f"decimal separator must be '.' or ',', got {self.decimal!r}")


def outputs_for(result: Digitization, image: np.ndarray, mask: np.ndarray, opts) -> dict:
    """File suffix -> bytes of everything written for one image."""
    files = {
        ".csv": to_csv(result, opts.decimal).encode(),
        ".json": (json.dumps(to_json(result, opts.betas), indent=1) + "\n").encode(),
        ".overlay.png": encode_png(draw_overlay(image, result)),
    }
    if result.speeds_known:
        files[".map"] = to_gasturb_map(result, opts.betas).encode()
    if opts.mask:
        files[".mask.png"] = encode_png(np.where(mask, 255, 0).astype(np.uint8))
    return files


class _Bounded:
    """A mask source whose mask may not cover most of the plotting area."""

    def __init__(self, source: MaskSource):
        self.source = source

    def segment(self, image, threshold=None, plot_area=None):
        seg = self.source.segment(image, threshold, plot_area)
        region = seg.mask
        if plot_area is not None:
            x0, y0, x1, y1 = (max(0, int(np.rint(v))) for v in plot_area)
            region = region[y0 : y1 + 1, x0 : x1 + 1]
        share = float(region.mean()) if region.size else 0.0
        if share > MAX_MASK_SHARE:
            raise InputError(
                f"the mask covers {share:.0%} of the plotting area: no speedlines to trace "
                "(threshold too low, or not a line drawing?)"
            )
        return seg


def _make(calibrations: CalibrationSource, mask_source: MaskSource, opts: DigitizeOptions):
    def make(source: Path) -> tuple[dict[str, bytes], Digitization]:
        image = load_image(source)
        calibration = calibrations.for_image(source, image)
        data = source.read_bytes()
        result, mask = digitize_image(
            image, calibration, _Bounded(mask_source), opts.speeds, opts.threshold, opts.points,
            source.name, data,
        )  # fmt: skip
        result.calibration_source = calibrations.source
        if opts.speeds is None and opts.speed_labels:
            from speedlines.digitize.speed_labels import read_texts, speeds_from_labels

            texts = read_texts(image, within=result.calibration.plot_area)
            result = speeds_from_labels(result, texts)
        files = outputs_for(result, image, mask, opts)
        return {f"{source.stem}{suffix}": b for suffix, b in files.items()}, result

    return make


def digitize_file(
    source: Path,
    out: Path,
    calibrations: CalibrationSource,
    mask_source: MaskSource,
    opts: DigitizeOptions,
) -> Outcome:
    """Digitize one file; input errors come back in the outcome and nothing is written. The
    outcome's result is the ``Digitization``."""
    return run_one(
        source, output_folder(out), _make(calibrations, mask_source, opts), {source.resolve()}
    )


def digitize_files(
    files: list[Path],
    out: str | os.PathLike,
    calibrations: CalibrationSource,
    mask_source: MaskSource,
    opts: DigitizeOptions,
    on_file: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Digitize every file into ``out`` with ``mask_source`` (a ``Segmenter``, an ``InkMask``);
    a second input with an already used name is refused."""
    return each_file(files, out, _make(calibrations, mask_source, opts), on_file)
