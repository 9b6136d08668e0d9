"""Run one benchmark module and append what it prints to bench/RESULTS.md, under its command.

``python -m bench.record bench.queries [ARGS...]``: the output is also printed as it comes; the
exit code is the benchmark's. ``make bench`` runs every benchmark this way after
``bench.serving --fresh``, so one run of ``make bench`` writes the whole of RESULTS.md's figures.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(os.environ.get("BENCH_RESULTS", "bench/RESULTS.md"))


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m bench.record MODULE [ARGS...]", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", *argv]
    started, load = time.perf_counter(), os.getloadavg()[0]
    lines: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
    seconds = time.perf_counter() - started
    header = (
        f"## `python -m {' '.join(argv)}`\n\n"
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start, {seconds:.0f} s"
        + ("" if process.returncode == 0 else f", **exit code {process.returncode}**")
    )
    with OUT.open("a", encoding="utf-8") as out:
        out.write(header + "\n\n```\n" + "\n".join(lines) + "\n```\n\n")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
