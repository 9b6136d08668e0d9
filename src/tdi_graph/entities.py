"""Entities as the API shows them: ids, refs and sources (the :class:`Registry`, built once
from the store), and the description of one entity from what the graph says about it.

Everything here is read from the store through the named queries ``queries/api-*.rq``; the
registry is an index of their answers, rebuilt whenever the app starts on a store.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.errors import BadRequest, NotFound
from tdi_graph.namespaces import ID, PREFIXES
from tdi_graph.results import term_value

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
EVIDENCE = PREFIXES["tdi"] + "evidence"
DESCRIPTIONS = (
    PREFIXES["dct"] + "description",
    PREFIXES["skos"] + "definition",
    PREFIXES["rdfs"] + "comment",
)
SAME_AS = (PREFIXES["owl"] + "sameAs", PREFIXES["skos"] + "exactMatch")
XSD_STRING = PREFIXES["xsd"] + "string"
#: prefixes used to shorten IRIs, longest namespace first (``id:`` ids are bare).
_COMPACT = sorted(((p, ns) for p, ns in PREFIXES.items() if p != "id"), key=lambda x: -len(x[1]))
_LOCAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
_CURIE = re.compile(r"([a-z][a-z0-9]*):([A-Za-z0-9._~-]+)")


def curie(iri: str) -> str:
    """A compact IRI with the shared prefixes, or the IRI itself.

    >>> curie("https://w3id.org/tdi-graph/ontology#Equity")
    'tdi:Equity'
    >>> curie("https://w3id.org/tdi-graph/id/bpifrance")
    'id:bpifrance'
    """
    if iri.startswith(ID):
        return "id:" + iri[len(ID) :]
    for prefix, ns in _COMPACT:
        if iri.startswith(ns) and _LOCAL_ID.fullmatch(iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def short_id(iri: str) -> str:
    """The API id of an IRI: the local part of ours, a CURIE for a shared prefix, else the IRI.

    >>> short_id("https://w3id.org/tdi-graph/id/bpifrance")
    'bpifrance'
    >>> short_id("https://w3id.org/tdi-graph/ontology#Equity")
    'tdi:Equity'
    """
    return iri[len(ID) :] if iri.startswith(ID) else curie(iri)


def expand_id(value: str) -> str:
    """The IRI of an API id (the inverse of :func:`short_id`); :class:`BadRequest` if malformed.

    >>> expand_id("region-27")
    'https://w3id.org/tdi-graph/id/region-27'
    >>> expand_id("tdi:Equity")
    'https://w3id.org/tdi-graph/ontology#Equity'
    """
    value = value.strip()
    if value.startswith(("http://", "https://")) and not any(c in value for c in ' <>"{}|\\^`'):
        return value
    match = _CURIE.fullmatch(value)
    if match and match[1] in PREFIXES:
        return PREFIXES[match[1]] + match[2]
    if _LOCAL_ID.fullmatch(value):
        return ID + value
    raise BadRequest(f"{value!r} is not an entity id")


def pick_label(labels: Iterable[tuple[str, str]]) -> str | None:
    """The label to show among ``(text, language)`` pairs: French, then none, then English.

    >>> pick_label([("Region", "en"), ("Région", "fr")])
    'Région'
    """
    rank = {"fr": 0, "": 1, "en": 2}
    best = min(labels, key=lambda x: (rank.get(x[1].split("-")[0], 3), x[0]), default=None)
    return best[0] if best else None


def split_iris(value: str | None) -> list[str]:
    """The IRIs of a space-separated ``GROUP_CONCAT`` cell."""
    return value.split() if value else []


Row = tuple["ox.Term | None", ...]


def tuples(store: ox.Store, name: str, **values: str | None) -> Iterator[Row]:
    """The solutions of the named query ``name`` as tuples, in the order of its SELECT.

    Parameters given as ``None`` are left out (they then match everything).
    """
    given = {k: v for k, v in values.items() if v is not None}
    for solution in queries.run(store, queries.get_query(name), given):  # type: ignore[union-attr]
        yield tuple(solution)


def run(store: ox.Store, name: str, **values: str | None) -> list[dict[str, ox.Term | None]]:
    """The solutions of the named query ``name`` as dicts of terms (unbound is ``None``)."""
    given = {k: v for k, v in values.items() if v is not None}
    answer = queries.run(store, queries.get_query(name), given)
    names = [v.value for v in answer.variables]  # type: ignore[union-attr]
    return [dict(zip(names, solution, strict=True)) for solution in answer]  # type: ignore[union-attr]


def value(term: ox.Term | None) -> Any:
    """The plain value of a term (``None`` if unbound)."""
    return term_value(term)


@dataclass
class Registry:
    """Type, label and sources of every resource, by IRI: what refs and sources are made of;
    ``reference`` holds the entities converted from a reference dataset (COG, ANCT lists)."""

    labels: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    described_by: dict[str, list[str]] = field(default_factory=dict)
    reference: set[str] = field(default_factory=set)
    _refs: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, store: ox.Store) -> Registry:
        """Read labels, types, documents and evidence from the store."""
        reg = cls()
        by_resource: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for resource, label in tuples(store, "api-labels"):
            if isinstance(resource, ox.NamedNode) and isinstance(label, ox.Literal):
                by_resource[resource.value].append((label.value, label.language or ""))
        reg.labels = {
            iri: names[0][0] if len(names) == 1 else pick_label(names) or short_id(iri)
            for iri, names in by_resource.items()
        }
        ranks: dict[str, int] = {}
        for entity, category, rank_term in tuples(store, "api-categories"):
            if not isinstance(entity, ox.NamedNode):
                continue
            rank = int(rank_term.value)  # type: ignore[union-attr]
            if rank < ranks.get(entity.value, 99):
                ranks[entity.value] = rank
                reg.categories[entity.value] = category.value  # type: ignore[union-attr]
        reg.reference = {e.value for e, _ in tuples(store, "api-reference-entities")}  # type: ignore[union-attr]
        reg._read_documents(store)
        reg._read_evidence(store)
        return reg

    def _read_documents(self, store: ox.Store) -> None:
        titles: dict[str, list[tuple[str, str]]] = defaultdict(list)
        publishers: dict[str, list[str]] = defaultdict(list)
        for row in run(store, "api-documents"):
            doc = row["document"].value  # type: ignore[union-attr]
            entry = self.documents.setdefault(
                doc,
                {
                    "id": short_id(doc),
                    "title": None,
                    "publisher": None,
                    "date": value(row["printed"]),
                    "issued": value(row["issued"]),
                },
            )
            title = row["title"]
            if isinstance(title, ox.Literal):
                titles[doc].append((title.value, title.language or ""))
            if row["publisher"] is not None and row["publisher"].value not in publishers[doc]:
                publishers[doc].append(row["publisher"].value)
            entry["date"] = entry["date"] or value(row["printed"])
        for doc, entry in self.documents.items():
            entry["title"] = pick_label(titles[doc]) or self.labels.get(doc)
            names = [self.labels.get(p, short_id(p)) for p in sorted(publishers[doc])]
            entry["publisher"] = "; ".join(names) or None
            entry["publishers"] = [self.ref(p) for p in sorted(publishers[doc])]

    def _read_evidence(self, store: ox.Store) -> None:
        seen: set[tuple[str, str, str]] = set()
        evidence: dict[str, list[dict[str, Any]]] = defaultdict(list)
        described: dict[str, set[str]] = defaultdict(set)
        for row in run(store, "api-evidence"):
            subject, doc = row["subject"].value, row["document"].value  # type: ignore[union-attr]
            excerpt = row["excerpt"].value  # type: ignore[union-attr]
            if (subject, doc, excerpt) in seen:
                continue
            seen.add((subject, doc, excerpt))
            base = self.documents.get(doc) or {
                "id": short_id(doc),
                "title": None,
                "publisher": None,
                "date": None,
                "issued": None,
            }
            source = {k: base[k] for k in ("id", "title", "publisher", "date", "issued")}
            evidence[subject].append({**source, "excerpt": excerpt})
            described[doc].add(subject)
        for sources in evidence.values():
            sources.sort(key=lambda s: (s["issued"] or "9999", s["id"], s["excerpt"]))
        self.evidence = dict(evidence)
        self.described_by = {doc: sorted(s) for doc, s in described.items()}

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

    def label(self, iri: str) -> str:
        """The label to show for ``iri`` (its id if it has none)."""
        return self.labels.get(iri) or short_id(iri)

    def ref(self, iri: str | None) -> dict[str, Any] | None:
        """``{"id", "type", "label"}`` of ``iri`` (shared dicts: do not modify)."""
        if iri is None:
            return None
        found = self._refs.get(iri)
        if found is None:
            found = {"id": short_id(iri), "type": self.category(iri), "label": self.label(iri)}
            self._refs[iri] = found
        return found

    def refs(self, iris: Iterable[str]) -> list[dict[str, Any]]:
        """Refs of ``iris``, sorted by label."""
        found = [self.ref(i) for i in set(iris)]
        return sorted((r for r in found if r), key=lambda r: (r["label"].casefold(), r["id"]))

    def sources(self, *iris: str | None) -> list[dict[str, Any]]:
        """The sources (document and excerpt) of the resources ``iris``, without repeats."""
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for iri in iris:
            for source in self.evidence.get(iri or "", ()):
                key = (source["id"], source["excerpt"])
                if key not in seen:
                    seen.add(key)
                    out.append(source)
        return out

    def counts(self) -> Counter[str]:
        """How many entities of each public type the graph holds."""
        return Counter(self.categories.values())


# --- one entity ----------------------------------------------------------------------------


def _literal(term: ox.Literal) -> Any:
    return term_value(term)


def _nested(node: ox.Term, children: dict[ox.Term, list[tuple[str, ox.Term]]]) -> dict[str, Any]:
    """A blank node's statements as a dict of CURIE -> value (nested blank nodes inside)."""
    out: dict[str, Any] = {}
    for p, o in children.get(node, ()):
        key = "@type" if p == RDF_TYPE else curie(p)
        if isinstance(o, ox.BlankNode):
            item: Any = _nested(o, children)
        elif isinstance(o, ox.NamedNode):
            item = curie(o.value)
        else:
            item = _literal(o)  # type: ignore[arg-type]
        _add(out, key, item)
    return out


def _add(mapping: dict[str, Any], key: str, item: Any) -> None:
    """Add ``item`` under ``key``: a scalar for one value, a list for several."""
    if key not in mapping:
        mapping[key] = item
    elif isinstance(mapping[key], list):
        if item not in mapping[key]:
            mapping[key].append(item)
    elif mapping[key] != item:
        mapping[key] = [mapping[key], item]


def statements(store: ox.Store, iri: str) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """The resource's concise bounded description (blank nodes two levels down), and the
    statements of other resources about it: ``(outgoing, incoming)``, without repeats."""
    out: dict[ox.Triple, None] = {}
    subject = ox.NamedNode(iri)
    for row in run(store, "api-entity", entity=iri):
        out[ox.Triple(subject, row["p"], row["o"])] = None  # type: ignore[arg-type]
        if row["p2"] is not None:
            out[ox.Triple(row["o"], row["p2"], row["o2"])] = None  # type: ignore[arg-type]
        if row["p3"] is not None:
            out[ox.Triple(row["o2"], row["p3"], row["o3"])] = None  # type: ignore[arg-type]
    incoming: dict[ox.Triple, None] = {}
    for row in run(store, "api-entity-incoming", entity=iri):
        incoming[ox.Triple(row["s"], row["p"], subject)] = None  # type: ignore[arg-type]
    # the resource's own statements first, then each blank node's, grouped (readable Turtle)
    first = sorted(out, key=lambda t: (t.subject != subject, t.subject.value, t.predicate.value))
    return first, sorted(incoming, key=lambda t: (t.subject.value, t.predicate.value))


def describe(store: ox.Store, registry: Registry, iri: str) -> dict[str, Any]:
    """The API description of the entity ``iri``: labels, relations, attributes, sources."""
    outgoing, incoming = statements(store, iri)
    children: dict[ox.Term, list[tuple[str, ox.Term]]] = defaultdict(list)
    for t in outgoing:
        if isinstance(t.subject, ox.BlankNode):
            children[t.subject].append((t.predicate.value, t.object))
    labels: dict[str, str] = {}
    descriptions: list[tuple[str, str]] = []
    same_as: list[str] = []
    classes: list[str] = []
    relations: list[dict[str, Any]] = []
    attributes: dict[str, Any] = {}
    for t in outgoing:
        if t.subject.value != iri or isinstance(t.subject, ox.BlankNode):
            continue
        p, o = t.predicate.value, t.object
        if p == RDFS_LABEL and isinstance(o, ox.Literal):
            labels.setdefault(o.language or "@none", o.value)
        elif p in DESCRIPTIONS and isinstance(o, ox.Literal):
            descriptions.append((o.value, o.language or ""))
        elif p == RDF_TYPE:
            classes.append(o.value)
        elif p in SAME_AS:
            same_as.append(o.value)
        elif p == EVIDENCE:
            continue
        elif isinstance(o, ox.NamedNode) and registry.knows(o.value):
            relations.append(_relation(registry, p, "out", o.value))
        elif isinstance(o, ox.BlankNode):
            _add(attributes, curie(p), _nested(o, children))
        else:
            _add(attributes, curie(p), o.value if isinstance(o, ox.NamedNode) else _literal(o))
    relations += [_relation(registry, t.predicate.value, "in", t.subject.value) for t in incoming]
    relations.sort(key=lambda r: (r["direction"] == "in", r["label"], r["target"]["label"]))
    ref = registry.ref(iri) or {}
    answer: dict[str, Any] = {
        **ref,
        "iri": iri,
        "labels": labels,
        "description": pick_label(descriptions),
        "same_as": sorted(set(same_as)),
        "classes": registry.refs(classes),
        "relations": relations,
        "attributes": attributes,
        "sources": registry.sources(iri),
    }
    if iri in registry.described_by:
        answer["describes"] = registry.refs(s for s in registry.described_by[iri] if s != iri)
    return answer


def _relation(registry: Registry, predicate: str, direction: str, target: str) -> dict[str, Any]:
    return {
        "predicate": curie(predicate),
        "label": registry.label(predicate),
        "direction": direction,
        "target": registry.ref(target),
    }


# --- linked data -------------------------------------------------------------------------


def jsonld(triples: Iterable[ox.Triple], context: str | dict[str, Any]) -> dict[str, Any]:
    """``triples`` as compact JSON-LD: one node per subject, CURIEs of the shared prefixes
    (``context`` is the published context's URL, or the context itself)."""
    nodes: dict[str, dict[str, Any]] = {}
    for t in triples:
        key = _node_id(t.subject)
        node = nodes.setdefault(key, {"@id": key})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(curie(t.object.value))
        else:
            node.setdefault(curie(t.predicate.value), []).append(_jsonld_value(t.object))
    return {"@context": context, "@graph": list(nodes.values())}


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context of the project: its shared prefixes."""
    return {"@context": dict(PREFIXES)}


def _node_id(term: ox.Term) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else curie(term.value)


def _jsonld_value(term: ox.Term) -> dict[str, Any]:
    if not isinstance(term, ox.Literal):
        return {"@id": _node_id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": curie(term.datatype.value)}
