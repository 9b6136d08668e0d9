"""Start-up benchmark: how long `tdi-graph serve` takes to answer, where the time goes, and how
much memory the server holds. ``python -m bench.startup [--runs 3] [--store DIR]``.

1. The breakdown, in a fresh interpreter, one step after the other (no thread): importing the
   app, opening the build (in memory: the snapshot's SHA-256, its parse, the quad counts; on
   disk: the RocksDB files' SHA-256 and the counts), the read model read back from the build
   (``builds/<id>.derived``) and, for comparison, computed from the store.
2. ``tdi-graph serve`` itself (which opens the build while it imports the app), in memory and on
   disk (``TDI_STORE_IN_MEMORY=false``), ``--runs`` times each: the wall time from exec to the
   first 200 on ``/api/search?q=x``, the server's CPU seconds by then, then the resident memory
   (RSS of the server, PSS of the server and its SPARQL workers), once idle and again after
   ``--requests`` requests over entities, signatures, search and SPARQL.

The store must be built (``make run`` or ``tdi-graph load``). ``--tdi`` runs another checkout's
``tdi-graph`` (figures before a change). Prints figures with the load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError
from urllib.parse import quote

from bench.serving import pss_mb
from bench.sparql import free_port, stop
from tdi_graph.settings import get_settings

#: run in a fresh interpreter: each step's wall and CPU seconds, as JSON
BREAKDOWN = """
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
steps, t, c = {}, time.perf_counter(), cpu()
def step(name):
    global t, c
    steps[name] = (time.perf_counter() - t, cpu() - c)
    t, c = time.perf_counter(), cpu()
import tdi_graph_api.cli
from tdi_graph_api.app import create_app
from tdi_graph_api.deps import Services
from tdi_graph_api.server import run
step("import the app")
from pathlib import Path
from tdi_graph import derived
from tdi_graph.settings import get_settings
from tdi_graph.store import open_build
store = Path(sys.argv[1])
step("import the library")
opened = open_build(store, in_memory=sys.argv[2] == "memory")
step("open the build")
found = derived.kept(opened.path)
if isinstance(found, str):
    sys.exit(f"{opened.path}: the kept read model is {found}: run `tdi-graph load` first")
step("read the kept read model")
derived.compute(opened.store)
step("compute the read model (fallback)")
create_app(store, get_settings())
step("create the app")
print(json.dumps(steps))
"""


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def breakdown(store: Path, mode: str) -> dict[str, tuple[float, float]]:
    done = subprocess.run(
        [sys.executable, "-c", BREAKDOWN, str(store), mode], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done)
    steps: dict[str, tuple[float, float]] = json.loads(done.stdout.splitlines()[-1])
    return steps


def get(url: str, timeout: float = 10.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            answer.read()
            return int(answer.status)
    except URLError:
        return 0
    except OSError:
        return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def traffic(base: str, count: int) -> int:
    """``count`` requests over distinct entities, their signatures, searches and SPARQL."""
    with urllib.request.urlopen(f"{base}/api/search?q=a&limit=200", timeout=30) as answer:
        ids = [hit["id"] for hit in json.load(answer)["results"]] or ["bpifrance"]
    paths = []
    for i in range(count):
        entity = ids[i % len(ids)]
        iri = f"https://w3id.org/tdi-graph/id/{entity}"
        paths.append(
            [
                f"/api/entities/{quote(entity)}",
                f"/api/signatures?actor={quote(entity)}",
                f"/api/search?q={quote(entity[:5])}",
                "/sparql?query=" + quote(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"),
            ][i % 4]
        )
    return sum(get(base + path, timeout=60) == 200 for path in paths)


def serve(tdi: str, store: Path, in_memory: bool, requests: int) -> dict[str, float]:
    """One start of ``tdi-graph serve``: seconds to the first answer, CPU, memory."""
    port = free_port()
    env = {
        **os.environ,
        "TDI_ACCESS_LOG": "false",
        "TDI_STORE_IN_MEMORY": str(in_memory).lower(),
        "TDI_QUERY_PER_CLIENT": "64",
    }
    command = [tdi, "serve", "--store", str(store), "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        while get(f"{base}/api/search?q=x", timeout=2) != 200:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"tdi-graph serve did not start: {error[-2000:]}")
            time.sleep(0.01)
        figures = {"first 200 (s)": time.perf_counter() - started}
        figures["server CPU (s)"] = cpu_seconds(process.pid)
        time.sleep(2)  # the workers forked, idle
        figures["RSS server (MB)"] = rss_mb(process.pid)
        figures["PSS all (MB)"] = pss_mb(process.pid)
        if requests:
            figures["answered"] = traffic(base, requests)
            figures["RSS server, after (MB)"] = rss_mb(process.pid)
            figures["PSS all, after (MB)"] = pss_mb(process.pid)
        return figures
    finally:
        stop(process, timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=get_settings().store)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400, help="after start-up (0: none)")
    parser.add_argument("--tdi", default=str(Path(sys.executable).parent / "tdi-graph"))
    parser.add_argument("--no-breakdown", action="store_true", help="only time `serve`")
    args = parser.parse_args()
    print(f"store {args.store}, {args.tdi}; load average {load_average()}")
    for in_memory in (True, False):
        mode = "memory" if in_memory else "disk"
        if not args.no_breakdown:
            print(f"\nbreakdown, store in {mode} (wall / CPU seconds; load {load_average()}):")
            for name, (wall, cpu) in breakdown(args.store, mode).items():
                print(f"  {name:<36} {wall:6.2f} s {cpu:6.2f} s CPU")
        runs = [serve(args.tdi, args.store, in_memory, args.requests) for _ in range(args.runs)]
        print(f"\ntdi-graph serve, store in {mode}, {args.runs} runs: min / median / max")
        for name in runs[0]:
            values = [run[name] for run in runs]
            low, mid, high = min(values), statistics.median(values), max(values)
            print(f"  {name:<36} {low:8.2f} {mid:8.2f} {high:8.2f}")
        print(f"  (load average {load_average()})")


if __name__ == "__main__":
    main()
