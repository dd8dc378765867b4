"""The server under load and hostile requests: model work off the event loop, a bounded
queue (503 + Retry-After), a time limit, the upload limit before anything is read or written,
repeated form fields, security headers and the page's escaping."""

import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import anyio
import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

import speedlines.web.api
from speedlines.errors import InputError
from speedlines.segment.model import ModelConfig
from speedlines.segment.segmenter import Segmenter
from speedlines.web.app import create_app
from speedlines.web.sources import MaskSources
from tests.web.test_api import png

STATIC = Path(speedlines.web.api.__file__).parent / "static"


class Gate(torch.nn.Module):
    """A model that holds its worker until ``release`` is set: dark pixels are speedline."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.started, self.release = threading.Event(), threading.Event()

    def forward(self, x):
        self.started.set()
        assert self.release.wait(5), "the test never released the model"
        return (-x.mean(1, keepdim=True) - 1.0) * 8 + self.w


def gated_app(gate: Gate, **kwargs):
    app = create_app(**kwargs)
    # Set after creation, so that the same test runs against an app without these options.
    config = ModelConfig(view="tile", input_size=64)
    app.state.sources = MaskSources(lambda: Segmenter(gate, config))
    return app


def image_file(seed: int) -> tuple:
    """A small distinct image per request: the probability cache never answers for the model."""
    rng = np.random.default_rng(seed)
    return ("m.png", png(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)), "image/png")


def post_in_thread(client, results: list, seed: int) -> threading.Thread:
    def go():
        results.append(client.post("/api/predict", files={"file": image_file(seed)}))

    thread = threading.Thread(target=go)
    thread.start()
    return thread


def test_health_answers_while_the_model_works():
    gate = Gate()
    with TestClient(gated_app(gate)) as client:
        results = []
        thread = post_in_thread(client, results, 1)
        try:
            assert gate.started.wait(10)
            t0 = time.monotonic()
            assert client.get("/api/health").status_code == 200
            assert client.get("/").status_code == 200
            assert time.monotonic() - t0 < 0.5, "health and the page wait for the model"
        finally:
            gate.release.set()
            thread.join(20)
        assert results[0].status_code == 200, results[0].text


def test_a_full_pool_and_queue_answer_503_with_retry_after_at_once():
    gate = Gate()
    app = create_app(workers=1, queue=1)
    app.state.sources = gated_app(gate).state.sources
    with TestClient(app) as client:
        results = []
        threads = [post_in_thread(client, results, 1)]
        try:
            assert gate.started.wait(10)
            threads.append(post_in_thread(client, results, 2))  # waits in the queue
            for _ in range(100):
                if app.state.pool.admitted == 2:
                    break
                time.sleep(0.02)
            t0 = time.monotonic()
            r = client.post("/api/predict", files={"file": image_file(3)})
            assert time.monotonic() - t0 < 1.0
            assert r.status_code == 503 and "busy" in r.json()["detail"]
            assert int(r.headers["Retry-After"]) >= 1
        finally:
            gate.release.set()
            for t in threads:
                t.join(20)
        assert [r.status_code for r in results] == [200, 200], "the queued request was served"
        assert app.state.pool.admitted == 0


def test_a_request_over_the_time_limit_gets_504_with_one_line():
    gate = Gate()
    with TestClient(gated_app(gate, timeout=0.3)) as client:
        try:
            r = client.post("/api/predict", files={"file": image_file(1)})
        finally:
            gate.release.set()
        assert r.status_code == 504 and "0.3 s limit" in r.json()["detail"]


async def _raw_post(app, headers: dict, chunks: list[bytes]) -> tuple[int, dict, int]:
    """POST ``chunks`` to /api/predict at the ASGI level: status, headers, bytes read."""
    read, sent = 0, []
    chunks = list(chunks)

    async def receive():
        nonlocal read
        if not chunks:
            return {"type": "http.disconnect"}
        body = chunks.pop(0)
        read += len(body)
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": "/api/predict", "raw_path": b"/api/predict",
        "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
        "server": ("test", 80), "client": ("test", 1),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, read


@pytest.fixture
def no_disk_no_decoding(monkeypatch):
    """Records every temporary file made and every image decoded."""
    made = []
    real = tempfile.TemporaryFile

    def temporary_file(*args, **kwargs):
        made.append("temporary file")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)

    def decode_image(*args):
        made.append("decoded")
        raise InputError("not a readable image")

    monkeypatch.setattr(speedlines.web.api, "decode_image", decode_image)
    return made


def _multipart(size: int) -> tuple[str, list[bytes]]:
    boundary = "b0undary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"'
            "\r\nContent-Type: image/png\r\n\r\n").encode()  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"\x89" * size + tail
    step = 64 * 1024
    return f"multipart/form-data; boundary={boundary}", [
        body[i : i + step] for i in range(0, len(body), step)
    ]


@pytest.mark.parametrize("content_length", ["claimed", "lying", "absent"])
def test_an_oversize_upload_is_refused_before_it_is_read_or_written(
    no_disk_no_decoding, content_length
):
    app = create_app(max_bytes=2_000_000)
    kind, chunks = _multipart(6_000_000)
    headers = {"content-type": kind}
    if content_length != "absent":
        total = sum(map(len, chunks))
        headers["content-length"] = str(total if content_length == "claimed" else 1000)
    status, _, read = anyio.run(_raw_post, app, headers, chunks)
    assert status == 413
    if content_length == "claimed":
        assert read == 0, "the Content-Length alone refuses it"
    else:
        assert read < 3_200_000, f"{read} bytes read: refused only after the whole body"
    assert no_disk_no_decoding == [], "nothing written to disk, nothing decoded"


def test_an_upload_under_the_limit_stays_in_memory(no_disk_no_decoding):
    kind, chunks = _multipart(1_800_000)  # over Starlette's 1 MB spooling size
    app = create_app(max_bytes=2_000_000)
    status, _, _ = anyio.run(_raw_post, app, {"content-type": kind}, chunks)
    assert status == 415 and no_disk_no_decoding == ["decoded"]


def test_two_file_parts_are_refused_with_one_line():
    with TestClient(create_app()) as client:
        files = [("file", image_file(1)), ("file", image_file(2))]
        r = client.post("/api/predict", files=files)
        assert r.status_code == 422
        assert r.json()["detail"] == "the form has 2 'file' parts; send one"
        r = client.post("/api/digitize", files=files, data={"calibration": "{}"})
        assert r.status_code == 422 and "'file' parts" in r.json()["detail"]


def test_security_headers_and_a_content_security_policy_without_inline_script():
    with TestClient(create_app()) as client:
        for path in ("/", "/static/js/main.js", "/api/health"):
            h = client.get(path).headers
            csp = h["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
            assert "frame-ancestors 'none'" in csp and h["X-Frame-Options"] == "DENY"
            assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"]
        docs = client.get("/docs")  # Swagger UI: inline script, but only from this server
        assert docs.status_code == 200
        assert "default-src 'self'" in docs.headers["Content-Security-Policy"]


def test_the_page_builds_no_html_from_strings():
    """API text (units, names, messages) reaches the page only as text nodes: no HTML parsing
    of strings anywhere in the page's script, and no inline script or handler in the page
    (the CSP would block them)."""
    for path in (STATIC / "js").glob("*.js"):
        script = path.read_text()
        html = re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)
        assert not html, path.name
        assert not re.search(r"""["']?style["']?\s*:""", script), f"{path.name}: style attribute"
    page = (STATIC / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", page) and " style=" not in page


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "speedlines", "serve", *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--model", "/nonexistent"], "/nonexistent: no model here"),
     (["--engine", "magic"], "engine must be one of")],
)  # fmt: skip
def test_serve_refuses_a_model_it_cannot_load_at_start(args, message):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    p = _serve("--port", port, *args)
    assert p.returncode == 2 and message in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "speedlines on" not in p.stderr


def test_serve_refuses_a_busy_port_before_saying_it_runs():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        p = _serve("--port", str(s.getsockname()[1]))
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip().endswith("Address already in use") and "speedlines on" not in p.stderr
