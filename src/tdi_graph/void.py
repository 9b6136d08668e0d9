"""The dataset's description in VoID and DCAT (DCAT-AP where it applies), made from the store.

:func:`describe` counts what the store holds (triples, entities, classes, properties, distinct
subjects and objects, one partition per class and per property, one subset per named graph),
and adds what a catalogue needs: title, description, licences, publisher, the source documents,
the SPARQL endpoint, the dumps (with their sizes and checksums when a dump was written) and the
links to other datasets:

- Wikidata: a ``void:Linkset`` (``skos:exactMatch`` links, counted);
- INSEE (COG codes) and SIREN: literal identifiers (``tdi:inseeCode``, ``tdi:siren``), so they
  are described as identifier partitions pointing at the registry they come from, not as
  linksets, which would claim IRI links that the data does not hold.

Served at ``/.well-known/void``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyoxigraph as ox

from tdi_graph import __version__
from tdi_graph.namespaces import BASE, PREFIXES, TDI

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DCT = PREFIXES["dct"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
XSD = PREFIXES["xsd"]
DATASET = ox.NamedNode(BASE + "dataset")
LICENCE_DATA = ox.NamedNode("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
LICENCE_CODE = ox.NamedNode("https://spdx.org/licenses/MIT")
WIKIDATA = ox.NamedNode("http://www.wikidata.org/")
IDENTIFIER_REGISTRIES = {
    "inseeCode": (
        "https://www.insee.fr/fr/information/2560452",
        "Code officiel géographique (INSEE)",
    ),
    "siren": ("https://www.sirene.fr/", "Répertoire SIRENE (INSEE)"),
}
PREFIXES_VOID = {**PREFIXES, "void": VOID, "dcat": DCAT, "spdx": SPDX}
DUMP_MEDIA = {
    ".nq.gz": "application/n-quads",
    ".trig.gz": "application/trig",
    ".jsonld.gz": "application/ld+json",
    ".csv": "text/csv",
}


def _n(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _count(store: ox.Store, query: str) -> int:
    return int(next(iter(_select(store, query)))[0].value)


def counts(store: ox.Store) -> dict[str, Any]:
    """What the store holds: totals, per class, per property and per named graph."""
    per_class = {
        row[0].value: int(row[1].value)
        for row in _select(
            store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
        )
    }
    per_property = {
        row[0].value: int(row[1].value)
        for row in _select(
            store, "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p"
        )
    }
    per_graph = {
        row[0].value: int(row[1].value)
        for row in _select(
            store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
    }
    return {
        "triples": len(store),
        "entities": _count(
            store,
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?s)) }",
        ),
        "distinct_subjects": _count(
            store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        ),
        "distinct_objects": _count(
            store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        ),
        "classes": per_class,
        "properties": per_property,
        "graphs": per_graph,
        "wikidata_links": _count(
            store,
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://www.w3.org/2004/02/skos/"
            "core#exactMatch> ?o FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/')) } }",
        ),
    }


def describe(
    store: ox.Store,
    public_url: str,
    dump: dict[str, Any] | None = None,
    found: dict[str, Any] | None = None,
) -> list[ox.Triple]:
    """The VoID/DCAT description of ``store`` served from ``public_url``.

    ``dump`` is the manifest of the newest dump (see :mod:`tdi_graph.dump`), if any;
    ``found`` the store's :func:`counts`, if already computed.
    """
    root = public_url.rstrip("/")
    found = found or counts(store)
    out: list[ox.Triple] = []

    def add(
        s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        out.append(ox.Triple(s, _n(p), o))

    d = DATASET
    for kind in (VOID + "Dataset", DCAT + "Dataset"):
        add(d, PREFIXES["rdf"] + "type", _n(kind))
    add(
        d,
        DCT + "title",
        ox.Literal("tdi-graph : le graphe des Territoires d'industrie", language="fr"),
    )
    add(
        d,
        DCT + "title",
        ox.Literal("tdi-graph: the Territoires d'industrie knowledge graph", language="en"),
    )
    add(
        d,
        DCT + "description",
        ox.Literal(
            "Qui a signé quoi, quand, où et pour qui ; quel opérateur s'est engagé sur quels "
            "montants : les faits des communiqués de presse du programme, chacun avec son "
            "document et un extrait verbatim, et les données de référence (INSEE, ANCT).",
            language="fr",
        ),
    )
    add(d, DCT + "license", LICENCE_DATA)
    add(d, DCT + "rights", ox.Literal("Données : Licence Ouverte 2.0 ; code : MIT", language="fr"))
    add(d, PREFIXES["owl"] + "versionInfo", ox.Literal(__version__))
    add(d, DCT + "modified", ox.Literal(dt.date.today().isoformat(), datatype=_n(XSD + "date")))
    add(d, DCT + "language", _n("http://publications.europa.eu/resource/authority/language/FRA"))
    add(d, DCAT + "keyword", ox.Literal("Territoires d'industrie", language="fr"))
    add(d, DCAT + "keyword", ox.Literal("politique industrielle", language="fr"))
    add(d, DCAT + "landingPage", _n(root + "/"))
    add(d, VOID + "sparqlEndpoint", _n(root + "/sparql"))
    add(d, VOID + "uriSpace", ox.Literal(BASE + "id/"))
    add(d, VOID + "vocabulary", _n(TDI.rstrip("#")))
    add(d, VOID + "exampleResource", _n(BASE + "id/contrat-ti-nord-franche-comte"))
    for key, name in (
        ("triples", "triples"),
        ("entities", "entities"),
        ("distinct_subjects", "distinctSubjects"),
        ("distinct_objects", "distinctObjects"),
    ):
        add(d, VOID + name, _int(found[key]))
    add(d, VOID + "classes", _int(len(found["classes"])))
    add(d, VOID + "properties", _int(len(found["properties"])))
    service = ox.BlankNode("endpoint")
    add(d, DCAT + "distribution", service)
    add(service, PREFIXES["rdf"] + "type", _n(DCAT + "DataService"))
    add(service, DCAT + "endpointURL", _n(root + "/sparql"))
    add(service, DCT + "conformsTo", _n("https://www.w3.org/TR/sparql11-protocol/"))

    for document in _select(
        store,
        "SELECT DISTINCT ?d WHERE { GRAPH ?g { ?d <https://w3id.org/tdi-graph/ontology#sourceFile> "
        "?f } } "
        "ORDER BY ?d",
    ):
        add(d, DCT + "source", document[0])
    for number, (cls, n) in enumerate(sorted(found["classes"].items())):
        part = ox.BlankNode(f"class{number}")
        add(d, VOID + "classPartition", part)
        add(part, VOID + "class", _n(cls))
        add(part, VOID + "entities", _int(n))
    for number, (prop, n) in enumerate(sorted(found["properties"].items())):
        part = ox.BlankNode(f"property{number}")
        add(d, VOID + "propertyPartition", part)
        add(part, VOID + "property", _n(prop))
        add(part, VOID + "triples", _int(n))
        local = prop[len(TDI) :] if prop.startswith(TDI) else None
        if local in IDENTIFIER_REGISTRIES:
            registry, label = IDENTIFIER_REGISTRIES[local]
            add(part, DCT + "references", _n(registry))
            add(part, DCT + "description", ox.Literal(f"Identifiants : {label}", language="fr"))
    for graph, n in sorted(found["graphs"].items()):
        subset = _n(graph)
        add(d, VOID + "subset", subset)
        add(subset, PREFIXES["rdf"] + "type", _n(VOID + "Dataset"))
        add(subset, VOID + "triples", _int(n))
    linkset = _n(BASE + "dataset/links-wikidata")
    add(d, VOID + "subset", linkset)
    add(linkset, PREFIXES["rdf"] + "type", _n(VOID + "Linkset"))
    add(linkset, VOID + "subjectsTarget", d)
    add(linkset, VOID + "objectsTarget", WIKIDATA)
    add(linkset, VOID + "linkPredicate", _n(PREFIXES["skos"] + "exactMatch"))
    add(linkset, VOID + "triples", _int(found["wikidata_links"]))
    if dump:
        _distributions(add, d, root, dump)
    return out


def _distributions(add: Any, d: ox.NamedNode, root: str, dump: dict[str, Any]) -> None:
    for entry in dump["files"]:
        media = next((m for ext, m in DUMP_MEDIA.items() if entry["path"].endswith(ext)), None)
        if media is None or entry["path"].startswith("graphs/"):
            continue
        url = _n(f"{root}/downloads/{entry['path']}")
        if entry["path"].endswith(".nq.gz"):
            add(d, VOID + "dataDump", url)
        dist = ox.BlankNode("dist-" + entry["sha256"][:16])
        add(d, DCAT + "distribution", dist)
        add(dist, PREFIXES["rdf"] + "type", _n(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "mediaType", _n("https://www.iana.org/assignments/media-types/" + media))
        add(
            dist,
            DCAT + "byteSize",
            ox.Literal(str(entry["bytes"]), datatype=_n(XSD + "nonNegativeInteger")),
        )
        add(dist, DCT + "license", LICENCE_DATA)
        checksum = ox.BlankNode("sum-" + entry["sha256"][:16])
        add(dist, SPDX + "checksum", checksum)
        add(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        add(
            checksum,
            SPDX + "checksumValue",
            ox.Literal(entry["sha256"], datatype=_n(XSD + "hexBinary")),
        )


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """The description in ``fmt`` (prefixes declared where the format has them)."""
    return ox.serialize(triples, format=fmt, prefixes=PREFIXES_VOID) or b""
