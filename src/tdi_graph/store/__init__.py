"""The on-disk Oxigraph store: atomic builds that prove themselves, and opening one for serving.

Layout of the store directory::

    STORE/current  -> builds/<id>        (a symlink, swapped atomically)
    STORE/builds/<id>/                   (one RocksDB store per successful load)
    STORE/builds/<id>.nq                 (its N-Quads snapshot, for fast in-memory serving)
    STORE/builds/<id>.manifest.json      (what was written: counts, checksums, inputs)
    STORE/builds/<id>.derived            (the read model computed from it: tdi_graph.derived)

A load writes the RocksDB store and the snapshot, then the manifest (renamed into place: a build
without one is incomplete), and only then swaps ``current``: a failed or killed load never
touches the build that serves, and the next load (or serve) deletes what it left behind.

Opening a build verifies it against its manifest (file sizes, the snapshot's SHA-256, the
number of quads in each graph). A damaged build is refused with a one-line error naming the
path, and the newest good build serves instead if there is one.

A server holds a shared ``flock`` on the manifest of the build it serves (its query workers
inherit it); a load deletes an old build only when it can take that lock exclusively, so a
build in use is never deleted, in either store mode.
"""

from tdi_graph.store.manifest import (
    KEEP_BUILDS,
    Manifest,
    code_digest,
    current_build,
    derived_path,
    graph_sizes,
    input_hashes,
    loaded,
    read_manifest,
    up_to_date,
)
from tdi_graph.store.opening import (
    OpenedBuild,
    build_id,
    open_build,
    open_store,
    release,
    served_build,
    verify,
)
from tdi_graph.store.write import clean, write_build

__all__ = [
    "KEEP_BUILDS",
    "Manifest",
    "OpenedBuild",
    "build_id",
    "clean",
    "code_digest",
    "current_build",
    "derived_path",
    "graph_sizes",
    "input_hashes",
    "loaded",
    "open_build",
    "open_store",
    "read_manifest",
    "release",
    "served_build",
    "up_to_date",
    "verify",
    "write_build",
]
