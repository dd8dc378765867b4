"""Degradations seen on real material: scans (rotation, perspective), downscaling, paper tone,
colour shifts, blur, noise and JPEG.

Geometric changes are one homography applied to the image, the label coverage and every
pixel polyline alike, so labels stay exact; photometric ones touch the image only.
"""

from __future__ import annotations

import albumentations as A
import cv2
import numpy as np

LABEL_THRESHOLD = 0.5
DOWNSCALED_LABEL_THRESHOLD = 0.3  # area-averaged coverage of a thin line drops below 0.5


def scan_homography(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A small rotation (<= 2 degrees) with a slight perspective, about the image centre."""
    angle = np.deg2rad(rng.uniform(-2.0, 2.0))
    c, s = np.cos(angle), np.sin(angle)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    to_c = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1.0]])
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
    persp = np.eye(3)
    persp[2, :2] = rng.uniform(-0.3, 0.3, 2) / max(width, height) * 0.1
    back = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1.0]])
    return back @ persp @ rot @ to_c


def scale_homography(scale: float) -> np.ndarray:
    """Pixel-centre coordinates under a resize by ``scale``: p' = (p + 0.5) s - 0.5."""
    return np.array([[scale, 0, 0.5 * scale - 0.5], [0, scale, 0.5 * scale - 0.5], [0, 0, 1.0]])


def apply_homography(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    pts = np.column_stack([points, np.ones(len(points))]) @ h.T
    return pts[:, :2] / pts[:, 2:3]


def warp(image: np.ndarray, coverage: np.ndarray, h: np.ndarray, border: tuple):
    height, width = coverage.shape
    img = cv2.warpPerspective(
        image,
        h,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )
    cov = cv2.warpPerspective(
        coverage,
        h,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    return img, cov


def downscale(image: np.ndarray, coverage: np.ndarray, size: tuple[int, int]):
    img = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    cov = cv2.resize(coverage, size, interpolation=cv2.INTER_AREA)
    return img, cov


def photometric(rng: np.random.Generator, strength: float) -> A.Compose:
    """Paper tone, colour shifts, blur, noise and JPEG; ``strength`` in [0, 1] scales how often."""
    p = float(np.clip(strength, 0.0, 1.0))
    return A.Compose(
        [
            A.ToGray(p=0.15 * p),
            A.RandomToneCurve(scale=0.1, p=0.3 * p),
            A.RGBShift(
                r_shift_limit=(-8, 8), g_shift_limit=(-8, 8), b_shift_limit=(-8, 8), p=0.25 * p
            ),
            A.RandomBrightnessContrast(
                brightness_limit=(-0.12, 0.05), contrast_limit=(-0.25, 0.1), p=0.4 * p
            ),
            A.OneOf(
                [
                    A.GaussianBlur(sigma_limit=(0.3, 1.0), blur_limit=0),
                    A.MotionBlur(blur_limit=(3, 3)),
                ],
                p=0.3 * p,
            ),
            A.GaussNoise(std_range=(0.01, 0.05), p=0.3 * p),
            A.ImageCompression(quality_range=(25, 95), p=0.5 * p),
        ],
        seed=int(rng.integers(2**31 - 1)),
        save_applied_params=True,
    )


def paper_tone(rng: np.random.Generator, image: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Multiply by a yellowish/greyish paper colour, as on scans and old datasheets."""
    tone = np.array([rng.uniform(0.88, 1.0), rng.uniform(0.86, 1.0), rng.uniform(0.78, 0.98)])
    out = np.clip(image.astype(np.float32) * tone, 0, 255).astype(np.uint8)
    return out, [float(t) for t in tone]


def degrade(
    rng: np.random.Generator,
    image: np.ndarray,
    coverage: np.ndarray,
    final_size: tuple[int, int],
    strength: float,
    scan: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict]]:
    """Degrade an image rendered at any size down to ``final_size`` (width, height).

    Returns the image, the boolean label, the homography from rendered to final pixels, and a
    description of what was applied.
    """
    applied: list[dict] = []
    h_total = np.eye(3)
    height, width = coverage.shape
    if scan:
        h = scan_homography(rng, width, height)
        # Fill uncovered corners with the page colour, not whatever ink sits at a corner pixel.
        border = tuple(int(v) for v in np.median(image.reshape(-1, 3)[::97], axis=0))
        image, coverage = warp(image, coverage, h, border)
        h_total = h @ h_total
        applied.append({"name": "scan_warp", "homography": h.round(8).tolist()})
    threshold = LABEL_THRESHOLD
    if (width, height) != tuple(final_size):
        scale = final_size[0] / width
        image, coverage = downscale(image, coverage, final_size)
        h_total = scale_homography(scale) @ h_total
        threshold = DOWNSCALED_LABEL_THRESHOLD if scale < 0.9 else LABEL_THRESHOLD
        applied.append({"name": "downscale", "scale": float(scale)})
    if rng.random() < 0.3 * strength:
        image, tone = paper_tone(rng, image)
        applied.append({"name": "paper_tone", "tone": tone})
    result = photometric(rng, strength)(image=image)
    image = result["image"]
    for name, params in result.get("applied_transforms", []):
        applied.append({"name": name, **_plain(params)})
    return image, coverage >= threshold, h_total, applied


def _plain(params: dict) -> dict:
    """Keep the JSON-friendly scalar parameters of an albumentations transform."""
    out = {}
    for k, v in params.items():
        if isinstance(v, (bool, int, float, str)):
            out[k] = v
        elif isinstance(v, tuple | list) and all(isinstance(x, int | float) for x in v):
            out[k] = list(v)
    return out
