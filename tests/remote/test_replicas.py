"""Read replicas of an immutable build: the build directory is an Oxigraph store, so any number
of read-only servers can serve copies of it: Oxigraph's read-only server on a copy, and two
``tdi-graph serve`` processes on one build directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.remote import RemoteStore
from tdi_graph.store import build_id, current_build, graph_sizes
from tests.remote.engines import _stop, _wait, free_port, oxigraph_binary
from tests.remote.rows import differences


def test_two_read_only_servers_on_one_copied_build(store_dir: Path, store: ox.Store, tmp_path):
    build = current_build(store_dir)
    assert build is not None
    copy = tmp_path / "replica" / build.name  # what `rsync -a STORE/builds/<id>` gives a machine
    shutil.copytree(build, copy)
    binary = oxigraph_binary()
    assert binary is not None
    servers = []
    try:
        for directory in (build, copy):
            port = free_port()
            log = tmp_path / f"{port}.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [
                        binary,
                        "serve-read-only",
                        "--location",
                        str(directory),
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            servers.append(process)
            _wait(f"http://127.0.0.1:{port}/query", process, 30, log)
            replica = RemoteStore(f"http://127.0.0.1:{port}/query", timeout=60)
            assert graph_sizes(replica) == graph_sizes(store)
            for name in ("signatories-of-agreement", "api-signatures", "territories-per-region"):
                named = queries.get_query(name)
                found = queries.run(replica, named)
                assert differences(named, queries.run(store, named), found) == []
    finally:
        for process in servers:
            _stop(process)


ROUTES = [
    "/api/signatures",
    "/api/events",
    "/api/search?q=bpifrance",
    "/api/entities/bpifrance",
    "/api/queries/api-signatures",
    "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fc%20%7D%20ORDER%20BY%20%3Fs%20LIMIT%205",
    "/network",
]


def _files(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_two_tdi_graph_serve_processes_on_one_build(store_dir: Path, tmp_path: Path) -> None:
    """Two real ``tdi-graph serve`` processes (two ports, as two machines behind a load
    balancer) read one build directory read-only and answer the same, with the same X-Build."""
    build = current_build(store_dir)
    assert build is not None
    before = _files(build)
    env = {
        **os.environ,
        "TDI_STORE": str(store_dir),
        "TDI_STORE_IN_MEMORY": "false",  # both read the same files (ox.Store.read_only)
        "TDI_QUERY_WORKERS": "1",
    }
    env.pop("TDI_SPARQL_URL", None)
    servers, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            log = tmp_path / f"serve-{port}.log"
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("tdi-graph")),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            servers.append(process)
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, servers, strict=True):
            _wait_http(url + "/api/signatures", process, 120, tmp_path)
        expected_build = build_id(store_dir)
        assert expected_build
        for route in ROUTES:
            first, second = (httpx.get(url + route, timeout=60) for url in urls)
            assert (first.status_code, second.status_code) == (200, 200), route
            assert first.headers["X-Build"] == second.headers["X-Build"] == expected_build
            assert first.content == second.content, route
    finally:
        for process in servers:
            _stop(process)
    assert _files(build) == before  # read-only: not a byte nor a date of the build changed


def _wait_http(url: str, process: subprocess.Popen, seconds: float, logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = "\n".join(p.read_text(errors="replace")[-800:] for p in logs.glob("*.log"))
            raise RuntimeError(f"tdi-graph serve exited ({process.returncode}): {text}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url}: tdi-graph serve did not start in {seconds:.0f} s")
