"""A synthetic graph shaped like ours (persons, posts, signature acts, agreements, commitments).

Used by the benchmarks and the tests to check that named queries stay fast when the graph
grows. Entities live under ``https://w3id.org/tdi-graph/id/synthetic-*`` in the graph
``graph/synthetic``, so they never collide with the curated data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyoxigraph as ox

from tdi_graph.namespaces import GRAPH, ID, PREFIXES, TDI

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
G = ox.NamedNode(GRAPH + "synthetic")
XSD = PREFIXES["xsd"]


def _n(kind: str, i: int) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}synthetic-{kind}-{i}")


def _t(local: str) -> ox.NamedNode:
    return ox.NamedNode(TDI + local)


def _p(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(PREFIXES[prefix] + local)


def quads(triples: int, seed: int = 7) -> Iterator[ox.Quad]:
    """About ``triples`` quads: ~45 per signature act, with agreement, signatories, commitment."""
    rng = random.Random(seed)
    acts = max(1, triples // 45)
    persons = max(3, acts // 3)
    orgs = max(3, acts // 5)
    doc = _n("doc", 0)
    for i in range(persons):
        p = _n("person", i)
        yield ox.Quad(p, RDF_TYPE, _p("foaf", "Person"), G)
        yield ox.Quad(p, LABEL, ox.Literal(f"Personne {i}"), G)
        m = _n("post", i)
        yield ox.Quad(m, RDF_TYPE, _p("org", "Membership"), G)
        yield ox.Quad(m, _p("org", "member"), p, G)
        yield ox.Quad(m, _p("org", "organization"), _n("org", rng.randrange(orgs)), G)
        yield ox.Quad(m, _p("org", "role"), _t("President"), G)
    for i in range(orgs):
        o = _n("org", i)
        yield ox.Quad(o, RDF_TYPE, _t("PublicOperator"), G)
        yield ox.Quad(o, LABEL, ox.Literal(f"Organisation {i}", language="fr"), G)
    for i in range(acts):
        act, agreement = _n("act", i), _n("agreement", i)
        yield ox.Quad(agreement, RDF_TYPE, _t("TerritoryContract"), G)
        yield ox.Quad(agreement, LABEL, ox.Literal(f"Contrat {i}", language="fr"), G)
        yield ox.Quad(act, RDF_TYPE, _t("SignatureAct"), G)
        yield ox.Quad(act, _t("agreement"), agreement, G)
        day = f"2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        yield ox.Quad(act, _t("date"), ox.Literal(day, datatype=ox.NamedNode(XSD + "date")), G)
        for k in range(3):
            s = ox.NamedNode(f"{act.value}-s{k}")
            yield ox.Quad(act, _t("signatory"), s, G)
            yield ox.Quad(s, RDF_TYPE, _t("Signatory"), G)
            yield ox.Quad(s, _p("prov", "agent"), _n("person", rng.randrange(persons)), G)
            yield ox.Quad(s, _t("onBehalfOf"), _n("org", rng.randrange(orgs)), G)
        c = _n("commitment", i)
        yield ox.Quad(c, RDF_TYPE, _t("Commitment"), G)
        yield ox.Quad(c, LABEL, ox.Literal(f"Engagement {i}", language="fr"), G)
        yield ox.Quad(c, _t("committedBy"), _n("org", rng.randrange(orgs)), G)
        amount = ox.Literal(
            str(rng.randrange(1, 500) * 1_000_000), datatype=ox.NamedNode(XSD + "integer")
        )
        yield ox.Quad(c, _p("schema", "amount"), amount, G)
        yield ox.Quad(c, _p("schema", "currency"), ox.Literal("EUR"), G)
        yield ox.Quad(c, _t("instrument"), _t(rng.choice(["Equity", "SavingsFundLoans"])), G)
        yield ox.Quad(c, _t("status"), _t("Pledged"), G)
        for node in (act, c):
            e = ox.BlankNode()
            yield ox.Quad(node, _t("evidence"), e, G)
            yield ox.Quad(e, _p("prov", "wasDerivedFrom"), doc, G)
            yield ox.Quad(e, _t("excerpt"), ox.Literal(f"extrait {i}"), G)
