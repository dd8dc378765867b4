"""Digitized speedlines as files engineers load: long CSV, JSON, GasTurb-style .map."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from speedlines.digitize.curves import resample_by_beta
from speedlines.digitize.pipeline import Digitization
from speedlines.errors import InputError

__all__ = ["DEFAULT_BETAS", "to_csv", "to_gasturb_map", "to_json"]

DEFAULT_BETAS = 11


def _checked(result: Digitization, values: np.ndarray | None = None) -> None:
    # The last check before anything is written: no inf or nan may pass for a result.
    result.check_finite()
    if values is not None and not np.isfinite(values).all():
        raise InputError("the resampled curves have non-finite values (inf or nan)")


def _number(v: float, decimal: str, digits: int = 7) -> str:
    text = f"{v:.{digits}g}"
    return text.replace(".", decimal) if decimal != "." else text


def to_csv(result: Digitization, decimal: str = ".") -> str:
    """Header ``line,speed,x,y``, one row per point, surge -> choke within each line.

    With ``decimal=","`` the fields are separated by ";" (the convention where the comma is
    the decimal mark).
    """
    if decimal not in (".", ","):
        raise InputError(f"decimal separator must be '.' or ',', got {decimal!r}")
    _checked(result)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if decimal == "," else ",", lineterminator="\n")
    writer.writerow(["line", "speed", "x", "y"])
    for sl in result.lines:
        # Speeds in full: they name the lines, not measured values.
        speed = "" if sl.speed is None else _number(sl.speed, decimal, 15)
        for x, y in sl.data:
            writer.writerow([sl.line, speed, _number(x, decimal), _number(y, decimal)])
    return buf.getvalue()


def to_json(result: Digitization, betas: int = DEFAULT_BETAS) -> dict:
    """The curves plus calibration, provenance, fit parameters and per-line confidence."""
    grid = np.linspace(0.0, 1.0, betas)
    points = resample_by_beta(result.lines, grid)
    _checked(result, points)
    d = result.to_dict()
    d["beta"] = {
        "values": grid.tolist(),
        "definition": "share of each line's length on the image from surge (0) to choke (1)",
        "points": points.tolist(),
    }
    try:
        json.dumps(d, allow_nan=False)  # refused here, not written as JSON no reader accepts
    except ValueError:
        raise InputError("the result has a non-finite value (inf or nan)") from None
    return d


def _table(name: str, speeds: list[float], betas: np.ndarray, values: np.ndarray) -> list[str]:
    # GasTurb encodes the table size in its first number: rows + 1 . (columns + 1) / 1000.
    head = f"{len(speeds) + 1}.{len(betas) + 1:03d}"
    lines = [name, " " + "  ".join([f"{head:>9}", *(f"{b:12.5f}" for b in betas)])]
    for speed, row in zip(speeds, values):
        # Speeds in full (187796, not 1.878e+05): they name the lines, not measured values.
        lines.append(" " + "  ".join([f"{speed:>9.15g}", *(_full(v) for v in row)]))
    return [*lines, ""]


def _full(v: float) -> str:
    """A .map value, right-aligned, to 10 significant digits: a reader gets back what the
    JSON holds, not a value rounded to 6 digits (0.1234567 -> 0.123457)."""
    return f"{v:12.10g}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def to_gasturb_map(result: Digitization, betas: int = DEFAULT_BETAS, title: str = "") -> str:
    """GasTurb-style compressor map text: speed x beta tables of mass flow and pressure ratio
    and the surge line. Needs the speed of every line. No efficiency table: an image of
    speedlines does not carry it."""
    if not result.speeds_known:
        raise InputError("a .map needs the speed of every line (--speeds)")
    if betas < 2:
        raise InputError(f"at least 2 beta values are needed, got {betas}")
    grid = np.linspace(0.0, 1.0, betas)
    pts = resample_by_beta(result.lines, grid)
    _checked(result, pts)
    speeds = [float(sl.speed) for sl in result.lines]
    # One header line whatever the file was called: line breaks in a name become spaces.
    name = _one_line(result.source.get("name") or "image")
    title = _one_line(title)
    units = result.calibration.units
    out = [
        f" 99 {title or 'Compressor map'} digitized by speedlines from {name}",
        f" flow [{units.get('x', '')}], pressure ratio [{units.get('y', '')}]; beta = share "
        "of line length from surge (0) to choke (1)",
        " Reynolds: RNI=1.0000 f(RNI)=1.0000 RNI=1.0000 f(RNI)=1.0000",
        *_table("Mass Flow", speeds, grid, pts[:, :, 0]),
        *_table("Pressure Ratio", speeds, grid, pts[:, :, 1]),
    ]
    surge = result.surge_line
    out += [
        "Surge Line",
        " " + "  ".join([f"{f'2.{len(surge):03d}':>9}", *(_full(v) for v in surge[:, 0])]),
        " " + "  ".join([" " * 9, *(_full(v) for v in surge[:, 1])]),
        "",
    ]
    return "\n".join(out)
