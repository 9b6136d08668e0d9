"""The API routes alone, with their CPU cost: ``python -m bench.api [--profile]``.

Starts ``tdi-graph serve`` on the current build (one server process unless ``--processes``,
answer cache off unless ``--cache``), and with ``--code DIR`` the code of another checkout on
the same build beside it (in turns, so that both see the same load); drives
``/api/entities/{id}``, ``/api/search?q=`` and ``/api/signatures?actor=`` with wrk over the
distinct URLs of :func:`bench.serving.urls` (>= 1 000 per route), and gives for each route
req/s, p50/p99, and the CPU time the server spent per request (user + system time of its
process tree over the run, from ``/proc``, divided by the requests answered). With
``--profile``, py-spy samples each server during one more run of each route and the functions
with the largest share of the samples are printed (inclusive and self).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from bench.serving import urls, wrk
from bench.sparql import free_port, server
from tdi_graph.settings import get_settings
from tdi_graph.store import open_build

ROUTES = ("/api/entities/{id}", "/api/search", "/api/signatures")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its live descendants."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return total


def profile(pid: int, base: str, paths: list[str], seconds: int, top: int) -> list[str]:
    """py-spy's samples of ``pid`` under wrk: the top functions, inclusive and self."""
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as raw:
        out = raw.name
    spy = [str(Path(sys.executable).with_name("py-spy")), "record", "-p", str(pid)]
    spy += ["-r", "200", "-d", str(seconds), "-f", "raw", "-o", out, "--nonblocking"]
    spy += ["--subprocesses"]
    sampler = subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    wrk(base, paths, 16, seconds)
    sampler.wait()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in Path(out).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [
            f.split(" (")[0] + " " + f.rsplit("/", 1)[-1].rstrip(")") for f in stack.split(";")
        ]
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    os.unlink(out)
    lines = [f"  {total} samples; inclusive:"]
    lines += [f"    {n / total:5.1%} {f}" for f, n in inclusive.most_common(top)]
    lines += ["  self:"] + [f"    {n / total:5.1%} {f}" for f, n in own.most_common(top)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cache", action="store_true", help="answer cache on")
    parser.add_argument("--processes", type=int, default=1, help="TDI_SERVER_PROCESSES")
    parser.add_argument("--profile", action="store_true", help="py-spy each route once more")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--routes", nargs="*", default=list(ROUTES), choices=ROUTES)
    parser.add_argument(
        "--code",
        action="append",
        type=Path,
        default=[],
        help="also serve the code of this checkout (its src/ and api/), in turns with this one",
    )
    args = parser.parse_args()
    settings = get_settings()
    opened = open_build(settings.store, in_memory=False)
    kinds = {k: v for k, v in urls(opened.store).items() if k in args.routes}
    del opened
    env = os.environ | {"TDI_SERVER_PROCESSES": str(args.processes), "TDI_ACCESS_LOG": "false"}
    env |= {"TDI_STORE": str(settings.store)}
    env["TDI_ANSWER_CACHE"] = "true" if args.cache else "false"
    with ExitStack() as stack:
        servers: list[tuple[str, str, int]] = []
        for code in [None, *args.code]:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            command = [sys.executable, "-m", "tdi_graph_api.cli", "serve", "--port", str(port)]
            penv = env if code is None else env | {"PYTHONPATH": f"{code}/src:{code}/api"}
            pid = stack.enter_context(server(command, f"{base}/api/search?q=a", penv))
            servers.append(("this checkout" if code is None else str(code), base, pid))
        for kind, paths in kinds.items():
            for _, base, _ in servers:
                wrk(base, paths, args.connections, 1)  # warm-up
            for _ in range(args.runs):
                for label, base, pid in servers:
                    print(f"{label}: " + measure(pid, base, paths, kind, args), flush=True)
            if args.profile:
                for label, base, pid in servers:
                    print(f"{label}, {kind}:", flush=True)
                    print("\n".join(profile(pid, base, paths, args.seconds, args.top)), flush=True)


def measure(pid: int, base: str, paths: list[str], kind: str, args: argparse.Namespace) -> str:
    """One wrk run: req/s, p50, p99 and the server's CPU time per request."""
    cpu, load = cpu_seconds(pid), os.getloadavg()[0]
    rps, p50, p99, errors = wrk(base, paths, args.connections, args.seconds)
    per = (cpu_seconds(pid) - cpu) / (rps * args.seconds) * 1000
    return (
        f"{kind} @{args.connections} ({len(paths)} URLs): {rps:,.0f} req/s, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {per:.2f} ms CPU/request"
        + (f", {errors:.0f} errors" if errors else "")
        + f", load {load:.1f}"
    )


if __name__ == "__main__":
    main()
