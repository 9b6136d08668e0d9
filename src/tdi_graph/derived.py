"""The read model kept with each build: its :class:`~tdi_graph.view.Registry` and
:class:`~tdi_graph.search.SearchIndex`, computed once by the load and read back at start-up
instead of being recomputed from the store (~3.5 s of CPU on the real graph, ~0.3 s to read).

``builds/<id>.derived`` is one JSON header line (format, build id, the key of the code that
computed it, the payload's size and SHA-256), then the payload: a pickle of plain containers
only (dicts, lists, tuples, sets, strings, numbers), written by a pickler that refuses any
other object and read by an unpickler that refuses every class and function: the file holds
data and can run nothing.

At start-up (:func:`read_model`) the file is used only if its header names the build being
served and the running code's key, and its payload has the size and checksum the header
gives; otherwise the read model is computed from the store, exactly as without the file, and
a warning says why (missing: a build from an older tdi-graph; stale: other code; damaged). The
recomputed model is kept for the next start when the store can be written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import pickle
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import pyoxigraph as ox

from tdi_graph.gctools import gc_paused
from tdi_graph.resources import queries_dir
from tdi_graph.store import OpenedBuild, code_digest, current_build, derived_path, open_build

if TYPE_CHECKING:  # imported when used: `tdi-graph serve` starts opening the build first
    from tdi_graph.search import SearchIndex
    from tdi_graph.view import Registry

log = logging.getLogger(__name__)

FORMAT = 1
_PLAIN = (type(None), bool, int, float, str, bytes, dict, list, tuple, set, frozenset)


class ReadModel(NamedTuple):
    """What the API reads besides the store: the registry and the search index."""

    registry: Registry
    search: SearchIndex


def compute(store: ox.Store) -> ReadModel:
    """The read model of ``store``, computed from its named queries."""
    from tdi_graph.search import SearchIndex
    from tdi_graph.view import Registry

    with gc_paused():  # ~10^6 small objects, no cycles: the collector's passes cost ~10 %
        registry = Registry.build(store)
        return ReadModel(registry, SearchIndex.build(store, registry))


def code_key() -> str:
    """What the read model depends on besides the build: the package's code, the named queries
    that feed it, pyoxigraph's and Python's versions, this file's format."""
    digest = hashlib.sha256(f"{FORMAT}\0{ox.__version__}\0{sys.version}\0".encode())
    digest.update(code_digest().encode())
    for path in sorted(queries_dir().glob("api-*.rq")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# --- the file -----------------------------------------------------------------------------------


class _PlainPickler(pickle.Pickler):
    """Pickles plain containers only (``reducer_override`` sees every other object)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _PLAIN):
            return NotImplemented
        raise TypeError(f"{type(obj).__name__}: not plain data, not kept in a read model file")


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain containers only: any class or function is refused."""

    def find_class(self, module: str, name: str) -> NoReturn:
        raise pickle.UnpicklingError(f"{module}.{name}: not plain data")


def _fields(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip}


def _state(model: ReadModel) -> dict[str, Any]:
    registry = _fields(model.registry, skip=("_refs", "terms"))  # _refs: a cache, rebuilt
    return {
        "registry": registry,
        "terms": _fields(model.registry.terms),
        "search": _fields(model.search),
    }


def _exactly(cls: type, state: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)} - set(skip)
    if not isinstance(state, dict) or set(state) != names:
        raise ValueError(f"not the fields of a {cls.__name__}")
    return state


def _from_state(state: Any) -> ReadModel:
    if not isinstance(state, dict) or set(state) != {"registry", "terms", "search"}:
        raise ValueError("not a read model")
    from tdi_graph.search import SearchIndex
    from tdi_graph.view import Registry
    from tdi_graph.view.terms import Terms

    terms = Terms(**_exactly(Terms, state["terms"]))
    registry = Registry(
        **_exactly(Registry, state["registry"], skip=("_refs", "terms")), terms=terms
    )
    return ReadModel(registry, SearchIndex(**_exactly(SearchIndex, state["search"])))


def save(build: Path, model: ReadModel) -> Path:
    """Keep ``model`` beside ``build`` (written aside, then renamed into place)."""
    buffer = io.BytesIO()
    _PlainPickler(buffer, protocol=5).dump(_state(model))
    payload = buffer.getbuffer()
    header = {
        "format": FORMAT,
        "build": build.name,
        "key": code_key(),
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    path = derived_path(build)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(json.dumps(header, sort_keys=True).encode() + b"\n")
            out.write(payload)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def restore(build: Path) -> ReadModel | None:
    """The read model kept beside ``build``, or ``None`` (with a warning saying why) when it is
    missing, stale (another build, other code) or damaged."""
    found = kept(build)
    if isinstance(found, str):
        log.warning("read model %s: %s: computing it from the store", derived_path(build), found)
        return None
    return found


def kept(build: Path) -> ReadModel | str:
    """The read model kept beside ``build``, or why not (a line; nothing is logged)."""
    return _read(derived_path(build), build.name)


def _read(path: Path, build_id: str) -> ReadModel | str:
    """The read model in ``path``, or why not."""
    try:
        data = memoryview(path.read_bytes())
    except FileNotFoundError:
        return "missing (a build from an older tdi-graph)"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    end = bytes(data[:4096]).find(b"\n")
    try:
        header = json.loads(bytes(data[:end])) if end > 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict):
        return "damaged (no header)"
    if header.get("format") != FORMAT or header.get("build") != build_id:
        return "stale (another build or format)"
    if header.get("key") != code_key():
        return "stale (computed by other code)"
    payload = data[end + 1 :]
    if len(payload) != header.get("size"):
        return f"damaged ({len(payload):,} bytes, the header says {header.get('size')})"
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        return "damaged (SHA-256 differs from its header)"
    try:
        with gc_paused():  # ~10^6 small objects, no cycles
            return _from_state(_PlainUnpickler(io.BytesIO(payload)).load())
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError) as exc:
        return f"damaged ({exc})"


def read_model(opened: OpenedBuild, found: ReadModel | str | None = None) -> ReadModel:
    """The read model of the build that serves: kept beside it, else computed (and kept).

    ``found`` is what :func:`kept` gave for ``opened.path`` already, if it was asked.
    """
    if found is None:
        found = kept(opened.path)
    if isinstance(found, ReadModel):
        return found
    log.warning("read model %s: %s: computing it from the store", derived_path(opened.path), found)
    started = time.perf_counter()
    model = compute(opened.store)
    try:
        save(opened.path, model)
    except OSError as exc:  # a read-only store serves all the same
        log.warning("read model of %s not kept: %s", opened.path, exc.strerror or exc)
    else:
        seconds = time.perf_counter() - started
        log.warning("read model of %s computed in %.1f s and kept", opened.path, seconds)
    return model


class Opening:
    """The build to serve being opened in a thread (its snapshot parsed by pyoxigraph, mostly
    outside the GIL) while the caller goes on, e.g. importing the app; :meth:`result` reads
    the read model kept beside the build ``current`` names meanwhile, in the calling thread,
    and returns both: start-up takes the longer of the two, not their sum.

    If another build serves (``current`` is damaged: :func:`~tdi_graph.store.open_build`
    falls back), the model read ahead is dropped and that build's is used.
    """

    def __init__(self, store_dir: Path, *, in_memory: bool = True) -> None:
        self._ahead = current_build(store_dir)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open-build")
        self._opened = self._pool.submit(open_build, store_dir, in_memory=in_memory)

    def result(self) -> tuple[OpenedBuild, ReadModel]:
        """The opened build and its read model (:class:`~tdi_graph.errors.BuildDamaged` or
        :class:`~tdi_graph.errors.StoreMissing` as :func:`~tdi_graph.store.open_build`)."""
        try:
            found = kept(self._ahead) if self._ahead is not None else None
            opened = self._opened.result()
        finally:
            self._pool.shutdown()
        return opened, read_model(opened, found if opened.path == self._ahead else None)


def open_served(store_dir: Path, *, in_memory: bool = True) -> tuple[OpenedBuild, ReadModel]:
    """The build to serve (:func:`tdi_graph.store.open_build`) and its read model."""
    return Opening(store_dir, in_memory=in_memory).result()


def derive(store: ox.Store, build: Path) -> None:
    """Compute the read model of a build being written and keep it beside it (the load's step,
    :func:`tdi_graph.store.write_build`'s ``derive``)."""
    save(build, compute(store))
