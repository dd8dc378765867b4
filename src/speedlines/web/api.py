"""The JSON API (``/api``): health, the model, predict, digitize, and fit (the page's lines).

The endpoints find the app's mask sources, upload limits and worker pool in ``app.state`` (set
by ``create_app``). Decoding, the model and the answer's encoding run on the pool, never on the
event loop; bad input gets a 4xx with a one-line ``detail``.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse

from speedlines import __version__
from speedlines.atomic_io import encode_png
from speedlines.digitize.axes import ocr_recognizer, read_axes
from speedlines.digitize.batch import MAX_BETAS, MAX_POINTS
from speedlines.digitize.calibration import Calibration
from speedlines.digitize.edited import fit_lines
from speedlines.digitize.ink_trail import ink_darkness
from speedlines.digitize.pipeline import digitize_image, parse_speeds, select_lines
from speedlines.digitize.tables import to_csv, to_gasturb_map, to_json
from speedlines.digitize.trace import trace_lines
from speedlines.errors import InputError
from speedlines.image_io import decode_image
from speedlines.segment.segmentation import MaskSource, Method
from speedlines.web.fit_request import fit_body_schema, parse_fit_request
from speedlines.web.pool import WorkerPool
from speedlines.web.sources import MaskSources

router = APIRouter(prefix="/api")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


@dataclass
class Upload:
    name: str
    data: bytes
    max_pixels: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def decode(self) -> np.ndarray:
        """The image, RGB uint8: 413 when it has too many pixels, 415 when not an image."""
        try:
            return decode_image(self.data, self.name, self.max_pixels)
        except InputError as exc:
            raise HTTPException(413 if "larger than" in str(exc) else 415, str(exc)) from None


def _sources(request: Request) -> MaskSources:
    return request.app.state.sources


def _limits(request: Request) -> Limits:
    return request.app.state.limits


def _pool(request: Request) -> WorkerPool:
    return request.app.state.pool


Sources = Annotated[MaskSources, Depends(_sources)]
Pool = Annotated[WorkerPool, Depends(_pool)]


def too_large(max_bytes: int) -> str:
    return f"upload larger than {max_bytes / (1024 * 1024):g} MB"


async def read_upload(
    request: Request,
    file: Annotated[UploadFile, File(description="the map image")],
    limits: Annotated[Limits, Depends(_limits)],
) -> Upload:
    """The uploaded file, in memory (decoded later, on the pool): 413 when too large, 422
    when a form field comes more than once (which one would be meant?)."""
    form = await request.form()  # the form FastAPI has parsed already
    for key in dict.fromkeys(form.keys()):
        if (n := len(form.getlist(key))) > 1:
            raise HTTPException(422, f"the form has {n} '{key}' parts; send one")
    data = await file.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise HTTPException(413, too_large(limits.max_bytes))
    return Upload(file.filename or "image", data, limits.max_pixels)


Image = Annotated[Upload, Depends(read_upload)]


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


@router.get("/health")
def health() -> dict:
    """Liveness: the service answers, with its version."""
    return {"status": "ok", "version": __version__}


@router.get("/model")
def model_info(sources: Sources, limits: Annotated[Limits, Depends(_limits)], pool: Pool) -> dict:
    """The model in use: network, engine, threshold, training data and test metrics."""
    seg = sources.model.segmenter
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
        "limits": {"max_bytes": limits.max_bytes, "max_pixels": limits.max_pixels},
        "workers": {"threads": pool.workers, "queue": pool.queue, "timeout_s": pool.timeout},
    }


@router.post("/predict", response_model=dict)
async def predict(
    upload: Image,
    sources: Sources,
    pool: Pool,
    method: Method = Form("model", description="model, or ink: dark ink minus straight rules"),
) -> JSONResponse:
    """Image in; the speedline mask (PNG, 255 = speedline) and each line's pixels out."""
    return await pool.run(_predict, upload, sources.get(method), method)


def _predict(upload: Upload, source: MaskSource, method: str) -> JSONResponse:
    image = upload.decode()
    seg = source.segment(image)
    lines = trace_lines(seg.mask, None, seg.confidence, None, ink_darkness(image))
    return JSONResponse({
        "method": method,
        "sha256": upload.sha256,
        "width": int(image.shape[1]),
        "height": int(image.shape[0]),
        "mask_png": _mask_data_url(seg.mask),
        "lines": [
            {
                "line": k + 1,
                "pixels": np.round(ln.points[:: max(1, len(ln.points) // 400)], 1).tolist(),
                "confidence": round(ln.confidence, 4),
            }
            for k, ln in enumerate(lines)
        ],
    })  # fmt: skip


@router.post("/digitize", response_model=dict)
async def digitize(
    upload: Image,
    sources: Sources,
    pool: Pool,
    calibration: str = Form(..., description="calibration JSON (the CLI's format)"),
    speeds: str | None = Form(None, description="one speed per kept line, lowest first"),
    keep: str | None = Form(None, description="line numbers to keep, e.g. 1,2,4"),
    points: int = Form(50, ge=2, le=MAX_POINTS),
    betas: int = Form(11, ge=2, le=MAX_BETAS),
    decimal: str = Form(".", pattern=r"^[.,]$"),
    method: Method = Form("model", description="model, or ink: dark ink minus straight rules"),
) -> JSONResponse:
    """Image and calibration in; curves in data units out, with the CSV, JSON and .map."""
    options = (calibration, speeds, keep, points, betas, decimal)
    return await pool.run(_digitize, upload, sources.get(method), *options)


def _digitize(upload, source, calibration, speeds, keep, points, betas, decimal) -> JSONResponse:
    try:
        cal = Calibration.from_json(calibration)
        speed_list = parse_speeds(speeds)
        kept = _numbers(keep, "keep")
        result, mask = digitize_image(
            upload.decode(), cal, source, points=points,
            name=upload.name, image_bytes=upload.data,
        )  # fmt: skip
        result = select_lines(result, kept, speed_list)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    return JSONResponse({
        "result": to_json(result, betas),
        "csv": to_csv(result, decimal),
        "map": to_gasturb_map(result, betas) if result.speeds_known else None,
        "mask_png": _mask_data_url(mask),
    })  # fmt: skip


@router.post("/fit", response_model=dict, openapi_extra={"requestBody": fit_body_schema()})
async def fit(request: Request, pool: Pool) -> JSONResponse:
    """The page's own lines (pixel polylines, edited or drawn, a speed per line where known)
    in; the same curves, CSV, JSON and .map as ``/api/digitize`` out. No model runs."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise HTTPException(415, "send the body as application/json")
    return await pool.run(_fit, await request.body())


def _fit(body: bytes) -> JSONResponse:
    try:
        req = parse_fit_request(body)
        image = req.image
        result = fit_lines(
            [line.edited() for line in req.lines],
            Calibration.from_dict(req.calibration),
            (image.width, image.height),
            req.points,
            {"name": image.name, "sha256": image.sha256.lower()},
        )
        answer = {
            "result": to_json(result, req.betas),
            "csv": to_csv(result, req.decimal),
            "map": to_gasturb_map(result, req.betas) if result.speeds_known else None,
            "missing_speeds": [sl.extra["id"] for sl in result.lines if sl.speed is None],
        }
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    return JSONResponse(answer)


_ocr = lru_cache(maxsize=1)(ocr_recognizer)  # loaded once, on the first image read
ocr_lock = threading.Lock()  # one OCR at a time: its sessions are shared


@router.post("/axes", response_model=dict)
async def axes(upload: Image, pool: Pool) -> JSONResponse:
    """Image in; its axes read from the tick labels (OCR): the calibration JSON with
    ``"source": "auto"``, the ticks read, the fit residual and a confidence. 422 naming what
    could not be read (e.g. "y axis: only 1 tick label read, need 2")."""
    return await pool.run(_axes, upload)


def _axes(upload: Upload) -> JSONResponse:
    image = upload.decode()
    try:
        with ocr_lock:
            reading = read_axes(image, _ocr())
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    return JSONResponse(reading.to_dict())
