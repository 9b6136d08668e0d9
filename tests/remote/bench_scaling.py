"""Figures for docs/scaling.md: the embedded store against each remote engine, on the real build
plus a synthetic graph (``tdi_graph.testing.synthetic``).

Run: ``.venv/bin/python -m tests.remote.bench_scaling [TRIPLES] [--light]`` (default 1,000,000
synthetic triples; ``make scale`` is the 10 M-quad run; ``--light`` leaves out the two
whole-graph answers, minutes each at 10 M over HTTP). For each store: the time to load
(embedded: ``write_build`` + ``open_store`` in memory) or to publish (remote: ``tdi-graph
publish``, counts checked), its memory (resident set size of the process that holds the data),
and the p50 of a few named queries (7 runs, 3 when a run takes over 2 s).
Prints a Markdown table; asserts nothing.
"""

from __future__ import annotations

import gc
import itertools
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tdi_graph import queries
from tdi_graph.load import collect_curated, collect_reference
from tdi_graph.publish import Target, publish
from tdi_graph.remote import RemoteStore
from tdi_graph.store import open_store, write_build
from tdi_graph.testing import synthetic
from tests.remote import engines
from tests.remote.conftest import engine_settings

AGREEMENT = "synthetic-agreement-17"
# (label, named query, parameters): lookups, joins, an aggregate, a text scan
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("entity lookup", "api-entity", {"entity": "synthetic-agreement-17"}),
    (
        "who signed an agreement",
        "signatories-of-agreement",
        {"agreement": "synthetic-agreement-17"},
    ),
    ("commitments of an actor", "commitments-of-actor", {"actor": "synthetic-org-3"}),
    ("signatures of an agreement", "api-signatures", {"agreement": "synthetic-agreement-17"}),
    ("signature acts (all)", "api-signatures", {}),
    ("co-signatory network", "co-signatory-network", {}),
    ("graph sizes (GROUP BY ?g)", "", {}),
]
SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


HEAVY = ("signature acts (all)", "co-signatory network")


def p50(store: Any, name: str, values: dict[str, str], repeat: int = 7) -> tuple[float, int]:
    """Median of ``repeat`` runs (3 when one run takes over 2 s)."""
    runs: list[float] = []
    rows = 0
    while len(runs) < (repeat if not runs or runs[0] < 2 else 3):
        t0 = time.perf_counter()
        named = queries.get_query(name) if name else None
        answer = queries.run(store, named, values) if named else store.query(SIZES)
        rows = sum(1 for _ in answer)  # type: ignore[union-attr]
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), rows


def measure(store: Any, light: bool = False) -> dict[str, tuple[float, int]]:
    out = {}
    for label, name, values in CASES:
        if light and label in HEAVY:
            out[label] = (float("nan"), -1)
            continue
        try:
            out[label] = p50(store, name, values)
        except Exception as exc:  # noqa: BLE001 - a figure, not a test: say what failed
            print(f"  {label}: {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
            out[label] = (float("nan"), -1)
        print(f"  {label}: {out[label][0] * 1000:.1f} ms ({out[label][1]} rows)", flush=True)
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    light = "--light" in sys.argv
    extra = int(args[0]) if args else 1_000_000
    real = [q for g in (collect_curated(), collect_reference()) for qs in g.values() for q in qs]
    count = [0]

    def counted(source: Any) -> Any:  # streamed into the build: no list of 10 M quads
        for quad in source:
            count[0] += 1
            yield quad

    quads = counted(itertools.chain(real, synthetic.quads(extra)))
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp) / "store"
        before = rss_mb()
        t0 = time.perf_counter()
        write_build(store_dir, iter(quads))
        built = time.perf_counter() - t0
        print(
            f"{count[0]:,} quads (real build + {extra:,} synthetic): built in {built:.0f} s",
            flush=True,
        )
        del quads, real
        gc.collect()
        base = rss_mb()
        t0 = time.perf_counter()
        memory = open_store(store_dir, in_memory=True)
        opened = time.perf_counter() - t0
        results["embedded (in memory)"] = {
            "load": f"build {built:.0f} s + open {opened:.0f} s",
            "memory": f"{rss_mb() - base:.0f} MB (+{base - before:.0f} MB while building)",
            "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "queries": measure(memory, light),
        }
        del memory
        gc.collect()
        disk = open_store(store_dir, in_memory=False)
        results["embedded (on disk)"] = {
            "load": "(same build)",
            "memory": "RocksDB page cache",
            "queries": measure(disk, light),
        }
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"embedded done; peak RSS {peak:.0f} MB", flush=True)
        for name, starter in (("oxigraph", engines.oxigraph), ("virtuoso", engines.virtuoso)):
            with starter(Path(tmp) / name) as engine:
                settings = engine_settings(engine, query_timeout=600.0)
                t0 = time.perf_counter()
                publish(disk, Target.from_settings(settings))
                sent = time.perf_counter() - t0
                remote = RemoteStore(engine.query_url, timeout=600.0)
                print(f"{name}: published in {sent:.0f} s", flush=True)
                figures = measure(remote, light)
                results[f"{name} server"] = {
                    "load": f"publish {sent:.0f} s",
                    "memory": f"{engine.rss_mb():.0f} MB (engine process)",
                    "queries": figures,
                }
                print(f"{name} done", flush=True)
    labels = [label for label, _, _ in CASES]
    print("\n| store | load / publish | memory | " + " | ".join(labels) + " |")
    print("|---|---|---|" + "---|" * len(labels))
    for store, r in results.items():
        cells = [
            f"{r['queries'][label][0] * 1000:.1f} ms ({r['queries'][label][1]})" for label in labels
        ]
        print(f"| {store} | {r['load']} | {r['memory']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
