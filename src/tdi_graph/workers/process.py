"""The processes of the pool: messages over sockets, the zygote, and the workers it forks.

Everything here runs in child processes forked from the server (see :mod:`tdi_graph.workers`),
except :func:`send` and :func:`recv`, which both sides use.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import pickle
import signal
import socket
import stat
import struct
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tdi_graph import sandbox
from tdi_graph.errors import OutOfMemory, TdiError
from tdi_graph.sparql import Answer, evaluate
from tdi_graph.sparql_output import INLINE_MAX

OOM_MARK = b"memory allocation of"  # what Rust writes to stderr before aborting


@dataclass(frozen=True)
class Limits:
    """What each worker imposes on itself: no network (``sandbox``), ``memory`` bytes more."""

    sandbox: bool = True
    memory: int | None = None


# --- messages between processes -----------------------------------------------------------------


def frame(message: object) -> bytes:
    """``message`` as one length-prefixed pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack("!I", len(data)) + data


def send(sock: socket.socket, message: object, fd: int | list[int] | None = None) -> None:
    """One :func:`frame`; file descriptors ride with its first bytes."""
    data = frame(message)
    if fd is None:
        sock.sendall(data)
        return
    sent = socket.send_fds(sock, [data[:4]], [fd] if isinstance(fd, int) else fd)
    sock.sendall(data[sent:])


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    parts, missing = [], n
    while missing:
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


def recv(sock: socket.socket) -> tuple[Any, list[int]]:
    """The next message and the descriptors sent with it; ``(None, [])`` at end of stream
    (a blocking socket: the pool reads its workers' replies with :mod:`.channel`, from
    its event loop)."""
    head, fds, _flags, _addr = socket.recv_fds(sock, 4, 2)
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


def private_mb(pid: int) -> float:
    """The memory of process ``pid`` that no other process shares (MB): in a worker, its own
    heap and the pages of the store it copied on write; 0 if it cannot be read."""
    total = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total / 1024


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


def run_in_child(main: Any, *args: Any) -> None:
    """Run ``main`` in a forked child and never return into the parent's code."""
    code = 1
    try:
        main(*args)
        code = 0
    except BaseException:  # the child must not unwind into the server's stack
        traceback.print_exc()
    finally:
        os._exit(code)


def zygote(control: socket.socket, source: ox.Store | Path, limits: Limits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    _neutralise_inherited_fds({control.fileno()})
    gc.freeze()
    me = os.getpid()
    while True:
        message, fds = recv(control)
        if message is None:
            return
        fd, err = fds
        pid = os.fork()
        if pid == 0:
            run_in_child(_worker, fd, err, control, source, me, limits)
        os.close(fd)
        os.close(err)
        send(control, pid)


def _worker(
    fd: int, err: int, control: socket.socket, source: ox.Store | Path, zygote: int, limits: Limits
) -> None:
    control.close()
    sandbox.die_with_parent(zygote)  # the zygote is single-threaded: reliable
    os.dup2(err, 2)  # the pool reads why a worker died here
    os.close(err)
    if faulthandler.is_enabled():  # its trace too (it wrote to the server's stderr, pytest's)
        faulthandler.enable(file=2)
    refusal: TdiError | None = None
    if limits.sandbox:
        try:
            sandbox.forbid_network()
        except (OSError, KeyError, AttributeError) as exc:  # fail closed: serve nothing
            refusal = TdiError(
                f"the query workers cannot forbid themselves the network here ({exc}); "
                "they serve no query (TDI_ALLOW_SERVICE=true runs them without that guard)"
            )
    store = source if isinstance(source, ox.Store) else ox.Store.read_only(str(source))
    if limits.memory:
        sandbox.limit_memory(limits.memory)
    sock = socket.socket(fileno=fd)
    while True:
        request, _ = recv(sock)
        if request is None:
            return
        answer: Answer | None = None
        send_fd = None
        try:
            if refusal is not None:
                raise refusal
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
        except MemoryError:
            reply = ("error", OutOfMemory("the query needed more memory than a query may use"))
        except Exception as exc:  # a bug: reported as a 500, never as the client's fault
            reply = ("error", TdiError(f"query evaluation failed: {type(exc).__name__}: {exc}"))
        send(sock, reply, send_fd)
        if answer is not None:
            answer.close()
