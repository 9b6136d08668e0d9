"""The straightforward reference of ``GET /api/entities/{id}``: the entity answer as tdi-graph
computed it with one named SPARQL query per piece (``api-entity``, ``api-entity-incoming``,
``api-commune``), kept here to test that the index walk of the embedded store and the commune
facts of the registry give the same answer, byte for byte.

The statements come from the named queries that :func:`tdi_graph.view.linked_data.statements`
sends a remote engine (it takes that path for a store that is not an ``ox.Store``); the
description around them is :func:`tdi_graph.entities.describe` itself, which did not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from tdi_graph import entities, facts
from tdi_graph.view import Registry, linked_data
from tdi_graph.view.rows import select


class Queried:
    """The store seen as a remote engine sees it: queries and patterns, no ``ox.Store``."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def query(self, text: str, **options: Any) -> Any:
        return self.store.query(text, **options)

    def quads_for_pattern(self, *pattern: Any) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(*pattern)


def statements(store: ox.Store, iri: str) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """``(outgoing, incoming)`` from the named queries ``api-entity`` and ``-incoming``."""
    return linked_data.statements(Queried(store), iri)  # type: ignore[arg-type]


def commune(store: ox.Store, registry: Registry, iri: str) -> dict[str, Any] | None:
    """Where a commune is, from the named query ``api-commune``."""
    rows = select(store, "api-commune", commune=iri)
    if not rows:
        return None
    territories: dict[str, Any] = {}
    for row in rows:
        territory = row.iri("territory")
        if territory and territory not in territories:
            territories[territory] = {
                "territory": registry.ref(territory),
                "phase": registry.ref(row.iri("phase")),
                "through": registry.ref(row.iri("groupement")),
                "contract": registry.ref(row.iri("contract")),
            }
    first = rows[0]
    return {
        "epci": registry.refs(e for row in rows if (e := row.iri("epci"))),
        "departement": registry.ref(first.iri("departement")),
        "region": registry.ref(first.iri("region")),
        "territories": list(territories.values()),
    }


def entity(store: ox.Store, registry: Registry, iri: str) -> dict[str, Any]:
    """The reference answer for one entity."""
    answer = entities.describe(Queried(store), registry, iri)  # type: ignore[arg-type]
    if answer["type"] in ("person", "organisation"):
        answer["roles"] = facts.roles(store, registry, iri)
    elif answer["type"] == "place" and (where := commune(store, registry, iri)):
        answer["commune"] = where
    elif answer["type"] == "document" and iri in registry.documents:
        answer["document"] = registry.documents[iri]
    return answer
