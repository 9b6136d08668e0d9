"""The RDF terms the converters write, and the code lists read from the vocabularies.

The EPCI and commune kinds are not copied here: :func:`kinds` reads them from the SKOS
vocabulary ``ontology/vocabularies/geography.ttl``, where each concept carries the code the CSV
files use as its ``skos:notation``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.errors import DataError
from tdi_graph.namespaces import PREFIXES, TDI
from tdi_graph.resources import ontology_dir

Triples = list[ox.Triple]
Node = ox.NamedNode


def _ns(prefix: str) -> Callable[[str], Node]:
    """A term factory for one of the shared prefixes."""
    base = PREFIXES[prefix]
    return lambda local: Node(base + local)


rdf, rdfs, skos, dct = _ns("rdf"), _ns("rdfs"), _ns("skos"), _ns("dct")
prov, schema, xsd, tdi = _ns("prov"), _ns("schema"), _ns("xsd"), _ns("tdi")

A = rdf("type")
LABEL, COMMENT = rdfs("label"), rdfs("comment")
PREF_LABEL, EXACT_MATCH = skos("prefLabel"), skos("exactMatch")
NOTATION, IN_SCHEME = skos("notation"), skos("inScheme")
SOURCE, CITATION = dct("source"), dct("bibliographicCitation")
CONTAINED_IN, POSTAL_CODE = schema("containedInPlace"), schema("postalCode")
XSD_INTEGER, XSD_DATE = xsd("integer"), xsd("date")
WIKIDATA = PREFIXES["wd"]

INSEE_CODE, SIREN, POPULATION = tdi("inseeCode"), tdi("siren"), tdi("population")
COMMUNE_COUNT, INTERCOMMUNALITY = tdi("communeCount"), tdi("intercommunality")
PARENT_COMMUNE, COMMUNE_KIND, EPCI_KIND = tdi("parentCommune"), tdi("communeKind"), tdi("epciKind")
HAS_MEMBER, GROUPEMENT, REGION = tdi("hasMember"), tdi("groupement"), tdi("region")
TERRITORY_CODE, PHASE = tdi("territoryCode"), tdi("phase")

GEOGRAPHY = "vocabularies/geography.ttl"


@lru_cache(maxsize=8)
def kinds(scheme: str, vocabulary: Path | None = None) -> dict[str, Node]:
    """``skos:notation`` -> concept, for the concepts of ``tdi:<scheme>`` in the vocabulary.

    >>> kinds("EpciKinds")["CA"].value
    'https://w3id.org/tdi-graph/ontology#CA'
    >>> sorted(kinds("CommuneKinds"))[0]
    'arrondissement-municipal'
    """
    path = vocabulary or ontology_dir() / GEOGRAPHY
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (OSError, SyntaxError) as exc:
        raise DataError(f"{path}: cannot read the vocabulary: {exc}") from None
    members = {t.subject for t in triples if t.predicate == IN_SCHEME and t.object == tdi(scheme)}
    out = {
        t.object.value: t.subject
        for t in triples
        if t.predicate == NOTATION and t.subject in members and isinstance(t.subject, Node)
    }
    if not out:
        raise DataError(f"{path}: no skos:notation in the scheme tdi:{scheme}")
    return out


def xsd_integer(value: int) -> ox.Literal:
    """An ``xsd:integer`` literal."""
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def entity(out: Triples, node: Node, classes: Iterable[Node], name: str, source: Node) -> None:
    """The triples every entity has: types, ``rdfs:label`` and ``skos:prefLabel`` @fr, source."""
    label = ox.Literal(name, language="fr")
    out.extend(ox.Triple(node, A, c) for c in classes)
    out += [
        ox.Triple(node, LABEL, label),
        ox.Triple(node, PREF_LABEL, label),
        ox.Triple(node, SOURCE, source),
    ]


__all__ = ["TDI", "Node", "Triples", "entity", "kinds", "xsd_integer"]
