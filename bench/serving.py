"""Serving benchmark, side by side in one run: ``python -m bench.serving [--synthetic N]``.

On one build (the project's, or the curated data plus ``N`` synthetic triples), it starts in
turn ``tdi-graph serve`` (1 and 2 processes, answer cache off, and on for the API), the bare
Python limit (:mod:`bench.limit`, uvicorn, 1 and 2 processes), ``oxigraph serve-read-only``
and (``--rdflib``) rdflib-endpoint, and drives each with wrk over many distinct URLs:

* ``point``: all properties of one entity, one distinct IRI per request (up to 3 000);
* ``two-hop``: an entity's neighbours' neighbours with their labels, per entity;
* each named research query of queries/ (default parameters) on ``/sparql``;
* tdi-graph's API routes: ``/api/entities/{id}``, ``/api/search?q=``, ``/api/signatures?actor=``
  on at least 1 000 distinct URLs each (as many as the data has).

Each figure is repeated ``--runs`` times (min/median/max), with the load average beside it.
It writes Markdown to ``--out`` (bench/RESULTS.md by default) and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from urllib.parse import quote, unquote

import pyoxigraph as ox

from bench.sparql import free_port, query_text, rows, server
from tdi_graph import queries
from tdi_graph.settings import get_settings
from tdi_graph.store import current_build

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
POINT = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
TWO_HOP = (
    "SELECT DISTINCT ?x ?label WHERE {{ <{iri}> ?p1 ?m . FILTER(isIRI(?m)) ?m ?p2 ?x . "
    "FILTER(isIRI(?x)) OPTIONAL {{ ?x <" + LABEL + "> ?label }} }} LIMIT 100"
)
JSON = "application/sparql-results+json"
MARKER = "<!-- make bench writes the figures below this line -->"


@dataclass
class Figure:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    errors: int = 0
    load: list[float] = field(default_factory=list)

    def cell(self) -> str:
        if not self.rps:
            return "-"
        med = statistics.median
        return (
            f"{med(self.rps):,.0f} req/s [{min(self.rps):,.0f}-{max(self.rps):,.0f}], "
            f"p50 {med(self.p50):.1f} ms, p99 {med(self.p99):.1f} ms"
            + (f", {self.errors} errors" if self.errors else "")
        )


def wrk(base: str, paths: list[str], connections: int, seconds: int) -> tuple[float, ...]:
    """Answered (2xx) req/s, p50 ms, p99 ms (of every response), and the non-2xx count of wrk
    cycling through ``paths``."""
    lines = ",\n".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script = (
        f"local paths = {{\n{lines}\n}}\nlocal i = math.random(#paths)\n"
        "request = function()\n  i = i % #paths + 1\n"
        f"  return wrk.format('GET', paths[i], {{['Accept']='{JSON}'}})\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(lua.name)

    def millis(label: str) -> float:
        found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        if found is None:
            return float("nan")
        return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = float(found[1]) if found else 0.0
    # only answers count: a server refusing (503, its slots for long queries full) is not fast
    return max(0.0, rps - errors / seconds), millis("50%"), millis("99%"), errors


def pss_mb(pid: int) -> float:
    """Proportional set size (MB) of ``pid`` and its descendants (shared pages split fairly)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return total / 1024


@contextmanager
def running(command: list[str], probe: str, env: dict[str, str]) -> Iterator[int]:
    """The server of ``command``; yields its pid once ``probe`` answers."""
    with server(command, probe, env=env):
        wanted = "\0".join(command) + "\0"
        pids = []
        for entry in Path("/proc").iterdir():
            try:
                # endswith: a script's process is its interpreter, then the command
                if entry.name.isdigit() and (entry / "cmdline").read_text().endswith(wanted):
                    pids.append(int(entry.name))
            except OSError:
                continue
        yield min(pids) if pids else 0  # the first process of the command: its root


def build_dir(synthetic: int, tmp: Path) -> Path:
    """The build to serve: the project's current one, or curated + synthetic in ``tmp``."""
    if not synthetic:
        build = current_build(get_settings().store)
        if build is None:
            sys.exit("no build: run `tdi-graph load` first (or --synthetic N)")
        return get_settings().store
    from tdi_graph.load import collect_curated
    from tdi_graph.store import write_build
    from tdi_graph.testing import synthetic as syn

    curated = [q for qs in collect_curated().values() for q in qs]
    started = time.perf_counter()
    write_build(tmp / "store", [*curated, *islice(syn.quads(2 * synthetic), synthetic)])
    print(f"built {synthetic:,} synthetic triples in {time.perf_counter() - started:.1f} s")
    return tmp / "store"


def urls(store: ox.Store) -> dict[str, list[str]]:
    """Distinct URLs of each kind, from what ``store`` holds."""
    iris = [
        str(s["s"].value)
        for s in store.query(
            "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } FILTER(isIRI(?s)) } LIMIT 20000",
        )  # type: ignore[union-attr]
    ]
    ids = [i.rsplit("/", 1)[1] for i in iris if "/id/" in i]
    actors = [i for i in iris if "/id/" in i and "commune-" not in i] or iris
    names = [
        str(s["l"].value).strip().lower()
        for s in store.query(  # type: ignore[union-attr]
            f"SELECT ?l WHERE {{ GRAPH ?g {{ ?s <{LABEL}> ?l }} }} LIMIT 20000"
        )
        if str(s["l"].value).strip()
    ]
    # what a visitor types: the start of a name's first word (lombar, banque...); where those
    # are too few to make 1 000 distinct URLs (synthetic labels: "Personne 123"), whole names
    labels = sorted({n.split()[0][:6] for n in names})
    if len(labels) < 1000:
        labels = sorted(set(names))

    def sparql(template: str, some: list[str]) -> list[str]:
        return ["/sparql?query=" + quote(template.format(iri=i), safe="") for i in some[:3000]]

    ordered = actors + [i for i in iris if i not in set(actors)]
    return {
        "point": sparql(POINT, ordered),
        "two-hop": sparql(TWO_HOP, ordered),
        "/api/entities/{id}": [f"/api/entities/{quote(i)}" for i in ids[:2000]],
        "/api/search": [f"/api/search?q={quote(t)}" for t in labels[:2000]],
        "/api/signatures": [  # every actor, with three page sizes: >= 1 000 distinct URLs
            f"/api/signatures?actor={quote(a.rsplit('/', 1)[1])}&limit={n}"
            for n in (50, 20, 10)
            for a in actors[:1000]
        ],
    }


def named() -> dict[str, list[str]]:
    """Each research query of queries/ with its defaults bound, as one /sparql URL."""
    out = {}
    for name in sorted(queries.catalogue()):
        if name.startswith(("api-", "network-", "dump-")):
            continue
        out[name] = ["/sparql?query=" + quote(query_text(name), safe="")]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=0, help="synthetic triples (0: real)")
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rdflib", action="store_true", help="also rdflib-endpoint (slow load)")
    parser.add_argument("--out", type=Path, default=Path("bench/RESULTS.md"))
    parser.add_argument("--fresh", action="store_true", help="drop the figures of --out first")
    args = parser.parse_args()
    if args.fresh and args.out.exists():  # keep the note above the marker, drop old figures
        text = args.out.read_text()
        args.out.write_text(
            text[: text.index(MARKER) + len(MARKER)] + "\n" if MARKER in text else text
        )
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (make wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = build_dir(args.synthetic, Path(tmp))
        build = current_build(store_dir)
        assert build is not None
        nq = build.with_name(build.name + ".nq")
        memory = ox.Store()
        memory.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        kinds, named_urls = urls(memory), named()
        print({k: len(v) for k, v in kinds.items()}, flush=True)
        quads = len(memory)
        del memory
        oxigraph = str(Path(sys.executable).with_name("oxigraph"))
        t0 = time.perf_counter()
        subprocess.run(
            [oxigraph, "load", "--location", f"{tmp}/ox", "--file", str(nq)],
            check=True,
            capture_output=True,
        )
        ox_load = time.perf_counter() - t0
        env = {**os.environ, "TDI_STORE": str(store_dir), "BENCH_NQ": str(nq)}
        env |= {"TDI_QUERY_PER_CLIENT": "256", "TDI_QUERY_QUEUE": "256"}
        serve = [str(Path(sys.executable).with_name("tdi-graph")), "serve", "--port"]
        uv = [sys.executable, "-m", "uvicorn", "--factory", "--log-level", "warning", "--port"]
        peers: list[tuple[str, list[str], dict[str, str], bool]] = []
        for n in (1, 2):
            tdi_env = env | {"TDI_SERVER_PROCESSES": str(n), "TDI_ANSWER_CACHE": "false"}
            peers.append((f"tdi-graph {n}p", serve, tdi_env, True))
            peers.append(
                (f"bare limit {n}p", [*uv[:-1], "--workers", str(n), "--port"], env, False)
            )
        peers.insert(
            2, ("tdi-graph 2p, cache on", serve, env | {"TDI_SERVER_PROCESSES": "2"}, True)
        )
        peers.append(
            (
                "oxigraph serve-read-only",
                [oxigraph, "serve-read-only", "--union-default-graph", "--location", f"{tmp}/ox"]
                + ["--bind"],
                env,
                False,
            )
        )
        if args.rdflib:
            peers.append(("rdflib-endpoint", uv, env, False))
        table: dict[str, dict[str, Figure]] = {}
        answers: dict[str, list[int | str]] = {}  # kind -> rows of a sample of its URLs (tdi-graph)
        differ: set[tuple[str, str]] = set()
        memory_mb: dict[str, float] = {}
        for label, command, penv, is_tdi in peers:
            port = free_port()
            if label.startswith("oxigraph"):
                cmd = [*command, f"127.0.0.1:{port}"]
            elif is_tdi:
                cmd = [*command, str(port)]
            else:
                factory = "bench.limit:rdflib" if label == "rdflib-endpoint" else "bench.limit:bare"
                cmd = [*command, str(port), factory]
            base = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            with running(cmd, f"{base}/sparql?query=ASK%7B%7D", penv) as pid:
                print(f"{label}: serving in {time.perf_counter() - started:.1f} s", flush=True)
                work = dict(kinds) if is_tdi else {k: v for k, v in kinds.items() if "api" not in k}
                if "cache on" in label:
                    work = {k: v for k, v in kinds.items() if "api" in k}
                elif "2p" in label or label.startswith("oxigraph"):  # named: 2 processes
                    work |= {f"named: {k}": v for k, v in named_urls.items()}
                row = table.setdefault(label, {})
                for kind, paths in work.items():
                    # a sample of URLs must get as many rows as from tdi-graph, or it is marked
                    counts = [
                        rows(base + "/sparql", unquote(p.split("query=", 1)[1]))
                        for p in paths[:: max(1, len(paths) // 20)]
                        if p.startswith("/sparql?query=")
                    ]
                    if is_tdi and kind not in answers:
                        answers[kind] = counts
                    elif answers.get(kind, counts) != counts:
                        differ.add((label, kind))
                        print(f"  {kind}: rows {counts} != tdi-graph's {answers[kind]}", flush=True)
                    conns = (16, 64) if not kind.startswith("named") else (16,)
                    for c in conns:
                        fig = row.setdefault(f"{kind} @{c}", Figure())
                        if not kind.startswith("named"):
                            wrk(base, paths, c, 1)  # warm-up
                        for _ in range(1 if kind.startswith("named") else args.runs):
                            rps, p50, p99, errors = wrk(base, paths, c, args.seconds)
                            fig.rps.append(rps)
                            fig.p50.append(p50)
                            fig.p99.append(p99)
                            fig.errors += int(errors)
                            fig.load.append(os.getloadavg()[0])
                        print(f"  {kind} @{c}: {fig.cell()}", flush=True)
                memory_mb[label] = pss_mb(pid)
        report(args, table, memory_mb, quads, ox_load, kinds, differ)


def report(
    args: argparse.Namespace,
    table: dict[str, dict[str, Figure]],
    memory_mb: dict[str, float],
    quads: int,
    ox_load: float,
    kinds: dict[str, list[str]],
    differ: set[tuple[str, str]],
) -> None:
    """Markdown: one row per measured figure, a column per server, ratios to the peers.

    A cell marked "other answers" got a different number of rows than tdi-graph on a sample of
    its URLs: its speed is not comparable.
    """
    import importlib.metadata as md

    servers = list(table)
    rows = sorted({k for r in table.values() for k in r}, key=lambda k: (k.startswith("named"), k))
    lines = [
        f"## {'real graph' if not args.synthetic else f'{args.synthetic:,} synthetic triples'}"
        f" ({quads:,} quads)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}, pyoxigraph {md.version('pyoxigraph')}, "
        f"oxigraph {md.version('oxigraph')}, uvicorn {md.version('uvicorn')}. "
        f"Command: `python -m bench.serving --synthetic {args.synthetic} --seconds "
        f"{args.seconds} --runs {args.runs}`; wrk -t1, distinct URLs per kind: "
        + ", ".join(f"{k} {len(v):,}" for k, v in kinds.items())
        + f". `oxigraph load` of the quads: {ox_load:.1f} s. Cells: median req/s answered (2xx; "
        "refusals and time-outs are counted apart as errors) [min-max over runs], median "
        "p50/p99 of every response. Before timing a kind, each server answers a sample of its "
        "URLs; a server whose row counts differ from tdi-graph's (or that refuses one) is marked "
        "*other answers*.",
        "",
        "| figure | "
        + " | ".join(servers)
        + " | tdi 2p / bare 2p | tdi 2p / oxigraph | load avg |",
        "|---|" + "---|" * (len(servers) + 3),
    ]
    for row in rows:
        kind = row.rsplit(" @", 1)[0]
        mark = {s: " **other answers**" if (s, kind) in differ else "" for s in servers}
        cells = [table[s].get(row, Figure()).cell() + mark[s] for s in servers]
        tdi, bare, oxi = (
            table.get("tdi-graph 2p", {}).get(row),
            table.get("bare limit 2p", {}).get(row),
            table.get("oxigraph serve-read-only", {}).get(row),
        )

        def ratio(a: Figure | None, b: Figure | None) -> str:
            if not a or not b or not a.rps or not b.rps or not statistics.median(b.rps):
                return "-"  # not measured, or the peer answered nothing in time
            return f"{statistics.median(a.rps) / statistics.median(b.rps):.2f}x"

        loads = [x for s in servers for x in table[s].get(row, Figure()).load]
        load = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "-"
        lines.append(
            f"| {row} | " + " | ".join(cells) + f" | {ratio(tdi, bare)} | "
            f"{ratio(tdi, oxi)} | {load} |"
        )
    lines += [
        "",
        "Memory (PSS of the server and its workers, MB): "
        + ", ".join(f"{k} {v:,.0f}" for k, v in memory_mb.items()),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with args.out.open("a") as out:
        out.write(text + "\n")


if __name__ == "__main__":
    main()
