"""Entity reconciliation (W3C Entity Reconciliation Service API 0.2, as OpenRefine speaks it).

A spreadsheet column of names ("CDC", "Mme Gourault", "Pole emploi", "Cholet") is matched to
tdi-graph ids with the project's search index: candidates come from
:meth:`~tdi_graph.search.SearchIndex.search` (a title such as "Mme" or "M." asks for a
person), property constraints (INSEE code, SIREN, region...) refine their score, and
``match`` is set only when the answer is unambiguous:

- the best candidate's name (label or alternative label) equals the query, and no other
  candidate's does, or its score is at least :data:`SURE_SCORE` and leads the next by
  :data:`SURE_MARGIN`;
- and every property the query gives agrees with the candidate.

Scores are on OpenRefine's 0-100 scale. The properties offered for constraints and data
extension are those of :data:`PROPERTIES`, read by the named query
``api-reconcile-properties``.

>>> strip_civility("Mme Gourault")
'Gourault'
>>> strip_civility("M. Lombard"), strip_civility("Monsieur")
('Lombard', 'Monsieur')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.errors import BadRequest
from tdi_graph.normalise import normalise
from tdi_graph.search import SEARCH_TYPES, SearchIndex

#: the public types, with their names in French (the service's language).
TYPES: dict[str, str] = {
    "person": "Personne",
    "organisation": "Organisation",
    "territory": "Territoire d'industrie",
    "place": "Lieu (région, département, commune, site)",
    "event": "Événement",
    "agreement": "Accord, contrat, convention",
    "programme": "Programme",
    "commitment": "Engagement",
    "document": "Document",
    "concept": "Concept",
}
assert set(TYPES) == set(SEARCH_TYPES)

#: the properties offered for constraints and data extension: id -> (name, holds entities).
PROPERTIES: dict[str, tuple[str, bool]] = {
    "label": ("Libellé", False),
    "type": ("Type", False),
    "insee": ("Code INSEE", False),
    "siren": ("SIREN", False),
    "anct": ("Identifiant ANCT du Territoire d'industrie", False),
    "wikidata": ("Wikidata", False),
    "departement": ("Département", True),
    "region": ("Région", True),
    "epci": ("Intercommunalité (EPCI)", True),
    "territory": ("Territoire(s) d'industrie", True),
}
CIVILITIES = frozenset({"m", "mr", "mme", "mmes", "mlle", "madame", "monsieur", "dr", "pr", "me"})
SURE_SCORE = 0.95
SURE_MARGIN = 0.1
NAME_WEIGHT = 0.7  # with property constraints: the name's share of the score
MAX_LIMIT = 100


def strip_civility(text: str) -> str:
    """``text`` without a leading title (Mme, M., Monsieur...), unless that is all it is."""
    tokens = text.split()
    while len(tokens) > 1 and tokens[0].rstrip(".").casefold() in CIVILITIES:
        tokens = tokens[1:]
    return " ".join(tokens)


@dataclass(frozen=True)
class Query:
    """One reconciliation query of a batch."""

    text: str
    types: tuple[str, ...] = ()
    limit: int = 5
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def parse(cls, key: str, raw: Any) -> Query:
        """A query from its JSON form; :class:`BadRequest` naming ``key`` if it is malformed."""
        if not isinstance(raw, dict):
            raise BadRequest(f"query {key!r}: expected an object")
        text = raw.get("query", "")
        if not isinstance(text, str):
            raise BadRequest(f"query {key!r}: 'query' must be a string")
        types = raw.get("type") or ()
        types = (types,) if isinstance(types, str) else tuple(types)
        unknown = [t for t in types if t not in TYPES]
        if unknown:
            raise BadRequest(f"query {key!r}: unknown type {unknown[0]!r}")
        limit = raw.get("limit", 5)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise BadRequest(f"query {key!r}: 'limit' must be a positive integer")
        constraints = []
        for item in raw.get("properties") or ():
            pid = item.get("pid") or item.get("p") if isinstance(item, dict) else None
            if not pid or "v" not in item:
                raise BadRequest(f"query {key!r}: a property needs 'pid' and 'v'")
            if pid not in PROPERTIES:
                raise BadRequest(f"query {key!r}: unknown property {pid!r}")
            values = item["v"] if isinstance(item["v"], list) else [item["v"]]
            wanted = tuple(_value_text(v) for v in values if _value_text(v))
            if wanted:
                constraints.append((pid, wanted))
        if not text.strip() and not constraints:
            raise BadRequest(f"query {key!r}: give a 'query' string or properties")
        return cls(text, types, min(limit, MAX_LIMIT), tuple(constraints))


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("id") or value.get("name") or "")
    return "" if value is None else str(value)


@dataclass
class Reconciler:
    """Answers reconciliation, suggest and extension requests over one store."""

    store: ox.Store
    index: SearchIndex

    # --- properties ---------------------------------------------------------------------

    def properties(self, entity_id: str) -> dict[str, list[tuple[str, str]]]:
        """``{property: [(id or value, label)]}`` of an entity (its label and type too)."""
        found: dict[str, list[tuple[str, str]]] = {}
        hit = self.index.entity(entity_id)
        if hit is None:
            return found
        found["label"] = [(hit.label, hit.label)]
        found["type"] = [(hit.type, TYPES[hit.type])]
        rows = queries.run(
            self.store, queries.get_query("api-reconcile-properties"), {"entity": entity_id}
        )
        assert isinstance(rows, ox.QuerySolutions)
        for _, prop, term in rows:
            if prop is None or term is None:
                continue
            if PROPERTIES[prop.value][1]:
                target = self.index.entity_of_iri(term.value)
                pair = (target.id, target.label) if target else (term.value, term.value)
            else:
                text = term.value
                if prop.value == "wikidata":
                    text = text.rsplit("/", 1)[-1]
                pair = (text, text)
            found.setdefault(prop.value, []).append(pair)
        return found

    def _agrees(self, entity_id: str, constraints: Iterable[tuple[str, tuple[str, ...]]]) -> float:
        """The share of the constraints that the entity's properties satisfy."""
        constraints = list(constraints)
        if not constraints:
            return 1.0
        have = self.properties(entity_id)
        met = 0
        for pid, wanted in constraints:
            values = {normalise(v) for pair in have.get(pid, []) for v in pair}
            if any(normalise(w) in values for w in wanted):
                met += 1
        return met / len(constraints)

    # --- reconciliation -----------------------------------------------------------------

    def reconcile(self, query: Query) -> list[dict[str, Any]]:
        """The candidates of one query, best first."""
        text = strip_civility(query.text)
        titled = text != query.text.strip()  # "Mme Gourault": a person
        types = query.types or (("person",) if titled else ())
        if not text.strip():  # properties alone: an identifier such as an INSEE code or SIREN
            text = query.properties[0][1][0]
        pool = max(query.limit, 10)
        _, hits = self.index.search(text, types or None, limit=pool)
        exact = set(self.index.exact(text))
        scored = []
        for rank, hit in enumerate(hits):
            agreement = self._agrees(hit.id, query.properties)
            score = hit.score
            if query.properties:
                score = NAME_WEIGHT * score + (1 - NAME_WEIGHT) * agreement
            scored.append((-score, rank, hit, agreement))
        scored.sort(key=lambda item: (item[0], item[1]))
        results = []
        for position, (negative, _, hit, agreement) in enumerate(scored[: query.limit]):
            score = -negative
            match = False
            if position == 0 and agreement == 1.0:
                runner_up = -scored[1][0] if len(scored) > 1 else 0.0
                # the names equal to the query, among the candidates every property agrees with
                exact_here = [h for _, _, h, a in scored if h.id in exact and a == 1.0]
                only_exact = len(exact_here) == 1 and exact_here[0].id == hit.id
                clear_lead = score >= SURE_SCORE and score - runner_up >= SURE_MARGIN
                match = only_exact or clear_lead
            results.append(
                {
                    "id": hit.id,
                    "name": hit.label,
                    "type": [{"id": hit.type, "name": TYPES[hit.type]}],
                    "score": round(score * 100, 2),
                    "match": match,
                    "features": [
                        {"id": "name", "value": round(hit.score, 4)},
                        {"id": "properties", "value": round(agreement, 4)},
                    ],
                }
            )
        return results

    def batch(self, raw: Any) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """The answer to a batch ``{"q0": {...}, ...}``: ``{"q0": {"result": [...]}, ...}``."""
        if not isinstance(raw, dict) or not raw:
            raise BadRequest("'queries' must be a non-empty JSON object of queries")
        parsed = {key: Query.parse(key, value) for key, value in raw.items()}
        return {key: {"result": self.reconcile(q)} for key, q in parsed.items()}

    # --- suggest ------------------------------------------------------------------------

    def suggest_entities(
        self, prefix: str, types: Iterable[str] = (), limit: int = 10, cursor: int = 0
    ) -> list[dict[str, Any]]:
        """Entities whose names start with (or fuzzily match) ``prefix``."""
        wanted = [t for t in types if t in TYPES] or None
        _, hits = self.index.search(strip_civility(prefix), wanted, limit=limit, offset=cursor)
        return [
            {
                "id": h.id,
                "name": h.label,
                "description": TYPES[h.type],
                "notable": [{"id": h.type, "name": TYPES[h.type]}],
            }
            for h in hits
        ]

    @staticmethod
    def suggest_types(prefix: str) -> list[dict[str, str]]:
        """The types whose id or name starts with ``prefix`` (accents and case aside)."""
        key = normalise(prefix)
        return [
            {"id": t, "name": name}
            for t, name in TYPES.items()
            if not key or normalise(t).startswith(key) or key in normalise(name)
        ]

    @staticmethod
    def suggest_properties(prefix: str) -> list[dict[str, str]]:
        """The properties whose id or name contains ``prefix``."""
        key = normalise(prefix)
        return [
            {"id": p, "name": name}
            for p, (name, _) in PROPERTIES.items()
            if not key or key in normalise(p) or key in normalise(name)
        ]

    # --- data extension -----------------------------------------------------------------

    def extend(self, raw: Any) -> dict[str, Any]:
        """Property values of entities: ``{"ids": [...], "properties": [{"id": ...}]}``."""
        if not isinstance(raw, dict):
            raise BadRequest("'extend' must be a JSON object with 'ids' and 'properties'")
        ids, props = raw.get("ids"), raw.get("properties")
        if not isinstance(ids, list) or not isinstance(props, list):
            raise BadRequest("'extend' needs the lists 'ids' and 'properties'")
        wanted: list[str] = []
        for prop in props:
            pid = prop.get("id") if isinstance(prop, dict) else None
            if not isinstance(pid, str) or pid not in PROPERTIES:
                raise BadRequest(f"unknown property {pid!r}")
            wanted.append(pid)
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for entity_id in ids:
            if not isinstance(entity_id, str):
                raise BadRequest("'ids' must be strings")
            have = self.properties(entity_id)
            rows[entity_id] = {
                pid: [
                    {"id": value, "name": label} if PROPERTIES[pid][1] else {"str": label}
                    for value, label in have.get(pid, [])
                ]
                for pid in wanted
            }
        meta: list[dict[str, Any]] = [{"id": pid, "name": PROPERTIES[pid][0]} for pid in wanted]
        for item in meta:
            if PROPERTIES[item["id"]][1]:
                item["type"] = {"id": "place", "name": TYPES["place"]}
        return {"meta": meta, "rows": rows}

    @staticmethod
    def propose_properties(type_id: str | None, limit: int = 10) -> dict[str, Any]:
        """The properties worth proposing for a type (all of them, in a useful order)."""
        if type_id is not None and type_id not in TYPES:
            raise BadRequest(f"unknown type {type_id!r}")
        order = [p for p in PROPERTIES if p not in ("label", "type")] + ["label", "type"]
        return {
            "type": type_id or "",
            "properties": [{"id": p, "name": PROPERTIES[p][0]} for p in order[:limit]],
        }
