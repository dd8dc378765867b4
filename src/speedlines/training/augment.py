"""Training views and augmentation (albumentations), shared by folder and generated data.

``resize`` view: the whole image squashed to the input size, then the research's
augmentation: a random sized crop (50-100 % of the side) or a shrink with padding, vertical
flip, 90-degree rotation (both left out by ``upright``), and one of elastic, grid or optical
distortion. ``tile`` view: native pixels (times the model scale, jittered) cut into
input-size windows.
"""

from __future__ import annotations

import albumentations as A
import cv2
import numpy as np

from speedlines.segment.segmenter import resize_image, resize_mask

SCALE_JITTER = (0.7, 1.3)


def research_augmentation(size: int, upright: bool = False) -> A.Compose:
    """The research's augmentation; ``upright`` leaves out its flips and quarter turns.

    Compressor maps are always drawn surge left, choke right, pressure ratio up, and shape is
    what tells a speedline from a beta line or surge line drawn in the same style: turned
    views spend most of a short training on orientations no map has.
    """
    turns = [] if upright else [A.VerticalFlip(p=0.5), A.RandomRotate90(p=0.5)]
    return A.Compose(
        [
            A.OneOf(
                [
                    A.RandomSizedCrop(min_max_height=(size // 2, size), size=(size, size)),
                    A.Affine(
                        scale=(0.5, 1.0),
                        border_mode=cv2.BORDER_CONSTANT,
                        fill=255,
                        fill_mask=0,
                    ),
                ],
                p=0.5,
            ),
            *turns,
            A.OneOf(
                [A.ElasticTransform(), A.GridDistortion(), A.OpticalDistortion()],
                p=0.3,
            ),
        ]
    )


def resized_view(image: np.ndarray, mask: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The whole image and mask at size x size."""
    return resize_image(image, (size, size)), resize_mask(mask, (size, size))


def tile_view(
    image: np.ndarray,
    mask: np.ndarray,
    size: int,
    scale: float,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray]:
    """A size x size window at ``scale``: random (jittered scale) with ``rng``, else centred."""
    if rng is not None:
        scale *= rng.uniform(*SCALE_JITTER)
    h, w = mask.shape
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    image, mask = resize_image(image, (sw, sh)), resize_mask(mask, (sw, sh))
    pad_y, pad_x = max(0, size - sh), max(0, size - sw)
    if pad_x or pad_y:
        image = cv2.copyMakeBorder(image, 0, pad_y, 0, pad_x, cv2.BORDER_REPLICATE)
        mask = np.pad(mask, ((0, pad_y), (0, pad_x)))
    h, w = mask.shape
    if rng is None:
        y, x = (h - size) // 2, (w - size) // 2
    else:
        y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
    return image[y : y + size, x : x + size], mask[y : y + size, x : x + size]


def augment(
    image: np.ndarray, mask: np.ndarray, size: int, seed: int, upright: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The research's augmentation of one view, reproducible from ``seed``."""
    t = research_augmentation(size, upright)
    t.set_random_seed(seed)
    out = t(image=image, mask=mask.astype(np.uint8))
    return out["image"], out["mask"].astype(bool)
