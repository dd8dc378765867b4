"""Our own outputs read back: a digitized result (``NAME.json``) and a GasTurb-style ``.map``.

Each reader accepts what ``tables.to_json`` / ``tables.to_gasturb_map`` write, today and in
earlier versions of the same format, and raises InputError (one line) for anything else.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from speedlines.digitize.calibration import Calibration
from speedlines.digitize.curves import SPEED_SOURCES, Speedline
from speedlines.digitize.pipeline import Digitization
from speedlines.errors import InputError
from speedlines.formats import DIGITIZED, check_format, read_json

__all__ = ["load_digitized", "read_gasturb_map"]


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _curve(obj: Any, what: str) -> np.ndarray:
    try:
        a = np.asarray(obj, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a list of [x, y] numbers") from None
    if a.ndim != 2 or a.shape[1] != 2 or len(a) < 2 or not np.isfinite(a).all():
        raise InputError(f"{what} must be at least two finite [x, y] points")
    return a


def _speedline(d: Any, number: int) -> Speedline:
    what = f"line {number}"
    if not isinstance(d, Mapping):
        raise InputError(f"{what} must be an object")
    if d.get("line") != number:
        raise InputError(f"{what} is numbered {d.get('line')!r}; lines run 1..n in order")
    speed, confidence, fit = d.get("speed"), d.get("confidence"), d.get("fit", {})
    if speed is not None and not (_is_number(speed) and math.isfinite(speed)):
        raise InputError(f"{what}: speed must be a number or null, got {speed!r}")
    if not _is_number(confidence):
        raise InputError(f"{what}: confidence must be a number, got {confidence!r}")
    if not isinstance(fit, Mapping):
        raise InputError(f"{what}: fit must be an object")
    data = _curve(d.get("points"), f"{what}: points")
    pixels = _curve(d.get("pixels"), f"{what}: pixels")
    if len(pixels) != len(data):
        raise InputError(f"{what}: {len(pixels)} pixels for {len(data)} points")
    residual = fit.get("residual_px")
    source = d.get("speed_source")
    if source not in (None, *SPEED_SOURCES):
        raise InputError(f"{what}: speed_source must be one of {', '.join(SPEED_SOURCES)} or null")
    extra = {k: d[k] for k in ("speed_label", "id", "origin") if k in d}
    return Speedline(
        line=number,
        traced=np.empty((0, 2)),  # the traced pixels are not saved, only the fitted curve
        pixels=pixels,
        data=data,
        residual_px=float(residual) if _is_number(residual) else math.nan,
        confidence=float(confidence),
        speed=None if speed is None else float(speed),
        fit=dict(fit),
        extra=extra,
        speed_source=source if speed is not None else None,
    )


def _digitization(d: Any, where: str) -> Digitization:
    if not isinstance(d, Mapping):
        raise InputError(f"{where}: not a digitized result (a JSON object is needed)")
    check_format(d.get("format"), DIGITIZED, where, required=True)
    try:
        calibration = Calibration.from_dict(d.get("calibration"))
        size = d.get("image_size")
        if (
            not isinstance(size, list | tuple)
            or len(size) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in size)
        ):
            raise InputError(f"image_size must be [width, height], got {size!r}")
        lines = d.get("lines")
        if not isinstance(lines, list) or not lines:
            raise InputError("lines must be a non-empty list")
        speedlines = [_speedline(sl, k + 1) for k, sl in enumerate(lines)]
        source, segmentation = d.get("source", {}), d.get("segmentation", {})
        tracing = d.get("tracing", {})  # results written before it was recorded have none
        if not all(isinstance(v, Mapping) for v in (source, segmentation, tracing)):
            raise InputError("source, segmentation and tracing must be objects")
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return Digitization(
        speedlines,
        calibration,
        (size[0], size[1]),
        dict(source),
        dict(segmentation),
        tracing=dict(tracing),
    )


def load_digitized(source: str | os.PathLike | Mapping) -> Digitization:
    """A digitized result from its JSON file (or the parsed dict): lines with fitted pixels,
    data, speeds, fit and confidence; calibration; image size; source; segmentation.

    The traced pixels are not saved, so each line's ``traced`` is empty; the beta points and
    surge line of the file are derived values and are recomputed from the lines.
    """
    if isinstance(source, Mapping):
        return _digitization(source, "digitized result")
    return _digitization(read_json(source, "digitized result"), str(source))


# -- GasTurb-style .map --------------------------------------------------------------------

_TABLES = {"mass flow": "mass_flow", "pressure ratio": "pressure_ratio", "efficiency": "efficiency"}
_SURGE = "surge line"
_UNITS = re.compile(r"flow \[([^\]]*)\], pressure ratio \[([^\]]*)\]")


def _size_code(token: str, what: str) -> tuple[int, int]:
    # GasTurb's size code: rows.columns with the columns in three digits, e.g. 5.012.
    match = re.fullmatch(r"(\d+)\.(\d{3})", token)
    if match is None:
        raise InputError(f"{what}: size code must look like 5.012, got {token!r}")
    return int(match[1]), int(match[2])


def _numbers(tokens: list[tuple[str, int]], what: str) -> np.ndarray:
    values = []
    for token, line in tokens:
        try:
            v = float(token)
        except ValueError:
            v = math.nan
        if not math.isfinite(v):
            raise InputError(f"{what}: {token!r} on line {line} is not a finite number")
        values.append(v)
    return np.array(values)


def _table(tokens: list[tuple[str, int]], what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(speeds, betas, values (speeds, betas)) of one table."""
    if not tokens:
        raise InputError(f"{what}: the table is empty")
    rows, cols = _size_code(tokens[0][0], what)
    rows, cols = rows - 1, cols - 1  # the code counts the header row and column
    if rows < 1 or cols < 1 or len(tokens) != (rows + 1) * (cols + 1):
        raise InputError(
            f"{what}: size code {tokens[0][0]} needs {(rows + 1) * (cols + 1)} numbers, "
            f"found {len(tokens)}"
        )
    grid = _numbers(tokens[1:], what)
    betas, body = grid[:cols], grid[cols:].reshape(rows, cols + 1)
    return body[:, 0], betas, body[:, 1:]


def _surge(tokens: list[tuple[str, int]], what: str) -> np.ndarray:
    if not tokens:
        raise InputError(f"{what}: the table is empty")
    rows, n = _size_code(tokens[0][0], what)
    if rows != 2 or n < 1 or len(tokens) != 1 + 2 * n:
        raise InputError(
            f"{what}: size code {tokens[0][0]} needs {1 + 2 * n} numbers, found {len(tokens)}"
        )
    return _numbers(tokens[1:], what).reshape(2, n).T


def read_gasturb_map(text: str, source: str = ".map") -> dict:
    """The tables of a GasTurb-style compressor map as written by ``to_gasturb_map``.

    Returns ``title``, ``units`` ({"x": flow, "y": pressure ratio}), ``speeds`` (n,),
    ``betas`` (m,), ``mass_flow`` and ``pressure_ratio`` (n, m), ``surge_line`` (k, 2) flow,
    pressure ratio, and ``efficiency`` (n, m) when the map has one. ``source`` names the
    file in error messages.
    """
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    head = lines[first].split(maxsplit=1) if first is not None else []
    if not head or not head[0].isdigit():
        raise InputError(f"{source}: not a GasTurb map (the first line starts with a number)")
    sections: dict[str, list[tuple[str, int]]] = {}
    current = None
    units = {"x": "", "y": ""}
    for number, line in enumerate(lines[first + 1 :], start=first + 2):
        name = line.strip().lower()
        if name in _TABLES or name == _SURGE:
            if name in sections:
                raise InputError(f"{source}: two {line.strip()} tables (line {number})")
            current = sections[name] = []
        elif current is not None:
            current.extend((token, number) for token in line.split())
        elif match := _UNITS.search(line):
            units = {"x": match[1], "y": match[2]}
    for name in ("mass flow", "pressure ratio", _SURGE):
        if name not in sections:
            raise InputError(f"{source}: no {name.title()} table")
    out: dict[str, Any] = {"title": head[1].strip() if len(head) > 1 else "", "units": units}
    for name, key in _TABLES.items():
        if name not in sections:
            continue
        speeds, betas, values = _table(sections[name], f"{source}: {name.title()}")
        if "speeds" in out and not (
            np.array_equal(speeds, out["speeds"]) and np.array_equal(betas, out["betas"])
        ):
            raise InputError(f"{source}: {name.title()} has other speeds or betas than Mass Flow")
        out |= {"speeds": speeds, "betas": betas, key: values}
    out["surge_line"] = _surge(sections[_SURGE], f"{source}: Surge Line")
    return out
