"""The web server under load: 64 concurrent requests mixing predict and digitize, while
``/api/health`` is polled every 0.1 s.

    .venv/bin/python benchmarks/web_load.py [--requests 64] [--images 16]

Starts ``speedlines serve`` twice on a free port (a subprocess, so its peak memory is its
own): once with a queue that admits every request, once with one worker and a queue of 2, so
that the 503 path is exercised. Each answer is compared with the same request's answer when
sent alone (byte for byte, after parsing the JSON). Prints per run: answers by status, mixed
results, health latency max and p95, client latency max, and the server's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import cv2
import httpx
import numpy as np

from speedlines.synth.sample import generate_sample


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def payloads(count: int, images: int) -> list[tuple[str, dict, dict]]:
    """``count`` requests over ``images`` generated crops: predict and digitize, alternating."""
    samples = [generate_sample(7001, i, "crop", "simple") for i in range(images)]
    pngs = [cv2.imencode(".png", cv2.cvtColor(s.image, cv2.COLOR_RGB2BGR))[1].tobytes()
            for s in samples]  # fmt: skip
    out = []
    for k in range(count):
        i = k % images
        files = {"file": (f"crop{i}.png", pngs[i], "image/png")}
        if (k // images) % 2 == 0:
            out.append(("/api/predict", files, {}))
        else:
            cal = json.dumps(samples[i].meta["calibration"])
            out.append(("/api/digitize", files, {"calibration": cal, "points": "40"}))
    return out


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_server(args: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "speedlines", "serve", "--port", str(port),
                             *args], stderr=subprocess.PIPE, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the server did not start: {proc.stderr.read()}")


def poll(url: str) -> None:
    """Health latencies every 0.1 s until a line on stdin: JSON [latencies, start times]."""
    health, when, stop = [], [], threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    print("polling", flush=True)
    t0 = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60) as h:
        while not stop.is_set():
            t = time.perf_counter()
            h.get("/api/health")
            health.append(time.perf_counter() - t)
            when.append(t - t0)
            stop.wait(0.1)
    print(json.dumps([health, when]))


def run(label: str, server_args: list[str], requests: list, reference: dict | None) -> tuple:
    proc, url = start_server(server_args)
    try:
        client = httpx.Client(base_url=url, timeout=300, limits=httpx.Limits(max_connections=128))
        if reference is None:  # each request alone: the answers to compare with
            reference = {k: client.post(p, files=f, data=d).json()
                         for k, (p, f, d) in enumerate(requests)}  # fmt: skip
        # The poller is its own process: the 64 client threads do not delay its requests.
        pipe = subprocess.PIPE
        poller = subprocess.Popen([sys.executable, __file__, "--poll", url],
                                  stdin=pipe, stdout=pipe, text=True)  # fmt: skip
        poller.stdout.readline()  # it is polling

        def send(k: int) -> tuple:
            path, files, data = requests[k]
            t = time.perf_counter()
            r = client.post(path, files=files, data=data)
            return k, r.status_code, time.perf_counter() - t, r

        with ThreadPoolExecutor(len(requests)) as pool:
            answers = list(pool.map(send, range(len(requests))))
        health, when = json.loads(poller.communicate("stop\n", timeout=120)[0])
        statuses = [s for _, s, _, _ in answers]
        mixed = sum(r.json() != reference[k] for k, s, _, r in answers if s == 200)
        busy = [r for _, s, _, r in answers if s == 503]
        assert all("Retry-After" in r.headers for r in busy), "503 without Retry-After"
        return reference, {
            "run": label,
            "200": statuses.count(200),
            "503": len(busy),
            "other": len(statuses) - statuses.count(200) - len(busy),
            "mixed": mixed,
            "health max s": max(health),
            "health p95 s": float(np.percentile(health, 95)),
            "worst at s": when[int(np.argmax(health))],
            "health polls": len(health),
            "client max s": max(t for _, _, t, _ in answers),
            "peak RSS MiB": peak_rss_mib(proc.pid),
        }
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=64)
    ap.add_argument("--images", type=int, default=16)
    ap.add_argument("--poll", metavar="URL", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.poll:
        poll(args.poll)
        return
    requests = payloads(args.requests, args.images)
    workers = str(max(1, min(4, os.cpu_count() or 1)))
    roomy_args = ["--workers", workers, "--queue", str(args.requests)]
    reference, roomy = run(f"{workers} workers, queue {args.requests}", roomy_args, requests, None)
    _, small = run("1 worker, queue 2", ["--workers", "1", "--queue", "2"], requests, reference)
    rows = [roomy, small]
    cols = list(rows[0])
    print(" | ".join(cols))
    for row in rows:
        print(" | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()))


if __name__ == "__main__":
    main()
