"""The versioned file formats speedlines writes, and the check made when one is read.

Each JSON file we write carries ``"format": "speedlines-KIND/N"``. A reader accepts versions
up to the one it knows and refuses a newer one with one line, rather than misreading a file
whose meaning changed. Adding fields does not change the version (readers ignore unknown keys).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from speedlines.errors import InputError

__all__ = [
    "CALIBRATION",
    "DATASET",
    "DIGITIZED",
    "MODEL",
    "SAMPLE",
    "check_format",
    "read_json",
]

MODEL = "speedlines-model/1"  # segment.model: config.json and the weights' metadata
SAMPLE = "speedlines-sample/1"  # synth: meta/N.json of a generated data set
DATASET = "speedlines-dataset/1"  # synth: manifest.json of a generated data set
DIGITIZED = "speedlines-digitized/1"  # digitize: NAME.json (pipeline.Digitization.to_dict)
CALIBRATION = "speedlines-calibration/1"  # digitize.calibration: optional, not written yet


def _short(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 50 else text[:47] + "..."


def check_format(tag: Any, current: str, source: str, required: bool = False) -> int:
    """The version in ``tag`` if it is ``current`` or older; InputError naming ``source`` if not.

    A missing tag (None) reads as the current version unless ``required``: files written
    before their format was tagged stay readable.
    """
    kind, _, newest = current.rpartition("/")
    if tag is None:
        if required:
            raise InputError(f"{source}: no format tag; expected {current}")
        return int(newest)
    match = re.fullmatch(rf"{re.escape(kind)}/(\d+)", tag) if isinstance(tag, str) else None
    if match is None:
        raise InputError(f"{source}: format {_short(tag)} is not {kind}/N")
    version = int(match[1])
    if version > int(newest):
        raise InputError(
            f"{source}: format {tag} is newer than this speedlines understands ({current})"
        )
    if version < 1:
        raise InputError(f"{source}: format {tag} is not a version of {kind}")
    return version


def read_text(path: str | os.PathLike, what: str) -> str:
    """The UTF-8 text of ``path``, ``what`` naming the kind of file in error messages; a
    missing or unreadable file raises InputError."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(f"cannot read {what} {path}: {reason}") from None


def read_json(path: str | os.PathLike, what: str) -> Any:
    """The parsed JSON of ``path``; a missing, unreadable or invalid file raises InputError."""
    text = read_text(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not a {what}: invalid JSON ({exc.msg}, line {exc.lineno}, column {exc.colno})"
        ) from None
