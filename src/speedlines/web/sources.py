"""The page's mask sources: the model, loaded on first use, behind a cache of probability maps
(keyed by the SHA-256 of the pixels, so digitizing an image just predicted does not run the
model again), and the ink baseline."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from speedlines.segment.ink import InkMask
from speedlines.segment.segmentation import MaskSource, Segmentation
from speedlines.segment.segmenter import Segmenter


def pixels_digest(image: np.ndarray) -> str:
    """SHA-256 of an array's shape and pixels: equal images, equal digests."""
    h = hashlib.sha256(repr((image.shape, image.dtype.str)).encode())
    h.update(np.ascontiguousarray(image))
    return h.hexdigest()


class CachedSegmenter:
    """A ``Segmenter`` as a ``MaskSource`` that keeps the probability maps of the last
    ``cache_size`` images. Thread-safe; the model is loaded by ``load`` on first use."""

    def __init__(self, load: Callable[[], Segmenter], cache_size: int = 8):
        self._load, self._segmenter = load, None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_size = cache_size

    @property
    def segmenter(self) -> Segmenter:
        with self._lock:
            if self._segmenter is None:
                self._segmenter = self._load()
            return self._segmenter

    def probability(self, image: np.ndarray) -> np.ndarray:
        key = pixels_digest(image)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        prob = self.segmenter.probability(image)  # outside the lock: other requests go on
        with self._lock:
            self._cache[key] = prob
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return prob

    def segment(
        self, image: np.ndarray, threshold: float | None = None, plot_area=None
    ) -> Segmentation:
        """The model's ``Segmentation``, its probability from the cache where it is there."""
        return self.segmenter.segmentation(self.probability(image), threshold)


class MaskSources:
    """The mask sources the page offers, by name (``segment.METHODS``)."""

    def __init__(self, load_model: Callable[[], Segmenter]):
        self.model = CachedSegmenter(load_model)
        self.ink = InkMask()

    def get(self, method: str) -> MaskSource:
        return {"model": self.model, "ink": self.ink}[method]
