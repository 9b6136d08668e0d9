"""Work in a child process beside the caller (:mod:`tdi_graph.beside`): its answer, its failures
raised in the caller, and Ctrl-C left to the caller."""

from __future__ import annotations

import errno
import os
import signal
import time

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
