"""The pool in the server: :class:`WorkerPool` hands queries to workers, times and kills them.

See :mod:`tdi_graph.workers` for why and how. The pool runs on the caller's event loop: a query
is written to an idle worker's socket and its reply awaited with the loop's reader callbacks
(:mod:`.channel`), so no thread waits on a worker and the loop never blocks on one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
import threading
import warnings
from collections import Counter, OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tdi_graph.errors import (
    Busy,
    OutOfMemory,
    QueryTimeout,
    TdiError,
    TooManyRequests,
    WorkerDied,
)
from tdi_graph.sparql import Answer, QueryRequest
from tdi_graph.workers import channel, process
from tdi_graph.workers.handoff import Handoff, running_loop
from tdi_graph.workers.process import OOM_MARK, Limits, private_mb, recv, send


@dataclass(eq=False)
class _Handle:
    pid: int
    sock: socket.socket
    err: Any  # the worker's stderr, a temporary file
    niced: bool = False
    answered: int = 0
    gone: bool = False  # killed: its replacement is under way or done

    def died_of_memory(self) -> bool:
        """Whether the worker wrote Rust's allocation failure before it died."""
        with contextlib.suppress(OSError, ValueError):
            size = os.fstat(self.err.fileno()).st_size
            return OOM_MARK in os.pread(self.err.fileno(), 65536, max(0, size - 65536))
        return False


class _Died(Exception):
    """The worker died before answering."""


#: a worker's private memory is read every this many of its answers (reading
#: ``/proc/PID/smaps_rollup`` of a worker over the real graph takes ~2 ms)
RECYCLE_CHECK_EVERY = 64


class WorkerPool:
    """``size`` processes that evaluate queries; one past ``timeout`` seconds is killed.

    ``source`` is the in-memory store to share with the workers, or the directory of an on-disk
    build that each worker opens read-only. :meth:`answer` is the coroutine the server awaits,
    behind :meth:`admit`'s back-pressure; :meth:`run` is the same for plain code (a loop of its
    own per call). Both may be used from several threads and event loops at once.
    """

    def __init__(
        self,
        source: ox.Store | Path,
        size: int = 2,
        timeout: float = 10.0,
        *,
        limits: Limits | None = None,
        long: int | None = None,
        cheap: float | None = 0.5,
        waiting: int = 8,
        queue_wait: float | None = None,
        per_client: int | None = None,
        recycle_mb: float | None = None,
    ) -> None:
        self.source, self.size, self.timeout = source, max(1, size), timeout
        self.limits = limits or Limits()
        self.long = max(1, self.size - 1) if long is None else max(1, min(long, self.size))
        self.cheap = cheap if cheap and cheap < timeout else None
        self.waiting, self.per_client = max(0, waiting), per_client
        self.queue_wait = timeout if queue_wait is None else queue_wait
        self._idle: Handoff[_Handle] = Handoff()
        self._all: set[_Handle] = set()
        self._lock = threading.Lock()
        self._long = threading.BoundedSemaphore(self.long)
        self._admitted = 0
        self._clients: Counter[str] = Counter()
        self._control: socket.socket | None = None
        self._zygote_pid = 0
        self.closed = False
        self.recycle_mb = recycle_mb or None
        self.recycled = 0  # workers replaced for their private memory (tests, benchmarks)
        self.deaths = 0  # workers found dead under a query (for tests and the reliability note)
        self._heavy: OrderedDict[int, None] = OrderedDict()  # queries measured long

    def start(self) -> None:
        """Fork the zygote and the workers (call it while the server is idle)."""
        with self._lock:
            if self._control is not None:
                return
            self._start_zygote()
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _start_zygote(self) -> None:
        parent, child = socket.socketpair()
        sys.stdout.flush()
        sys.stderr.flush()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # "fork with threads" (3.12+)
            pid = os.fork()
        if pid == 0:
            parent.close()
            process.run_in_child(process.zygote, child, self.source, self.limits)
        child.close()
        self._control, self._zygote_pid = parent, pid

    def _spawn(self) -> _Handle:
        """A new worker, forked by the zygote."""
        ours, theirs = socket.socketpair()
        ours.setblocking(False)  # read and written from the event loop (.channel)
        err = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the worker, in _kill)
        with self._lock:
            if self._control is None or self.closed:
                raise TdiError("the SPARQL worker pool is closed")
            try:
                send(self._control, "fork", [theirs.fileno(), err.fileno()])
                pid, _ = recv(self._control)
            except OSError:
                pid = None
            if pid is None:  # the zygote died: start another one
                self._reap_zygote()
                self._start_zygote()
                send(self._control, "fork", [theirs.fileno(), err.fileno()])
                pid, _ = recv(self._control)
            theirs.close()
            handle = _Handle(int(pid), ours, err)
            self._all.add(handle)
        return handle

    def _kill(self, handle: _Handle) -> None:
        handle.gone = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(handle.pid, signal.SIGKILL)
        handle.sock.close()
        handle.err.close()
        with self._lock:
            self._all.discard(handle)

    def _respawn(self) -> None:
        if not self.closed:
            with contextlib.suppress(TdiError):  # closed meanwhile
                self._idle.put(self._spawn())

    async def _replace(self, handle: _Handle) -> None:
        """Kill ``handle``'s worker now; fork its successor off the event loop (~10 ms)."""
        self._kill(handle)
        await asyncio.get_running_loop().run_in_executor(None, self._respawn)

    def idle_pids(self) -> set[int]:
        """Process ids of the workers waiting for a query (for tests)."""
        return {h.pid for h in self._idle.idle()}

    # --- back-pressure ------------------------------------------------------------------------

    @contextlib.contextmanager
    def admit(self, client: str | None = None) -> Iterator[None]:
        """Let a query in, or refuse it at once: 429 past ``per_client`` running or waiting
        queries of ``client``, 503 past ``size`` running plus ``waiting`` waiting in all."""
        with self._lock:
            if client is not None and self.per_client and self._clients[client] >= self.per_client:
                raise TooManyRequests(
                    f"{self.per_client} of your queries are running or waiting already "
                    "(TDI_QUERY_PER_CLIENT): wait for their answers"
                )
            if self._admitted >= self.size + self.waiting:
                raise Busy(
                    f"{self.size} queries are running and {self.waiting} waiting: try again soon"
                )
            self._admitted += 1
            if client is not None:
                self._clients[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1
                if client is not None:
                    self._clients[client] -= 1
                    if self._clients[client] <= 0:
                        del self._clients[client]

    async def answer(self, request: QueryRequest, client: str | None = None) -> Answer:
        """Evaluate ``request`` in a worker, admitted by :meth:`admit`; :class:`QueryTimeout` if
        it runs too long. A worker that dies under the query is replaced and the query tried
        once more. Cancelled (the client went away), the worker is killed and replaced."""
        with self.admit(client):
            return await self._evaluate(request)

    def run(self, request: QueryRequest) -> Answer:
        """:meth:`answer` for plain code (not admitted: tests, benchmarks), on a loop of its
        own; in a thread of its own if this one runs a loop already (Playwright's sync API)."""
        if running_loop() is None:
            return asyncio.run(self._evaluate(request))
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, self._evaluate(request)).result()

    # --- running a query ----------------------------------------------------------------------

    async def _evaluate(self, request: QueryRequest) -> Answer:
        if self._control is None:
            self.start()
        key = hash((request.query, request.substitutions, request.default_graphs))
        known_long = self.cheap is not None and key in self._heavy
        if known_long and not self._long.acquire(blocking=False):
            raise Busy(
                f"this query ran long before, and {self.long} long queries are running "
                "already: try again in a moment",
                retry_after=max(1, round(self.timeout)),
            )
        try:
            return await self._attempts(request, key, known_long)
        finally:
            if known_long:
                self._long.release()

    def _measured_long(self, key: int) -> None:
        with self._lock:
            self._heavy[key] = None
            self._heavy.move_to_end(key)
            while len(self._heavy) > 512:
                self._heavy.popitem(last=False)

    async def _attempts(self, request: QueryRequest, key: int, known_long: bool) -> Answer:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            handle = await self._idle.take(self.queue_wait, self._stayed_busy)
            try:
                await channel.write(loop, handle.sock, request)
            except OSError:  # the worker died while idle: retry once on a fresh one
                await self._replace(handle)
                if attempt == 2:
                    raise WorkerDied("the query workers keep dying: try again soon") from None
                continue
            except BaseException:
                self._kill_and_respawn(loop, handle)
                raise
            try:
                return await self._await(loop, handle, key, known_long)
            except _Died:
                self.deaths += 1
                oom = handle.died_of_memory()
                await self._replace(handle)
                if oom:
                    raise OutOfMemory(
                        "the query needed more memory than a query may use (TDI_QUERY_MEMORY_MB)"
                        ": make it more selective (a LIMIT, fewer variables in ORDER BY)"
                    ) from None
                if attempt == 2:
                    raise WorkerDied(
                        "the query worker died twice under this query: try again later"
                    ) from None
        raise AssertionError("unreachable")

    def _stayed_busy(self) -> Busy:
        return Busy(
            f"all {self.size} query workers stayed busy for {self.queue_wait:g} s: "
            "try again in a moment"
        )

    def _kill_and_respawn(self, loop: asyncio.AbstractEventLoop, handle: _Handle) -> None:
        """For a query given up mid-way (cancelled): its worker is in an unknown state."""
        if not handle.gone:
            self._kill(handle)
            loop.run_in_executor(None, self._respawn)

    async def _await(
        self, loop: asyncio.AbstractEventLoop, handle: _Handle, key: int, known_long: bool
    ) -> Answer:
        try:
            reply, fds = await self._reply(loop, handle, key, known_long)
        except BaseException:
            self._kill_and_respawn(loop, handle)
            raise
        if reply is None:
            raise _Died
        handle.answered += 1
        if handle.niced:
            await self._replace(handle)  # a reniced worker cannot be made fast again
        elif self._grown(handle):
            self.recycled += 1
            await self._replace(handle)
        else:
            self._idle.put(handle)
        if reply[0] == "error":
            for fd in fds:
                os.close(fd)
            raise reply[1]
        _, content_type, size, body, data = reply
        if fds:
            return Answer(content_type, fd=fds[0], size=size)
        return Answer(content_type, body=body or b"", size=size, data=data)

    async def _reply(
        self, loop: asyncio.AbstractEventLoop, handle: _Handle, key: int, known_long: bool
    ) -> tuple[Any, list[int]]:
        """The worker's reply, within the time limit and the long-query permits."""
        started = loop.time()
        holds_long = ready = False
        try:
            if known_long:  # its permit is held by _evaluate: lower its priority from the start
                self._renice(handle)
            elif self.cheap is not None:
                ready = await channel.readable(loop, handle.sock, self.cheap)
                if not ready:  # a long query: lower its priority, run it on a free long permit
                    self._renice(handle)
                    self._measured_long(key)
                    holds_long = self._long.acquire(blocking=False)
                    if not holds_long:
                        await self._replace(handle)
                        raise Busy(
                            f"{self.long} long queries are running already, and this one ran "
                            f"past {self.cheap:g} s: try again in a moment",
                            retry_after=max(1, round(self.timeout)),
                        )
            left = self.timeout - (loop.time() - started)
            if not ready and (left <= 0 or not await channel.readable(loop, handle.sock, left)):
                await self._replace(handle)
                raise QueryTimeout(
                    f"the query ran for more than {self.timeout:g} s and was stopped: make it "
                    "more selective (specific patterns first, a LIMIT) or raise "
                    "TDI_QUERY_TIMEOUT"
                )
        finally:
            if holds_long:
                self._long.release()
        return await channel.read(loop, handle.sock)

    def _grown(self, handle: _Handle) -> bool:
        """Whether ``handle``'s worker holds more than ``recycle_mb`` MB of its own, read every
        :data:`RECYCLE_CHECK_EVERY` answers. Reading the in-memory store writes to its pages, so
        each worker slowly copies the store it shares with the server (~100 MB of the real
        graph's after 3 000 point lookups); a fresh fork shares it again."""
        if self.recycle_mb is None or handle.answered % RECYCLE_CHECK_EVERY:
            return False
        return private_mb(handle.pid) > self.recycle_mb

    def _renice(self, handle: _Handle) -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, handle.pid, 19)
        handle.niced = True

    def _reap_zygote(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._zygote_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._zygote_pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._zygote_pid, 0)
            self._zygote_pid = 0

    def close(self) -> None:
        """Kill the workers and the zygote; queries waiting for a worker get an error."""
        self.closed = True
        for handle in list(self._all):
            self._kill(handle)
        with self._lock:
            self._reap_zygote()
        self._idle.close(TdiError("the SPARQL worker pool is closed"))

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and benchmarks)."""
        return sorted(h.pid for h in self._all)

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
