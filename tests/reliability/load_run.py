"""``make reliability``: a bounded load on 127.0.0.1 against a real ``tdi-graph serve``.

64 connections for 60 s (``--seconds``, ``--connections``) of mixed requests: entity lookups,
search, named queries, list pages, cheap and runaway SPARQL, malformed inputs. Faults are
injected while it runs: a query worker is killed (SIGKILL) mid-load, and a ``tdi-graph load``
runs beside the server into its store. It prints the requests held, the answers by kind and
status, p50/p99 of the lookups, and the server's resident memory (with its workers) before,
during and after, as JSON.

    python tests/reliability/load_run.py --store /tmp/store --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } "
CROSS_ORDER = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
#: (kind, weight, method, path, params or body)
MIX = [
    ("lookup", 40, "GET", "/api/entities/eric-lombard", None),
    ("lookup", 10, "GET", "/id/eric-lombard", {"format": "json"}),
    ("search", 15, "GET", "/api/search", {"q": "chatellerault"}),
    ("list", 8, "GET", "/api/territories", {"limit": "100"}),
    ("named", 8, "GET", "/api/queries/events-by-year", None),
    ("sparql-cheap", 6, "GET", "/sparql", {"query": "ASK { ?s ?p ?o }"}),
    ("sparql-heavy", 3, "GET", "/sparql", {"query": RUNAWAY}),
    ("sparql-heavy", 1, "POST", "/sparql", CROSS_ORDER),
    ("malformed", 3, "GET", "/sparql", {"query": "SELECT ?s WHERE { ?s ?p"}),
    ("malformed", 2, "GET", "/api/territories", {"offset": str(2**64)}),
    ("malformed", 2, "GET", "/api/signatures", {"since": "2019-13-45"}),
    ("malformed", 1, "POST", "/sparql", "{" * 10_000),
    ("malformed", 1, "GET", "/sparql", {"query": "SELECT * { SERVICE <http://127.0.0.1:1/> {} }"}),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB."""
    total = 0
    for each in tree(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1) if values else 0


async def client_loop(
    client: httpx.AsyncClient, deadline: float, stats: dict, rng: random.Random
) -> None:
    mix = [m for m in MIX if m[0] not in stats["without"]]
    weights = [m[1] for m in mix]
    while time.monotonic() < deadline:
        kind, _, method, path, data = rng.choices(mix, weights)[0]
        start = time.monotonic()
        try:
            if method == "GET":
                answer = await client.get(path, params=data)
            else:
                answer = await client.post(
                    path, content=data, headers={"content-type": "application/sparql-query"}
                )
            status = str(answer.status_code)
            if answer.status_code >= 400 and "error" in answer.text[:20]:
                status += " " + answer.json()["error"]["code"]
        except httpx.HTTPError as exc:
            status = f"transport {type(exc).__name__}"
        stats["answers"][kind][status] += 1
        if kind == "lookup" and status == "200":
            stats["lookup"].append(time.monotonic() - start)


async def load(
    base: str, seconds: float, connections: int, server: int, store: Path, args: argparse.Namespace
) -> dict:
    stats: dict = {"answers": defaultdict(Counter), "lookup": [], "memory": {}, "faults": []}
    stats["without"] = set(args.without)
    stats["memory"]["before_mb"] = rss_mb(server)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        tasks = [
            asyncio.create_task(client_loop(client, deadline, stats, random.Random(i)))
            for i in range(connections)
        ]
        peak = 0.0
        killed = loaded = False
        beside: subprocess.Popen[bytes] | None = None
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            peak = max(peak, rss_mb(server))
            elapsed = seconds - (deadline - time.monotonic())
            if not killed and not args.no_faults and elapsed > seconds / 3:
                workers = [p for p in tree(server) if p != server]
                if workers:
                    os.kill(workers[-1], signal.SIGKILL)
                    stats["faults"].append(f"SIGKILL query worker {workers[-1]} at {elapsed:.0f}s")
                killed = True
            if not loaded and not args.no_faults and elapsed > seconds / 2:
                beside = subprocess.Popen(
                    [sys.executable, "-m", "tdi_graph_api.cli", "load", "--no-validate"]
                    + ["--store", str(store)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                stats["faults"].append(f"tdi-graph load beside the server at {elapsed:.0f}s")
                loaded = True
        await asyncio.gather(*tasks)
        if beside is not None:
            try:
                code = beside.wait(timeout=120)
                stats["faults"].append(f"the load beside ended with exit {code}")
            except subprocess.TimeoutExpired:
                beside.kill()
                stats["faults"].append("the load beside was still running: killed (SIGKILL)")
        stats["memory"]["during_peak_mb"] = peak
        await asyncio.sleep(2.0)
        stats["memory"]["after_mb"] = rss_mb(server)
        after = await client.get("/api/entities/eric-lombard")
        stats["after_the_run"] = after.status_code
    return stats


LUA = Path(__file__).with_name("mixed.lua")


def parse_wrk(text: str) -> dict:
    """The figures of a wrk run: requests, latency percentiles, and the Lua script's counts."""
    found: dict = {"answers": {}, "errors": {}}
    for line in text.splitlines():
        parts = line.split()
        if line.startswith("COUNTS"):
            found["answers"] = {k: int(v) for k, v in (f.split("=") for f in line.split("\t")[1:])}
        elif line.startswith("ERRORS"):
            found["errors"] = {k: int(v) for k, v in (f.split("=") for f in parts[1:])}
        elif "requests in" in line:
            found["requests"] = int(parts[0])
        elif len(parts) == 2 and parts[0] in ("50%", "90%", "99%"):
            value = parts[1]
            unit = 1000.0 if value.endswith("ms") else 1.0 if value.endswith("us") else 1e6
            number = float(value.rstrip("mus"))
            found[f"p{parts[0][:-1]}_ms"] = round(number * unit / 1000.0, 2)
    return found


def with_wrk(base: str, seconds: float, connections: int, server: int, store: Path, args) -> dict:  # type: ignore[no-untyped-def]
    """Two wrk runs side by side: the mixed load on ``connections - 8`` connections, and
    entity lookups on 8 (their latency is the figure); faults injected meanwhile."""
    duration = f"{int(seconds)}s"
    stats: dict = {"memory": {"before_mb": rss_mb(server)}, "faults": []}
    mixed = subprocess.Popen(
        ["wrk", "-t2", f"-c{connections - 8}", f"-d{duration}", "--timeout", "30s"]
        + ["-s", str(LUA), base],
        stdout=subprocess.PIPE,
        text=True,
    )
    lookups = subprocess.Popen(
        ["wrk", "-t1", "-c8", f"-d{duration}", "--latency", "--timeout", "30s"]
        + [f"{base}/api/entities/eric-lombard"],
        stdout=subprocess.PIPE,
        text=True,
    )
    start, peak, killed, beside = time.monotonic(), 0.0, False, None
    while mixed.poll() is None or lookups.poll() is None:
        time.sleep(1.0)
        peak = max(peak, rss_mb(server))
        elapsed = time.monotonic() - start
        if not args.no_faults and not killed and elapsed > seconds / 3:
            workers = [p for p in tree(server) if p != server]
            if workers:
                os.kill(workers[-1], signal.SIGKILL)
                stats["faults"].append(f"SIGKILL query worker {workers[-1]} at {elapsed:.0f}s")
            killed = True
        if not args.no_faults and beside is None and elapsed > seconds / 2:
            beside = subprocess.Popen(
                [sys.executable, "-m", "tdi_graph_api.cli", "load", "--no-validate"]
                + ["--store", str(store)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stats["faults"].append(f"tdi-graph load beside the server at {elapsed:.0f}s")
    if beside is not None:
        try:
            stats["faults"].append(f"the load beside ended with exit {beside.wait(timeout=120)}")
        except subprocess.TimeoutExpired:
            beside.kill()
            stats["faults"].append("the load beside was still running at the end: SIGKILL")
    stats["memory"]["during_peak_mb"] = peak
    time.sleep(2.0)
    stats["memory"]["after_mb"] = rss_mb(server)
    stats["mixed"] = parse_wrk(mixed.communicate()[0])
    stats["lookups"] = parse_wrk(lookups.communicate()[0])
    stats["after_the_run"] = httpx.get(f"{base}/api/entities/eric-lombard").status_code
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--without", nargs="*", default=[], help="kinds of requests to leave out")
    parser.add_argument("--python", action="store_true", help="httpx, even if wrk is there")
    parser.add_argument("--no-faults", action="store_true", help="kill no worker, run no load")
    args = parser.parse_args()
    port = free_port()
    log = (args.store.parent / "reliability-server.log").open("wb")  # its access log
    env = {**os.environ, "TDI_STORE": str(args.store)}
    server = subprocess.Popen(
        [sys.executable, "-m", "tdi_graph_api.cli", "serve", "--host", "127.0.0.1"]
        + ["--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/queries", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(1.0)
        if shutil.which("wrk") and not args.python:
            stats = with_wrk(base, args.seconds, args.connections, server.pid, args.store, args)
        else:
            stats = asyncio.run(
                load(base, args.seconds, args.connections, server.pid, args.store, args)
            )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    if "mixed" in stats:
        answers = {
            "mixed": stats["mixed"]["answers"],
            "lookups": {"200": stats["lookups"].get("requests", 0)},
        }
        stats["lookup"] = []
    else:
        answers = {kind: dict(c) for kind, c in stats["answers"].items()}
    total = sum(sum(c.values()) for c in answers.values())
    report = {
        "seconds": args.seconds,
        "without": args.without,
        "faults_injected": not args.no_faults,
        "connections": args.connections,
        "requests": total,
        "per_second": round(total / args.seconds, 1),
        # 503 (busy, past the time limit) and 507 (past the memory cap: a runaway ORDER BY
        # given the CPU to fill it) are the limits answering; any other 5xx is a failure
        "5xx_other_than_limits": sum(
            n
            for c in answers.values()
            for s, n in c.items()
            if s[:1] == "5" and not s.startswith(("503", "507 out_of_memory"))
        ),
        "transport_errors": sum(
            n for c in answers.values() for s, n in c.items() if s.startswith("transport")
        ),
        "answers": answers,
        "lookup_ms": {
            "n": len(stats["lookup"]),
            "p50": percentile(stats["lookup"], 0.50),
            "p99": percentile(stats["lookup"], 0.99),
        }
        if "lookups" not in stats
        else {k: v for k, v in stats["lookups"].items() if k.endswith("_ms") or k == "requests"},
        "generator": "wrk" if "lookups" in stats else "httpx",
        "wrk_socket_errors": stats.get("mixed", {}).get("errors"),
        "memory": stats["memory"],
        "faults": stats["faults"],
        "server_answers_after": stats["after_the_run"],
    }
    print(json.dumps(report, indent=2))
    failed = report["5xx_other_than_limits"] or report["server_answers_after"] != 200
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
