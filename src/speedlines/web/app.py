"""FastAPI application: the page, and a JSON API over predict, digitize and fit (``api``).

Uploads are kept in memory and nothing is written to disk; a body over the limit is refused
before it is read (``guards``). The API docs (``/docs``, ``/redoc``) load their scripts from
the package, so they work offline. Model work runs on a fixed pool of workers with a bounded
queue (``pool``). The model's probability map of the last few images is kept (``sources``),
so that digitizing an image that was just predicted does not run the model again.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.formparsers import MultiPartParser

from speedlines import __version__
from speedlines.web.api import Limits, router, too_large
from speedlines.web.guards import BodyLimit, SecurityHeaders
from speedlines.web.labels_api import router as labels_router
from speedlines.web.pool import WorkerPool, default_workers
from speedlines.web.sources import MaskSources

STATIC = Path(__file__).parent / "static"
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORM_FIELDS_BYTES = 1024 * 1024  # the calibration JSON and the other text fields
TIMEOUT_S = 120.0
DOCS_URL, REDOC_URL = "/docs", "/redoc"  # FastAPIOffline's defaults


def create_app(
    model_path=None,
    engine: str = "auto",
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    *,
    workers: int | None = None,
    queue: int | None = None,
    timeout: float = TIMEOUT_S,
    load_model: Callable | None = None,
    preload: bool = False,
) -> FastAPI:
    """The web application. The model is loaded on the first request that needs it, or here
    with ``preload`` (an unloadable model then raises ``InputError``). ``workers`` threads run
    model work (default: from the CPU count), ``queue`` more requests may wait (default: 4 per
    worker), each request gets ``timeout`` seconds. ``load_model`` replaces loading
    ``model_path`` (tests)."""

    def load_from_path():
        from speedlines.segment.model import default_model
        from speedlines.segment.segmenter import Segmenter

        return Segmenter.from_path(model_path or default_model(), engine=engine)

    workers = workers or default_workers()
    pool = WorkerPool(workers, 4 * workers if queue is None else queue, timeout)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        pool.shutdown()

    # FastAPIOffline: /docs and /redoc load Swagger UI and ReDoc from the package, not a CDN.
    app = FastAPIOffline(
        title="speedlines",
        version=__version__,
        description="Find the speedlines in compressor-map images and digitize them.",
        lifespan=lifespan,
    )
    app.state.sources = MaskSources(load_model or load_from_path)
    if preload:
        app.state.sources.model.segmenter  # noqa: B018 - loads it, or raises InputError
    app.state.limits = Limits(max_bytes, max_pixels)
    app.state.pool = pool
    body_limit = max_bytes + FORM_FIELDS_BYTES
    # Starlette rolls a file part over 1 MB to a temporary file; the body limit bounds the
    # upload, so it may stay in memory (nothing written to disk, as the README says).
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, body_limit)
    app.add_middleware(BodyLimit, max_body=body_limit, detail=too_large(max_bytes))
    # FastAPIOffline serves the docs pages itself (app.docs_url is None): name them here.
    docs = (DOCS_URL, REDOC_URL, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(SecurityHeaders, docs=docs)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)
    app.include_router(labels_router)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
