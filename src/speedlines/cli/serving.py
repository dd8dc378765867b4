"""The serve command: the web page and the REST API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from speedlines.cli.app import app, err
from speedlines.errors import InputError


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: shipped).")] = None,
    engine: Annotated[str, typer.Option(help="auto | torch | onnx")] = "auto",
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
    err.print(f"speedlines on http://{host}:{port}/ (API docs at /docs); Ctrl+C stops")
    uvicorn.run(create_app(model, engine), host=host, port=port, log_level="warning")
