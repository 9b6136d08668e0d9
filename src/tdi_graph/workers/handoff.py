"""Idle workers handed to the queries waiting for one, across threads and event loops.

A plain ``queue.Queue`` blocks a thread, and ``asyncio.Queue`` belongs to one event loop. The
pool has idle workers that queries on the server's loop, or on a loop of their own
(:meth:`~tdi_graph.workers.WorkerPool.run`, several test threads), wait for: :class:`Handoff`
keeps them in a deque under a lock, and a waiting query as a future of its own loop, completed
directly from that loop or through ``call_soon_threadsafe`` from another.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Handoff(Generic[T]):
    """Idle items (workers) and the futures waiting for one, first come, first served."""

    def __init__(self) -> None:
        self._idle: deque[T] = deque()
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[T]]] = deque()
        self._lock = threading.Lock()
        self._closed: BaseException | None = None

    def put(self, item: T) -> None:
        """Hand ``item`` to the longest-waiting taker, or keep it idle."""
        running = running_loop()
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if waiter.done():  # it gave up waiting
                    continue
                if loop is running:
                    waiter.set_result(item)
                    return
                try:
                    loop.call_soon_threadsafe(self._deliver, waiter, item)
                    return
                except RuntimeError:  # its loop is closed
                    continue
            self._idle.append(item)

    def _deliver(self, waiter: asyncio.Future[T], item: T) -> None:
        if waiter.done():
            self.put(item)
        else:
            waiter.set_result(item)

    async def take(self, seconds: float, late: Callable[[], BaseException]) -> T:
        """An idle item, or the error ``late()`` makes raised after ``seconds`` of waiting for
        one (made only then: a query that finds an idle worker formats no message)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            if self._closed is not None:
                raise self._closed
            waiter: asyncio.Future[T] = loop.create_future()
            self._waiters.append((loop, waiter))
        timer = loop.call_later(seconds, lambda: _fail(waiter, late()))
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.put(waiter.result())  # handed over just as its taker gave up
            raise
        finally:
            timer.cancel()

    def idle(self) -> list[T]:
        """The idle items, now."""
        with self._lock:
            return list(self._idle)

    def close(self, error: BaseException) -> None:
        """Drop the idle items; the waiting takers, and any later one, get ``error``."""
        with self._lock:
            self._closed = error
            self._idle.clear()
            waiters, self._waiters = list(self._waiters), deque()
        for loop, waiter in waiters:
            try:
                loop.call_soon_threadsafe(_fail, waiter, error)
            except RuntimeError:  # its loop is closed
                continue


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _fail(waiter: asyncio.Future[T], error: BaseException) -> None:
    if not waiter.done():
        waiter.set_exception(error)
