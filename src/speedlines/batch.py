"""The per-file loop shared by the batch commands: collect the inputs, run each file into an
output folder, refuse a second input whose outputs would overwrite the first's."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speedlines.errors import InputError
from speedlines.image_io import IMAGE_SUFFIXES


@dataclass
class Outcome:
    """What became of one input: the files written, or the one-line error that stopped it."""

    source: Path
    outputs: list[Path]
    error: str | None = None
    result: Any = None  # what the command made of it: a Digitization, a mask's speedline share


def collect_inputs(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Image files in the order given; folders contribute their images, sorted by name."""
    files: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            )
            if not found:
                raise InputError(f"{path}: no images in this folder")
            files += found
        else:
            files.append(path)  # missing files are reported per file, like corrupt ones
    if not files:
        raise InputError("no input images given")
    return files


def each_file(
    files: list[Path],
    out: str | os.PathLike,
    process: Callable[[Path, Path], Outcome],
    on_file: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """``process(source, out)`` for every file, into the folder ``out`` (created). A second
    input with a name already used would overwrite the first one's outputs: it is refused."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Path] = {}
    outcomes = []
    for source in files:
        if source.stem in seen:
            outcome = Outcome(source, [], f"{source}: same name as {seen[source.stem]}, skipped")
        else:
            seen[source.stem] = source
            outcome = process(source, out)
        outcomes.append(outcome)
        if on_file:
            on_file(outcome)
    return outcomes
