"""Data sets on disk: ``image/N.png`` + ``label/N.png`` (0 = speedline), the layout of the
research's seed data and of ``speedlines generate`` (which adds ``meta/N.json``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speedlines import formats
from speedlines.errors import InputError
from speedlines.image_io import IMAGE_SUFFIXES, load_image, load_mask


@dataclass
class Item:
    id: str
    image: np.ndarray  # (H, W, 3) uint8 RGB
    mask: np.ndarray  # (H, W) bool, True = speedline
    meta: dict | None  # generator metadata, None for foreign data sets

    @property
    def case(self) -> str:
        """simple or combined for crops, else the chart's style (chart, datasheet, gif...);
        "unknown" without metadata."""
        if not self.meta:
            return "unknown"
        style = self.meta.get("style", "crop")
        return self.meta.get("case", "unknown") if style == "crop" else style


def _sort_key(stem: str):
    return (0, int(stem), "") if stem.isdigit() else (1, 0, stem)


def _index(folder: Path) -> dict[str, Path]:
    return {
        p.stem: p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    }


def _read_tagged(path: Path, current: str, what: str) -> dict:
    """A generator JSON file, checked against its format (untagged files are from before
    the tag and read as the current version)."""
    d = formats.read_json(path, what)
    if not isinstance(d, dict):
        raise InputError(f"{path}: expected a JSON object, got {type(d).__name__}")
    formats.check_format(d.get("format"), current, str(path))
    return d


class SpeedlineDataset:
    """Read-only, indexable view of a data set folder; items sorted by numeric id."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        image_dir, label_dir = self.root / "image", self.root / "label"
        if not image_dir.is_dir() or not label_dir.is_dir():
            raise InputError(f"{self.root}: not a data set (needs image/ and label/ folders)")
        images, labels = _index(image_dir), _index(label_dir)
        ids = sorted(set(images) & set(labels), key=_sort_key)
        if not ids:
            raise InputError(f"{self.root}: no image/label pairs found")
        unpaired = sorted(set(images) ^ set(labels))
        if unpaired:
            raise InputError(
                f"{self.root}: {len(unpaired)} file(s) without a partner, e.g. {unpaired[0]}"
            )
        self.ids = ids
        self._images, self._labels = images, labels
        manifest = self.root / "manifest.json"
        self.manifest = (
            _read_tagged(manifest, formats.DATASET, "data set manifest")
            if manifest.is_file()
            else None
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> Item:
        key = self.ids[i]
        image = load_image(self._images[key])
        mask = load_mask(self._labels[key], speedline_value=0)
        if mask.shape != image.shape[:2]:
            raise InputError(f"{self.root}: image and label {key} differ in size")
        meta_path = self.root / "meta" / f"{key}.json"
        meta = (
            _read_tagged(meta_path, formats.SAMPLE, "sample metadata")
            if meta_path.is_file()
            else None
        )
        return Item(key, image, mask, meta)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


class ConcatenatedDataset:
    """Several data set folders read as one, in the order given."""

    def __init__(self, sets: list[SpeedlineDataset]):
        self.sets = sets
        self.offsets = np.cumsum([0, *(len(s) for s in sets)])

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, i: int) -> Item:
        if not 0 <= i < len(self):
            raise IndexError(i)
        k = int(np.searchsorted(self.offsets, i, side="right")) - 1
        return self.sets[k][i - int(self.offsets[k])]


def open_datasets(spec: str | os.PathLike) -> SpeedlineDataset | ConcatenatedDataset:
    """One folder, or several separated by commas (read as one data set)."""
    parts = [p for p in str(spec).split(",") if p.strip()]
    if not parts:
        raise InputError("no data set folder given")
    sets = [SpeedlineDataset(p.strip()) for p in parts]
    return sets[0] if len(sets) == 1 else ConcatenatedDataset(sets)
