"""Units from the axis titles of a compressor map: "Corrected Mass Flow [kg/s]" -> "kg/s",
"Corrected Air Flow, lb/min" -> "lb/min", "Total Pressure Ratio [-]" or "Pressure Ratio P2/P1"
-> "-" (a ratio has no unit).

Titles come from OCR, so a unit is matched to the known ones loosely ("kgis", "kg / s",
"m3/s", "m³/s" are kg/s and m^3/s); a title with no unit that is recognised gives "", never a
guess.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["FLOW_UNITS", "unit_from_title"]

FLOW_UNITS = ("kg/s", "kg/min", "kg/h", "g/s", "lb/min", "lb/s", "lbm/min", "lbm/s", "cfm",
              "m^3/s", "m^3/min", "m^3/h")  # fmt: skip
# Misreadings too far off to match loosely: a three-letter unit with a small "c" read "e" or
# its "m" read "n" or "rn" ("efm", "cfn") is one letter in three off.
_ALIASES = {"ppm": "lbmin", "lbsmin": "lbmin", "lbsmn": "lbmin", "kgsec": "kgs", "lbsec": "lbs",
            "efm": "cfm", "cfn": "cfm", "cfrn": "cfm", "efn": "cfm"}  # fmt: skip
MATCH = 0.8  # least similarity (difflib ratio) of a fragment's key to a unit's key
# A pressure ratio's title: "ratio", "PR", "π", "p2/p1", or total-to-total "..._tt", "(t-t)".
RATIO_WORDS = re.compile(
    r"ratio|\bpr\b|\bπ|\bpi\b|p2/p1|p02/p01|\bprt?[ _-]|_t-?t\b|\bt-t\b", re.IGNORECASE
)


def _key(fragment: str) -> str:
    text = fragment.lower().replace("³", "3").replace("^", "")
    return re.sub(r"[^a-z0-9]", "", text)


# Each unit's letters and digits alone ("kgs", "m3s"): the key a read fragment is compared with.
_KEYS = {unit: _key(unit) for unit in FLOW_UNITS}


def _fragments(title: str) -> list[str]:
    """Where a title puts its unit, most likely first: in the last brackets, after the last
    comma or "in", the last word."""
    out = re.findall(r"[\[(]([^\[\]()]*)[\])]?", title)[::-1]
    if "," in title:
        out.append(title.rsplit(",", 1)[1])
    m = re.search(r"\bin\s+(\S+)\s*$", title)
    if m:
        out.append(m.group(1))
    words = title.split()
    if words:
        out.append(words[-1].strip("[]()"))
    return [f.strip() for f in out if f.strip()]


def _flow_unit(fragment: str) -> str | None:
    key = _key(fragment)
    key = _ALIASES.get(key, key)
    if key.startswith("ib"):  # a capital "I" for the "l" of "lb"
        key = "l" + key[1:]
    if not key or key.isdigit():
        return None
    scores = sorted(
        ((difflib.SequenceMatcher(None, key, k).ratio(), unit) for unit, k in _KEYS.items()),
        reverse=True,
    )
    (best, unit), (second, _) = scores[0], scores[1]
    return unit if best >= MATCH and best > second else None


def unit_from_title(title: str, axis: str) -> str:
    """The unit an axis title names ("" when none is recognised). ``axis`` "x" reads flow
    units; "y" a ratio's "-" (also from "[-]")."""
    title = title.strip()
    if not title:
        return ""
    fragments = _fragments(title)
    if axis == "y":
        if any(f in ("-", "–", "—", "_") for f in fragments) or RATIO_WORDS.search(title):
            return "-"
        return ""
    for fragment in fragments:
        unit = _flow_unit(fragment)
        if unit is not None:
            return unit
    return ""
