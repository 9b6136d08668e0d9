"""The one id codec: IRIs <-> the short ids and CURIEs that the API, the pages, the network,
the map and the named-query parameters show and accept.

- ``short_id`` / ``expand_id``: our entities are bare local ids (``bpifrance``), terms of a
  shared prefix are CURIEs (``tdi:Equity``), anything else is the IRI itself;
- ``curie``: the compact form for predicates, classes and JSON-LD (``id:bpifrance``);
- ``local_id``: the id of one of *our* IRIs, else ``None``; ``graph_name``: the name of one
  of our named graphs (the id of the source document it holds);
- ``local_name``: the last segment of any IRI (``Minister``), for display only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tdi_graph.errors import BadRequest
from tdi_graph.namespaces import GRAPH, ID, PREFIXES

#: prefixes used to shorten IRIs, longest namespace first (``id:`` ids are bare).
_COMPACT = sorted(((p, ns) for p, ns in PREFIXES.items() if p != "id"), key=lambda x: -len(x[1]))
_LOCAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
_CURIE = re.compile(r"([a-z][a-z0-9]*):([A-Za-z0-9._~-]+)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_NOT_IN_IRI = frozenset(' <>"{}|\\^`')


@lru_cache(maxsize=65536)  # the same predicates and classes, request after request
def curie(iri: str) -> str:
    """A compact IRI with the shared prefixes, or the IRI itself.

    >>> curie("https://w3id.org/tdi-graph/ontology#Equity")
    'tdi:Equity'
    >>> curie("https://w3id.org/tdi-graph/id/bpifrance")
    'id:bpifrance'
    >>> curie("http://example.org/x")
    'http://example.org/x'
    """
    if iri.startswith(ID):
        return "id:" + iri[len(ID) :]
    for prefix, ns in _COMPACT:
        if iri.startswith(ns) and _LOCAL_ID.fullmatch(iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def short_id(iri: str) -> str:
    """The public id of an IRI: the local part of ours, a CURIE for a shared prefix, else the IRI.

    >>> short_id("https://w3id.org/tdi-graph/id/bpifrance")
    'bpifrance'
    >>> short_id("https://w3id.org/tdi-graph/ontology#Equity")
    'tdi:Equity'
    """
    return iri[len(ID) :] if iri.startswith(ID) else curie(iri)


def expand_id(value: str, *, any_scheme: bool = False) -> str:
    """The IRI of a public id (the inverse of :func:`short_id`); :class:`BadRequest` if malformed.

    Accepted: a local id (``region-27``), a CURIE of a shared prefix (``tdi:Equity``), an
    ``http(s)`` IRI, and with ``any_scheme`` any absolute IRI (``urn:x:y``), as named-query
    parameters allow.

    >>> expand_id("region-27")
    'https://w3id.org/tdi-graph/id/region-27'
    >>> expand_id("tdi:Equity")
    'https://w3id.org/tdi-graph/ontology#Equity'
    >>> expand_id("urn:x:y", any_scheme=True)
    'urn:x:y'
    """
    value = value.strip()
    if not value or any(c in _NOT_IN_IRI for c in value):
        raise BadRequest(f"{value!r} is not an entity id")
    match = _CURIE.fullmatch(value)
    if match and match[1] in PREFIXES:
        return PREFIXES[match[1]] + match[2]
    if _LOCAL_ID.fullmatch(value):
        return ID + value
    if value.startswith(("http://", "https://")) or (any_scheme and _SCHEME.fullmatch(value)):
        return value
    raise BadRequest(f"{value!r} is not an entity id")


def local_id(iri: str | None) -> str | None:
    """The short id of one of our entity IRIs, else ``None``.

    >>> local_id("https://w3id.org/tdi-graph/id/bpifrance"), local_id("https://schema.org/x")
    ('bpifrance', None)
    """
    return iri[len(ID) :] if iri and iri.startswith(ID) else None


def graph_name(graph_iri: str) -> str:
    """The name of one of our named graphs (a source document's id), else the IRI itself.

    >>> graph_name("https://w3id.org/tdi-graph/graph/cp-1114-premiers-contrats")
    'cp-1114-premiers-contrats'
    """
    return graph_iri[len(GRAPH) :] if graph_iri.startswith(GRAPH) else graph_iri


def graph_of(document_iri: str) -> str:
    """The named graph that holds what the source document ``document_iri`` says.

    >>> graph_of("https://w3id.org/tdi-graph/id/cp-1114-premiers-contrats")
    'https://w3id.org/tdi-graph/graph/cp-1114-premiers-contrats'
    """
    return GRAPH + (local_id(document_iri) or document_iri)


def local_name(iri: str) -> str:
    """The last segment of an IRI, for display.

    >>> local_name("https://w3id.org/tdi-graph/ontology#Minister")
    'Minister'
    """
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
