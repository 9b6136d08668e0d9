"""Entities: ``GET /api/entities/{id}`` (JSON) and ``GET /context.jsonld``; and :class:`Graph`,
what the facade's routes share: the store, its registry of labels, types and sources, and a
memo of their JSON answers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Path, Request

from tdi_graph import facts
from tdi_graph.entities import describe, jsonld_context
from tdi_graph.view import Registry
from tdi_graph_api.schemas import Entity, FastJSON, errors

router = APIRouter(tags=["entities"])
_lock = threading.Lock()
CACHE_SIZE = 2048  # JSON answers kept (a few kB each)


@dataclass
class Graph:
    """The served store and its registry, and the JSON of recent answers.

    The app serves one store for its whole life (a new load is picked up by a restart), so an
    answer computed once for some parameters stays right: :meth:`answer` keeps the last
    :data:`CACHE_SIZE` of them (``app.state.api_cache_size`` set before the first request
    changes that; 0 turns the memo off, as ``bench.api --no-cache`` does).
    """

    store: ox.Store
    registry: Registry
    cache_size: int = CACHE_SIZE
    _answers: OrderedDict[tuple[Any, ...], bytes] = field(default_factory=OrderedDict)

    def resolve(self, entity_id: str | None) -> str | None:
        """The IRI of an entity id (``None`` stays ``None``); 404 if unknown, 400 if malformed."""
        return self.registry.resolve(entity_id) if entity_id is not None else None

    def answer(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> bytes:
        """The JSON of ``compute()``, memoised under ``key``."""
        found = self._answers.get(key)
        if found is None:
            found = orjson.dumps(compute())
            if self.cache_size:
                self._answers[key] = found
                if len(self._answers) > self.cache_size:
                    self._answers.popitem(last=False)
        else:
            self._answers.move_to_end(key)
        return found


def graph_of(state: Any) -> Graph:
    """The app's :class:`Graph` (the registry is built at start, else here on first use)."""
    graph = getattr(state, "graph", None)
    if graph is None:
        with _lock:
            graph = getattr(state, "graph", None)
            if graph is None:
                registry = getattr(state, "registry", None) or Registry.build(state.store)
                state.registry = registry
                graph = Graph(state.store, registry, getattr(state, "api_cache_size", CACHE_SIZE))
                state.graph = graph
    return graph


async def get_graph(request: Request) -> Graph:
    """Dependency: the app's :class:`Graph` (async: no thread hop per request)."""
    return graph_of(request.app.state)


GraphDep = Annotated[Graph, Depends(get_graph)]
EntityId = Annotated[
    str,
    Path(
        description="Short id (`eric-lombard`, `region-27`) or CURIE (`tdi:Equity`).",
        examples=["eric-lombard"],
    ),
]


def entity_answer(graph: Graph, entity_id: str) -> dict[str, Any]:
    """The JSON description of an entity, with the posts of persons and organisations."""
    iri = graph.registry.resolve(entity_id)
    answer = describe(graph.store, graph.registry, iri)
    if answer["type"] in ("person", "organisation"):
        answer["roles"] = facts.roles(graph.store, graph.registry, iri)
    return answer


@router.get(
    "/api/entities/{entity_id}",
    summary="Describe an entity",
    response_model=Entity,
    response_class=FastJSON,
    responses=errors(400, 404, 422),
)
async def get_entity(graph: GraphDep, entity_id: EntityId) -> FastJSON:
    """Label(s), type, description, every relation in and out (with the target's type and
    label), other attributes, the posts held (persons, organisations) and the sources, with
    their excerpts. 404 if the graph has no such entity."""
    graph.registry.resolve(entity_id)  # unknown ids fail before the memo
    return FastJSON(graph.answer(("entity", entity_id), lambda: entity_answer(graph, entity_id)))


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context",
    name="context",
    response_class=FastJSON,
    responses={200: {"description": "The context.", "content": {"application/ld+json": {}}}},
)
async def context() -> FastJSON:
    """The prefixes that the CURIEs of the JSON-LD answers (and of the API's `predicate` and
    `attributes` keys) stand for."""
    return FastJSON(jsonld_context(), media_type="application/ld+json")
