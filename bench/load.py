"""Load benchmark: how long each step of `tdi-graph load` takes, and the serving start-up.

Run: ``.venv/bin/python -m bench.load``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.load import collect_curated, load
from tdi_graph.store import open_store


def main() -> None:
    t0 = time.perf_counter()
    curated = collect_curated()
    parse = time.perf_counter() - t0
    quads = [q for qs in curated.values() for q in qs]
    t0 = time.perf_counter()
    memory = ox.Store()
    memory.bulk_extend(quads)
    mem = time.perf_counter() - t0
    print(f"curated data: {len(quads):,} quads in {len(curated)} graphs")
    print(f"  parse Turtle                    {parse * 1000:8.0f} ms")
    print(f"  load into an in-memory store    {mem * 1000:8.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        disk = ox.Store(str(Path(tmp) / "curated"))
        disk.bulk_extend(quads)
        disk.flush()
        print(f"  load into an on-disk store      {(time.perf_counter() - t0) * 1000:8.0f} ms")
        del disk
        t0 = time.perf_counter()
        report = load(Path(tmp) / "store")
        total = time.perf_counter() - t0
        print(
            f"full load (curated + reference, validated): {report.total:,} quads in {total:.2f} s"
        )
        for line in report.lines()[-len(report.seconds) :]:
            print("  " + line)
        t0 = time.perf_counter()
        store = open_store(Path(tmp) / "store", in_memory=True)
        print(
            f"serving start-up ({len(store):,} quads in memory): {time.perf_counter() - t0:.2f} s"
        )


if __name__ == "__main__":
    main()
