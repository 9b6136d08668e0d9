"""The ``tdi-graph`` command: the library's verbs (:mod:`tdi_graph.cli`) plus ``serve``, which
composes the library and the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tdi_graph.cli import AddVerb
from tdi_graph.cli import main as library_main
from tdi_graph.cli import store_dir as store_dir_of
from tdi_graph.settings import get_settings


def cmd_serve(args: argparse.Namespace) -> int:
    """Load if nothing was loaded, open the store, bind the port, then serve the app (the
    build is opened while the app is imported: :class:`tdi_graph.derived.Opening`)."""
    import socket

    from tdi_graph.derived import Opening
    from tdi_graph.store import loaded

    store_dir = store_dir_of(args)
    if not loaded(store_dir):
        from tdi_graph.load import load

        print(f"no store at {store_dir}: loading first")
        print("\n".join(load(store_dir).lines()))
    settings = get_settings()
    # Open the store here, before the server starts (a damaged build is one line and exit 1),
    # while the app is imported.
    opening = (
        None if settings.sparql_url else Opening(store_dir, in_memory=settings.store_in_memory)
    )
    from tdi_graph_api.app import attach, create_app
    from tdi_graph_api.deps import Services
    from tdi_graph_api.server import run

    app = create_app(store_dir=store_dir, settings=settings)
    served = opening.result() if opening is not None else None
    attach(app, Services.build(settings, store_dir, served=served))
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        print(
            f"tdi-graph serve: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    # Printed once the port is bound, so a port clash is an error, never a false start.
    print(f"serving on http://{args.host}:{sock.getsockname()[1]}/", flush=True)
    run(app, settings, args.host, args.port, sockets=[sock])  # under the settings' limits
    return 0


def add_serve(add: AddVerb) -> None:
    """The ``serve`` verb and its options."""
    settings = get_settings()
    cmd = add("serve", cmd_serve, "load if needed, then serve the API, SPARQL and pages")
    cmd.add_argument("--host", default=settings.host)
    cmd.add_argument("--port", type=int, default=settings.port)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tdi-graph`` command."""
    return library_main(argv, extra=[add_serve])


if __name__ == "__main__":
    sys.exit(main())
