"""Image -> speedline mask with a trained model: preprocessing, resized or tiled inference.

A ``resize`` model sees the whole image squashed to its input size (the research's plot-area
crops); a ``tile`` model sees native pixels (times its scale) through overlapping tiles whose
probabilities are blended with a smooth window, so seams do not show and any size works.
"""

from __future__ import annotations

import contextlib
import os

import cv2
import numpy as np

from speedlines.errors import InputError
from speedlines.segment.model import (
    ModelConfig,
    check_threshold,
    load_config,
    load_model,
    model_dir,
)
from speedlines.segment.segmentation import Segmentation

TILE_OVERLAP = 0.25
# Pixels the model may look at once an image is scaled (float32 x 3 channels: 1.2 GB), so a
# big image with a model's large scale is refused rather than eat the memory (issue 21).
MAX_SCALED_PIXELS = 100_000_000


def resize_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize to (width, height), area-averaging when shrinking so thin lines fade, not vanish."""
    h, w = image.shape[:2]
    if (w, h) == tuple(size):
        return image
    shrink = size[0] < w or size[1] < h
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a boolean mask to (width, height) keeping thin lines connected.

    Shrinking k times area-averages a one-pixel line to a coverage of about 1/k, so the
    threshold falls as 0.5 / k: lines stay whole and about one target pixel wide.
    """
    h, w = mask.shape
    if (w, h) == tuple(size):
        return mask.astype(bool)
    shrink = max(w / size[0], h / size[1], 1.0)
    cover = resize_image(mask.astype(np.float32), size)
    return cover > 0.5 / shrink


def normalize(image: np.ndarray, config: ModelConfig) -> np.ndarray:
    """uint8 RGB (H, W, 3) -> float32 (3, H, W) with the model's mean and std."""
    x = image.astype(np.float32) / 255.0
    x = (x - np.asarray(config.mean, np.float32)) / np.asarray(config.std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def tile_window(height: int, width: int, ramp: int) -> np.ndarray:
    """Blending weights of one tile: rising over ``ramp`` px from small but non-zero at the
    border to 1, so overlapping tiles fade into each other."""

    def edge(n: int) -> np.ndarray:
        i = np.arange(n)
        return np.clip(np.minimum(i + 1, n - i) / max(ramp, 1), 0.05, 1.0).astype(np.float32)

    return np.outer(edge(height), edge(width))


def _ceil32(n: int) -> int:
    return max(32, -(-n // 32) * 32)


def tile_plan(length: int, size: int, largest: int = 0, overlap: float = TILE_OVERLAP):
    """Tile side and start offsets along an axis of ``length`` px.

    Tiles overlap by at least ``size * overlap`` px and are at most ``largest`` px (at least
    ``size``), spread evenly so the last tile does not overhang; an axis shorter than that
    gets one tile rounded up to a multiple of 32 (the network's stride), so small crops are
    padded by less than 32 px instead of up to a whole tile.
    """
    largest = max(largest, size)
    if length <= largest:
        return _ceil32(length), [0]
    o = int(size * overlap)
    n = -(-(length - o) // (largest - o))
    side = min(largest, _ceil32(-(-(length + (n - 1) * o) // n)))
    return side, [round(v) for v in np.linspace(0, length - side, n)]


class Segmenter:
    """A model (through an engine) that turns RGB uint8 images into speedline probabilities;
    a ``MaskSource``."""

    def __init__(self, model, config: ModelConfig, batch_size: int = 8):
        from speedlines.segment.engine import TorchEngine

        # A torch module runs eagerly; anything else is an engine (batch -> probabilities).
        self.engine = TorchEngine(model) if hasattr(model, "state_dict") else model
        self.model = getattr(self.engine, "model", None)  # the torch module, when there is one
        self.config, self.batch_size = config, batch_size

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike,
        engine: str = "auto",
        threads: int | None = None,
        **kwargs,
    ) -> Segmenter:
        """Load a model folder. ``engine`` auto takes ONNX Runtime when it is installed and the
        model prefers it (its own ``model.onnx``, or one exported once into the cache), and
        PyTorch otherwise."""
        from speedlines.segment.engine import (
            ENGINES,
            ONNX_FILE,
            OnnxEngine,
            auto_engine,
            cached_onnx,
            onnx_available,
            torch_engine,
        )

        if engine not in ENGINES:
            raise InputError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
        config = load_config(path)
        onnx_path = model_dir(path) / ONNX_FILE
        if engine == "auto":
            engine = "torch"
            if config.engine == "onnx" and onnx_available():
                # No exporter (the onnx package) or no writable cache: stay with PyTorch.
                with contextlib.suppress(ImportError, OSError, RuntimeError):
                    onnx_path, engine = cached_onnx(path), "onnx"
            engine = auto_engine(engine)
        if engine == "onnx":
            if not onnx_path.is_file():
                raise InputError(f"{onnx_path}: not found (run speedlines export-onnx first)")
            return cls(OnnxEngine(onnx_path, threads), config, **kwargs)
        model, config = load_model(path)
        return cls(torch_engine(engine, model, threads), config, **kwargs)

    @property
    def engine_name(self) -> str:
        return self.engine.name

    def _run(self, batch: np.ndarray) -> np.ndarray:
        return self.engine(batch)

    def probability(self, image: np.ndarray) -> np.ndarray:
        """Per-pixel speedline probability (float32, the image's height and width)."""
        h, w = image.shape[:2]
        s = self.config.input_size
        if self.config.view == "resize":
            prob = self._run(normalize(resize_image(image, (s, s)), self.config)[None])[0]
            return resize_image(prob, (w, h))
        s = self.config.tile_size or s
        k = self.config.scale
        sw, sh = max(1, round(w * k)), max(1, round(h * k))
        if sw * sh > MAX_SCALED_PIXELS:
            raise InputError(
                f"image of {w} x {h} px at the model's scale {k:g} is {sw * sh / 1e6:.0f} "
                f"megapixels, over the {MAX_SCALED_PIXELS // 1_000_000} megapixel limit"
            )
        scaled = resize_image(image, (sw, sh))
        largest, ov = self.config.tile_max, self.config.tile_overlap
        th, ys = tile_plan(sh, s, largest, ov)
        tw, xs = tile_plan(sw, s, largest, ov)
        ph, pw = max(sh, th), max(sw, tw)
        if (pw, ph) != (sw, sh):  # small images: pad with the border so edges look natural
            scaled = cv2.copyMakeBorder(scaled, 0, ph - sh, 0, pw - sw, cv2.BORDER_REPLICATE)
        x = normalize(scaled, self.config)
        acc = np.zeros((ph, pw), np.float32)
        weight = np.zeros((ph, pw), np.float32)
        win = tile_window(th, tw, int(s * ov))
        boxes = [(y, x0) for y in ys for x0 in xs]
        # The same number of pixels per batch whatever the tile shape, so memory stays flat.
        per_batch = max(1, self.batch_size * s * s // (th * tw))
        for i in range(0, len(boxes), per_batch):
            chunk = boxes[i : i + per_batch]
            probs = self._run(np.stack([x[:, y : y + th, x0 : x0 + tw] for y, x0 in chunk]))
            for (y, x0), p in zip(chunk, probs):
                acc[y : y + th, x0 : x0 + tw] += p * win
                weight[y : y + th, x0 : x0 + tw] += win
        prob = (acc / weight)[:sh, :sw]
        return resize_image(prob, (w, h))

    def segmentation(self, probability: np.ndarray, threshold: float | None = None) -> Segmentation:
        """The mask and provenance of a probability map this model made; ``threshold``
        overrides the model's own."""
        t = check_threshold(self.config.threshold if threshold is None else threshold)
        provenance = {
            "model": f"{self.config.architecture}/{self.config.encoder}",
            "engine": self.engine_name,
            "threshold": t,
            "trained_on": self.config.training.get("data", ""),
        }
        return Segmentation(probability, probability > t, provenance)

    def segment(
        self, image: np.ndarray, threshold: float | None = None, plot_area=None
    ) -> Segmentation:
        """``Segmentation`` of an RGB image; the model looks at all of it, so ``plot_area``
        is not used."""
        return self.segmentation(self.probability(image), threshold)

    def predict(self, image: np.ndarray, threshold: float | None = None) -> np.ndarray:
        """Boolean speedline mask at the image's resolution."""
        return self.segment(image, threshold).mask
