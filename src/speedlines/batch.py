"""The per-file loop shared by the batch commands: collect the inputs, run each file into an
output folder, refuse a second input whose outputs would overwrite the first's, and write each
input's files all together or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speedlines.atomic_io import write_bytes
from speedlines.errors import InputError
from speedlines.image_io import IMAGE_SUFFIXES


@dataclass
class Outcome:
    """What became of one input: the files written, or the one-line error that stopped it."""

    source: Path
    outputs: list[Path]
    error: str | None = None
    result: Any = None  # what the command made of it: a Digitization, a mask's speedline share


# make(source) -> ({file name: bytes}, result); raises InputError for bad input.
Make = Callable[[Path], tuple[dict[str, bytes], Any]]


def collect_inputs(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Image files in the order given; folders contribute their images, sorted by name. An
    empty folder stays in the list, to be reported in its turn without stopping the others."""
    files: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if str(raw) == "":
            raise InputError("an input is an empty path")
        if path.is_dir():
            # Not only readable files: a dangling link or an unreadable file named like an
            # image is reported in its turn rather than silently skipped.
            found = sorted(
                p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.is_dir()
            )
            files += found or [path]
        else:
            files.append(path)  # missing files are reported per file, like corrupt ones
    if not files:
        raise InputError("no input images given")
    return files


def max_parallel() -> int:
    """The most threads or processes worth asking for: the CPU count (at least 2)."""
    return max(os.cpu_count() or 1, 2)


def check_parallel(option: str, value: int | None) -> None:
    """Refuse a thread or process count below 1, or above ``max_parallel()``: more only makes a
    job slower (``--threads 1000`` turned a 1-second job into minutes)."""
    if value is not None and not 1 <= value <= max_parallel():
        raise InputError(f"{option} must be between 1 and {max_parallel()} (CPUs), got {value}")


def output_folder(out: str | os.PathLike) -> Path:
    """The output folder, created; one line for an empty name or a path that cannot be one."""
    if str(out).strip() == "":
        raise InputError("--out is empty: give an output folder")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{out}: cannot create the output folder ({exc.strerror or exc})"
        ) from None
    return out


def write_set(out: Path, files: dict[str, bytes], protect: Collection[Path] = ()) -> list[Path]:
    """Write ``files`` (name -> bytes) into ``out`` all together or not at all: into a
    temporary folder inside ``out`` first, then each moved into place. A target that is one of
    the ``protect``ed (resolved) paths, an input, is refused."""
    targets = [out / name for name in files]
    for target in targets:
        if target.resolve() in protect:
            raise InputError(f"would overwrite the input {target}, skipped")
    tmp = Path(tempfile.mkdtemp(prefix=".sl-", dir=out))
    moved: list[Path] = []
    try:
        for name, data in files.items():
            try:
                write_bytes(tmp / name, data)
            except OSError as exc:
                raise OSError(exc.errno, f"cannot write {out / name}: {exc.strerror}") from None
        for target in targets:
            os.replace(tmp / target.name, target)
            moved.append(target)
    except BaseException:
        for target in moved:
            target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return targets


def run_one(source: Path, out: Path, make: Make, protect: Collection[Path] = ()) -> Outcome:
    """``make(source)`` written into ``out``; any failure comes back as the outcome's one-line
    error, with nothing of this input written."""
    try:
        files, result = make(source)
        written = write_set(out, files, protect)
    except InputError as exc:
        msg = str(exc)
        return Outcome(source, [], msg if str(source) in msg else f"{source}: {msg}")
    except OSError as exc:  # an unreadable input, a full disk
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(source) else ""
        return Outcome(source, [], f"{source}: {exc.strerror or exc}{where}")
    except MemoryError:
        return Outcome(source, [], f"{source}: out of memory on this image")
    return Outcome(source, written, None, result)


def each_file(
    files: list[Path],
    out: str | os.PathLike,
    make: Make,
    on_file: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """``make(source)`` for every file, its files written into the folder ``out`` (created).
    A second input with a name already used would overwrite the first one's outputs, and an
    output may not replace an input: both are refused, the other files still processed."""
    out = output_folder(out)
    protect = {p.resolve() for p in files}
    seen: dict[str, Path] = {}
    outcomes = []
    for source in files:
        if source.is_dir():
            outcome = Outcome(source, [], f"{source}: no images in this folder")
        elif source.stem in seen:
            outcome = Outcome(source, [], f"{source}: same name as {seen[source.stem]}, skipped")
        else:
            seen[source.stem] = source
            outcome = run_one(source, out, make, protect)
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    return outcomes
