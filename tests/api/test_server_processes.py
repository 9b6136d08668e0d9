"""Several server processes forked after the store is loaded: started, replaced, stopped."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from tdi_graph_api import server

from tdi_graph.settings import Settings


def test_processes_setting() -> None:
    assert Settings(server_processes=3).processes() == 3
    assert Settings(server_processes=0).processes() == max(1, os.cpu_count() or 1)
    assert Settings().processes() == max(1, os.cpu_count() or 1)  # the default: one per core


def test_workers_share_the_cores_among_the_server_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each server process forks its share of the cores plus one, at least 2 (one is kept for
    short queries); a number set is kept as it is."""
    for cores, processes, workers in ((2, 2, 2), (2, 1, 3), (8, 1, 9), (8, 8, 2), (8, 2, 5)):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert Settings(server_processes=processes).workers() == workers
    assert Settings(server_processes=2, query_workers=7).workers() == 7


def test_supervisor_forks_replaces_and_stops(tmp_path: Path) -> None:
    """Each child writes its pid and serves until SIGTERM; a killed one is replaced."""

    def serve() -> None:
        (tmp_path / str(os.getpid())).touch()
        while True:
            time.sleep(0.05)

    def pids() -> set[int]:
        return {int(p.name) for p in tmp_path.iterdir()}

    def wait_for(count: int) -> set[int]:
        deadline = time.monotonic() + 30
        while len(pids()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return pids()

    seen: list[int] = []

    def kill_one_then_stop() -> None:
        try:
            first = wait_for(2)
            seen.append(len(first))
            os.kill(min(first), signal.SIGKILL)
            seen.append(len(wait_for(3)))  # a fresh process took its place
        finally:  # whatever happened above, the supervisor stops them all (no hung test)
            os.kill(os.getpid(), signal.SIGTERM)

    # signals reach the main thread: the supervisor runs here, the driver in a thread
    thread = threading.Thread(target=kill_one_then_stop, daemon=True)
    thread.start()
    server._supervise(serve, 2)  # returns once every child has ended
    thread.join(timeout=10)
    assert seen == [2, 3]
    for pid in pids():  # every child has ended and been reaped
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"server process {pid} still running")
