"""HTTP guards around the whole app (pure ASGI middleware): the request body limit, checked
before any byte is read and while the body streams in, and the security headers."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The page loads only its own script and style; images may be uploads (blob:) or masks (data:).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI and ReDoc start from an inline script and style themselves inline (ReDoc in a
# blob: worker too); their scripts come from this server (FastAPIOffline), nothing from a CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class BodyLimit:
    """413 with a one-line ``detail`` for a request body over ``max_body`` bytes: at once when
    Content-Length says so (nothing is read), else as soon as the streamed bytes pass it."""

    def __init__(self, app: ASGIApp, max_body: int, detail: str):
        self.app, self.max_body, self.detail = app, max_body, detail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await JSONResponse({"detail": self.detail}, 413)(scope, receive, send)
            return
        total = 0

        async def counted() -> Message:
            nonlocal total
            message = await receive()
            total += len(message.get("body", b""))
            if total > self.max_body:
                # Raised inside the body parsing: FastAPI passes an HTTPException on as it is.
                raise HTTPException(413, self.detail)
            return message

        await self.app(scope, counted, send)


class SecurityHeaders:
    """nosniff, no referrer, no framing on every response; the strict Content-Security-Policy
    on all but the ``docs`` paths (the API docs pages), which get ``DOCS_CSP``: inline script
    and style allowed, but still only from this server."""

    def __init__(self, app: ASGIApp, docs: tuple[str, ...] = ()):
        self.app, self.docs = app, docs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] in self.docs else CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Content-Security-Policy"] = csp
            await send(message)

        await self.app(scope, receive, with_headers)
