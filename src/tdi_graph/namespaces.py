"""Namespaces and prefixes shared by the ontology, the data and the queries."""

from __future__ import annotations

import pyoxigraph as ox

BASE = "https://w3id.org/tdi-graph/"
TDI = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

PREFIXES: dict[str, str] = {
    "tdi": TDI,
    "id": ID,
    "graph": GRAPH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "adms": "http://www.w3.org/ns/adms#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}


def iri(local_id: str) -> ox.NamedNode:
    """The IRI of an entity from its short id: ``iri("bpifrance")``."""
    return ox.NamedNode(ID + local_id)


def graph_iri(name: str) -> ox.NamedNode:
    """The IRI of a named graph: ``graph_iri("entities")``."""
    return ox.NamedNode(GRAPH + name)


def local_id(value: str) -> str | None:
    """Deprecated alias of :func:`tdi_graph.view.ids.local_id` (the one id codec), kept
    until the network modules import it from there."""
    from tdi_graph.view.ids import local_id as codec

    return codec(value)


def sparql_prologue() -> str:
    """``PREFIX`` lines for every shared prefix, for query editors."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
