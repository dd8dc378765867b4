"""FastAPI application: the page, and a JSON API over predict and digitize.

Uploads are decoded in memory and nothing is written to disk. The model's probability map of
the last few images is kept (keyed by the image's SHA-256), so that digitizing an image that
was just predicted does not run the model again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from fastapi import FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from speedlines import __version__
from speedlines.atomic_io import encode_png
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.pipeline import digitize_mask, parse_speeds, select_lines
from speedlines.digitize.tables import to_csv, to_gasturb_map, to_json
from speedlines.digitize.trace import trace_lines
from speedlines.errors import InputError
from speedlines.image_io import decode_image

STATIC = Path(__file__).parent / "static"
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000


class _Models:
    """The segmenter, loaded on first use, and a small cache of probability maps."""

    def __init__(self, model_path, engine: str, cache_size: int = 8):
        self.model_path, self.engine = model_path, engine
        self._segmenter = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_size = cache_size

    @property
    def segmenter(self):
        with self._lock:
            if self._segmenter is None:
                from speedlines.segment.model import default_model
                from speedlines.segment.segmenter import Segmenter

                path = self.model_path or default_model()
                self._segmenter = Segmenter.from_path(path, engine=self.engine)
            return self._segmenter

    def probability(self, digest: str, image: np.ndarray) -> np.ndarray:
        with self._lock:
            if digest in self._cache:
                self._cache.move_to_end(digest)
                return self._cache[digest]
        prob = self.segmenter.probability(image)
        with self._lock:
            self._cache[digest] = prob
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return prob


def _mask_data_url(mask: np.ndarray) -> str:
    """The mask as a PNG data URL, 255 = speedline (the CLI's mask format)."""
    png = encode_png(np.where(mask, 255, 0).astype(np.uint8))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _numbers(text: str | None, what: str) -> list[int] | None:
    if text is None or not text.strip():
        return None
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise HTTPException(422, f"{what} must be integers separated by commas") from None


def create_app(
    model_path=None, engine: str = "auto", max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> FastAPI:
    """The web application; the model is loaded on the first request that needs it."""
    app = FastAPI(
        title="speedlines",
        version=__version__,
        description="Find the speedlines in compressor-map images and digitize them.",
    )
    models = _Models(model_path, engine)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def _read(upload: UploadFile) -> tuple[np.ndarray, str]:
        data = await upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise HTTPException(413, f"upload larger than {max_bytes // (1024 * 1024)} MB")
        name = upload.filename or "image"
        try:
            image = decode_image(data, name, max_pixels)
        except InputError as exc:
            raise HTTPException(413 if "larger than" in str(exc) else 415, str(exc)) from None
        return image, hashlib.sha256(data).hexdigest()

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/health")
    def health() -> dict:
        """Liveness: the service answers, with its version."""
        return {"status": "ok", "version": __version__}

    @app.get("/api/model")
    def model_info() -> dict:
        """The model in use: network, engine, threshold, training data and test metrics."""
        seg = models.segmenter
        cfg = seg.config
        return {
            "architecture": cfg.architecture,
            "encoder": cfg.encoder,
            "engine": seg.engine_name,
            "view": cfg.view,
            "tile_size": cfg.tile_size,
            "threshold": cfg.threshold,
            "training": cfg.training,
            "metrics": cfg.metrics,
            "limits": {"max_bytes": max_bytes, "max_pixels": max_pixels},
        }

    @app.post("/api/predict")
    async def predict(file: UploadFile = File(...)) -> dict:
        """Image in; the speedline mask (PNG, 255 = speedline) and each line's pixels out."""
        image, digest = await _read(file)
        prob = models.probability(digest, image)
        mask = prob > models.segmenter.config.threshold
        lines = trace_lines(mask, None, prob)
        return {
            "sha256": digest,
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "mask_png": _mask_data_url(mask),
            "lines": [
                {
                    "line": k + 1,
                    "pixels": np.round(ln.points[:: max(1, len(ln.points) // 400)], 1).tolist(),
                    "confidence": round(ln.confidence, 4),
                }
                for k, ln in enumerate(lines)
            ],
        }

    @app.post("/api/digitize")
    async def digitize(
        file: UploadFile = File(...),
        calibration: str = Form(..., description="calibration JSON (the CLI's format)"),
        speeds: str | None = Form(None, description="one speed per kept line, lowest first"),
        keep: str | None = Form(None, description="line numbers to keep, e.g. 1,2,4"),
        points: int = Form(50, ge=2, le=2000),
        betas: int = Form(11, ge=2, le=200),
        decimal: str = Form(".", pattern=r"^[.,]$"),
    ) -> dict:
        """Image and calibration in; curves in data units out, with the CSV, JSON and .map."""
        image, digest = await _read(file)
        try:
            cal = Calibration.from_dict(json.loads(calibration))
            speed_list = parse_speeds(speeds)
            prob = models.probability(digest, image)
            mask = prob > models.segmenter.config.threshold
            result = digitize_mask(mask, cal, None, prob, points)
            result = select_lines(result, _numbers(keep, "keep"), speed_list)
        except json.JSONDecodeError as exc:
            raise HTTPException(422, f"calibration is not valid JSON: {exc.msg}") from None
        except InputError as exc:
            raise HTTPException(422, str(exc)) from None
        result.source = {"name": file.filename or "image", "sha256": digest}
        seg = models.segmenter
        result.segmentation = {
            "model": f"{seg.config.architecture}/{seg.config.encoder}",
            "engine": seg.engine_name,
            "threshold": seg.config.threshold,
        }
        return {
            "result": to_json(result, betas),
            "csv": to_csv(result, decimal),
            "map": to_gasturb_map(result, betas) if result.speeds_known else None,
            "mask_png": _mask_data_url(mask),
        }

    return app
