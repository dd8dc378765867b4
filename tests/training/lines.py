"""Tiny hand-made data sets for training tests: dark curves on a light grid, 64 x 64."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np


def line_image(rng: np.random.Generator, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    image = np.full((size, size, 3), 250, np.uint8)
    for g in range(0, size, 16):  # a light grid that is not a speedline
        image[:, g] = image[g, :] = 205
    mask = np.zeros((size, size), np.uint8)
    for _ in range(int(rng.integers(2, 4))):
        y0 = rng.uniform(0.2, 0.8) * size
        xs = np.linspace(2, size - 3, 24)
        ys = y0 - 8 * np.tanh((xs - size * 0.7) / 6) - 4
        pts = np.stack([xs, ys], 1).round().astype(np.int32)
        cv2.polylines(mask, [pts], False, 1, 2)
    image[mask > 0] = (20, 20, 120)
    return image, mask.astype(bool)


def write_set(root: Path, count: int, seed: int = 0, cases: bool = True) -> Path:
    """image/N.png + label/N.png (0 = speedline), with meta/N.json giving the case."""
    rng = np.random.default_rng(seed)
    for sub in ("image", "label", "meta"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for i in range(count):
        image, mask = line_image(rng)
        cv2.imwrite(str(root / "image" / f"{i}.png"), image[..., ::-1])
        cv2.imwrite(str(root / "label" / f"{i}.png"), np.where(mask, 0, 255).astype(np.uint8))
        if cases:
            case = "combined" if i % 2 else "simple"
            (root / "meta" / f"{i}.json").write_text(json.dumps({"case": case, "style": "crop"}))
    return root
