"""Benchmark of the SPARQL endpoint: ``python -m bench.sparql [--store DIR] [--seconds S]``.

Prints, for three named queries on the project's store:

1. evaluation alone, in process: the in-memory store against the on-disk build;
2. the worker pool: start-up, replacing a killed worker, how close to the limit a runaway query
   is answered;
3. over HTTP on 127.0.0.1 with 16 concurrent connections (wrk if installed, else an asyncio +
   httpx load loop bounded in requests and in time): ``tdi-graph serve`` against
   ``oxigraph serve-read-only`` on the same build, in the same run: throughput, latency
   percentiles and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.errors import QueryTimeout
from tdi_graph.settings import get_settings
from tdi_graph.sparql import QueryRequest, with_values
from tdi_graph.store import current_build, open_store
from tdi_graph.workers import WorkerPool

QUERIES = ("signatories-of-agreement", "persons-and-posts", "territories-per-region")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/sparql-results+json"


def query_text(name: str) -> str:
    """The named query with its default parameters bound, as the query page shows it."""
    named = queries.get_query(name)
    values = {p.name: p.bind(p.default) for p in named.params if p.default is not None}
    return with_values(named.text, values)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def median_ms(call: object, repeat: int = 30) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


# --- 1. evaluation ---------------------------------------------------------------------------


def bench_evaluation(memory: ox.Store, build: Path) -> None:
    disk = ox.Store.read_only(str(build))
    print("\n1. Evaluation in process (median of 30, ms)")
    print(f"   {'query':<28} {'in memory':>10} {'on disk':>10} {'disk/memory':>12}")
    for name in QUERIES:
        text = query_text(name)
        mem = median_ms(lambda t=text: list(memory.query(t, use_default_graph_as_union=True)))
        dsk = median_ms(lambda t=text: list(disk.query(t, use_default_graph_as_union=True)))
        print(f"   {name:<28} {mem:>10.2f} {dsk:>10.2f} {dsk / mem:>11.1f}x")


# --- 2. the worker pool ----------------------------------------------------------------------


def bench_pool(memory: ox.Store, timeout: float) -> None:
    print(f"\n2. Worker pool (2 workers forked from the in-memory store, limit {timeout:g} s)")
    started = time.perf_counter()
    pool = WorkerPool(memory, size=2, timeout=timeout)
    pool.start()
    print(
        f"   start (zygote + 2 workers)           {1000 * (time.perf_counter() - started):8.1f} ms"
    )
    text = query_text(QUERIES[0])
    direct = median_ms(lambda: list(memory.query(text, use_default_graph_as_union=True)))
    loop = asyncio.new_event_loop()  # as the server awaits it: one loop for every query
    through = median_ms(
        lambda: b"".join(
            loop.run_until_complete(pool.answer(QueryRequest(text, format="json"))).chunks()
        )
    )
    loop.close()
    print(f"   {QUERIES[0]}: direct {direct:.2f} ms, through a worker {through:.2f} ms")
    victim = pool.pids()[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.1)
    started = time.perf_counter()
    for _ in range(2):  # one of the two requests meets the dead worker and replaces it
        pool.run(QueryRequest("ASK {}"))
    print(
        f"   2 queries after a worker was killed  {1000 * (time.perf_counter() - started):8.1f} ms"
    )
    started = time.perf_counter()
    with suppress(QueryTimeout):
        pool.run(QueryRequest(RUNAWAY))
    elapsed = time.perf_counter() - started
    print(f"   runaway cross product answered after {elapsed:8.3f} s (limit {timeout:g} s)")
    killed = set(pool.pids())
    print(f"   workers after the runaway: {sorted(killed)} (the runaway's worker was replaced)")
    pool.close()


# --- 3. over HTTP ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], probe: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """Run a server process until ``probe`` answers (yields its pid); stop it after."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(probe, timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"{command[0]} did not start: {error[-2000:]}")
            time.sleep(0.2)
        yield process.pid
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM to the server's process group; SIGKILL if it has not ended within ``timeout``."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    percentiles: dict[int, float] | None = None  # in ms, when the client computed them (wrk)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: int) -> float:
        if self.percentiles is not None:
            return self.percentiles[q]
        return percentile([x * 1000 for x in self.latencies], q / 100)


async def load(url: str, query: str, *, connections: int, total: int, seconds: float) -> Load:
    """``connections`` loops sending the query until ``total`` requests or ``seconds`` pass."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def loop() -> None:
            nonlocal sent, errors
            while sent < total and time.perf_counter() < deadline:
                sent += 1
                begin = time.perf_counter()
                answer = await client.post(url, data={"query": query}, headers={"accept": JSON})
                latencies.append(time.perf_counter() - begin)
                if answer.status_code != 200:
                    errors += 1

        await asyncio.gather(*(loop() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return Load(len(latencies), errors, elapsed, latencies)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(url: str, query: str, *, connections: int, seconds: float) -> Load:
    """The same load with wrk (C, epoll): the load generator takes less of the 2 CPUs."""
    target = f"{url}?{urlencode({'query': query})}"
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    command += ["-H", f"Accept: {JSON}", target]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    throughput = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    marks = {
        int(p): float(v) * _UNITS[u]
        for p, v, u in re.findall(r"^\s+(50|90|99)(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    if set(marks) != {50, 90, 99}:
        raise SystemExit(f"cannot read the latencies of wrk's output:\n{out}")
    # latencies are summarised by wrk: keep its percentiles as a three-point sample
    return Load(
        total,
        int(errors[1]) if errors else 0,
        total / throughput,
        [marks[50] / 1000, marks[90] / 1000, marks[99] / 1000],
        marks,
    )


def rows(url: str, query: str) -> int | str:
    """The number of solutions of ``query`` (GET: the bare limit app reads only the URL), or
    the HTTP status when the server does not answer it (``"503"``: stopped at its time limit,
    or refused while its slots for long queries are full) or ``"timeout"`` after a minute, so
    that the run goes on and the report marks the figure."""
    try:
        answer = httpx.get(url, params={"query": query}, headers={"accept": JSON}, timeout=60)
    except httpx.TimeoutException:  # a server without a time limit, still busy with the load
        return "timeout"
    if answer.status_code != 200:
        return str(answer.status_code)
    return len(answer.json()["results"]["bindings"])


def bench_http(
    store_dir: Path, build: Path, seconds: float, total: int, connections: int, client: str
) -> None:
    ours_port, oxigraph_port = free_port(), free_port()
    ours = f"http://127.0.0.1:{ours_port}/sparql"
    theirs = f"http://127.0.0.1:{oxigraph_port}/query"
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    serve = [str(Path(sys.executable).parent / "tdi-graph"), "serve", "--store", str(store_dir)]
    serve += ["--host", "127.0.0.1", "--port", str(ours_port)]
    bound = f"{seconds:g} s" if client == "wrk" else f"at most {total} requests or {seconds:g} s"
    print(f"\n3. Over HTTP with {client}, {connections} connections, {bound} per query and server")
    print("   ours: tdi-graph serve (1 uvicorn process, 2 query workers, in-memory store)")
    print("   oxigraph: oxigraph serve-read-only --union-default-graph (on-disk build)")
    results: dict[str, dict[str, Load]] = {name: {} for name in QUERIES}
    counts: dict[tuple[str, str], int | str] = {}
    # wrk is one client: lift the per-client share and the queue, as bench.serving does, or
    # the figure counts the fairness limiter's 429s (about 30 % of the answers at 16 connections)
    env = {**os.environ, "TDI_STORE": str(store_dir)}
    env |= {"TDI_QUERY_PER_CLIENT": "256", "TDI_QUERY_QUEUE": "256"}
    for label, command, url, probe in (
        ("ours", serve, ours, ours + "?query=ASK%7B%7D"),
        (
            "oxigraph",
            [oxigraph, "serve-read-only", "--location", str(build), "--bind",
             f"127.0.0.1:{oxigraph_port}", "--union-default-graph"],
            theirs,
            theirs + "?query=ASK%7B%7D",
        ),
    ):  # fmt: skip
        with server(command, probe, env):
            for name in QUERIES:
                text = query_text(name)
                for _ in range(20):  # warm up
                    rows(url, text)
                if client == "wrk":
                    run = wrk(url, text, connections=connections, seconds=seconds)
                else:
                    run = asyncio.run(
                        load(url, text, connections=connections, total=total, seconds=seconds)
                    )
                results[name][label] = run
                counts[name, label] = rows(url, text)
    print(
        f"   {'query':<26} {'server':<9} {'rows':>5} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6}"
    )
    for name in QUERIES:
        for label in ("ours", "oxigraph"):
            run = results[name][label]
            print(
                f"   {name:<26} {label:<9} {counts[name, label]:>5} {run.throughput:>8.0f} "
                f"{run.percentile(50):>8.1f} {run.percentile(90):>8.1f} {run.percentile(99):>8.1f} "
                f"{run.errors:>6}"
            )
        ratio = results[name]["ours"].throughput / results[name]["oxigraph"].throughput
        print(f"   {'':<26} ratio ours / oxigraph throughput: {ratio:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql", description=__doc__)
    parser.add_argument("--store", type=Path, help="a store directory (default: the settings')")
    parser.add_argument("--seconds", type=float, default=10.0, help="time per load run")
    parser.add_argument("--requests", type=int, default=5000, help="requests per load run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=2.0, help="limit for the runaway test")
    parser.add_argument(
        "--client",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator (default: wrk if installed, else an asyncio + httpx loop)",
    )
    args = parser.parse_args(argv)
    store_dir: Path = args.store or get_settings().store
    scratch = None
    if current_build(store_dir) is None:
        from tdi_graph.load import load as load_store

        scratch = tempfile.TemporaryDirectory(prefix="tdi-bench-")
        store_dir = Path(scratch.name)
        print(f"no store at {args.store or get_settings().store}: building one in {store_dir}")
        load_store(store_dir, validate=False)
    build = current_build(store_dir)
    assert build is not None
    print(f"store {build} ({os.cpu_count()} CPUs); queries: {', '.join(QUERIES)}")
    started = time.perf_counter()
    memory = open_store(store_dir, in_memory=True)
    print(f"in-memory copy of {len(memory):,} quads in {time.perf_counter() - started:.1f} s")
    bench_evaluation(memory, build)
    bench_pool(memory, args.timeout)
    del memory
    bench_http(store_dir, build, args.seconds, args.requests, args.connections, args.client)
    if scratch is not None:
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
