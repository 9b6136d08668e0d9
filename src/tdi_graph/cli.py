"""The ``tdi-graph`` command line. Each verb maps to one library function."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tdi_graph.errors import TdiError
from tdi_graph.settings import get_settings


def store_dir(args: argparse.Namespace) -> Path:
    """``--store``, else the settings' store directory."""
    return Path(args.store) if args.store else get_settings().store


def cmd_load(args: argparse.Namespace) -> int:
    from tdi_graph.load import input_files, load
    from tdi_graph.store import up_to_date

    if args.check:
        manifest = up_to_date(store_dir(args), input_files())
        if manifest is None:
            print(f"{store_dir(args)}: no build from the current inputs: run `tdi-graph load`")
            return 3
        print(f"build {manifest.build} is up to date with the inputs ({manifest.quads:,} quads)")
        return 0
    started = time.perf_counter()
    sources = _sources(args)
    if sources is not None and not sources.is_dir():
        print(f"tdi-graph load: {sources}: no such directory", file=sys.stderr)
        return 2
    report = load(store_dir(args), validate=not args.no_validate, sources=sources)
    print("\n".join(report.lines()))
    print(f"store: {report.build}")
    print(f"loaded in {time.perf_counter() - started:.2f} s")
    return 0


def _sources(args: argparse.Namespace) -> Path | None:
    """``--sources``, else the settings, else ``../shared/seeds`` beside the checkout."""
    from tdi_graph.resources import project_root

    sources = Path(args.sources) if args.sources else get_settings().sources_dir
    if sources is None and project_root() is not None:
        default = project_root().parent / "shared" / "seeds"  # type: ignore[union-attr]
        sources = default if default.is_dir() else None
    return sources


def cmd_validate(args: argparse.Namespace) -> int:
    from tdi_graph.load import collect_curated, collect_reference
    from tdi_graph.validate import validate

    sources = _sources(args)
    if sources is not None and not sources.is_dir():
        print(f"tdi-graph validate: {sources}: no such directory", file=sys.stderr)
        return 2
    report = validate(collect_curated(), sources, collect_reference())
    if sources is None:
        print("no sources directory: excerpts not checked (use --sources DIR)")
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def cmd_coverage(args: argparse.Namespace) -> int:
    from tdi_graph.coverage import coverage

    sources = _sources(args)
    if sources is None or not sources.is_dir():
        print(f"tdi-graph coverage: {sources or '--sources'}: no such directory", file=sys.stderr)
        return 2
    ledger = coverage(
        sources,
        data=Path(args.data) if args.data else None,
        omissions=Path(args.omissions) if args.omissions else None,
        document=args.document,
    )
    if args.format == "json":
        print(ledger.to_json())
    else:
        print("\n".join(ledger.lines(detail=args.document is not None)))
    return 0 if ledger.ok else 1


def cmd_query(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from tdi_graph import queries, results
    from tdi_graph.store import open_store

    path = Path(args.query)
    named = queries.read_query(path) if path.suffix == ".rq" and path.is_file() else None
    named = named or queries.get_query(args.query)
    values = dict(_split_param(p) for p in args.param)
    store = open_store(store_dir(args), in_memory=False)
    answer = queries.run(store, named, values)
    if isinstance(answer, ox.QueryBoolean):
        print("true" if bool(answer) else "false")
        return 0
    if named.kind in ("construct", "describe"):
        assert isinstance(answer, ox.QueryTriples)
        sys.stdout.write((ox.serialize(answer, format=ox.RdfFormat.TURTLE) or b"").decode())
        return 0
    assert isinstance(answer, ox.QuerySolutions)
    names, data = results.rows(answer)
    render: dict[str, Callable[..., str]] = {
        "table": results.to_table,
        "json": results.to_json,
        "csv": results.to_csv,
    }
    print(render[args.format](names, data))
    return 0


def _split_param(raw: str) -> tuple[str, str]:
    name, sep, value = raw.partition("=")
    if not sep:
        raise TdiError(f"--param {raw!r}: expected NAME=VALUE")
    return name, value


def _network(args: argparse.Namespace) -> Any:
    """The store's actor network seen through the ``export`` / ``stats`` options."""
    import datetime as dt

    from tdi_graph import network
    from tdi_graph.errors import BadRequest
    from tdi_graph.store import open_store

    def names(raw: str | None) -> list[str]:
        return [part.strip() for part in (raw or "").split(",") if part.strip()]

    def day(raw: str | None, option: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise BadRequest(f"{option} {raw!r} is not a YYYY-MM-DD date") from None

    metrics = not getattr(args, "no_metrics", False)
    graph = network.build(open_store(store_dir(args)), metrics=metrics)
    return network.view(
        graph,
        projection=args.projection,
        types=names(args.type),
        relations=names(args.relation),
        since=day(args.since, "--since"),
        until=day(args.until, "--until"),
        focus=args.focus,
        depth=args.depth,
        metrics=metrics,
    )


def cmd_export(args: argparse.Namespace) -> int:
    from tdi_graph import network

    data = network.export(_network(args), args.format, metric=args.metric)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output} ({len(data):,} bytes)")
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from tdi_graph import network

    print(network.stats_report(_network(args), top=args.top))
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    from tdi_graph.dump import MANIFEST, dump, dump_name, verify
    from tdi_graph.store import current_build, open_store

    started = time.perf_counter()
    folder = store_dir(args)
    build = current_build(folder)
    out = Path(args.output) if args.output else get_settings().dumps_dir
    existing = out / dump_name(build.name if build else None)
    if args.if_missing and build is not None and (existing / MANIFEST).is_file():
        if not verify(existing):
            print(f"dump: {existing} (already written for this build, checksums verified)")
            return 0
        print(f"dump: {existing} is damaged: writing it again")
    written = dump(open_store(folder), out, build.name if build else None)
    damaged = verify(written.path)
    if damaged:
        print(f"tdi-graph dump: checksums differ for {', '.join(damaged)}", file=sys.stderr)
        return 1
    for entry in written.manifest["files"]:
        print(f"{entry['bytes']:>12,}  {entry['path']}")
    print(f"dump: {written.path} ({written.manifest['quads']:,} quads)")
    print(f"written in {time.perf_counter() - started:.2f} s")
    return 0


def _network_options(cmd: argparse.ArgumentParser) -> None:
    """The view options shared by ``export`` and ``stats``."""
    cmd.add_argument(
        "--projection",
        choices=["full", "actors", "agreements", "hierarchy"],
        default="full",
        help="actors: co-signature and co-participation; agreements: actor-agreement "
        "bipartite; hierarchy: organisations",
    )
    cmd.add_argument("--type", help="node types to keep, comma-separated (person,organisation...)")
    cmd.add_argument("--relation", help="edge relations to keep, comma-separated (signed,...)")
    cmd.add_argument("--since", help="keep edges dated on or after YYYY-MM-DD")
    cmd.add_argument("--until", help="keep edges dated on or before YYYY-MM-DD")
    cmd.add_argument("--focus", help="a node id: export its ego network")
    cmd.add_argument("--depth", type=int, default=2, help="links from --focus (default 2)")


def cmd_publish(args: argparse.Namespace) -> int:
    """Push every named graph of the current build to a SPARQL engine, then check the counts."""
    from tdi_graph.publish import Target, publish
    from tdi_graph.store import open_store

    settings = get_settings()
    target = Target.from_settings(settings, args.to, args.gsp_url, args.graph_param)
    store = open_store(store_dir(args), in_memory=False)
    report = publish(store, target, chunk=args.chunk or settings.publish_chunk)
    print("\n".join(report.lines()))
    return 0


#: adds a verb to the command line: ``add(name, func, help)`` returns its sub-parser.
AddVerb = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def parser(extra: Sequence[Callable[[AddVerb], None]] = ()) -> argparse.ArgumentParser:
    """The library's verbs, then those that each of ``extra`` adds (``serve`` comes from
    :mod:`tdi_graph_api.cli`, which composes the library and the app)."""
    settings = get_settings()
    p = argparse.ArgumentParser(prog="tdi-graph", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help, description=help)
        cmd.add_argument("--store", help=f"store directory (default {settings.store})")
        cmd.set_defaults(func=func)
        return cmd

    cmd = add("load", cmd_load, "validate the ontology and data, then build the store atomically")
    cmd.add_argument(
        "--no-validate", action="store_true", help="skip SHACL, the link and the excerpt checks"
    )
    cmd.add_argument(
        "--sources",
        help="the source documents: their texts go in the build, their excerpts are checked "
        "(default ../shared/seeds)",
    )
    cmd.add_argument(
        "--check",
        action="store_true",
        help="load nothing: exit 0 if the current build is from the current inputs, else 3",
    )

    cmd = add("validate", cmd_validate, "SHACL and evidence checks; non-zero exit on violation")
    cmd.add_argument(
        "--sources", help="directory of the source documents (default ../shared/seeds)"
    )

    cmd = add(
        "coverage",
        cmd_coverage,
        "which facts or omission account for each sentence of the sources; "
        "non-zero exit when one is unaccounted",
    )
    cmd.add_argument(
        "--sources", help="directory of the source documents (default ../shared/seeds)"
    )
    cmd.add_argument("--format", choices=["table", "json"], default="table")
    cmd.add_argument("--document", help="one document (id or file name), sentence by sentence")
    cmd.add_argument("--data", help="curated data directory (default: the project's data/)")
    cmd.add_argument("--omissions", help="omissions file (default DATA/omissions.yaml)")

    cmd = add("query", cmd_query, "run a named query (name or .rq file) on the local store")
    cmd.add_argument("query", help="a name from queries/ or a path to a .rq file")
    cmd.add_argument("--format", choices=["table", "json", "csv"], default="table")
    cmd.add_argument("--param", "-p", action="append", default=[], help="NAME=VALUE")

    cmd = add("export", cmd_export, "export the actor network")
    cmd.add_argument("--format", choices=["graphml", "gexf", "json", "png", "svg"], required=True)
    cmd.add_argument("--output", "-o", help="file to write (default: standard output)")
    cmd.add_argument(
        "--metric",
        choices=["degree", "weighted_degree", "betweenness", "pagerank"],
        default="degree",
        help="node size in PNG/SVG drawings",
    )
    cmd.add_argument(
        "--no-metrics", action="store_true", help="skip the node metrics (faster on large graphs)"
    )
    _network_options(cmd)

    cmd = add("dump", cmd_dump, "write the whole dataset: RDF, CSV tables, checksums")
    cmd.add_argument("--output", "-o", help=f"folder for the dumps (default {settings.dumps_dir})")
    cmd.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the current build's dump exists and its checksums verify",
    )

    cmd = add("stats", cmd_stats, "print the top actors of the network by each metric")
    cmd.add_argument("--top", type=int, default=10)
    _network_options(cmd)

    cmd = add("publish", cmd_publish, "push every named graph to a SPARQL engine (Graph Store)")
    cmd.add_argument("--to", help="the engine's SPARQL query URL (default TDI_SPARQL_URL)")
    cmd.add_argument("--gsp-url", help="its Graph Store URL (default TDI_GSP_URL or .../store)")
    cmd.add_argument("--graph-param", help="its graph parameter (TDI_GSP_GRAPH_PARAM)")
    cmd.add_argument("--chunk", type=int, help="most triples per request (TDI_PUBLISH_CHUNK)")
    for verbs in extra:
        verbs(add)
    return p


def main(argv: Sequence[str] | None = None, extra: Sequence[Callable[[AddVerb], None]] = ()) -> int:
    """Run the command line (the ``tdi-graph`` script is :func:`tdi_graph_api.cli.main`)."""
    args = parser(extra).parse_args(argv)
    try:
        return int(args.func(args))
    except TdiError as exc:
        print(f"tdi-graph {args.command}: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
