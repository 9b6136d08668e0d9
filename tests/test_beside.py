"""Work in a child process beside the caller (:mod:`tdi_graph.beside`): its answer, its failures
raised in the caller, and Ctrl-C left to the caller."""

from __future__ import annotations

import errno
import os
import signal
import time
from pathlib import Path

import pytest

from tdi_graph.beside import Beside
from tdi_graph.errors import DataError, NotFound


def _slow_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _raise(exc: BaseException) -> None:
    raise exc


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_the_answer_comes_from_another_process(start: str) -> None:
    assert Beside("failed", _slow_pid, 0.0, start=start).result() != os.getpid()


def test_ctrl_c_is_left_to_the_caller() -> None:
    beside = Beside("failed", _slow_pid, 1.0, start="fork")
    time.sleep(0.3)  # the child has started its work
    os.kill(beside._process.pid, signal.SIGINT)
    assert beside.result() == beside._process.pid  # it went on, and answered


@pytest.mark.parametrize(
    ("exc", "raised", "message"),
    [
        (NotFound("no such graph"), DataError, r"^failed: no such graph$"),
        (ValueError("bad"), DataError, r"^failed: ValueError: bad$"),
        (OSError(errno.ENOSPC, "No space left on device", "/x/y"), OSError, r"No space left"),
    ],
)
def test_failures_are_raised_in_the_caller(
    exc: BaseException, raised: type[Exception], message: str
) -> None:
    with pytest.raises(raised, match=message) as found:
        Beside("failed", _raise, exc, start="fork").result()
    if raised is OSError:
        assert (found.value.errno, found.value.filename) == (errno.ENOSPC, "/x/y")


def test_cancel_stops_the_child() -> None:
    beside = Beside("failed", _slow_pid, 30.0, start="fork")
    started = time.monotonic()
    beside.cancel()
    assert not beside._process.is_alive() and time.monotonic() - started < 10


def _pid_then_sleep(path: str, seconds: float) -> None:
    Path(path).write_text(str(os.getpid()))
    time.sleep(seconds)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaped yet does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_the_child_does_not_outlive_a_caller_killed_outright(tmp_path: Path) -> None:
    pid_file = tmp_path / "child"
    caller = os.fork()
    if caller == 0:  # a caller that dies without cancelling (SIGKILL, an abort)
        try:
            Beside("failed", _pid_then_sleep, str(pid_file), 60.0, start="fork")
            for _ in range(200):
                if pid_file.exists():
                    break
                time.sleep(0.05)
        finally:
            os._exit(0)
    os.waitpid(caller, 0)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
