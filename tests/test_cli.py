"""The command line, run as a user runs it (a real process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fixtures import REFERENCE

CLI = [sys.executable, "-m", "tdi_graph.cli"]
#: The commands read the reference sample (the ``reference_dir`` setting), as the session store.
ENV = {**os.environ, "TDI_REFERENCE_DIR": str(REFERENCE)}


def tdi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, env=ENV)


def test_validate_against_the_seeds_passes(seeds_dir: Path) -> None:
    done = tdi("validate", "--sources", str(seeds_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("OK")


def test_validate_fails_on_an_edited_source(seeds_dir: Path, tmp_path: Path) -> None:
    sources = tmp_path / "seeds"
    shutil.copytree(seeds_dir, sources)
    path = sources / "000_8570ff99ff748f82.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("30 000 emplois", "40 000 emplois"), "utf-8"
    )
    done = tdi("validate", "--sources", str(sources))
    assert done.returncode == 1
    assert "excerpt not in 000_8570ff99ff748f82.txt" in done.stdout
    assert "30 000 emplois" in done.stdout
    assert "Traceback" not in done.stderr


def test_validate_with_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    done = tdi("validate", "--sources", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert "no such directory" in done.stderr


def test_query_by_name_in_json(store_dir: Path) -> None:
    done = tdi("query", "cdc-group-structure", "--store", str(store_dir), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert {r["relation"] for r in rows} == {"subsidiary", "business line"}


def test_query_with_a_bad_parameter_is_a_clear_error(store_dir: Path) -> None:
    done = tdi("query", "events-timeline", "--store", str(store_dir), "-p", "since=yesterday")
    assert done.returncode == 1
    assert "is not a YYYY-MM-DD date" in done.stderr
    assert "Traceback" not in done.stderr


def test_query_unknown_name(store_dir: Path) -> None:
    done = tdi("query", "no-such-query", "--store", str(store_dir))
    assert done.returncode == 1
    assert "no named query 'no-such-query'" in done.stderr


def test_query_without_a_store_says_to_load(tmp_path: Path) -> None:
    done = tdi("query", "contradictions", "--store", str(tmp_path))
    assert done.returncode == 1
    assert "tdi-graph load" in done.stderr


def test_serve_on_a_port_in_use_is_one_clear_line(store_dir: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        serve = [sys.executable, "-m", "tdi_graph_api.cli", "serve"]  # the app's verb
        done = subprocess.run(
            [*serve, "--store", str(store_dir), "--port", port],
            capture_output=True,
            text=True,
            timeout=300,
            env=ENV,
        )
    assert done.returncode == 1
    assert "serving on" not in done.stdout
    assert done.stderr.strip() == (
        f"tdi-graph serve: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
