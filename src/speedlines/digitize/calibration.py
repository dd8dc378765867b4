"""Pixel <-> data-unit calibration of compressor-map images.

Pixel coordinates are measured from the centre of the top-left pixel: x pixels are columns,
y pixels are rows (growing downwards). Each axis is fixed by two reference points and is
either linear or logarithmic (interpolated in log10 of the value).

JSON form (see :meth:`Calibration.to_dict`)::

    {"x": {"pixel": [112.0, 873.0], "value": [0.0, 0.5], "scale": "linear"},
     "y": {"pixel": [940.0, 75.0], "value": [1.0, 4.0], "scale": "linear"},
     "units": {"x": "kg/s", "y": "-"},
     "plot_area": [100, 60, 890, 950]}

A scan whose axes run turned or at a slant in the image adds ``"straighten": [[a, b, c], [d,
e, f], [g, h, 1]]``, the projective matrix that takes image pixels (col, row, 1) to the
straightened ones the axis pixels are measured in; files without it mean what they always
meant.

A ``"format": "speedlines-calibration/1"`` key is optional (the files written today have
none); when present it is checked, so that a later, changed version is refused, not misread.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import reprlib
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from speedlines.errors import InputError
from speedlines.formats import CALIBRATION, check_format, parse_json, read_text

__all__ = ["SCALES", "AxisCalibration", "Calibration", "parse_axis_option"]

SCALES = ("linear", "log")
MAX_UNIT_LENGTH = 100


_repr = reprlib.Repr()
_repr.maxstring = 40
_repr.maxother = 40


def _short(obj: Any) -> str:
    # Error messages must stay on one line, whatever the user passed in.
    return " ".join(_repr.repr(obj).split())


def _is_number(obj: Any) -> bool:
    # bool is an int subclass, but `true` in a JSON file is a mistake, not a coordinate.
    return isinstance(obj, numbers.Real) and not isinstance(obj, bool | np.bool_)


def _two_numbers(obj: Any, what: str) -> tuple[float, float]:
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    if not isinstance(obj, list | tuple) or len(obj) != 2 or not all(map(_is_number, obj)):
        raise InputError(f"calibration: {what} must be two numbers, got {_short(obj)}")
    try:
        pair = (float(obj[0]), float(obj[1]))
    except OverflowError:  # an int beyond the float range
        pair = (math.inf, math.inf)
    if not all(map(math.isfinite, pair)):
        raise InputError(f"calibration: {what} must be finite, got {_short(list(pair))}")
    return pair


def _as_float_array(obj: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(obj, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"calibration: {what} must be numbers, got {_short(obj)}") from None


def _same_shape(result: np.ndarray, like: np.ndarray) -> np.ndarray | np.float64:
    # Scalars in, scalars out: callers converting a single point should not get 0-d arrays.
    return result[()] if like.ndim == 0 else result


@dataclass(frozen=True)
class AxisCalibration:
    """Two reference points (pixel position, data value) defining one axis.

    ``name`` ("x" or "y") only labels error messages; it takes no part in comparisons.
    """

    pixel: tuple[float, float]
    value: tuple[float, float]
    scale: str = "linear"
    name: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        pixel = _two_numbers(self.pixel, self._field("pixel"))
        value = _two_numbers(self.value, self._field("value"))
        if not isinstance(self.scale, str) or self.scale not in SCALES:
            raise InputError(
                f"calibration: {self._field('scale')} must be 'linear' or 'log', "
                f"got {_short(self.scale)}"
            )
        if pixel[0] == pixel[1]:
            raise InputError(
                f"calibration: {self._field('pixel')} positions coincide ({pixel[0]:g}); "
                "the two reference points must be at different pixels"
            )
        if value[0] == value[1]:
            raise InputError(
                f"calibration: {self._field('value')} values coincide ({value[0]:g}); "
                "the two reference points must have different values"
            )
        if self.scale == "log" and min(value) <= 0:
            raise InputError(
                f"calibration: {self._field('value')} must be positive on a log axis, "
                f"got {_short(list(value))}"
            )
        object.__setattr__(self, "pixel", pixel)
        object.__setattr__(self, "value", value)
        (p0, p1), (v0, v1) = pixel, self._ends()
        # Both directions of the mapping must stay inside the float range, or results of
        # inf, -inf or a constant would be reported as data.
        scales = ((v1 - v0) / (p1 - p0), (p1 - p0) / (v1 - v0)) if math.isfinite(v1 - v0) else ()
        if not scales or not all(math.isfinite(k) and k != 0 for k in scales):
            raise InputError(
                f"calibration: {self._field('value')} {_short(list(value))} at pixels "
                f"{_short(list(pixel))} gives a scale beyond the floating-point range"
            )

    def _field(self, key: str) -> str:
        return f"{self.name}.{key}" if self.name else key

    def _ends(self) -> tuple[float, float]:
        # The quantity that varies linearly with pixel position.
        if self.scale == "log":
            return math.log10(self.value[0]), math.log10(self.value[1])
        return self.value

    def to_data(self, pixels: Any) -> np.ndarray | np.float64:
        """Data values at pixel positions (scalar or array; same shape, float64)."""
        p = _as_float_array(pixels, f"{self._field('pixel')} positions")
        (p0, p1), (v0, v1) = self.pixel, self._ends()
        t = v0 + (p - p0) * ((v1 - v0) / (p1 - p0))
        out = np.power(10.0, t) if self.scale == "log" else t
        return _same_shape(np.asarray(out, dtype=np.float64), p)

    def to_pixel(self, values: Any) -> np.ndarray | np.float64:
        """Pixel positions of data values (scalar or array; same shape, float64)."""
        v = _as_float_array(values, f"{self._field('value')} values")
        if self.scale == "log":
            if np.any(v <= 0):
                raise InputError(
                    f"calibration: {self.name or 'log'} axis is logarithmic; values must be "
                    f"positive, got minimum {float(np.nanmin(v)):g}"
                )
            v = np.log10(v)
        (p0, p1), (v0, v1) = self.pixel, self._ends()
        out = p0 + (v - v0) * ((p1 - p0) / (v1 - v0))
        return _same_shape(np.asarray(out, dtype=np.float64), v)

    def to_dict(self) -> dict[str, Any]:
        return {"pixel": list(self.pixel), "value": list(self.value), "scale": self.scale}


def _units(obj: Any) -> dict[str, str]:
    if obj is None:
        return {"x": "", "y": ""}
    if not isinstance(obj, Mapping):
        raise InputError(f"calibration: units must be an object with x and y, got {_short(obj)}")
    units = {k: obj.get(k, "") for k in ("x", "y")}
    for k, u in units.items():
        if not isinstance(u, str):
            raise InputError(f"calibration: units.{k} must be a string, got {_short(u)}")
        if len(u) > MAX_UNIT_LENGTH:
            raise InputError(f"calibration: units.{k} is longer than {MAX_UNIT_LENGTH} characters")
        # A line break would split the header of the .map (and a CSV or JSON reader's view).
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in u):
            raise InputError(
                f"calibration: units.{k} must not contain line breaks or control characters, "
                f"got {_short(u)}"
            )
    return units


def _plot_area(obj: Any) -> tuple[int | float, ...] | None:
    if obj is None:
        return None
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    if not isinstance(obj, list | tuple) or len(obj) != 4 or not all(map(_is_number, obj)):
        raise InputError(
            f"calibration: plot_area must be four numbers [x0, y0, x1, y1], got {_short(obj)}"
        )
    # Keep ints as ints so that a hand-written file survives a load/save unchanged.
    area = tuple(int(v) if isinstance(v, numbers.Integral) else float(v) for v in obj)
    if not all(abs(v) <= sys.float_info.max for v in area):  # inf, nan, huge ints
        raise InputError(f"calibration: plot_area must be finite, got {list(area)}")
    x0, y0, x1, y1 = area
    if x1 <= x0 or y1 <= y0:
        raise InputError(f"calibration: plot_area {list(area)} is empty; need x0 < x1 and y0 < y1")
    return area


def _image_size(width: Any, height: Any, least: int = 1) -> tuple[int, int]:
    for what, n in (("width", width), ("height", height)):
        if not isinstance(n, numbers.Integral) or isinstance(n, bool | np.bool_) or n < least:
            raise InputError(f"image {what} must be an integer >= {least}, got {_short(n)}")
    return int(width), int(height)


def _matrix(obj: Any) -> tuple[tuple[float, ...], ...] | None:
    """A 3x3 projective matrix that can be inverted, as nested tuples; InputError otherwise."""
    if obj is None:
        return None
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    usage = f"calibration: straighten must be a 3x3 matrix of numbers, got {_short(obj)}"
    if not isinstance(obj, list | tuple) or len(obj) != 3:
        raise InputError(usage)
    for row in obj:
        if not isinstance(row, list | tuple) or len(row) != 3 or not all(map(_is_number, row)):
            raise InputError(usage)
    m = np.array(obj, dtype=np.float64)
    if not np.isfinite(m).all() or abs(m[2, 2]) < 1e-12 or np.linalg.cond(m) > 1e12:
        raise InputError(
            f"calibration: straighten must be finite and invertible, got {_short(obj)}"
        )
    return tuple(tuple(float(v) for v in row) for row in m / m[2, 2])


def _project(m: np.ndarray, cols: Any, rows: Any) -> tuple[np.ndarray, np.ndarray]:
    c, r = np.asarray(cols, np.float64), np.asarray(rows, np.float64)
    w = m[2, 0] * c + m[2, 1] * r + m[2, 2]
    return (m[0, 0] * c + m[0, 1] * r + m[0, 2]) / w, (m[1, 0] * c + m[1, 1] * r + m[1, 2]) / w


def _points(pts: Any) -> np.ndarray:
    a = _as_float_array(pts, "points")
    if a.ndim < 1 or a.shape[-1] != 2:
        raise InputError(f"calibration: points must be an (N, 2) array, got shape {a.shape}")
    return a


@dataclass(frozen=True)
class Calibration:
    """Calibration of both image axes, with units and an optional plotting-area box."""

    x: AxisCalibration
    y: AxisCalibration
    units: dict[str, str] = field(default_factory=lambda: {"x": "", "y": ""}, hash=False)
    plot_area: tuple[int | float, ...] | None = None
    # A scan whose axes run turned or at a slant in the image: the 3x3 projective matrix that
    # takes image pixels to straightened ones, where the axes run along rows and columns and
    # the axis pixels are measured; plot_area stays the image box that holds the plot.
    straighten: tuple[tuple[float, ...], ...] | None = None

    def __post_init__(self) -> None:
        for key in ("x", "y"):
            axis = getattr(self, key)
            if not isinstance(axis, AxisCalibration):
                raise InputError(
                    f"calibration: {key} must be an AxisCalibration, got {type(axis).__name__}"
                )
            if axis.name != key:
                # Later errors (e.g. to_pixel on a log axis) should say which axis.
                object.__setattr__(self, key, dataclasses.replace(axis, name=key))
        # A private copy, so that mutating the caller's dict cannot alter a frozen object.
        object.__setattr__(self, "units", _units(self.units))
        object.__setattr__(self, "plot_area", _plot_area(self.plot_area))
        object.__setattr__(self, "straighten", _matrix(self.straighten))

    # -- conversions ---------------------------------------------------------------------

    def pixel_to_data(self, cols: Any, rows: Any) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) data values of pixel columns and rows."""
        cols, rows = self.straightened(cols, rows)
        return self.x.to_data(cols), self.y.to_data(rows)

    def data_to_pixel(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """(cols, rows) pixel positions of x and y data values."""
        return self.unstraightened(self.x.to_pixel(x), self.y.to_pixel(y))

    def points_to_data(self, pts: Any) -> np.ndarray:
        """(N, 2) array of (col, row) pixels -> (N, 2) array of (x, y) data values."""
        a = _points(pts)
        return np.stack(self.pixel_to_data(a[..., 0], a[..., 1]), axis=-1)

    def points_to_pixel(self, pts: Any) -> np.ndarray:
        """(N, 2) array of (x, y) data values -> (N, 2) array of (col, row) pixels."""
        a = _points(pts)
        return np.stack(self.data_to_pixel(a[..., 0], a[..., 1]), axis=-1)

    def straightened(self, cols: Any, rows: Any) -> tuple[Any, Any]:
        """Image pixels -> the pixels the axes are calibrated in (the same when straight)."""
        if self.straighten is None:
            return cols, rows
        return _project(np.array(self.straighten), cols, rows)

    def unstraightened(self, cols: Any, rows: Any) -> tuple[Any, Any]:
        """The inverse of ``straightened``."""
        if self.straighten is None:
            return cols, rows
        return _project(np.linalg.inv(np.array(self.straighten)), cols, rows)

    # -- checks --------------------------------------------------------------------------

    def check_image(self, width: int, height: int) -> None:
        """Raise InputError unless plot_area is a proper box inside a width x height image."""
        width, height = _image_size(width, height)
        for axis, size in ((self.x, width), (self.y, height)):
            with np.errstate(over="ignore"):  # the overflow is the error below
                ends = axis.to_data([-0.5, size - 0.5])
            if not np.isfinite(ends).all():
                raise InputError(
                    f"calibration: the {axis.name} axis maps the {width}x{height} image to "
                    f"values beyond the floating-point range ({_short(ends.tolist())})"
                )
        if self.plot_area is None:
            return
        x0, y0, x1, y1 = self.plot_area
        if x1 <= x0 or y1 <= y0:
            raise InputError(f"calibration: plot_area {list(self.plot_area)} is empty")
        if x0 < 0 or y0 < 0 or x1 > width - 1 or y1 > height - 1:
            raise InputError(
                f"calibration: plot_area {list(self.plot_area)} is not inside the "
                f"{width}x{height} image (x in [0, {width - 1}], y in [0, {height - 1}])"
            )

    # -- construction and (de)serialisation ----------------------------------------------

    @classmethod
    def from_axes_limits(
        cls,
        x_limits: tuple[float, float],
        y_limits: tuple[float, float],
        width: int,
        height: int,
        x_scale: str = "linear",
        y_scale: str = "linear",
        units: Mapping[str, str] | None = None,
    ) -> Calibration:
        """Calibration for an image whose plotting area fills it edge to edge.

        The outer pixel edges carry the limits: column -0.5 is x_limits[0], column width-0.5
        is x_limits[1], row height-0.5 is y_limits[0] and row -0.5 is y_limits[1].
        """
        width, height = _image_size(width, height, least=2)
        x = AxisCalibration((-0.5, width - 0.5), x_limits, x_scale, name="x")
        y = AxisCalibration((height - 0.5, -0.5), y_limits, y_scale, name="y")
        return cls(x, y, _units(units), (0, 0, width - 1, height - 1))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict in the stable schema (plot_area omitted when None)."""
        d: dict[str, Any] = {
            "x": self.x.to_dict(),
            "y": self.y.to_dict(),
            "units": dict(self.units),
        }
        if self.plot_area is not None:
            d["plot_area"] = list(self.plot_area)
        if self.straighten is not None:
            d["straighten"] = [list(row) for row in self.straighten]
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Calibration:
        """Validated calibration from the JSON schema; any problem raises InputError."""
        if not isinstance(d, Mapping):
            raise InputError(f"calibration: expected a JSON object, got {type(d).__name__}")
        check_format(d.get("format"), CALIBRATION, "calibration")  # optional tag
        # Unknown keys are ignored: the interface lets later versions add fields freely.
        axes = {}
        for key in ("x", "y"):
            if key not in d:
                raise InputError(f"calibration: missing key {key!r}")
            ax = d[key]
            if not isinstance(ax, Mapping):
                raise InputError(f"calibration: {key} must be an object, got {_short(ax)}")
            for sub in ("pixel", "value"):
                if sub not in ax:
                    raise InputError(f"calibration: missing key '{key}.{sub}'")
            axes[key] = AxisCalibration(
                ax["pixel"], ax["value"], ax.get("scale", "linear"), name=key
            )
        return cls(
            axes["x"], axes["y"], _units(d.get("units")), d.get("plot_area"), d.get("straighten")
        )

    @classmethod
    def from_json(cls, text: str, source: str = "calibration") -> Calibration:
        """Validated calibration from JSON text; any problem (invalid or hostile JSON too)
        raises InputError, prefixed with ``source`` (a file name) unless it is the default."""
        d = parse_json(text, source, "calibration file")
        try:
            return cls.from_dict(d)
        except InputError as e:
            raise InputError(f"{source}: {e}" if source != "calibration" else str(e)) from None

    @classmethod
    def load(cls, path: str | os.PathLike) -> Calibration:
        """Read a calibration JSON file; unreadable or invalid files raise InputError."""
        return cls.from_json(read_text(path, "calibration file"), str(path))

    def save(self, path: str | os.PathLike) -> Path:
        """Write the calibration as JSON, atomically; returns the path written."""
        # Imported here so that using calibrations does not pull in the image libraries.
        from speedlines.atomic_io import write_json

        try:
            return write_json(path, self.to_dict())
        except OSError as e:
            raise InputError(
                f"cannot write calibration file {path}: {e.strerror or type(e).__name__}"
            ) from None


def parse_axis_option(text: str, name: str = "") -> AxisCalibration:
    """Parse the command-line form "PIX0:VAL0,PIX1:VAL1[:log]", e.g. "940:1,75:10:log"."""
    usage = f"bad axis calibration {_short(text)}: expected PIX0:VAL0,PIX1:VAL1[:log]"
    if not isinstance(text, str):
        raise InputError(usage)
    points = [p.split(":") for p in text.strip().split(",")]
    if len(points) != 2 or len(points[0]) != 2 or len(points[1]) not in (2, 3):
        raise InputError(usage)
    scale = points[1][2].strip().lower() if len(points[1]) == 3 else "linear"
    if scale not in SCALES:
        raise InputError(f"{usage} (unknown scale {_short(scale)})")
    try:
        (p0, v0), (p1, v1) = ((float(p[0]), float(p[1])) for p in points)
    except ValueError:
        raise InputError(usage) from None
    return AxisCalibration((p0, p1), (v0, v1), scale, name=name)
