"""What a load computes from the store, computed beside the write in a forked process.

The read model (:func:`tdi_graph.derived.derive`) is read from the store with named queries.
Read from the RocksDB store just written it took 9.1 s of the real graph's 18.6 s load, after
the bulk load; read from an in-memory store of the same quads it takes ~4 s, plus ~1.2 s to
fill it. :class:`DeriveBeside` forks before the bulk load opens RocksDB: the child fills its own
in-memory store with the quads (shared with the parent copy-on-write) and derives from it on
the second core while the parent writes, so the load takes the longer of the two, not their sum.
"""

from __future__ import annotations

import errno
import multiprocessing
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.errors import DataError, TdiError

Derive = Callable[[ox.Store, Path], object]


class DeriveBeside:
    """``derive(store, build)`` run in a forked child on an in-memory store of ``quads``.

    :meth:`result` waits for it and returns the child's seconds; a failure there is raised in
    the caller: an :class:`OSError` as it was (the build's disk), a :class:`TdiError` as a
    :class:`DataError` with its message, anything else as a :class:`DataError` naming it.
    """

    def __init__(self, derive: Derive, quads: Sequence[ox.Quad], build: Path) -> None:
        context = multiprocessing.get_context("fork")  # the quads are shared, not copied
        self._answer, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child, args=(derive, quads, build, child_end), daemon=True
        )
        self._process.start()
        child_end.close()

    def result(self) -> float:
        """The child's seconds, once it has kept what it derived (raises what it raised)."""
        try:
            answer = self._answer.recv()
        except EOFError:
            answer = ("error", f"the process ended with exit code {self._wait()}")
        finally:
            self._wait()
        kind, value, *rest = answer
        if kind == "done":
            return float(value)
        if kind == "os":
            raise OSError(value, rest[0], rest[1])
        raise DataError(f"the read model could not be computed: {value}")

    def cancel(self) -> None:
        """Stop the child (the load failed before it needed the answer)."""
        if self._process.is_alive():
            self._process.kill()
        self._wait()

    def _wait(self) -> int | None:
        self._process.join()
        if not self._answer.closed:
            self._answer.close()
        return self._process.exitcode


def _child(derive: Derive, quads: Sequence[ox.Quad], build: Path, out: Connection) -> None:
    answer: tuple[object, ...]
    try:
        started = time.perf_counter()
        memory = ox.Store()
        memory.bulk_extend(quads)
        derive(memory, build)
        answer = ("done", time.perf_counter() - started)
    except OSError as exc:
        answer = ("os", exc.errno or errno.EIO, exc.strerror or str(exc), exc.filename)
    except TdiError as exc:
        answer = ("error", str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        answer = ("error", f"{type(exc).__name__}: {exc}")
    out.send(answer)
    out.close()
