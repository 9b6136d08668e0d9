"""Limits a child process puts on itself once forked: no network, a memory ceiling (the query
workers), and no life after its parent (the workers, the work a load does beside its write).

pyoxigraph 0.5 evaluates ``SERVICE`` by calling the remote endpoint over HTTP, and it offers no
way to turn that off (``Store.query`` has no service handler). So a worker that evaluates public
queries installs a seccomp filter on itself: the ``socket()`` system call fails with ``EACCES``
for every address family but ``AF_UNIX`` (the worker talks to the server over a Unix socket
pair it already holds). No SERVICE, no DNS lookup, nothing the query text can name reaches the
network, whatever the keyword check in :mod:`tdi_graph.sparql_lexer` decides. The filter is
inherited by every thread the worker starts and cannot be lifted.

The memory ceiling is an address-space limit (``RLIMIT_AS``): what the worker already maps when
it starts (the server's memory it shares copy-on-write) plus a budget. An allocation past it
fails; Rust aborts the process, which the pool sees as a death and answers 507.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import signal
import socket
import struct

# (AUDIT_ARCH_*, number of the socket system call) of the machines the filter knows
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_LD_ABS_W, _JEQ_K, _RET_K = 0x20, 0x15, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_EACCES = 13

#: messages pyoxigraph gives when a ``SERVICE`` call is denied its socket
DENIED = ("os error 13", "Permission denied", "name resolution", "lookup address")


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def network_filter_supported() -> bool:
    """Whether :func:`forbid_network` knows this machine's system call numbers."""
    return platform.system() == "Linux" and platform.machine() in _ARCHES


def forbid_network() -> None:
    """From now on, this process (and its threads) cannot open any socket but a Unix one.

    :raises OSError: if the kernel refuses the filter (the worker must then not serve).
    """
    arch, socket_nr = _ARCHES[platform.machine()]
    program = [
        (_LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, _ALLOW),  # another ABI: no socket() of ours there
        (_LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
        (_JEQ_K, 0, 3, socket_nr),
        (_LD_ABS_W, 0, 0, 16),  # seccomp_data.args[0] (low half): the address family
        (_JEQ_K, 1, 0, socket.AF_UNIX),
        (_RET_K, 0, 0, _ERRNO | _EACCES),
        (_RET_K, 0, 0, _ALLOW),
    ]
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *op) for op in program))
    prog = _Filter(len(program), ctypes.addressof(code))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")


def mapped_bytes() -> int:
    """The address space this process maps now (``VmSize``), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(budget: int) -> int:
    """Cap this process's address space at what it maps now plus ``budget`` bytes; the cap."""
    ceiling = mapped_bytes() + budget
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    return ceiling


def die_with_parent(parent: int) -> None:
    """Linux: get SIGKILL when the thread that forked this process ends (with a single-threaded
    parent, when the parent does); exit at once if ``parent`` is gone already."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)
