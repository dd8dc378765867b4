"""Files -> ``NAME.calibration.json`` and ``NAME.calibration.png``: the axes read from each image.

The JSON is the calibration interface (``Calibration.from_dict`` reads it back) plus
``"source": "auto"``, the tick labels read (pixel, text, value, confidence, used by the fit),
the fit residual in px, a confidence, and the axis titles read (``titles``), from which the
units come.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from speedlines.atomic_io import encode_png
from speedlines.batch import Outcome, each_file, output_folder, run_one
from speedlines.digitize.axes import AxisReading, Recognizer, ocr_recognizer, read_axes
from speedlines.digitize.skew import warp
from speedlines.errors import InputError
from speedlines.image_io import load_image

__all__ = ["JSON_SUFFIX", "PNG_SUFFIX", "calibrate_file", "calibrate_files", "draw_reading"]

JSON_SUFFIX = ".calibration.json"
PNG_SUFFIX = ".calibration.png"


def draw_reading(image: np.ndarray, reading: AxisReading) -> np.ndarray:
    """The image with the frame (blue), the ticks used (green) or not (red), their values and
    the units read from the titles."""
    straighten = reading.calibration.straighten
    # The ticks and frame of a turned scan were read straightened: shown on it straightened.
    out = image.copy() if straighten is None else warp(image, np.array(straighten))
    x0, y0, x1, y1 = reading.frame
    cv2.rectangle(out, (int(x0), int(y0)), (int(x1), int(y1)), (0, 90, 255), 1)
    scale = max(0.35, min(out.shape[:2]) / 1500)
    for name, fit in (("x", reading.x), ("y", reading.y)):
        for t in fit.ticks:
            color = (0, 170, 0) if t.used else (220, 0, 0)
            bx0, by0, bx1, by1 = (int(v) for v in t.box)
            cv2.rectangle(out, (bx0, by0), (bx1, by1), color, 1)
            p = round(t.pixel)
            if name == "x":
                cv2.line(out, (p, int(y1)), (p, by0), color, 1)
                org = (bx0, by1 + int(14 * scale / 0.35))
            else:
                cv2.line(out, (bx1, p), (int(x0), p), color, 1)
                org = (bx1 + 3, p - 3)
            text = "?" if t.value is None else f"{t.value:g}"
            cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, 1, cv2.LINE_AA)
    units = reading.calibration.units  # from the axis titles: shown to be checked too
    text = f"x [{units.get('x') or '?'}]  y [{units.get('y') or '?'}]"
    text += "  (straightened)" if straighten is not None else ""
    org = (int(x0) + 4, int(y0) + int(16 * scale / 0.35))
    cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 90, 255), 1, cv2.LINE_AA)
    return out


def _make(recognize: Recognizer):
    def make(source: Path) -> tuple[dict[str, bytes], AxisReading]:
        image = load_image(source)
        try:
            reading = read_axes(image, recognize)
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None
        text = json.dumps(reading.to_dict(), indent=1, sort_keys=True) + "\n"
        files = {
            f"{source.stem}{JSON_SUFFIX}": text.encode(),
            f"{source.stem}{PNG_SUFFIX}": encode_png(draw_reading(image, reading)),
        }
        return files, reading

    return make


def calibrate_file(source: Path, out: Path, recognize: Recognizer) -> Outcome:
    """Read the axes of one image into ``out``; a refusal is the outcome's error, no files."""
    return run_one(source, output_folder(out), _make(recognize), {source.resolve()})


def calibrate_files(
    files: list[Path],
    out: str | os.PathLike,
    on_file: Callable[[Outcome], None] | None = None,
    recognize: Recognizer | None = None,
) -> list[Outcome]:
    """Read the axes of every file into ``out``; one image's refusal does not stop the rest."""
    recognize = recognize or ocr_recognizer()  # fails once, up front, without the OCR package
    return each_file(files, out, _make(recognize), on_file)
