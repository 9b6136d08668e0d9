"""The worker pool on the event loop: no thread per query, idle workers handed across loops and
threads, a query given up mid-way costs its worker, and the hand-off's own guarantees."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pyoxigraph as ox
import pytest

from tdi_graph.errors import Busy, TdiError
from tdi_graph.sparql import QueryRequest
from tdi_graph.workers import WorkerPool, channel
from tdi_graph.workers.handoff import Handoff

T = TypeVar("T")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for i in range(120):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{i}"), ox.NamedNode("http://e/p"), ox.Literal(i)))
    return store


def on_a_loop(scene: Coroutine[Any, Any, T]) -> T:
    """Run ``scene`` on a loop of its own, in a thread of its own: the test's thread may run
    Playwright's loop already (a browser test earlier in this process)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scene).result()


def lookup(i: int) -> QueryRequest:
    return QueryRequest(f"SELECT ?o WHERE {{ <http://e/{i}> ?p ?o }}", format="csv")


def _gone(pid: int) -> bool:
    """Whether process ``pid`` ended within 5 s (workers are reaped by the kernel)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def test_concurrent_queries_on_one_loop_start_no_thread(store: ox.Store) -> None:
    """60 queries at once on 2 workers: each gets its own row, and no thread is started for
    them (before, each query held a thread that waited on its worker)."""
    with WorkerPool(store, size=2, timeout=5, waiting=60) as pool:

        async def everyone() -> list[bytes]:
            threads = threading.active_count()
            answers = await asyncio.gather(*(pool.answer(lookup(i)) for i in range(60)))
            assert threading.active_count() == threads
            return [b"".join(a.chunks()) for a in answers]

        bodies = on_a_loop(everyone())
        assert bodies == [f"o\r\n{i}\r\n".encode() for i in range(60)]


def test_one_worker_serves_queries_from_several_threads_and_loops(store: ox.Store) -> None:
    """One worker, four threads each running its own event loop: the worker passes from loop
    to loop as each query ends, and every answer is the right one."""
    with WorkerPool(store, size=1, timeout=5, waiting=8) as pool:

        def some(start: int) -> list[bytes]:
            return [b"".join(pool.run(lookup(i)).chunks()) for i in range(start, start + 15)]

        with ThreadPoolExecutor(4) as threads:
            results = list(threads.map(some, (0, 15, 30, 45)))
        assert [body for part in results for body in part] == [
            f"o\r\n{i}\r\n".encode() for i in range(60)
        ]
        assert len(pool.pids()) == 1


def test_a_query_given_up_mid_way_costs_its_worker(store: ox.Store) -> None:
    """Cancelled while its worker computes (the caller went away), the query's worker is killed
    at once and a fresh one takes its place; the pool goes on answering."""
    with WorkerPool(store, size=1, timeout=30, cheap=None) as pool:
        (worker,) = pool.pids()

        async def give_up() -> None:
            task = asyncio.ensure_future(pool.answer(QueryRequest(RUNAWAY)))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        started = time.monotonic()
        on_a_loop(give_up())
        assert _gone(worker)
        answer = pool.run(lookup(7))
        assert b"".join(answer.chunks()) == b"o\r\n7\r\n"
        assert pool.pids() != [worker] and len(pool.pids()) == 1
        assert time.monotonic() - started < 10  # not the runaway's time


def test_a_worker_killed_before_it_read_its_query_is_a_death_and_retried(store: ox.Store) -> None:
    """A worker killed with the query still unread in its socket resets the connection (no
    end of stream): the pool counts a death and answers from a fresh worker, where the reset
    came out as a ``ConnectionResetError`` (a 500) before."""
    with WorkerPool(store, size=1, timeout=10, cheap=None) as pool:
        (worker,) = pool.pids()
        os.kill(worker, signal.SIGSTOP)  # it cannot read what it is sent

        def kill_once_sent() -> None:
            deadline = time.monotonic() + 5
            while worker in pool.idle_pids() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)  # the query is written into its socket by now
            os.kill(worker, signal.SIGKILL)

        killer = threading.Thread(target=kill_once_sent)
        killer.start()
        answer = pool.run(lookup(5))
        killer.join()
        assert b"".join(answer.chunks()) == b"o\r\n5\r\n"
        assert pool.deaths == 1 and pool.pids() != [worker]


def test_reading_a_reset_connection_is_the_end_of_the_stream() -> None:
    ours, workers = socket.socketpair()
    ours.setblocking(False)
    ours.send(b"a query the worker never read")
    workers.close()  # with unread data: the kernel resets the connection

    async def scene() -> tuple[object, list[int]]:
        return await channel.read(asyncio.get_running_loop(), ours)

    try:
        assert on_a_loop(scene()) == (None, [])
    finally:
        ours.close()


def test_a_query_waits_for_a_worker_no_longer_than_the_queue_allows(store: ox.Store) -> None:
    with WorkerPool(store, size=1, timeout=5, cheap=None, queue_wait=0.2) as pool:

        async def two() -> tuple[object, object]:
            runaway = asyncio.ensure_future(pool.answer(QueryRequest(RUNAWAY)))
            await asyncio.sleep(0.05)
            waited = time.monotonic()
            with pytest.raises(Busy, match="stayed busy for 0.2 s"):
                await pool.answer(lookup(1))
            elapsed = time.monotonic() - waited
            runaway.cancel()
            return elapsed, await asyncio.gather(runaway, return_exceptions=True)

        elapsed, _ = on_a_loop(two())
        assert 0.15 < elapsed < 2


# --- the hand-off itself ------------------------------------------------------------------------


def test_handoff_serves_waiters_first_come_first_served() -> None:
    handoff: Handoff[str] = Handoff()

    async def scene() -> list[str]:
        first = asyncio.ensure_future(handoff.take(5, lambda: Busy("late")))
        second = asyncio.ensure_future(handoff.take(5, lambda: Busy("late")))
        await asyncio.sleep(0)
        handoff.put("a")
        handoff.put("b")
        handoff.put("c")  # nobody waits: kept idle
        return [await first, await second]

    assert on_a_loop(scene()) == ["a", "b"]
    assert handoff.idle() == ["c"]


def test_handoff_reaches_a_waiter_on_another_loop() -> None:
    handoff: Handoff[int] = Handoff()
    waiting = threading.Event()

    def taker() -> int:
        async def take() -> int:
            task = asyncio.ensure_future(handoff.take(5, lambda: Busy("late")))
            await asyncio.sleep(0)
            waiting.set()
            return await task

        return asyncio.run(take())  # a loop of its own, in this thread

    with ThreadPoolExecutor(1) as thread:
        future = thread.submit(taker)
        assert waiting.wait(5)
        handoff.put(42)  # from this thread, which runs no loop
        assert future.result(timeout=5) == 42
    assert handoff.idle() == []


def test_handoff_gives_up_with_the_callers_error_and_loses_nothing() -> None:
    handoff: Handoff[str] = Handoff()

    async def scene() -> None:
        with pytest.raises(Busy, match="too slow"):
            await handoff.take(0.05, lambda: Busy("too slow"))
        handoff.put("x")  # the waiter that gave up gets nothing: the item stays idle

    on_a_loop(scene())
    assert handoff.idle() == ["x"]


def test_handoff_closed_fails_waiters_and_later_takers() -> None:
    handoff: Handoff[str] = Handoff()
    handoff.put("idle")

    async def scene() -> None:
        assert await handoff.take(1, lambda: Busy("late")) == "idle"
        waiter = asyncio.ensure_future(handoff.take(5, lambda: Busy("late")))
        await asyncio.sleep(0)
        handoff.close(TdiError("closed"))
        with pytest.raises(TdiError, match="closed"):
            await waiter
        with pytest.raises(TdiError, match="closed"):
            await handoff.take(1, lambda: Busy("late"))

    on_a_loop(scene())


def test_run_works_from_a_thread_that_runs_a_loop(store: ox.Store) -> None:
    """Plain code called from async code (or beside Playwright's sync API, whose loop runs in
    the test's thread) still gets its answer: run() then uses a thread of its own."""
    with WorkerPool(store, size=1, timeout=5) as pool:

        async def sync_call_inside() -> bytes:
            return b"".join(pool.run(lookup(3)).chunks())

        assert on_a_loop(sync_call_inside()) == b"o\r\n3\r\n"
