"""What every mask source gives: a ``Segmentation`` (probability, mask, provenance), through
the ``MaskSource`` protocol that the model (``Segmenter``) and the ink baseline (``InkMask``)
both implement, so predicting and digitizing do not care which made the mask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, get_args, runtime_checkable

import numpy as np

__all__ = ["METHODS", "MaskSource", "Method", "Segmentation"]

Method = Literal["model", "ink"]  # the mask sources a user can choose by name
METHODS: tuple[str, ...] = get_args(Method)


@dataclass
class Segmentation:
    """An image's speedline probability (H, W) float32, its mask (H, W) bool, and how they
    were made (the ``segmentation`` record of a digitized result)."""

    probability: np.ndarray
    mask: np.ndarray
    provenance: dict
    # False where the probability is only the mask as 0/1: it then says nothing about how
    # sure the source is, so it must not grade the lines traced in it.
    graded: bool = True

    @property
    def confidence(self) -> np.ndarray | None:
        """The probability where it grades pixels (a model's), else None."""
        return self.probability if self.graded else None


@runtime_checkable
class MaskSource(Protocol):
    """Anything that segments an RGB uint8 image. ``threshold`` overrides the source's own cut
    (ignored by sources without one); ``plot_area`` (x0, y0, x1, y1 px) is where the lines
    are, for sources that look only there."""

    def segment(
        self,
        image: np.ndarray,
        threshold: float | None = None,
        plot_area: tuple[float, float, float, float] | None = None,
    ) -> Segmentation: ...
