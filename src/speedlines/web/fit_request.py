"""The body of ``POST /api/fit``: the page's lines, the image they were drawn on and the
calibration, as pydantic models; parsed from the raw bytes on a worker (a body of a million
points takes a second to validate: not on the event loop), every error one line."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from speedlines.digitize.batch import MAX_BETAS, MAX_POINTS
from speedlines.digitize.edited import EditedLine
from speedlines.errors import InputError

__all__ = ["FitRequest", "PageLine", "fit_body_schema", "parse_fit_request"]


class ImageRecord(BaseModel):
    """The image the lines were found or drawn on (the page keeps it; it is not sent)."""

    name: str = Field("image", max_length=1000)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$", description="of the image file")
    width: int
    height: int


class PageLine(BaseModel):
    """One line as the page holds it. Checked in ``digitize.edited``, so that every message
    names the line's ``id``."""

    id: int = Field(description="the page's stable line id, >= 1")
    pixels: list[list[float]] = Field(description="(col, row) pairs, (0, 0) = top-left centre")
    speed: float | None = None
    speed_label: str | None = Field(
        None, max_length=200, description="the map's label the speed was read from, if it was"
    )
    confidence: float | None = None
    origin: str = Field(description="model, ink, edited or drawn")

    def edited(self) -> EditedLine:
        # The list as it is: the core turns it into an array and names the line if it cannot.
        return EditedLine(
            self.id, self.pixels, self.speed, self.confidence, self.origin, self.speed_label
        )


class FitRequest(BaseModel):
    image: ImageRecord
    calibration: dict[str, Any] = Field(description="the CLI's calibration JSON object")
    lines: list[PageLine]
    points: int = Field(50, ge=2, le=MAX_POINTS)
    betas: int = Field(11, ge=2, le=MAX_BETAS)
    decimal: Literal[".", ","] = "."


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or "body"


def parse_fit_request(body: bytes) -> FitRequest:
    """The request, or InputError with the first problem in one line."""
    try:
        return FitRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        msg = " ".join(str(first["msg"]).split())
        raise InputError(f"{_where(first['loc'])}: {msg}{more}") from None


def _inline(schema: Any, defs: dict) -> Any:
    """``schema`` with its ``$ref``s to ``$defs`` replaced by the definitions (no cycles here)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def fit_body_schema() -> dict:
    """The OpenAPI request body of ``/api/fit`` (documented by hand: the endpoint reads the
    raw body, so FastAPI cannot infer it)."""
    schema = FitRequest.model_json_schema()
    body = _inline(schema, schema.get("$defs", {}))
    return {"required": True, "content": {"application/json": {"schema": body}}}
