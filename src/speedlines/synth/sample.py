"""One generated sample: image, exact label and metadata, from (seed, index) alone."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from speedlines import __version__, formats
from speedlines.errors import InputError
from speedlines.synth import degrade as deg
from speedlines.synth import families
from speedlines.synth.extras import sample_extras
from speedlines.synth.physics import sample_map
from speedlines.synth.render import render

MIXED_STYLES = ("crop", "chart")  # what "mixed" draws from
STYLES = (*MIXED_STYLES, *families.STYLES)
CASES = ("simple", "combined")
MAX_RENDER_SIDE = 4000  # bounds memory and time of the matplotlib canvas


@dataclass
class Sample:
    image: np.ndarray  # (H, W, 3) uint8 RGB
    label: np.ndarray  # (H, W) bool, True = speedline
    meta: dict


def sample_rng(seed: int, index: int) -> np.random.Generator:
    """Independent stream per image: the result does not depend on workers or order."""
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def _final_size(rng: np.random.Generator, style: str) -> tuple[int, int]:
    if style == "crop":
        w = int(rng.choice([rng.integers(200, 320), rng.integers(320, 1024)], p=[0.4, 0.6]))
        return w, max(64, round(w / rng.uniform(1.4, 2.4)))
    w = int(np.exp(rng.uniform(np.log(400), np.log(3000))))
    return w, int(np.clip(w / rng.uniform(0.85, 1.6), 300, 3000))


def _round(points: np.ndarray, decimals: int = 3) -> list[list[float]]:
    return np.round(points.astype(np.float64), decimals).tolist()


def _sig(points: np.ndarray) -> list[list[float]]:
    return [[float(f"{v:.7g}") for v in p] for p in points]


def style_names(style: str) -> list[str]:
    """The styles ``style`` draws from: ``mixed`` (crop and chart), one style or a
    comma-separated list such as ``chart,datasheet,gif``; an unknown name raises InputError."""
    if style == "mixed":
        return list(MIXED_STYLES)
    names = [s.strip() for s in style.split(",")]
    unknown = [s for s in names if s not in STYLES]
    if unknown:
        raise InputError(
            f"no style {unknown[0]!r}: one of {', '.join(STYLES)}, mixed, or a comma-separated list"
        )
    return names


def pick_style(rng: np.random.Generator, style: str) -> str:
    """One style for an image, drawn from ``style_names(style)``."""
    names = style_names(style)
    return names[0] if len(names) == 1 else str(rng.choice(names))


def generate_sample(seed: int, index: int, style: str = "mixed", case: str = "mixed") -> Sample:
    """Generate image ``index`` of the data set with ``seed``; same inputs give the same bytes."""
    rng = sample_rng(seed, index)
    style = pick_style(rng, style)
    case = str(rng.choice(CASES)) if case == "mixed" else case
    cmap = sample_map(rng)
    extras = sample_extras(cmap, rng) if case == "combined" else []
    if style in MIXED_STYLES:
        final = _final_size(rng, style)
        # Render large and shrink, so lines can break into dots and dashes as on thumbnails.
        shrink = rng.uniform(0.3, 0.8) if rng.random() < 0.3 else 1.0
        shrink = max(shrink, max(final) / MAX_RENDER_SIDE)
        render_size = (round(final[0] / shrink), round(final[1] / shrink))
        if shrink > 0.95:
            render_size = final
        r = render(cmap, extras, rng, style, case, *render_size)
        strength = float(rng.uniform(0.0, 1.0)) if rng.random() < 0.75 else 0.0
        scan = rng.random() < 0.2
        image, label, h, applied = deg.degrade(rng, r.image, r.coverage, final, strength, scan)
    else:
        image, label, h, applied, final, render_size, scan, r = _family_image(
            rng, style, cmap, extras, case
        )

    def to_final(points: np.ndarray) -> np.ndarray:
        return deg.apply_homography(h, points)

    cal = r.calibration
    # Reference points move with the warp; a 2-point-per-axis calibration keeps the
    # component along its axis (exact without a scan warp, approximate with one).
    for axis, i in (("x", 0), ("y", 1)):
        other = cal["y"]["pixel"][0] if axis == "x" else cal["x"]["pixel"][0]
        pts = np.array([[p, other] if axis == "x" else [other, p] for p in cal[axis]["pixel"]])
        cal[axis]["pixel"] = [round(float(v), 4) for v in to_final(pts)[:, i]]
    box = np.array([cal["plot_area"][:2], cal["plot_area"][2:]], dtype=float)
    fb = to_final(box)
    cal["plot_area"] = [
        int(np.clip(round(fb[0, 0]), 0, final[0] - 1)),
        int(np.clip(round(fb[0, 1]), 0, final[1] - 1)),
        int(np.clip(round(fb[1, 0]), 0, final[0] - 1)),
        int(np.clip(round(fb[1, 1]), 0, final[1] - 1)),
    ]
    speedlines = [
        {
            "line": i + 1,
            "speed": float(cmap.speeds[i]),
            "speed_norm": float(cmap.speeds_norm[i]),
            "data": _sig(r.speedline_data[i]),
            "pixels": _round(to_final(r.speedline_pixels[i])),
        }
        for i in range(len(cmap.lines))
    ]
    flow_factor = r.info["flow_factor"]
    meta = {
        "format": formats.SAMPLE,
        "index": index,
        "seed": seed,
        "style": style,
        "case": case,
        "width": final[0],
        "height": final[1],
        "machine": cmap.machine,
        "family": cmap.family,
        "units": {"x": cal["units"]["x"], "y": "-", "speed": cmap.speed_unit},
        "speeds": [float(s) for s in cmap.speeds],
        "calibration": cal,
        "warped": bool(scan),
        "homography": h.round(10).tolist(),
        "render_size": list(render_size),
        "speedlines": speedlines,
        "surge_line": {"data": _sig(cmap.surge_points * [flow_factor, 1])},
        "choke_line": {"data": _sig(cmap.choke_points * [flow_factor, 1])},
        "extras": [{"kind": k, "pixels": _round(to_final(p))} for k, p in r.extras_pixels],
        "grid": _grid_final(r.grid_pixels, h, final),
        "islands": r.info["islands"],
        "markers": r.info["markers"],
        "appearance": r.info["appearance"],
        "chart": r.info["chart"],
        "degradations": applied,
        "model": _jsonable(cmap.params),
        "generator": f"speedlines {__version__}",
        "label_fraction": float(label.mean()),
    }
    return Sample(image=image, label=label, meta=meta)


def _family_image(rng, style: str, cmap, extras, case: str):
    """A chart of a datasheet family, drawn at its final size (crisp, as its makers saved it);
    a GIF-era map without antialiasing and posterized, a scan warped and degraded."""
    family = families.pick_family(rng, style)
    final = families.final_size(rng, family)
    r = render(cmap, extras, rng, family, case, *final)
    scan = style == "scan"
    strength = float(rng.uniform(0.5, 1.0)) if scan else 0.0
    image, label, h, applied = deg.degrade(rng, r.image, r.coverage, final, strength, scan)
    if family == "gif" and not scan:
        image, step = families.posterize(rng, image)
        applied.append(step)
    if scan:  # a scan is saved as a JPEG, often more than once
        quality = int(rng.integers(35, 90))
        _, jpeg = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        image = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[..., ::-1].copy()
        applied.append({"name": "jpeg", "quality": quality})
    return image, label, h, applied, final, final, scan, r


def _grid_final(grid: dict, h: np.ndarray, final: tuple[int, int]) -> dict:
    """Grid line positions (cols for x, rows for y) in final pixels, taken at mid-image."""
    cx, cy = (final[0] - 1) / 2, (final[1] - 1) / 2
    hi = np.linalg.inv(h)
    mid = deg.apply_homography(hi, np.array([[cx, cy]]))[0]  # mid-image in rendered pixels
    out = {}
    for axis, i in (("x", 0), ("y", 1)):
        if not grid[axis]:
            out[axis] = []
            continue
        pts = np.array([[v, mid[1]] if axis == "x" else [mid[0], v] for v in grid[axis]])
        out[axis] = [round(float(v), 3) for v in deg.apply_homography(h, pts)[:, i]]
    return out


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
