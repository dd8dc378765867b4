"""A non-learned speedline mask: dark ink with long straight grid lines removed.

This is what a careful plot-digitizer user does by hand (threshold, erase the grid). It keeps
every other dark line too (beta lines, islands, text), which is what the model is measured
against.
"""

from __future__ import annotations

import cv2
import numpy as np

from speedlines.segment.segmentation import Segmentation

__all__ = ["INK_METHOD", "InkMask", "ink_mask"]

INK_METHOD = "ink threshold with grid removal (no model)"
# Line art is mostly paper: drawn maps have up to ~10 % dark ink, random noise ~50 %. Above
# this share the image is not a line drawing and the mask is empty (no speedlines found).
MAX_INK_SHARE = 0.25


def ink_mask(
    image: np.ndarray,
    plot_area: tuple[float, float, float, float] | None = None,
    grid_fraction: float = 0.5,
    ink_level: int = 160,
) -> np.ndarray:
    """Boolean mask of dark ink in an RGB image, minus straight lines longer than
    ``grid_fraction`` of the plotting area (grid lines, axes and the frame); empty where the
    ink is no line drawing (over ``MAX_INK_SHARE`` of the area, as in noise)."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    h, w = grey.shape
    x0, y0, x1, y1 = (int(np.rint(v)) for v in (plot_area or (0, 0, w - 1, h - 1)))
    region = grey[y0 : y1 + 1, x0 : x1 + 1]
    # Otsu separates ink from paper; where a light grid outnumbers the ink, Otsu splits grid
    # from paper instead, so ink must also be darker than mid-grey.
    level, _ = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    level = min(level, ink_level)
    ink = (region <= level).astype(np.uint8)
    if ink.mean() > MAX_INK_SHARE:
        return np.zeros((h, w), bool)
    rw, rh = region.shape[1], region.shape[0]
    lines = np.zeros_like(ink)
    for size in ((max(3, int(rw * grid_fraction)), 1), (1, max(3, int(rh * grid_fraction)))):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
        lines |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    out = np.zeros((h, w), bool)
    out[y0 : y1 + 1, x0 : x1 + 1] = (ink > 0) & (lines == 0)
    return out


class InkMask:
    """``ink_mask`` as a ``MaskSource``. It has no threshold to override, and its probability
    is the mask itself (0 or 1)."""

    def __init__(self, grid_fraction: float = 0.5, ink_level: int = 160):
        self.grid_fraction, self.ink_level = grid_fraction, ink_level

    def segment(
        self, image: np.ndarray, threshold: float | None = None, plot_area=None
    ) -> Segmentation:
        """``Segmentation`` of an RGB image, only inside ``plot_area`` where given."""
        mask = ink_mask(image, plot_area, self.grid_fraction, self.ink_level)
        return Segmentation(mask.astype(np.float32), mask, {"method": INK_METHOD}, graded=False)
