"""Start and stop real SPARQL engines for the tests and the scaling figures.

* Oxigraph's own server, ``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` (PyPI
  ``oxigraph``).
* Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``): a copy of the packaged
  ``virtuoso.ini`` whose every file of ``[Database]`` and ``[TempDatabase]`` points at a temporary
  folder, with its own two ports (SQL and HTTP), then ``virtuoso-t -f -c virtuoso.ini``.

Each engine is a context manager that yields an :class:`Engine` (its URLs and settings) and kills
its own process (by pid) when done. ``python -m tests.remote.engines oxigraph|virtuoso DIR``
starts one in the foreground, for trying things by hand.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
_UNLIMITED = ("MaxQueryExecutionTime", "MaxQueryCostEstimationTime")
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"  # the package's defaults


@dataclass
class Engine:
    """A running engine: where to query it, where to write graphs, how to authenticate."""

    name: str
    query_url: str
    gsp_url: str
    graph_param: str = "graph"
    auth: str = "basic"
    user: str | None = None
    password: str | None = None
    pid: int = 0
    directory: Path = field(default_factory=Path)

    def env(self) -> dict[str, str]:
        """The ``TDI_*`` settings that point the project at this engine."""
        out = {
            "TDI_SPARQL_URL": self.query_url,
            "TDI_GSP_URL": self.gsp_url,
            "TDI_GSP_GRAPH_PARAM": self.graph_param,
            "TDI_SPARQL_AUTH": self.auth,
        }
        if self.user:
            out["TDI_SPARQL_USER"] = self.user
        if self.password:
            out["TDI_SPARQL_PASSWORD"] = self.password
        return out

    def rss_mb(self) -> float:
        """Resident memory of the engine's process, in MB (Linux)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        return kb / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str | None:
    here = Path(sys.executable).with_name("oxigraph")
    return str(here) if here.is_file() else shutil.which("oxigraph")


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def _wait(url: str, process: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the engine exited ({process.returncode}): {_tail(log)}")
        try:
            r = httpx.get(url, params={"query": "ASK {}"}, timeout=2)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url}: the engine did not start in {seconds:.0f} s: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-1500:]
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def oxigraph(directory: Path, port: int | None = None) -> Iterator[Engine]:
    """Oxigraph's server on an on-disk store in ``directory``."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("no `oxigraph` command: pip install oxigraph (the test extra)")
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = directory / "oxigraph.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/query", process, 30, log)
        yield Engine(
            "oxigraph", base + "/query", base + "/store", pid=process.pid, directory=directory
        )
    finally:
        _stop(process)


def virtuoso_ini(directory: Path, sql_port: int, http_port: int, buffers: int = 170_000) -> Path:
    """A copy of the packaged ``virtuoso.ini`` with its files in ``directory`` and its own ports."""
    text = VIRTUOSO_INI.read_text()
    section = ""
    out = []
    files = {
        "Database": "virtuoso",
        "TempDatabase": "virtuoso-temp",
    }
    for line in text.splitlines():
        head = re.match(r"\s*\[(.+)\]", line)
        if head:
            section = head.group(1)
        key = re.match(r"\s*([A-Za-z_]+)\s*=", line)
        name = key.group(1) if key else ""
        if section in files and name:
            suffix = {
                "DatabaseFile": ".db",
                "ErrorLogFile": ".log",
                "LockFile": ".lck",
                "TransactionFile": ".trx",
                "xa_persistent_file": ".pxa",
            }.get(name)
            if suffix:
                line = f"{name} = {directory / (files[section] + suffix)}"
        elif section == "Parameters" and name == "ServerPort":
            line = f"ServerPort = {sql_port}"
        elif section == "HTTPServer" and name == "ServerPort":
            line = f"ServerPort = {http_port}"
        elif section == "Parameters" and name == "NumberOfBuffers":
            line = f"NumberOfBuffers = {buffers}"
        elif section == "Parameters" and name == "MaxDirtyBuffers":
            line = f"MaxDirtyBuffers = {buffers * 3 // 4}"
        elif section == "Parameters" and name == "DirsAllowed":
            line = f"DirsAllowed = ., {directory}, /usr/share/virtuoso-opensource-7/vad"
        elif section == "SPARQL" and name == "ResultSetMaxRows":
            line = "ResultSetMaxRows = 10000000"  # the default 10 000 truncates answers silently
        elif section == "SPARQL" and name in _UNLIMITED:
            line = f"{name} = 0"  # no "anytime" partial answers: the client's timeout decides
        out.append(line)
    ini = directory / "virtuoso.ini"
    ini.write_text("\n".join(out) + "\n")
    return ini


@contextmanager
def virtuoso(directory: Path, buffers: int = 170_000) -> Iterator[Engine]:
    """Virtuoso Open Source on a fresh database in ``directory``."""
    binary = virtuoso_binary()
    if binary is None:
        raise RuntimeError("no `virtuoso-t`: apt-get install virtuoso-opensource (make virtuoso)")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = virtuoso_ini(directory, sql_port, http_port, buffers)
    log = directory / "virtuoso-t.out"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [binary, "-f", "-c", str(ini)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HOME": str(directory)},
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(base + "/sparql", process, 120, directory / "virtuoso.log")
        yield Engine(
            "virtuoso",
            base + "/sparql",
            base + "/sparql-graph-crud-auth",
            graph_param="graph-uri",
            auth="digest",
            user=VIRTUOSO_USER,
            password=VIRTUOSO_PASSWORD,
            pid=process.pid,
            directory=directory,
        )
    finally:
        _stop(process)


if __name__ == "__main__":

    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops the engine too
    kind, where = sys.argv[1], Path(sys.argv[2])
    starter = {"oxigraph": oxigraph, "virtuoso": virtuoso}[kind]
    with starter(where) as engine:
        print(" ".join(f"{k}={v}" for k, v in engine.env().items()), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
