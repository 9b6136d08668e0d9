"""Nodes of the actor network: the presentation of the network (node types, colours and
relations, from ``ontology/presentation.ttl``), and what the read model
(:class:`tdi_graph.view.Registry`) says of each node: its type, class and label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from tdi_graph.errors import DataError
from tdi_graph.namespaces import ID
from tdi_graph.view import Document, Registry, local_name, select

Row = tuple[str | None, ...]


def rows(store: ox.Store, name: str, columns: str) -> list[Row]:
    """The rows of a named query as tuples of lexical forms (``None`` when unbound), for
    unpacking; ``columns`` names the SELECT variables in order (a drifted file is an error)."""
    return [
        tuple(None if term is None else term.value for term in row)
        for row in select(store, name, columns=columns)
    ]


def iso_date(value: str | None) -> str | None:
    """An ISO date (the first 10 characters of an ``xsd:date``), or ``None``."""
    return value[:10] if value and len(value) >= 10 and value[4] == "-" else None


@dataclass(frozen=True)
class NodeInfo:
    """What the store says of a node: its type, most specific class (local name, and its
    French and English labels from the model) and label."""

    type: str
    cls: str
    label: str
    class_label: str = ""
    class_label_en: str = ""


@dataclass(frozen=True)
class Presentation:
    """How the network presents the model (``ontology/presentation.ttl``).

    ``node_types`` and ``relations`` are name -> description, in order (precedence for
    node types, listing order for relations); ``links`` maps a predicate to (relation,
    reversed?). The node type of each entity is the registry's (``api-node-types.rq``
    reads the same annotations).
    """

    node_types: dict[str, dict[str, Any]]
    relations: dict[str, dict[str, Any]]
    links: dict[str, tuple[str, bool]]

    def link(self, predicate: str | None) -> tuple[str, bool]:
        """The relation a predicate expresses and whether its edge runs object -> subject."""
        try:
            return self.links[predicate or ""]
        except KeyError:
            raise DataError(
                f"ontology/presentation.ttl gives no network relation for {predicate}"
            ) from None


def read_presentation(store: ox.Store) -> Presentation:
    """The node types, relations and predicate links the ontology's presentation graph gives."""
    node_types = {
        name or "": {"label": label, "label_en": label_en, "colour": colour or "#888888"}
        for name, label, label_en, colour, _ in rows(
            store, "network-node-types", "type label labelEn colour precedence"
        )
    }
    relations = {}
    columns = "relation label labelEn inverse inverseEn comment commentEn derived order"
    for name, label, label_en, inverse, inverse_en, comment, comment_en, derived, _ in rows(
        store, "network-relations", columns
    ):
        relations[name or ""] = {
            "label": label,
            "label_en": label_en,
            "inverse_label": inverse,
            "inverse_label_en": inverse_en,
            "description": comment,
            "description_en": comment_en,
            "derived": derived == "true",
        }
    links = {
        predicate or "": (relation or "", direction == "inverse")
        for predicate, relation, direction in rows(
            store, "network-links", "predicate relation direction"
        )
    }
    if not node_types or not relations:
        raise DataError("the store holds no network presentation (ontology/presentation.ttl)")
    return Presentation(node_types, relations, links)


def describe(registry: Registry, node: str) -> NodeInfo | None:
    """The type, class and label of one node (``None`` if it is of no node type)."""
    iri = ID + node
    kind, cls = registry.node_type(iri), registry.node_class(iri)
    if kind is None or cls is None:
        return None
    name = local_name(cls)
    labels = (registry.terms.label(cls, lang) for lang in ("fr", "en"))
    return NodeInfo(kind, name, registry.label(iri), *(found or name for found in labels))


def documents(registry: Registry) -> dict[str, Document]:
    """The source documents by id, in the read model's shape (``date`` the ISO date,
    ``printed_date`` the date as printed)."""
    return {doc["id"]: doc for doc in sorted(registry.documents.values(), key=lambda d: d["id"])}
