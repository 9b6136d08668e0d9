"""The one :class:`Registry`: labels, types, documents and evidence of every resource, read
once from the store (``queries/api-*.rq``) and shared by the API, the pages, search, the
network and the map.

Spellings, everywhere:

- a :class:`Document` has ``date`` (ISO ``dct:date``, given even when other evidence
  contradicts it; see ``date_contradictions``) and ``printed_date`` (as printed);
- a :class:`Source` (the public contract's ``source``) has ``date`` *as printed*, as the
  contract says, ``issued`` (the ISO date) and ``excerpt`` as the text reads (markup such as
  ``<sup>`` stripped: the data keeps the verbatim form).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pyoxigraph as ox

from tdi_graph.errors import NotFound
from tdi_graph.namespaces import TDI
from tdi_graph.view.ids import expand_id, graph_of, local_id, short_id
from tdi_graph.view.labels import clean_excerpt, pick_label
from tdi_graph.view.rows import select
from tdi_graph.view.terms import Terms


class Ref(TypedDict):
    """``{"id", "type", "label"}`` of a resource."""

    id: str
    type: str
    label: str


class Source(TypedDict):
    """The document that states a fact, with a short excerpt (the contract's ``source``)."""

    id: str
    title: str | None
    publisher: str | None
    date: str | None  # as printed
    issued: str | None  # ISO date
    excerpt: str | None


class Document(TypedDict):
    """A source document."""

    id: str
    iri: str
    title: str | None
    publisher: str | None
    publishers: list[Ref]
    date: str | None  # ISO (dct:date)
    printed_date: str | None
    date_contradictions: list[Ref]


TDI_GROUPEMENT = ox.NamedNode(TDI + "groupement")
TDI_PHASE = ox.NamedNode(TDI + "phase")
TDI_CONTRACT_TERRITORY = ox.NamedNode(TDI + "contractTerritory")
_PERIOD = re.compile(r"\s*\((.*)\)\s*$")  # "phase 1 (2018-2022)" -> "phase 1, 2018-2022"


@dataclass
class Registry:
    """Type, label, documents and evidence of every resource, by IRI.

    ``categories`` are the public types (``queries/api-categories.rq``), ``node_types`` the
    network's node type and the class that gave it (``queries/api-node-types.rq``),
    ``evidence`` the direct :class:`Source` list of each resource, ``mentions`` the documents
    whose named graph names it (as subject or object), ``reference`` the entities converted
    from a reference dataset, ``groupements`` the programme territories that each member
    grouping (commune or EPCI) is in: ``(territory, phase, contract or None)``, ``acts`` the
    signature acts each entity takes part in and how (``queries/api-signatures-involving.rq``:
    ``actor``, ``territory`` or ``event``).
    """

    labels: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    node_types: dict[str, tuple[str, str]] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    evidence: dict[str, list[Source]] = field(default_factory=dict)
    mentions: dict[str, list[str]] = field(default_factory=dict)
    described_by: dict[str, list[str]] = field(default_factory=dict)
    reference: set[str] = field(default_factory=set)
    groupements: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    acts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    terms: Terms = field(default_factory=Terms)
    shown: dict[str, str] = field(default_factory=dict)
    _refs: dict[str, Ref] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, store: ox.Store) -> Registry:
        """Read labels, types, documents, evidence and mentions from the store."""
        reg = cls()
        by_resource: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in select(store, "api-labels", columns="resource label"):
            resource, label = row["resource"], row["label"]
            if isinstance(resource, ox.NamedNode) and isinstance(label, ox.Literal):
                by_resource[resource.value].append((label.value, label.language or ""))
        reg.labels = {
            iri: names[0][0] if len(names) == 1 else pick_label(names) or short_id(iri)
            for iri, names in by_resource.items()
        }
        reg._qualify_territories(store)
        ranks: dict[str, tuple[int, str]] = {}
        for row in select(store, "api-categories", columns="entity category rank"):
            entity = row.iri("entity")
            if entity is None:
                continue
            key = (int(row.text("rank") or 99), row.text("category") or "resource")
            if key < ranks.get(entity, (99, "")):
                ranks[entity] = key
                reg.categories[entity] = key[1]
        node_ranks: dict[str, tuple[int, str]] = {}
        for row in select(store, "api-node-types", columns="entity class node_type rank"):
            entity, cls_iri = row.iri("entity"), row.iri("class")
            if entity is None or cls_iri is None:
                continue
            key = (int(row.text("rank") or 99), cls_iri)
            if key < node_ranks.get(entity, (99, "")):
                node_ranks[entity] = key
                reg.node_types[entity] = (row.text("node_type") or "", cls_iri)
        reg.reference = {
            iri for row in select(store, "api-reference-entities") if (iri := row.iri("entity"))
        }
        reg.terms = Terms.build(store)
        reg._read_documents(store)
        reg._read_evidence(store)
        reg._read_mentions(store)
        reg._read_groupements(store)
        for row in select(store, "api-signatures-involving", columns="act role entity"):
            entity, act, role = row.iri("entity"), row.iri("act"), row.text("role")
            if entity is not None and act is not None and role is not None:
                reg.acts.setdefault(entity, []).append((act, role))
        reg._canonical()
        return reg

    def _canonical(self) -> None:
        """Every table in key order, and one string object per IRI and type name.

        In order: the registry is the same whatever order the store gives rows in (on disk,
        in memory, another engine), so a kept copy equals a recomputed one. Shared: the store
        gives each row its own strings, so an IRI was held once per table (~250,000 copies,
        ~20 MB on the real graph) and read back as many times from a kept copy.
        """
        pool: dict[Any, Any] = {}
        one = pool.setdefault
        self.labels = {one(k, k): v for k, v in sorted(self.labels.items())}
        self.categories = {one(k, k): one(v, v) for k, v in sorted(self.categories.items())}
        self.node_types = {
            one(k, k): one(v, (one(v[0], v[0]), one(v[1], v[1])))
            for k, v in sorted(self.node_types.items())
        }
        self.reference = {one(k, k) for k in self.reference}
        for name in ("documents", "evidence", "mentions", "described_by", "groupements"):
            table = getattr(self, name)
            setattr(self, name, {one(k, k): v for k, v in sorted(table.items())})
        self.acts = {
            one(k, k): sorted({(one(a, a), one(r, r)) for a, r in v})
            for k, v in sorted(self.acts.items())
        }
        self.shown = dict(sorted(self.shown.items()))
        terms = self.terms
        for table in (terms.labels, terms.inverse, terms.types, terms.network):
            ordered = sorted(table.items())
            table.clear()
            table.update((term, dict(sorted(by.items()))) for term, by in ordered)

    def _qualify_territories(self, store: ox.Store) -> None:
        """Territories of the two phases share names: the name the pages show (``shown``, by
        short id; the API's ``label`` stays the data's) carries the phase ("Agenais (phase 2,
        2023-2027)" from the phase's label "phase 2 (2023-2027)")."""
        for row in select(store, "api-territory-phases", columns="territory phase"):
            territory, phase = row.iri("territory"), row.iri("phase")
            if territory is None or phase is None or territory not in self.labels:
                continue
            qualifier = _PERIOD.sub(r", \1", self.label(phase))
            if qualifier not in self.labels[territory]:
                self.shown[short_id(territory)] = f"{self.labels[territory]} ({qualifier})"

    def _read_mentions(self, store: ox.Store) -> None:
        """The entities of ours that each document's graph names (as subject or object)."""
        mentions: dict[str, set[str]] = defaultdict(set)
        for doc in self.documents:
            graph = ox.NamedNode(graph_of(doc))
            for quad in store.quads_for_pattern(None, None, None, graph):
                for term in (quad.subject, quad.object):
                    if (
                        isinstance(term, ox.NamedNode)
                        and term.value != doc
                        and local_id(term.value)
                    ):
                        mentions[term.value].add(doc)
        self.mentions = {e: sorted(d, key=self._document_order) for e, d in mentions.items()}

    def _read_groupements(self, store: ox.Store) -> None:
        """``groupements``: each ``tdi:groupement`` of a territory with a ``tdi:phase``, once
        per phase and contract (``tdi:contractTerritory``), sorted (the same whatever order
        the store gives them in)."""
        found: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        for quad in store.quads_for_pattern(None, TDI_GROUPEMENT, None, None):
            territory, groupement = quad.subject, quad.object
            if not isinstance(territory, ox.NamedNode) or not isinstance(groupement, ox.NamedNode):
                continue
            contracts: list[str | None] = [
                q.subject.value if isinstance(q.subject, ox.NamedNode) else None
                for q in store.quads_for_pattern(None, TDI_CONTRACT_TERRITORY, territory, None)
            ] or [None]
            for phase in store.quads_for_pattern(territory, TDI_PHASE, None, None):
                if isinstance(phase.object, ox.NamedNode):
                    for contract in contracts:
                        found[groupement.value].append(
                            (territory.value, phase.object.value, contract)
                        )
        self.groupements = {
            g: sorted(set(rows), key=lambda r: (r[0], r[1], r[2] or ""))
            for g, rows in found.items()
        }

    def _read_documents(self, store: ox.Store) -> None:
        titles: dict[str, list[tuple[str, str]]] = defaultdict(list)
        publishers: dict[str, set[str]] = defaultdict(set)
        contradictions: dict[str, set[str]] = defaultdict(set)
        columns = "document title publisher printed issued contradiction"
        for row in select(store, "api-documents", columns=columns):
            doc = row.iri("document")
            if doc is None:
                continue
            entry = self.documents.setdefault(
                doc,
                Document(
                    id=short_id(doc),
                    iri=doc,
                    title=None,
                    publisher=None,
                    publishers=[],
                    date=None,
                    printed_date=None,
                    date_contradictions=[],
                ),
            )
            title = row["title"]
            if isinstance(title, ox.Literal):
                titles[doc].append((title.value, title.language or ""))
            if (publisher := row.iri("publisher")) is not None:
                publishers[doc].add(publisher)
            if (contradiction := row.iri("contradiction")) is not None:
                contradictions[doc].add(contradiction)
            printed = row.text("printed")
            if printed and (entry["printed_date"] is None or printed < entry["printed_date"]):
                entry["printed_date"] = printed
            issued = row.text("issued")
            if issued and (entry["date"] is None or issued < entry["date"]):
                entry["date"] = issued[:10]
        for doc, entry in self.documents.items():
            entry["title"] = pick_label(titles[doc]) or self.labels.get(doc)
            names = sorted(publishers[doc])
            entry["publisher"] = "; ".join(self.label(p) for p in names) or None
            entry["publishers"] = self.refs(names)
            entry["date_contradictions"] = self.refs(contradictions[doc])

    def _document_order(self, doc: str) -> tuple[str, str]:
        found = self.documents.get(doc)
        return ((found and found["date"]) or "9999", short_id(doc))

    def _read_evidence(self, store: ox.Store) -> None:
        seen: set[tuple[str, str, str]] = set()
        evidence: dict[str, list[Source]] = defaultdict(list)
        described: dict[str, set[str]] = defaultdict(set)
        for row in select(store, "api-evidence", columns="subject document excerpt"):
            subject, doc = row.iri("subject"), row.iri("document")
            excerpt = row.text("excerpt")
            if subject is None or doc is None or excerpt is None:
                continue
            if (subject, doc, excerpt) in seen:
                continue
            seen.add((subject, doc, excerpt))
            evidence[subject].append(self.source(doc, excerpt))
            described[doc].add(subject)
        for sources in evidence.values():
            sources.sort(key=lambda s: (s["issued"] or "9999", s["id"], s["excerpt"] or ""))
        self.evidence = dict(evidence)
        self.described_by = {doc: sorted(s) for doc, s in described.items()}

    # --- lookups -----------------------------------------------------------------------

    def acts_involving(self, iri: str, role: str) -> set[str]:
        """The signature acts where ``iri`` is an ``actor``, the ``territory`` or the ``event``."""
        return {act for act, as_ in self.acts.get(iri, ()) if as_ == role}

    def knows(self, iri: str) -> bool:
        """Whether the graph has a label, a type or evidence for ``iri``."""
        return iri in self.categories or iri in self.labels or iri in self.evidence

    def resolve(self, entity_id: str) -> str:
        """The IRI of a known entity id; :class:`NotFound` if the graph has no such entity."""
        iri = expand_id(entity_id)
        if not self.knows(iri):
            raise NotFound(f"no entity {entity_id!r}")
        return iri

    def category(self, iri: str) -> str:
        """The public type of ``iri`` (``resource`` if it has none)."""
        return self.categories.get(iri, "resource")

    def node_type(self, iri: str) -> str | None:
        """The network node type of ``iri`` (``None`` if the network does not draw it)."""
        found = self.node_types.get(iri)
        return found[0] if found else None

    def node_class(self, iri: str) -> str | None:
        """The IRI of the class that gave ``iri`` its node type."""
        found = self.node_types.get(iri)
        return found[1] if found else None

    def label(self, iri: str) -> str:
        """The label to show for ``iri`` (its id if it has none)."""
        return self.labels.get(iri) or short_id(iri)

    def ref(self, iri: str | None) -> Ref | None:
        """``{"id", "type", "label"}`` of ``iri`` (shared dicts: do not modify)."""
        if iri is None:
            return None
        found = self._refs.get(iri)
        if found is None:
            found = Ref(id=short_id(iri), type=self.category(iri), label=self.label(iri))
            self._refs[iri] = found
        return found

    def refs(self, iris: Iterable[str]) -> list[Ref]:
        """Refs of ``iris``, without repeats, sorted by label."""
        found = [self.ref(i) for i in set(iris)]
        return sorted((r for r in found if r), key=lambda r: (r["label"].casefold(), r["id"]))

    def source(self, document: str, excerpt: str | None = None) -> Source:
        """The :class:`Source` of a fact stated by ``document`` (excerpt shown cleaned)."""
        doc = self.documents.get(document)
        return Source(
            id=short_id(document),
            title=doc["title"] if doc else self.labels.get(document),
            publisher=doc["publisher"] if doc else None,
            date=doc["printed_date"] if doc else None,
            issued=doc["date"] if doc else None,
            excerpt=None if excerpt is None else clean_excerpt(excerpt),
        )

    def sources(self, *iris: str | None) -> list[Source]:
        """The direct sources (document and excerpt) of the resources ``iris``, no repeats."""
        out: list[Source] = []
        seen: set[tuple[str, str | None]] = set()
        for iri in iris:
            for source in self.evidence.get(iri or "", ()):
                key = (source["id"], source["excerpt"])
                if key not in seen:
                    seen.add(key)
                    out.append(source)
        return out

    def mentioned_in(self, iri: str) -> list[dict[str, Any]]:
        """Every source document that names ``iri`` (``evidence``: it also gives direct
        evidence of it), in date order."""
        direct = {s["id"] for s in self.evidence.get(iri, ())}
        out = []
        for doc in self.mentions.get(iri, ()):
            source = self.source(doc)
            del source["excerpt"]  # type: ignore[misc]
            out.append({**source, "evidence": source["id"] in direct})
        return out

    def counts(self) -> Counter[str]:
        """How many entities of each public type the graph holds."""
        return Counter(self.categories.values())
