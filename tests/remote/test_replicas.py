"""Read replicas of an immutable build: the build directory is an Oxigraph store, so any number
of read-only servers can serve copies of it (here: two at once on the same directory)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.remote import RemoteStore
from tdi_graph.store import current_build, graph_sizes
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
