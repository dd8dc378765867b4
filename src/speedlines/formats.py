"""The versioned file formats speedlines writes, and the check made when one is read.

Each JSON file we write carries ``"format": "speedlines-KIND/N"``. A reader accepts versions
up to the one it knows and refuses a newer one with one line, rather than misreading a file
whose meaning changed. Adding fields does not change the version (readers ignore unknown keys).
"""

from __future__ import annotations

import json
import os
import re
import stat
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
    "open_regular",
    "parse_json",
    "read_json",
    "read_text",
]

MODEL = "speedlines-model/1"  # segment.model: config.json and the weights' metadata
SAMPLE = "speedlines-sample/1"  # synth: meta/N.json of a generated data set
DATASET = "speedlines-dataset/1"  # synth: manifest.json of a generated data set
DIGITIZED = "speedlines-digitized/1"  # digitize: NAME.json (pipeline.Digitization.to_dict)
CALIBRATION = "speedlines-calibration/1"  # digitize.calibration: optional, not written yet

MAX_TEXT_BYTES = 10_000_000  # the text and JSON files we read are a few kB; more is a mistake
MAX_INT_DIGITS = 309  # no float is larger (1.8e308): a longer integer is not a number we use


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


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a FIFO (named pipe)",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((text for test, text in kinds.items() if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike, what: str):
    """``path`` opened for binary reading if it is a regular file (links followed); InputError
    naming ``what`` and the path if it is missing, unreadable or not a regular file.

    Opened without blocking first, then checked: a FIFO or a device is refused before any
    read, so it can neither hang nor stream forever.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {_reason(exc)}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"cannot read {what} {path}: {_kind(mode)}, not a regular file")
    return os.fdopen(fd, "rb")


def read_text(path: str | os.PathLike, what: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark allowed), ``what`` naming the kind of file
    in error messages; a missing, unreadable, non-regular or larger than ``max_bytes`` file
    raises InputError."""
    path = Path(path)
    try:
        with open_regular(path, what) as fh:
            data = fh.read(max_bytes + 1)  # not the size from stat: a file may grow
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {_reason(exc)}") from None
    if len(data) > max_bytes:
        raise InputError(f"{what} {path} is larger than the limit of {max_bytes:,} bytes")
    try:
        return data.decode("utf-8-sig")  # editors on Windows start UTF-8 files with a BOM
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {what} {path}: not UTF-8 text (byte {exc.start})") from None


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text.lstrip('-'))} digits")
    return int(text)


def parse_json(text: str, source: str, what: str) -> Any:
    """Parsed JSON ``text``; invalid JSON, nesting too deep to parse and integers too long for
    any number we use raise InputError naming ``source`` (the file) and ``what`` it should be."""
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not a {what}: invalid JSON ({exc.msg}, line {exc.lineno}, "
            f"column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError(f"{source}: not a {what}: JSON nested too deeply") from None
    except ValueError as exc:  # _parse_int
        raise InputError(f"{source}: not a {what}: {exc} in the JSON") from None


def read_json(path: str | os.PathLike, what: str, max_bytes: int = MAX_TEXT_BYTES) -> Any:
    """The parsed JSON of ``path``; a missing, unreadable, too large or invalid file raises
    InputError (see ``read_text`` and ``parse_json``)."""
    return parse_json(read_text(path, what, max_bytes), str(path), what)
