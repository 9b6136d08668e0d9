"""Figures for docs/scaling.md: the embedded store against each remote engine, on the real build
plus a synthetic graph (``tdi_graph.testing.synthetic``).

Run: ``.venv/bin/python -m tests.remote.bench_scaling [TRIPLES [OUT.json]] [--light]
[--oxigraph-load]`` (default 1,000,000 synthetic triples; ``make scale`` is the 10 M-quad run;
``--light`` leaves out the whole-graph answers, minutes each at 10 M over HTTP;
``--oxigraph-load`` fills Oxigraph's server with its bulk loader instead of publishing). For
each store: the time to load (embedded: ``write_build`` + ``open_store`` in memory) or to
publish (remote: ``tdi-graph publish``, counts checked), its memory (resident set size of the
process that holds the data), the p50 of a few named queries (7 runs, 3 when a run takes over
2 s), then the façade's start-up over it and the p50 of the API routes
(``tests.remote.bench_routes``). Prints Markdown tables (and writes the figures to OUT.json
after each store); asserts nothing.
"""

from __future__ import annotations

import gc
import itertools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tdi_graph import queries
from tdi_graph.load import collect_curated, collect_reference
from tdi_graph.publish import Target, publish, remote_counts
from tdi_graph.remote import RemoteStore
from tdi_graph.settings import Settings
from tdi_graph.store import graph_sizes, open_store, write_build
from tdi_graph.testing import synthetic
from tests.remote import bench_routes, engines
from tests.remote.bench_routes import rss_mb
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


HEAVY = ("signature acts (all)", "co-signatory network")


def p50(store: Any, name: str, values: dict[str, str], repeat: int = 7) -> tuple[float, int]:
    """Median of ``repeat`` runs (3 when one run takes over 2 s)."""
    runs: list[float] = []
    rows = 0
    while len(runs) < (repeat if not runs or runs[0] < 2 else 3):
        t0 = time.perf_counter()
        named = queries.get_query(name) if name else None
        answer = queries.run(store, named, values) if named else store.query(SIZES)
        rows = sum(1 for _ in answer)  # type: ignore[union-attr,misc]
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


def load_oxigraph(directory: Path, store_dir: Path) -> float:
    """``oxigraph load`` of the build's N-Quads snapshot into the engine's (stopped) directory:
    the bulk load, for data too large to publish over HTTP in the time at hand."""
    snapshot = next((store_dir / "builds").glob("*.nq"))
    binary = engines.oxigraph_binary()
    assert binary, "no `oxigraph` command"
    directory.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run(
        [binary, "load", "--location", str(directory / "db"), "--file", str(snapshot)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def facade(
    results: dict[str, dict[str, Any]],
    name: str,
    settings: Settings,
    store_dir: Path,
    extra: int,
    light: bool,
    store: Any = None,
) -> None:
    """The façade's start-up and route figures over one store, into ``results[name]``."""
    print(f"{name}: façade start-up (registry + search index)", flush=True)
    app = bench_routes.Facade(settings, store_dir, store)
    r = results[name]
    r["startup"] = app.startup
    r["facade_mb"] = app.memory_mb
    r["error"] = app.error
    print(f"  start-up {app.startup} s, +{app.memory_mb:.0f} MB {app.error}", flush=True)
    r["routes"] = bench_routes.measure_routes(app, extra, light)
    app.close()
    del app
    gc.collect()


def save(results: dict[str, dict[str, Any]], out: Path | None) -> None:
    if out is not None:  # after each store: a run stopped half way keeps its figures
        out.write_text(json.dumps(results, indent=1, default=str))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    light, bulk = "--light" in sys.argv, "--oxigraph-load" in sys.argv
    extra = int(args[0]) if args else 1_000_000
    out = Path(args[1]) if len(args) > 1 else None
    real = [q for g in (collect_curated(), collect_reference()) for qs in g.values() for q in qs]
    count = [0]

    def counted(source: Any) -> Any:  # streamed into the build: no list of 10 M quads
        for quad in source:
            count[0] += 1
            yield quad

    quads = counted(itertools.chain(real, synthetic.quads(extra)))
    results: dict[str, dict[str, Any]] = {}
    quiet = Settings(answer_cache=False, sparql_url=None)
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
            "quads": count[0],
            "load": f"build {built:.0f} s + open {opened:.0f} s",
            "memory": f"{rss_mb() - base:.0f} MB (+{base - before:.0f} MB while building)",
            "queries": measure(memory, light),
        }
        facade(results, "embedded (in memory)", quiet, store_dir, extra, light, memory)
        results["embedded (in memory)"]["peak"] = peak_mb()
        save(results, out)
        del memory
        gc.collect()
        disk = open_store(store_dir, in_memory=False)
        results["embedded (on disk)"] = {
            "load": "(same build)",
            "memory": "RocksDB page cache",
            "queries": measure(disk, light),
        }
        save(results, out)
        print(f"embedded done; peak RSS {peak_mb():.0f} MB", flush=True)
        # Virtuoso first: it published 7x faster than Oxigraph's server at 3.5 M quads
        for name, starter in (("virtuoso", engines.virtuoso), ("oxigraph", engines.oxigraph)):
            where = Path(tmp) / name
            loaded = load_oxigraph(where, store_dir) if bulk and name == "oxigraph" else None
            with starter(where) as engine:
                settings = engine_settings(engine, query_timeout=600.0, answer_cache=False)
                remote = RemoteStore(engine.query_url, timeout=600.0)
                t0 = time.perf_counter()
                if loaded is None:
                    publish(disk, Target.from_settings(settings))
                    how = f"publish {time.perf_counter() - t0:.0f} s"
                else:  # the same check as publish: each graph's count on the engine
                    sizes = graph_sizes(disk)
                    with RemoteStore(engine.query_url, timeout=600.0) as check:
                        found = remote_counts(check, list(sizes))
                    assert found == sizes, "the bulk load does not hold the build"
                    how = f"bulk load {loaded:.0f} s (`oxigraph load`), counts checked"
                print(f"{name}: {how}", flush=True)
                key = f"{name} server"
                results[key] = {"load": how, "queries": measure(remote, light)}
                results[key]["memory"] = f"{engine.rss_mb():.0f} MB (engine process)"
                facade(results, key, settings, store_dir, extra, light)
                results[key]["engine_after_facade"] = f"{engine.rss_mb():.0f} MB"
                save(results, out)
                print(f"{name} done", flush=True)
        if bulk:  # last, as it is the longest: the publish to a fresh Oxigraph server too
            with engines.oxigraph(Path(tmp) / "oxigraph-publish") as engine:
                settings = engine_settings(engine, query_timeout=600.0)
                t0 = time.perf_counter()
                publish(disk, Target.from_settings(settings))
                sent = time.perf_counter() - t0
                results["oxigraph server"]["load"] += f"; publish {sent:.0f} s (fresh engine)"
                results["oxigraph server"]["memory"] += f"; {engine.rss_mb():.0f} MB after publish"
                print(f"oxigraph: published in {sent:.0f} s", flush=True)
                save(results, out)
    report(results)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(results: dict[str, dict[str, Any]]) -> None:
    """The Markdown tables: stores and named queries, façade start-up, routes."""
    labels = [label for label, _, _ in CASES]
    print("\n| store | load / publish | memory | " + " | ".join(labels) + " |")
    print("|---|---|---|" + "---|" * len(labels))
    for store, r in results.items():
        cells = [
            f"{r['queries'][label][0] * 1000:.1f} ms ({r['queries'][label][1]})" for label in labels
        ]
        print(f"| {store} | {r['load']} | {r['memory']} | " + " | ".join(cells) + " |")
    print("\n| façade over | start-up (registry + search index) | its memory |")
    print("|---|---|---|")
    for store, r in results.items():
        if "startup" in r:
            up = f"{r['startup']:.0f} s" if r["startup"] is not None else r["error"]
            print(f"| {store} | {up} | +{r['facade_mb']:.0f} MB |")
    print("\n" + "\n".join(bench_routes.comparison(results)))


if __name__ == "__main__":
    main()
