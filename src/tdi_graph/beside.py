"""A function run in a child process while the caller goes on: its return value, or its failure
raised in the caller. The load runs SHACL this way (a spawned process: pyoxigraph and pyshacl
state stay apart) and derives the read model this way (a forked one: the quads are shared
copy-on-write), so that a 2-core machine does both beside the bulk load instead of after it."""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, Literal, TypeVar

from tdi_graph.errors import DataError, TdiError
from tdi_graph.sandbox import die_with_parent

T = TypeVar("T")


class Beside(Generic[T]):
    """``target(*args)`` in a daemon child process started by ``start`` (``spawn``: the target
    and its arguments are pickled; ``fork``: shared as they are).

    :meth:`result` waits for it: an :class:`OSError` in the child is raised as one (a disk that
    is full names its file), a :class:`TdiError` as a :class:`DataError` with its message after
    ``failure``, anything else, or a child that dies, as a :class:`DataError` saying so.
    """

    def __init__(
        self,
        failure: str,
        target: Callable[..., T],
        *args: object,
        start: Literal["spawn", "fork"] = "spawn",
    ) -> None:
        self.failure = failure
        context = (
            multiprocessing.get_context("fork")
            if start == "fork"
            else multiprocessing.get_context("spawn")
        )
        self._answer, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_run, args=(target, args, child_end, os.getpid()), daemon=True
        )
        self._process.start()
        child_end.close()

    def result(self) -> T:
        """The target's return value (waits for it); raises what it raised, as above."""
        try:
            answer = self._answer.recv()
        except EOFError:
            answer = None
        finally:
            self._wait()
        if answer is None:
            code = self._process.exitcode
            answer = ("error", f"the process ended without an answer (exit code {code})")
        kind, value, *rest = answer
        if kind == "ok":
            return value
        if kind == "os":
            raise OSError(value, *rest)
        raise DataError(f"{self.failure}: {value}")

    def cancel(self) -> None:
        """Stop the child (the caller failed before it needed the answer)."""
        if self._process.is_alive():
            self._process.kill()
        self._wait()

    def _wait(self) -> None:
        self._process.join()
        if not self._answer.closed:
            self._answer.close()


def _run(
    target: Callable[..., object], args: tuple[object, ...], out: Connection, parent: int
) -> None:
    # Ctrl-C reaches the whole process group: the caller stops (and cancels) this child, which
    # would otherwise die in a KeyboardInterrupt that multiprocessing prints as a traceback;
    # a caller killed outright takes it along (no work left running for a build it abandoned)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    answer: tuple[object, ...]
    try:
        answer = ("ok", target(*args))
    except OSError as exc:
        answer = ("os", exc.errno or errno.EIO, exc.strerror or str(exc), exc.filename)
    except TdiError as exc:
        answer = ("error", str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, in one line
        answer = ("error", f"{type(exc).__name__}: {exc}")
    out.send(answer)
    out.close()
