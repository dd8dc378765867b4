"""The serve command: the web page and the REST API."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from speedlines.cli.app import app, err
from speedlines.errors import InputError


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a busy port is one clear line, before the
    server says it runs."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise InputError(f"cannot listen on {host}:{port}: {reason}") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: shipped).")] = None,
    engine: Annotated[str, typer.Option(help="auto | torch | torch-bf16 | onnx")] = "auto",
    workers: Annotated[
        int | None, typer.Option(min=1, help="Threads for model work (default: CPU count, max 4).")
    ] = None,
    queue: Annotated[
        int | None,
        typer.Option(min=0, help="Requests waiting for a worker; more get 503 (default: 4 each)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a model request may take (504 after).")
    ] = 120.0,
) -> None:
    """Serve the page (/) and the JSON API (/api, documented at /docs)."""
    try:
        import uvicorn

        from speedlines.web.app import create_app
    except ImportError as exc:
        raise InputError(
            f"the web page needs FastAPI and uvicorn ({exc.name} is missing): "
            "pip install 'speedlines[web]'"
        ) from None
    if not 0 < port < 65536:
        raise InputError(f"port must be in 1..65535, got {port}")
    sock = _listen(host, port)
    try:
        # Loaded now: a bad --model or --engine is refused here, not answered 500 later.
        web = create_app(model, engine, workers=workers, queue=queue, timeout=timeout, preload=True)
    except InputError:
        sock.close()
        raise
    except Exception as exc:  # a model folder that is there but does not load
        sock.close()
        where = model or "the shipped model"
        raise InputError(f"{where}: cannot load the model ({type(exc).__name__}: {exc})") from None
    err.print(f"speedlines on http://{host}:{port}/ (API docs at /docs); Ctrl+C stops")
    server = uvicorn.Server(uvicorn.Config(web, log_level="warning"))
    server.run(sockets=[sock])
