"""Where pyoxigraph's parser/optimizer crashes on flat chains: for each construct, a ladder of
counts (what each gave, and how long it took), then the count at which a query kills its
process (a stack overflow), found by bisection, for a whole run and for the parser alone. Each
try is a fresh subprocess on a small in-memory store. The lexer's complexity bounds
(:mod:`tdi_graph.sparql_lexer`, :func:`tdi_graph.sparql.check`) are set well below these
figures; ``docs/reliability.md`` has them.

    .venv/bin/python -m bench.flat_chains [--ladder 100,300,...] [--thread] [NAME ...]

``--thread`` evaluates in a thread (the stack a worker forked from a thread has) instead of
the main thread.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

#: name -> (prefix, unit, suffix): the query is prefix + unit * N + suffix
CHAINS: dict[str, tuple[str, str, str]] = {
    "triple-patterns": ("ASK { ", "?s ?p ?o . ", "}"),
    "triple-patterns-distinct": ("ASK { ", "?s{i} ?p ?o . ", "}"),
    "predicate-lists": ("ASK { ?s ", "?p ?o ; ", "?p ?o }"),
    "object-lists": ("ASK { ?s ?p ", "?o , ", "?o }"),
    "optionals": ("SELECT * WHERE { ?s ?p ?o ", "OPTIONAL { ?s ?p ?o } ", "} LIMIT 1"),
    "unions": ("SELECT * WHERE { ", "{ ?s ?p ?o } UNION ", "{ ?s ?p ?o } } LIMIT 1"),
    "minus": ("SELECT * WHERE { ?s ?p ?o ", "MINUS { ?s ?p ?o } ", "} LIMIT 1"),
    "groups": ("SELECT * WHERE { ", "{ ?s ?p ?o } ", "} LIMIT 1"),
    "filters": ("SELECT * WHERE { ?s ?p ?o ", "FILTER(?o) ", "} LIMIT 1"),
    "binds": ("SELECT * WHERE { ?s ?p ?o ", "BIND(1 AS ?b{i}) ", "} LIMIT 1"),
    "path-sequence": ("ASK { ?s ", "<http://x/p>/", "<http://x/p> ?o }"),
    "path-alternative": ("ASK { ?s ", "<http://x/p>|", "<http://x/p> ?o }"),
    "and-chain": ("ASK { ?s ?p ?o FILTER(", "?o && ", "?o) }"),
    "or-chain": ("ASK { ?s ?p ?o FILTER(", "?o || ", "?o) }"),
    "plus-chain": ("ASK { ?s ?p ?o FILTER(", "1 + ", "1) }"),
    "in-list": ("ASK { ?s ?p ?o FILTER(?o IN (", "1, ", "1)) }"),
    "values-rows": ("SELECT * WHERE { VALUES ?v { ", "1 ", "} } LIMIT 1"),
    "select-vars": ("SELECT ", "?v{i} ", "WHERE { } LIMIT 1"),
    "collection": ("ASK { ?s ?p (", "1 ", ") }"),
    "mixed": (
        "SELECT * WHERE { ?s ?p ?o ",
        "OPTIONAL { ?s ?p ?o } MINUS { ?s ?p ?o } BIND(1 AS ?b{i}) FILTER(?o) ",
        "} LIMIT 1",
    ),
}

_CHILD = r"""
import sys, threading
import pyoxigraph as ox
store = ox.Store()
p = ox.NamedNode("http://x/p")
for i in range(20):
    store.add(ox.Quad(ox.NamedNode(f"http://x/s{i}"), p, ox.Literal(str(i)), ox.DefaultGraph()))
query = sys.stdin.read()
def run():
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
    except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
        print("error", type(exc).__name__, str(exc)[:80])
if sys.argv[1] == "thread":
    t = threading.Thread(target=run); t.start(); t.join()
else:
    run()
"""


def query(name: str, count: int) -> str:
    prefix, unit, suffix = CHAINS[name]
    if "{i}" in unit:
        body = "".join(unit.replace("{i}", str(i)) for i in range(count))
    else:
        body = unit * count
    return prefix + body + suffix


def outcome(name: str, count: int, *, parse_only: bool, thread: bool, timeout: float) -> str:
    """``crash``, ``ok``, ``error ...`` or ``timeout`` for the chain of ``count`` units, with the
    time it took. ``parse_only`` appends a stray ``}``: the parser reads the whole query then
    fails, so the optimizer and the evaluation never run."""
    text = query(name, count) + (" }" if parse_only else "")
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, "thread" if thread else "main"],
            input=text,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    took = time.perf_counter() - start
    if done.returncode < 0:
        return f"crash ({took:.1f} s)"
    what = done.stdout.strip().split(" ")[:2]
    return f"{' '.join(what) if what != [''] else 'ok'} ({took:.1f} s)"


def first_crash(
    name: str, counts: list[int], *, parse_only: bool, thread: bool, timeout: float
) -> int | None:
    """The smallest count (within 2 %) that crashes: the first rung of ``counts`` that does,
    then bisection from the rung below (a time-out counts as no crash); None if none does."""

    def crashed(count: int) -> bool:
        run = outcome(name, count, parse_only=parse_only, thread=thread, timeout=timeout)
        return run.startswith("crash")

    low = 1
    for high in counts:
        if crashed(high):
            break
        low = high
    else:
        return None
    while high - low > max(1, low // 50):
        mid = (low + high) // 2
        low, high = (low, mid) if crashed(mid) else (mid, high)
    return high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(CHAINS))
    parser.add_argument("--thread", action="store_true")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument(
        "--ladder",
        type=lambda t: [int(n) for n in t.split(",")],
        default=[100, 300, 1000, 3000, 10_000, 30_000],
    )
    args = parser.parse_args()
    for name in args.names:
        print(name, flush=True)
        for count in args.ladder:
            run = outcome(name, count, parse_only=False, thread=args.thread, timeout=args.timeout)
            print(f"  {count:>7,}: {run}", flush=True)
            if run.startswith("crash"):
                break
        for parse_only in (False, True):
            what = "the parser alone" if parse_only else "a run"
            crash = first_crash(
                name, args.ladder, parse_only=parse_only, thread=args.thread, timeout=args.timeout
            )
            shown = f"crashes from {crash:,}" if crash else f"holds to {args.ladder[-1]:,}"
            print(f"  {what}: {shown}", flush=True)


if __name__ == "__main__":
    main()
