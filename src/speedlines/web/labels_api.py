"""``POST /api/labels``: the speed of each of the page's lines read from the labels printed
on the map (OCR of the whole image, then each label given to the line it sits next to)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import JSONResponse

from speedlines.digitize.edited import EditedLine, label_speeds
from speedlines.digitize.speed_labels import read_texts
from speedlines.errors import InputError
from speedlines.web.api import Image, Pool, Upload, ocr_lock

router = APIRouter(prefix="/api")
MAX_FIELD = 8_000_000  # characters of the lines' JSON: 200 lines x 20,000 points


def _lines(text: str) -> list[EditedLine]:
    if len(text) > MAX_FIELD:
        raise InputError(f"lines: more than {MAX_FIELD} characters")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError("lines: not valid JSON") from None
    if not isinstance(data, list):
        raise InputError("lines: a JSON list of {id, pixels} is expected")
    out = []
    for k, d in enumerate(data):
        if not isinstance(d, dict) or not isinstance(d.get("id"), int):
            raise InputError(f"lines[{k}]: an object with an integer id is expected")
        out.append(EditedLine(d["id"], d.get("pixels"), None, None, "model"))
    return out


@router.post("/labels", response_model=dict)
async def labels(
    upload: Image,
    pool: Pool,
    lines: Annotated[str, Form(description="JSON list of {id, pixels: [[col, row], ...]}")],
    plot_area: Annotated[str | None, Form(description="JSON [x0, y0, x1, y1], optional")] = None,
) -> JSONResponse:
    """Image and the page's lines in; per line id, the speed label read next to it (speed,
    text, box, distance) or null. Labels must rise from the lowest line up; a line stays
    without a speed where they disagree."""
    return await pool.run(_labels, upload, lines, plot_area)


def _labels(upload: Upload, lines: str, plot_area: str | None) -> JSONResponse:
    image = upload.decode()
    try:
        page_lines = _lines(lines)
        area = None
        if plot_area:
            area = json.loads(plot_area)
            if not (isinstance(area, list) and len(area) == 4
                    and all(isinstance(v, int | float) for v in area)):  # fmt: skip
                raise InputError("plot_area: [x0, y0, x1, y1] expected")
        with ocr_lock:  # as the CLI: only the text inside the plotting area can be a label
            texts = read_texts(image, within=None if area is None else tuple(area))
        found = label_speeds(page_lines, (image.shape[1], image.shape[0]), texts, area)
    except (InputError, ValueError) as exc:
        raise HTTPException(422, str(exc).splitlines()[0]) from None
    return JSONResponse({
        "labels": {str(k): (v.to_dict() if v else None) for k, v in found.items()},
        "texts": len(texts),
    })  # fmt: skip
