"""FastAPI application: the page, and a JSON API over predict and digitize (``api``).

Uploads are decoded in memory and nothing is written to disk. The model's probability map of
the last few images is kept (``sources``), so that digitizing an image that was just predicted
does not run the model again.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from speedlines import __version__
from speedlines.web.api import Limits, router
from speedlines.web.sources import MaskSources

STATIC = Path(__file__).parent / "static"
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000


def create_app(
    model_path=None, engine: str = "auto", max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> FastAPI:
    """The web application; the model is loaded on the first request that needs it."""

    def load_model():
        from speedlines.segment.model import default_model
        from speedlines.segment.segmenter import Segmenter

        return Segmenter.from_path(model_path or default_model(), engine=engine)

    app = FastAPI(
        title="speedlines",
        version=__version__,
        description="Find the speedlines in compressor-map images and digitize them.",
    )
    app.state.sources = MaskSources(load_model)
    app.state.limits = Limits(max_bytes, max_pixels)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
