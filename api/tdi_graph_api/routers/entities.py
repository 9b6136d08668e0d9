"""Entities: ``GET /api/entities/{id}`` (JSON) and ``GET /context.jsonld``."""

from __future__ import annotations

from fastapi import APIRouter

from tdi_graph.entities import entity
from tdi_graph.view.linked_data import jsonld_context
from tdi_graph_api.deps import EntityId, ServicesDep
from tdi_graph_api.schemas import Entity, FastJSON, errors

router = APIRouter(tags=["entities"])


@router.get(
    "/api/entities/{entity_id}",
    summary="Describe an entity",
    response_model=Entity,
    response_class=FastJSON,
    responses=errors(400, 404, 422),
)
async def get_entity(services: ServicesDep, entity_id: EntityId) -> FastJSON:
    """Label(s), type, description, every relation in and out (with the target's type and
    label, and the sources of the statement: the documents whose graph states it, with their
    excerpts; `graphs` names every graph that states it, e.g. `curation`), other attributes,
    the posts held (persons, organisations), the direct sources (documents whose excerpts are
    about the entity) and `mentioned_in`: every source document that names the entity
    (`evidence`: true when it also gives direct evidence). 404 if the graph has no such
    entity."""
    iri = services.registry.resolve(entity_id)  # unknown ids fail before the memo
    return FastJSON(
        services.answer(("entity", iri), lambda: entity(services.store, services.registry, iri))
    )


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
