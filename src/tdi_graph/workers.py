"""Killable worker processes that evaluate SPARQL queries, forked from the server by a zygote.

:class:`WorkerPool` answers a :class:`~tdi_graph.sparql.QueryRequest` with an
:class:`~tdi_graph.sparql.Answer` by running :func:`~tdi_graph.sparql.evaluate` in a worker.

Why worker processes forked from the server (measured on the 2-core build machine, shared with
other jobs, on the project's store of 461 k quads; pyoxigraph and oxigraph 0.5.13):

* pyoxigraph cannot interrupt ``Store.query``: a thread cannot stop it; only killing the process
  that runs it frees the CPU.
* ``oxigraph serve-read-only --timeout-s 2`` is no time limit for us: a streaming cross product
  came back as a ``200`` cut off after 3.5 s (119 MB, the client cannot tell it is truncated);
  ``ORDER BY`` or ``COUNT(*)`` over a cross product got no answer in 15 s and kept the CPU busy
  (one ``COUNT`` was still running after 10 minutes).
* Workers opening the on-disk build read-only start at once but evaluate slower than the
  in-memory store: 1.9x, 3.5x and 6-9x on the three queries of ``bench.sparql`` (NOTES.md: 3-10x).
* Workers forked from the process that holds the in-memory store share it copy-on-write (no
  second copy: reading it in takes 2-7 s and ~300 MB). Forking the zygote and 2 workers takes
  30-50 ms, replacing a killed worker ~10 ms; a runaway query is answered 503 at the limit
  + 20-50 ms and its CPU is free at once (``python -m bench.sparql`` prints these figures).

So a "zygote" is forked once from the server when the pool starts (before any request is served,
so no other thread holds a lock) and forks the ``settings.query_workers`` workers, and a fresh one
whenever a worker is killed. A query past ``settings.query_timeout`` gets a 503 and its worker is
killed. Small answers come back inline, larger ones as the descriptor of an unlinked temporary
file that the server streams: the server never holds a large result in memory, and the worker is
free as soon as the file is written.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import queue
import select
import signal
import socket
import stat
import struct
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tdi_graph.errors import QueryTimeout, TdiError
from tdi_graph.sparql import INLINE_MAX, Answer, QueryRequest, evaluate


class Busy(TdiError):
    """Every worker stayed busy for the whole time limit."""

    status = 503
    code = "busy"


# --- messages between processes -----------------------------------------------------------------


def _send(sock: socket.socket, message: object, fd: int | None = None) -> None:
    """One length-prefixed pickle; a file descriptor rides with its first bytes."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    frame = struct.pack("!I", len(data)) + data
    if fd is None:
        sock.sendall(frame)
        return
    sent = socket.send_fds(sock, [frame[:4]], [fd])
    sock.sendall(frame[sent:])


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    parts, missing = [], n
    while missing:
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


def _recv(sock: socket.socket) -> tuple[Any, list[int]]:
    """The next message and the descriptors sent with it; ``(None, [])`` at end of stream."""
    head, fds, _flags, _addr = socket.recv_fds(sock, 4, 1)
    if not head:
        return None, []
    try:
        head += _recv_exact(sock, 4 - len(head))
        (size,) = struct.unpack("!I", head)
        return pickle.loads(_recv_exact(sock, size)), fds
    except EOFError:
        for fd in fds:
            os.close(fd)
        return None, []


# --- the zygote and its workers (child processes) ---------------------------------------------


def _neutralise_inherited_fds(keep: set[int]) -> None:
    """Point inherited sockets and pipes at /dev/null, so the server's connections close."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd <= 2 or fd in keep or fd == devnull:
            continue
        with contextlib.suppress(OSError):
            mode = os.fstat(fd).st_mode
            if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
                os.dup2(devnull, fd)
    os.close(devnull)


def _die_with_parent(parent: int) -> None:
    """Linux: get SIGKILL when the zygote dies (it is single-threaded, so this is reliable)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def _child(main: Any, *args: Any) -> None:
    """Run ``main`` in a forked child and never return into the parent's code."""
    code = 1
    try:
        main(*args)
        code = 0
    except BaseException:  # the child must not unwind into the server's stack
        traceback.print_exc()
    finally:
        os._exit(code)


def _zygote(control: socket.socket, source: ox.Store | Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    _neutralise_inherited_fds({control.fileno()})
    gc.freeze()
    me = os.getpid()
    while True:
        message, fds = _recv(control)
        if message is None:
            return
        for fd in fds:
            pid = os.fork()
            if pid == 0:
                _child(_worker, fd, control, source, me)
            os.close(fd)
            _send(control, pid)


def _worker(fd: int, control: socket.socket, source: ox.Store | Path, zygote: int) -> None:
    control.close()
    _die_with_parent(zygote)
    store = source if isinstance(source, ox.Store) else ox.Store.read_only(str(source))
    sock = socket.socket(fileno=fd)
    while True:
        request, _ = _recv(sock)
        if request is None:
            return
        answer: Answer | None = None
        send_fd = None
        try:
            answer = evaluate(store, request)
            reply: tuple[Any, ...] = ("ok", answer.content_type, answer.size, None, answer.data)
            if answer.file is not None and answer.size <= INLINE_MAX:
                answer.file.seek(0)
                reply = ("ok", answer.content_type, answer.size, answer.file.read(), None)
            elif answer.file is not None:
                send_fd = answer.file.fileno()  # rolls a spooled file over to disk
                answer.file.flush()
        except TdiError as exc:
            reply = ("error", exc)
        except Exception as exc:  # a bug: reported as a 500, never as the client's fault
            reply = ("error", TdiError(f"query evaluation failed: {type(exc).__name__}: {exc}"))
        _send(sock, reply, send_fd)
        if answer is not None:
            answer.close()


# --- the pool (in the server) -----------------------------------------------------------------


@dataclass(eq=False)
class _Handle:
    pid: int
    sock: socket.socket


class WorkerPool:
    """``size`` processes that evaluate queries; one past ``timeout`` seconds is killed.

    ``source`` is the in-memory store to share with the workers, or the directory of an on-disk
    build that each worker opens read-only. Thread-safe: :meth:`run` blocks its calling thread.
    """

    def __init__(self, source: ox.Store | Path, size: int = 2, timeout: float = 10.0) -> None:
        self.source, self.size, self.timeout = source, max(1, size), timeout
        self._idle: queue.Queue[_Handle] = queue.Queue()
        self._all: set[_Handle] = set()
        self._lock = threading.Lock()
        self._control: socket.socket | None = None
        self._zygote_pid = 0
        self.closed = False

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
            _child(_zygote, child, self.source)
        child.close()
        self._control, self._zygote_pid = parent, pid

    def _spawn(self) -> _Handle:
        """A new worker, forked by the zygote."""
        ours, theirs = socket.socketpair()
        with self._lock:
            if self._control is None or self.closed:
                raise TdiError("the SPARQL worker pool is closed")
            try:
                _send(self._control, "fork", theirs.fileno())
                pid, _ = _recv(self._control)
            except OSError:
                pid = None
            if pid is None:  # the zygote died: start another one
                self._reap_zygote()
                self._start_zygote()
                _send(self._control, "fork", theirs.fileno())
                pid, _ = _recv(self._control)
            theirs.close()
            handle = _Handle(int(pid), ours)
            self._all.add(handle)
        return handle

    def _kill(self, handle: _Handle) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(handle.pid, signal.SIGKILL)
        handle.sock.close()
        with self._lock:
            self._all.discard(handle)

    def _replace(self, handle: _Handle) -> None:
        self._kill(handle)
        if not self.closed:
            self._idle.put(self._spawn())

    def run(self, request: QueryRequest) -> Answer:
        """Evaluate ``request`` in a worker; :class:`QueryTimeout` if it runs too long."""
        if self._control is None:
            self.start()
        for attempt in (1, 2):
            try:
                handle = self._idle.get(timeout=self.timeout)
            except queue.Empty:
                raise Busy(
                    f"all {self.size} query workers stayed busy for {self.timeout:g} s: "
                    "try again in a moment"
                ) from None
            try:
                _send(handle.sock, request)
            except OSError:  # the worker died while idle: retry once on a fresh one
                self._replace(handle)
                if attempt == 2:
                    raise TdiError("the query workers keep dying") from None
                continue
            return self._await(handle)
        raise AssertionError("unreachable")

    def _await(self, handle: _Handle) -> Answer:
        poller = select.poll()
        poller.register(handle.sock, select.POLLIN)
        if not poller.poll(self.timeout * 1000):
            self._replace(handle)
            raise QueryTimeout(
                f"the query ran for more than {self.timeout:g} s and was stopped: make it more "
                "selective (specific patterns first, a LIMIT) or raise TDI_QUERY_TIMEOUT"
            )
        try:
            reply, fds = _recv(handle.sock)
        except BaseException:
            self._replace(handle)
            raise
        if reply is None:
            self._replace(handle)
            raise TdiError("the query worker died (out of memory?) before answering")
        self._idle.put(handle)
        if reply[0] == "error":
            for fd in fds:
                os.close(fd)
            raise reply[1]
        _, content_type, size, body, data = reply
        if fds:
            return Answer(content_type, fd=fds[0], size=size)
        return Answer(content_type, body=body or b"", size=size, data=data)

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
        """Kill the workers and the zygote."""
        self.closed = True
        for handle in list(self._all):
            self._kill(handle)
        with self._lock:
            self._reap_zygote()

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and benchmarks)."""
        return sorted(h.pid for h in self._all)

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
