"""Named-query benchmark: every named query on the real store, and on it plus a synthetic graph.

Run: ``.venv/bin/python -m bench.queries [TRIPLES]`` (default 1,000,000 synthetic triples).
Prints the median time of each query, in memory and on disk; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.load import collect_curated, collect_reference
from tdi_graph.testing import synthetic


def timed(store: ox.Store, query: queries.NamedQuery, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = queries.run(store, query, query.example())
        if query.kind in ("select", "construct", "describe"):
            for _row in answer:
                pass
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    base = [
        q
        for graphs in (collect_curated(), collect_reference())
        for qs in graphs.values()
        for q in qs
    ]
    grown = base + list(synthetic.quads(extra))
    catalogue = queries.catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        stores = {}
        for name, data in (("real", base), (f"+{extra:,} synthetic", grown)):
            memory = ox.Store()
            memory.bulk_extend(data)
            disk = ox.Store(str(Path(tmp) / name.replace(" ", "_")))
            disk.bulk_extend(data)
            disk.flush()
            stores[name] = (memory, disk, len(data))
        header = "".join(f"{n + ' mem':>22}{n + ' disk':>22}" for n in stores)
        print(f"{'query':<38}{header}")
        for name, query in catalogue.items():
            cells = []
            for memory, disk, _ in stores.values():
                cells += [timed(memory, query), timed(disk, query, repeat=3)]
            print(f"{name:<38}" + "".join(f"{c * 1000:>20.1f}ms" for c in cells))
        for label, (_, _, n) in stores.items():
            print(f"{label}: {n:,} quads")


if __name__ == "__main__":
    main()
