"""The app's services, built once in the lifespan, and the dependencies routers share.

:class:`Services` holds what every route reads: the settings, the store, the read model's
:class:`~tdi_graph.view.Registry`, the search index, the SPARQL worker pool and one kind of
cache (``cachetools``, sized by the settings). Routers import the library and this module
only, never one another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, cast

import orjson
import pyoxigraph as ox
from cachetools import LRUCache
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as Path_
from pydantic import AfterValidator

from tdi_graph import void
from tdi_graph.derived import ReadModel, compute, open_served
from tdi_graph.errors import BadRequest
from tdi_graph.reconcile import Reconciler
from tdi_graph.search import SEARCH_TYPES, SearchIndex
from tdi_graph.settings import Settings
from tdi_graph.sparql import Answer, QueryRequest
from tdi_graph.store import OpenedBuild, graph_sizes, served_build
from tdi_graph.view import Registry
from tdi_graph.view.dates import bound
from tdi_graph.workers import Limits, WorkerPool

T = TypeVar("T")


@dataclass
class Services:
    """What the routes share, for the life of the app (the store never changes under it: a new
    load is picked up by a restart, so an answer computed once stays right)."""

    settings: Settings
    store_dir: Path
    store: ox.Store  # or a RemoteStore (TDI_SPARQL_URL), which answers .query() the same
    registry: Registry
    search: SearchIndex
    answers: LRUCache[Hashable, bytes] = field(init=False)
    _pool: WorkerPool | None = field(default=None, init=False, repr=False)
    _pool_users: int = field(default=0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _shared: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.answers = self.cache(self.settings.answers_kept())

    @classmethod
    def build(
        cls,
        settings: Settings,
        store_dir: Path | None = None,
        store: ox.Store | None = None,
        served: tuple[OpenedBuild, ReadModel] | None = None,
    ) -> Services:
        """Open the store (the engine at ``TDI_SPARQL_URL`` when set), unless ``store`` is the one
        already opened from ``store_dir``, with its registry and search index: those kept with
        the embedded build (:mod:`tdi_graph.derived`), else computed from the store. ``served``
        is what :func:`~tdi_graph.derived.open_served` returned, when it was opened already."""
        store_dir = store_dir or settings.store
        if store is None and not settings.sparql_url:
            opened, model = served or open_served(store_dir, in_memory=settings.store_in_memory)
            return cls(settings, store_dir, opened.store, model.registry, model.search)
        if store is None:
            from tdi_graph.remote import open_query_store  # httpx: only for a remote engine

            store = cast(ox.Store, open_query_store(settings, store_dir))  # a RemoteStore quacks so
        model = compute(store)
        return cls(settings, store_dir, store, model.registry, model.search)

    # --- caches ---------------------------------------------------------------------------

    @staticmethod
    def cache(size: int) -> LRUCache[Hashable, Any]:
        """An LRU cache of ``size`` entries (at least one slot: size 0 is checked by callers)."""
        return LRUCache(maxsize=max(size, 1))

    def answer(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> bytes:
        """The JSON of ``compute()``, kept under ``key`` (none kept if the size is 0)."""
        found = self.answers.get(key)
        if found is None:
            found = orjson.dumps(compute())
            if self.settings.answers_kept():
                with self._lock:
                    self.answers[key] = found
        return found

    def shared(self, name: str, make: Callable[[], T]) -> T:
        """The object ``make()`` builds, once for the life of the app, under ``name`` (e.g. the
        network and its views, the map's cache): what routers kept on ``app.state``."""
        with self._lock:
            if name not in self._shared:
                self._shared[name] = make()
            found: T = self._shared[name]
            return found

    def resolve(self, entity_id: str | None) -> str | None:
        """The IRI of an entity id (``None`` stays ``None``); 404 if unknown, 400 if malformed."""
        return self.registry.resolve(entity_id) if entity_id is not None else None

    @cached_property
    def reconciler(self) -> Reconciler:
        """Reconciliation (OpenRefine) over the store and the search index."""
        return Reconciler(self.store, self.search)

    @cached_property
    def dataset_counts(self) -> dict[str, Any]:
        """What the store holds, for its VoID description (counted once)."""
        return void.counts(self.store)

    @cached_property
    def graph_sizes(self) -> dict[str, int]:
        """Quads per named graph of the store (for the service description)."""
        return graph_sizes(self.store)

    # --- the SPARQL worker pool -------------------------------------------------------------

    def start_pool(self) -> WorkerPool:
        """Start (or share) the worker pool; each call needs one :meth:`stop_pool`."""
        with self._lock:
            self._pool_users += 1
            return self._get_pool()

    def stop_pool(self) -> None:
        """Stop the worker pool when its last user stops."""
        with self._lock:
            self._pool_users = max(self._pool_users - 1, 0)
            if self._pool_users == 0 and self._pool is not None:
                self._pool.close()
                self._pool = None

    def pool(self) -> WorkerPool:
        """The worker pool, started now if the app runs without its lifespan."""
        with self._lock:
            return self._get_pool()

    def _get_pool(self) -> WorkerPool:
        if self._pool is None and not isinstance(self.store, ox.Store):  # a RemoteStore
            from tdi_graph.remote import EnginePool, RemoteStore

            assert isinstance(self.store, RemoteStore)
            settings = self.settings  # the engine evaluates: the pool only admits and passes on
            self._pool = EnginePool(
                self.store,
                size=settings.workers(),
                timeout=settings.query_timeout,
                waiting=settings.query_queue,
                queue_wait=settings.query_queue_seconds,
                per_client=settings.query_per_client,
            )
        if self._pool is None:
            # workers read the on-disk build when the app does not serve an in-memory copy
            source: ox.Store | Path = self.store
            build = served_build(self.store_dir)  # the build that was verified
            if not self.settings.store_in_memory and build is not None:
                source = build
            settings = self.settings
            pool = WorkerPool(
                source,
                size=settings.workers(),
                timeout=settings.query_timeout,
                limits=Limits(
                    sandbox=not settings.allow_service,
                    memory=settings.query_memory_mb * 1024 * 1024 or None,
                ),
                long=settings.long_workers(),
                cheap=settings.query_cheap_seconds,
                waiting=settings.query_queue,
                queue_wait=settings.query_queue_seconds,
                per_client=settings.query_per_client,
                # the copies are of the in-memory store's pages; a build on disk is shared by
                # the page cache, and a worker's block cache is its own by design
                recycle_mb=settings.query_worker_private_mb if source is self.store else None,
            )
            pool.start()
            self._pool = pool
        return self._pool

    async def run_query(self, request: QueryRequest, client: str | None = None) -> Answer:
        """Evaluate ``request`` in a worker without blocking the event loop; ``client`` (an
        address) counts against the per-client cap. 429/503 with ``Retry-After`` when busy."""
        return await self.pool().answer(request, client)


def services_of(app: FastAPI) -> Services:
    """The app's :class:`Services` (set by its lifespan)."""
    services = getattr(app.state, "services", None)
    if services is None:
        raise RuntimeError(
            "the app's services are built by its lifespan: run it (uvicorn, or TestClient as a "
            "context manager)"
        )
    return services


async def get_services(request: Request) -> Services:
    """Dependency: the app's services (async: no thread hop per request)."""
    return services_of(request.app)


async def get_search_index(request: Request) -> SearchIndex:
    return services_of(request.app).search


ServicesDep = Annotated[Services, Depends(get_services)]
SearchDep = Annotated[SearchIndex, Depends(get_search_index)]

#: an entity id in a path
EntityId = Annotated[
    str,
    Path_(
        description="Short id (`eric-lombard`, `region-27`) or CURIE (`tdi:Equity`).",
        examples=["eric-lombard"],
    ),
]
#: the types a search can be restricted to (the public contract's list)
SearchType = Literal[SEARCH_TYPES]  # type: ignore[valid-type]


def _period(value: str | None) -> str | None:
    """A date bound as given, checked (a malformed one is a 422, as other bad parameters)."""
    if value is not None:
        try:
            bound(value)
        except BadRequest as exc:
            raise ValueError(exc.message) from None
    return value


Since = Annotated[
    str | None,
    AfterValidator(_period),
    Query(
        description="Start of the range: YYYY, YYYY-MM or YYYY-MM-DD (from its first day).",
        examples=["2019-03"],
    ),
]
Until = Annotated[
    str | None,
    AfterValidator(_period),
    Query(
        description="End of the range: YYYY, YYYY-MM or YYYY-MM-DD (to its last day).",
        examples=["2019"],
    ),
]
