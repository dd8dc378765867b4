"""The server's model work: a fixed number of worker threads and a bounded queue in front of
them, so that the event loop (health, the page) never waits on a model, and a burst of
requests gets 503 + ``Retry-After`` at once instead of piling up."""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from fastapi import HTTPException

T = TypeVar("T")


def default_workers() -> int:
    """One worker per core, at most 4: each model call already uses several threads."""
    return max(1, min(4, os.cpu_count() or 1))


class WorkerPool:
    """``workers`` threads for model work; at most ``queue`` more jobs wait for one. A job
    that does not finish within ``timeout`` seconds (waiting included) is answered 504; a
    queued one is dropped, a running one keeps its worker until it ends (threads cannot be
    stopped), so the bound on work in progress holds."""

    def __init__(self, workers: int, queue: int, timeout: float):
        if workers < 1 or queue < 0 or not timeout > 0:
            raise ValueError("workers >= 1, queue >= 0 and timeout > 0 are needed")
        self.workers, self.queue, self.timeout = workers, queue, timeout
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="speedlines-model")
        self._slots = threading.Semaphore(workers + queue)
        self._lock = threading.Lock()
        self._admitted = 0
        self._mean_s = 1.0  # a running mean of job durations, for Retry-After

    @property
    def admitted(self) -> int:
        """Jobs running or waiting now."""
        return self._admitted

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the queue ahead, at the mean job duration."""
        rounds = math.ceil((self.workers + self.queue) / self.workers)
        return max(1, min(60, math.ceil(self._mean_s * rounds)))

    def _finished(self, started: float) -> Callable[[Future], None]:
        def done(_: Future) -> None:
            with self._lock:
                self._admitted -= 1
                self._mean_s = 0.8 * self._mean_s + 0.2 * (time.monotonic() - started)
            self._slots.release()

        return done

    async def run(self, fn: Callable[..., T], *args) -> T:
        """``fn(*args)`` on a worker; 503 when all workers and the queue are taken."""
        if not self._slots.acquire(blocking=False):
            raise HTTPException(
                503,
                f"the server is busy ({self.workers} worker(s) and {self.queue} queued "
                "request(s) taken); try again shortly",
                headers={"Retry-After": str(self.retry_after())},
            )
        with self._lock:
            self._admitted += 1
        try:
            future = self._executor.submit(fn, *args)
        except BaseException:
            self._finished(time.monotonic())(Future())
            raise
        future.add_done_callback(self._finished(time.monotonic()))
        try:
            # On timeout the wrapper is cancelled, which cancels a job still in the queue.
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            raise HTTPException(
                504, f"the request took longer than the server's {self.timeout:g} s limit"
            ) from None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
