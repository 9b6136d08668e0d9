"""API benchmark: latency (p50, p99) and requests/s of ``/api/search``, ``/api/entities/{id}``
and ``/api/signatures`` under 16 concurrent keep-alive connections, against a real uvicorn
server on 127.0.0.1 serving the project's store.

    .venv/bin/python -m bench.api [--workers 1] [--connections 16] [--seconds 8]
                                  [--requests 40000] [--no-cache] [--client python|wrk]

Each endpoint gets a warm-up, then a loop bounded both in time (``--seconds``) and in count
(``--requests``) over a few different URLs. ``--no-cache`` serves without the memo of JSON
answers (every request runs its queries). The default client is an asyncio loop in this
process (it shares the machine's cores with the server); ``--client wrk`` uses wrk when it is
installed (``apt-get install wrk``). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tdi_graph.settings import get_settings
from tdi_graph.store import current_build

ENDPOINTS: dict[str, list[str]] = {
    "/api/search": [
        "/api/search?q=pannier%20runacher",
        "/api/search?q=Chatellerault",
        "/api/search?q=pole%20emploi",
        "/api/search?q=lomb",
        "/api/search?q=N%C2%B01076",
        "/api/search?q=caisse%20des%20dep&type=organisation",
        "/api/search?q=25547",
    ],
    "/api/entities/{id}": [
        "/api/entities/eric-lombard",
        "/api/entities/caisse-des-depots",
        "/api/entities/contrat-ti-nord-franche-comte",
        "/api/entities/ti1-2707",
        "/api/entities/engagement-bdt-100m-par-an",
        "/api/entities/commune-25547",
    ],
    "/api/signatures": [
        "/api/signatures",
        "/api/signatures?actor=eric-lombard",
        "/api/signatures?since=2019-03-01&until=2019-03-31",
        "/api/signatures?agreement=contrat-ti-nord-franche-comte",
    ],
}


def app_without_cache() -> Any:
    """The app with no memo of answers (``uvicorn --factory bench.api:app_without_cache``)."""
    from tdi_graph.settings import get_settings
    from tdi_graph_api.app import create_app

    return create_app(settings=get_settings().model_copy(update={"api_cache_size": 0}))


@dataclass
class Figures:
    requests: int
    seconds: float
    p50: float
    p99: float
    errors: int = 0

    def line(self, name: str) -> str:
        return (
            f"{name:<22} {self.requests / self.seconds:>9,.0f} req/s   p50 {self.p50:6.2f} ms"
            f"   p99 {self.p99:6.2f} ms   ({self.requests:,} requests, {self.errors} errors)"
        )


# --- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def store_dir():  # type: ignore[no-untyped-def]
    """The project's store if one was loaded, else a fresh one in a temporary directory."""
    settings = get_settings()
    if current_build(settings.store) is not None:
        yield settings.store
        return
    from tdi_graph.load import load

    with tempfile.TemporaryDirectory() as tmp:
        print("no store yet: loading one (tdi-graph load) ...", flush=True)
        load(Path(tmp), validate=False)
        yield Path(tmp)


@contextmanager
def server(store: Path, workers: int, cache: bool):  # type: ignore[no-untyped-def]
    """A uvicorn server in a child process; yields its base URL."""
    port = _free_port()
    factory = "tdi_graph_api.app:create_app" if cache else "bench.api:app_without_cache"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "TDI_STORE": str(store)}
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[1])
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            with suppress(OSError):
                urllib.request.urlopen(base + "/api/search?q=x", timeout=2).read()  # noqa: S310
                break
            if process.poll() is not None or time.perf_counter() - started > 180:
                raise RuntimeError("the server did not start")
            time.sleep(0.25)
        print(
            f"server: {workers} worker(s), answer memo {'on' if cache else 'off'}, "
            f"ready in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        yield base
    finally:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()


# --- the clients -------------------------------------------------------------------------------


async def _connection(
    port: int,
    paths: list[str],
    deadline: float,
    budget: list[int],
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    turn = 0
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            path = paths[turn % len(paths)]
            turn += 1
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200"):
                errors[0] += 1
    finally:
        writer.close()


def python_client(
    base: str, paths: list[str], connections: int, seconds: float, requests: int
) -> Figures:
    """Keep-alive connections, each sending its next request when the answer is in."""
    port = int(base.rsplit(":", 1)[1])
    latencies: list[float] = []
    errors, budget = [0], [requests]

    async def run() -> float:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _connection(
                    port,
                    paths[i % len(paths) :] + paths[: i % len(paths)],
                    deadline,
                    budget,
                    latencies,
                    errors,
                )
                for i in range(connections)
            )
        )
        return time.perf_counter() - started

    with suppress(ImportError):
        import uvloop

        uvloop.install()
    elapsed = asyncio.run(run())
    latencies.sort()
    return Figures(
        len(latencies),
        elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        errors[0],
    )


def wrk_client(
    base: str, paths: list[str], connections: int, seconds: float, requests: int
) -> Figures:
    """wrk with a Lua script that cycles through ``paths`` (bounded in time only)."""
    script = (
        "local paths = {"
        + ", ".join(f'"{p}"' for p in paths)
        + "}\n"
        + (
            "local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n"
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{int(seconds)}s",
                "--latency",
                "-s",
                lua.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(lua.name)

    def millis(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    elapsed = float(re.search(r"requests in ([\d.]+)s", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Figures(total, elapsed, millis("50%"), millis("99%"), int(errors[1]) if errors else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--no-cache", action="store_true", help="serve without the answer memo")
    parser.add_argument("--client", choices=("python", "wrk"), default="python")
    args = parser.parse_args()
    if args.client == "wrk" and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    client = wrk_client if args.client == "wrk" else python_client
    with store_dir() as store, server(store, args.workers, not args.no_cache) as base:
        print(
            f"client: {args.client}, {args.connections} connections, at most "
            f"{args.seconds:g} s and {args.requests:,} requests per endpoint"
        )
        for name, paths in ENDPOINTS.items():
            client(base, paths, args.connections, 1.0, 2_000)  # warm-up
            print(
                client(base, paths, args.connections, args.seconds, args.requests).line(name),
                flush=True,
            )


if __name__ == "__main__":
    main()
