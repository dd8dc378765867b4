"""Rebuild the figures in docs/ from the generator, the reference samples and the shipped model.

.venv/bin/python docs/make_figures.py [--reference ../shared/samples/reference-style]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from speedlines.atomic_io import write_png
from speedlines.image_io import load_image, load_mask
from speedlines.preview import sheet
from speedlines.synth.sample import generate_sample

DOCS = Path(__file__).parent
SEED = 2026


def _pair(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Image beside its mask drawn white on black, as the reference figures show them."""
    m = np.repeat(np.where(mask, 255, 0).astype(np.uint8)[..., None], 3, axis=2)
    gap = np.full((image.shape[0], 4, 3), 255, np.uint8)
    return np.concatenate([image, gap, m], axis=1)


def crops_sheet(reference: Path | None) -> np.ndarray:
    tiles, caps = [], []
    if reference and reference.is_dir():
        for img in sorted(reference.glob("sample_*_image.png")):
            mask = load_mask(img.with_name(img.name.replace("_image", "_speedlines")), 255)
            tiles.append(_pair(load_image(img), mask))
            caps.append(f"reference {img.name[:9]}")
    for case in ("simple", "combined"):
        for i in range(6):
            s = generate_sample(SEED, i, "crop", case)
            tiles.append(_pair(s.image, s.label))
            m = s.meta
            caps.append(f"generated {case} {m['width']}x{m['height']}")
    return sheet(tiles, caps, 4, (420, 120), "reference crops (first row) vs generated crops")


def charts_sheet() -> np.ndarray:
    tiles, caps = [], []
    for i in range(8):
        s = generate_sample(SEED, 100 + i, "chart", "mixed")
        tiles.append(s.image)
        caps.append(f"{s.meta['case']} {s.meta['width']}x{s.meta['height']} {s.meta['machine']}")
    return sheet(tiles, caps, 4, (400, 330), "generated full charts")


def families_sheet() -> np.ndarray:
    """Two charts of each datasheet-family style, labels in red."""
    from speedlines.preview import overlay

    tiles, caps = [], []
    for style in ("datasheet", "gif", "coloured", "scan"):
        for i in range(2):
            s = generate_sample(SEED, i, style, "combined")
            tiles.append(overlay(s.image, s.label) if i else s.image)
            m = s.meta
            label = " (label in red)" if i else ""
            caps.append(f"{style} ({m['chart']['family']}) {m['width']}x{m['height']}{label}")
    return sheet(tiles, caps, 4, (340, 300), "generated datasheet-family styles")


def predict_sheet() -> np.ndarray:
    """The shipped model on the bundled examples: found speedlines in red."""
    from speedlines.preview import overlay
    from speedlines.segment.model import default_model
    from speedlines.segment.segmenter import Segmenter

    seg = Segmenter.from_path(default_model())
    tiles, caps = [], []
    for path in sorted((DOCS.parent / "examples").glob("*.png")):
        image = load_image(path)
        tiles.append(overlay(image, seg.predict(image)))
        caps.append(f"examples/{path.name} {image.shape[1]}x{image.shape[0]}")
    return sheet(tiles, caps, 2, (560, 420), "speedlines predict with the shipped model")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--reference",
        type=Path,
        default=DOCS.parent.parent / "shared" / "samples" / "reference-style",
    )
    args = ap.parse_args()
    write_png(DOCS / "crops_vs_reference.png", crops_sheet(args.reference))
    write_png(DOCS / "charts.png", charts_sheet())
    write_png(DOCS / "families.png", families_sheet())
    write_png(DOCS / "predict_example.png", predict_sheet())
    print("wrote docs/crops_vs_reference.png, charts.png, families.png, predict_example.png")


if __name__ == "__main__":
    main()
