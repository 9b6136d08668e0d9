"""Entity values as people give them: an id (``commune-49099``), a CURIE, an IRI, a name
(``Cholet``, accents and case aside) or an identifier (INSEE code ``49099``, SIREN), resolved
to one IRI through the :class:`~tdi_graph.view.Registry` and the search index.

An unknown value is an error, never a silent empty answer: a well-formed id that the graph
does not hold is :class:`NotFound` (404); a value that is neither an id nor a known name is
:class:`BadRequest` (400), as is a name shared by several entities (the message lists them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from tdi_graph.errors import BadRequest, NotFound
from tdi_graph.namespaces import PREFIXES
from tdi_graph.view.ids import expand_id
from tdi_graph.view.registry import Registry

if TYPE_CHECKING:
    from tdi_graph.search import SearchIndex

_IS_A = "ASK { ?entity a ?type . ?type <" + PREFIXES["rdfs"] + "subClassOf>* ?class }"


def is_a(store: ox.Store, iri: str, cls: str) -> bool:
    """Whether ``iri`` is of the class ``cls`` (an IRI or CURIE), subclasses included."""
    answer = store.query(
        _IS_A,
        substitutions={
            ox.Variable("entity"): ox.NamedNode(iri),
            ox.Variable("class"): ox.NamedNode(expand_id(cls)),
        },
        use_default_graph_as_union=True,
    )
    return bool(answer)


def resolve(
    raw: str,
    *,
    registry: Registry,
    index: SearchIndex,
    store: ox.Store,
    cls: str | None = None,
    name: str = "value",
) -> str:
    """The IRI that ``raw`` stands for (see the module docstring); ``cls`` restricts names and
    codes to the entities of a class (``tdi:Commune``)."""
    raw = raw.strip()
    try:
        iri: str | None = expand_id(raw, any_scheme=True)
    except BadRequest:
        iri = None
    if iri is not None and registry.knows(iri):
        return iri
    found = [expand_id(i) for i in index.exact(raw)]
    if cls:
        found = [f for f in found if is_a(store, f, cls)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        named = ", ".join(f"{registry.label(f)} ({registry.ref(f)['id']})" for f in found[:8])  # type: ignore[index]
        raise BadRequest(f"{name} {raw!r} names {len(found)} entities: {named}; give an id")
    if iri is None:
        raise BadRequest(f"{name} {raw!r} is neither an id nor the name or code of an entity")
    raise NotFound(f"{name} {raw!r}: no such entity in the graph")
