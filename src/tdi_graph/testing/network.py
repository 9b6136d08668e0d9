"""A synthetic actor network shaped like ours, of about ``nodes`` network nodes (seeded).

Persons, posts, signature acts, agreements, events, commitments, projects, territories with
their EPCIs, communes. ``tests/test_network.py`` checks that the network queries stay fast on
it, and ``bench.network`` times the network build and exports on it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyoxigraph as ox

from tdi_graph.load import collect_curated
from tdi_graph.namespaces import GRAPH, ID, PREFIXES, TDI

_RDF, _RDFS, _XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
_ORG, _PROV = PREFIXES["org"], PREFIXES["prov"]
_SCHEMA, _FOAF = PREFIXES["schema"], PREFIXES["foaf"]

#: Share of each kind of node in the synthetic network.
MIX = {
    "person": 0.30,
    "organisation": 0.20,
    "epci": 0.05,
    "territory": 0.02,
    "event": 0.08,
    "agreement": 0.20,
    "programme": 0.01,
    "project": 0.04,
    "site": 0.05,
    "commune": 0.05,
}


class Synthetic:
    """Quads of a synthetic graph with about ``nodes`` network nodes (seeded)."""

    def __init__(self, nodes: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.counts = {kind: max(2, int(nodes * share)) for kind, share in MIX.items()}
        self.docs = [ox.NamedNode(f"{GRAPH}synthetic-doc-{i}") for i in range(max(10, nodes // 50))]

    def ids(self, kind: str) -> list[ox.NamedNode]:
        return [ox.NamedNode(f"{ID}syn-{kind}-{i}") for i in range(self.counts[kind])]

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad: types and labels in the register graph, facts in document graphs."""
        rng, register = self.rng, ox.NamedNode(GRAPH + "entities")
        n = {kind: self.ids(kind) for kind in MIX}
        classes = {
            "person": _FOAF + "Person",
            "organisation": TDI + "PublicOperator",
            "epci": TDI + "EPCI",
            "territory": TDI + "ProgrammeTerritory",
            "event": TDI + "Event",
            "agreement": TDI + "TerritoryContract",
            "programme": TDI + "Programme",
            "project": TDI + "Project",
            "site": TDI + "Site",
            "commune": TDI + "Commune",
        }
        a, label = ox.NamedNode(_RDF + "type"), ox.NamedNode(_RDFS + "label")
        for kind, nodes in n.items():
            cls = ox.NamedNode(classes[kind])
            for i, node in enumerate(nodes):
                yield ox.Quad(node, a, cls, register)
                yield ox.Quad(node, label, ox.Literal(f"{kind} {i}", language="fr"), register)

        def doc() -> ox.NamedNode:
            return rng.choice(self.docs)

        def p(ns: str, local: str) -> ox.NamedNode:
            return ox.NamedNode(ns + local)

        def day() -> ox.Literal:
            return ox.Literal(
                f"20{rng.randint(18, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                datatype=ox.NamedNode(_XSD + "date"),
            )

        persons, orgs, agreements = n["person"], n["organisation"], n["agreement"]
        for i, person in enumerate(persons):  # posts
            for j in range(rng.randint(1, 2)):
                post, g = ox.NamedNode(f"{ID}syn-post-{i}-{j}"), doc()
                yield ox.Quad(post, a, p(_ORG, "Membership"), g)
                yield ox.Quad(post, p(_ORG, "member"), person, g)
                yield ox.Quad(post, p(_ORG, "organization"), rng.choice(orgs), g)
                yield ox.Quad(post, p(_ORG, "role"), p(TDI, "President"), g)
        for i, agreement in enumerate(agreements):  # signature acts and parties
            act, g = ox.NamedNode(f"{ID}syn-act-{i}"), doc()
            yield ox.Quad(act, a, p(TDI, "SignatureAct"), g)
            yield ox.Quad(act, p(TDI, "agreement"), agreement, g)
            yield ox.Quad(act, p(TDI, "date"), day(), g)
            yield ox.Quad(act, p(TDI, "duringEvent"), rng.choice(n["event"]), g)
            for j in range(rng.randint(2, 4)):
                sig = ox.NamedNode(f"{ID}syn-sig-{i}-{j}")
                org = rng.choice(orgs)
                yield ox.Quad(act, p(TDI, "signatory"), sig, g)
                yield ox.Quad(sig, p(TDI, "onBehalfOf"), org, g)
                yield ox.Quad(sig, p(_PROV, "agent"), rng.choice(persons), g)
                yield ox.Quad(agreement, p(TDI, "party"), org, g)
            yield ox.Quad(agreement, p(TDI, "partOfProgramme"), rng.choice(n["programme"]), g)
            if i < len(n["territory"]):
                yield ox.Quad(agreement, p(TDI, "contractTerritory"), n["territory"][i], g)
        for event in n["event"]:
            g = doc()
            yield ox.Quad(event, p(_SCHEMA, "startDate"), day(), g)
            yield ox.Quad(event, p(_SCHEMA, "location"), rng.choice(n["site"]), g)
            yield ox.Quad(event, p(_SCHEMA, "organizer"), rng.choice(orgs), g)
            for person in rng.sample(persons, 4):
                yield ox.Quad(event, p(_SCHEMA, "attendee"), person, g)
        for site in n["site"]:
            yield ox.Quad(site, p(_SCHEMA, "containedInPlace"), rng.choice(n["commune"]), register)
        for commune in n["commune"]:
            yield ox.Quad(commune, p(TDI, "intercommunality"), rng.choice(n["epci"]), register)
        for i, org in enumerate(orgs[1:], 1):  # a forest of organisations
            if rng.random() < 0.4:
                yield ox.Quad(org, p(TDI, "subsidiaryOf"), orgs[rng.randrange(i)], doc())
        for i, territory in enumerate(n["territory"]):
            g = ox.NamedNode(GRAPH + "reference/synthetic")
            yield ox.Quad(territory, p(TDI, "region"), p(ID, f"region-{i % 18}"), g)
            for epci in rng.sample(n["epci"], 3):
                yield ox.Quad(territory, p(TDI, "groupement"), epci, g)
        for i in range(len(agreements)):  # commitments
            c, g = ox.NamedNode(f"{ID}syn-commitment-{i}"), doc()
            yield ox.Quad(c, a, p(TDI, "Commitment"), g)
            yield ox.Quad(c, p(TDI, "committedBy"), rng.choice(orgs), g)
            yield ox.Quad(c, p(TDI, "programme"), rng.choice(n["programme"]), g)
            yield ox.Quad(c, p(TDI, "target"), rng.choice(n["territory"] + agreements[:50]), g)
            amount = ox.Literal(str(rng.randint(1, 500) * 10**5), datatype=p(_XSD, "integer"))
            yield ox.Quad(c, p(_SCHEMA, "amount"), amount, g)
            if i < len(n["project"]):
                project = n["project"][i]
                yield ox.Quad(project, p(TDI, "fundedBy"), c, g)
                yield ox.Quad(project, p(TDI, "beneficiary"), rng.choice(orgs), g)
                yield ox.Quad(project, p(_SCHEMA, "location"), rng.choice(n["commune"]), g)


def ontology_quads() -> list[ox.Quad]:
    """The ontology and vocabulary graphs of the project (class hierarchy for node types)."""
    curated = collect_curated()
    return [
        q
        for name, quads in curated.items()
        if name.startswith(("ontology", "vocab"))
        for q in quads
    ]
