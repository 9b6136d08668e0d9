"""The map's facts: the programme's territories as GeoJSON, enriched with facts from the store.

Shapes (simplified, rounded, with a representative point) come from :mod:`tdi_graph.geo_shapes`.
Properties come from the store through the ``network-map-*`` named queries: label, region,
groupements, commune count, contract and signature, the documents that speak of the territory.

The communes the sources mention get a point: the representative point of the programme
territory that contains them (through their EPCI, or as a member commune). No geocoder.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import orjson
import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.geo_shapes import (
    DIGITS,
    PHASES,
    TOLERANCE,
    Shape,
    check_phase,
    contains,
    representative_point,
    shapes,
    simplify,
)
from tdi_graph.namespaces import ID, TDI
from tdi_graph.network_nodes import documents
from tdi_graph.view import Registry, Source, graph_name, local_id

# --- facts from the store ---------------------------------------------------------------------


def _rows(store: ox.Store, name: str, values: dict[str, str] | None = None) -> Iterator[dict]:
    answer = queries.run(store, queries.get_query(name), values)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    for row in answer:
        yield {n: (None if row[i] is None else row[i].value) for i, n in enumerate(names)}


def _source(registry: Registry, doc: str) -> Source:
    """A document the map cites, in the read model's ``Source`` shape (no excerpt)."""
    return registry.source(ID + doc)


def territory_facts(
    store: ox.Store, phase: int, registry: Registry | None = None
) -> dict[str, dict[str, Any]]:
    """Territory id -> the properties of its map feature, from the store (documents from
    the read model, built from the store if not given)."""
    check_phase(phase)
    registry = registry or Registry.build(store)
    docs = documents(registry)
    facts: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "network-map-territories", {"phase": f"{TDI}Phase{phase}"}):
        ident = local_id(row["territory"])
        if ident is None:
            continue
        facts[ident] = {
            "id": ident,
            "code": row["code"] or "",
            "phase": phase,
            "label": row["label"] or ident,
            "shown": registry.shown.get(ident) or row["label"] or ident,  # with its phase
            "region": local_id(row["region"]) or "",
            "region_label": row["regionLabel"] or "",
            "commune_count": int(row["communes"] or 0),
            "groupements": [],
            "status": "none",
            "contract": None,
            "sources": [],
            "href": f"/id/{ident}",
        }
    for row in _rows(store, "network-territories"):
        fact = facts.get(local_id(row["territory"]) or "")
        member = local_id(row["member"])
        if fact is not None and member:
            fact["groupements"].append({"id": member, "label": row["memberLabel"] or member})
    sources: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, "network-map-contracts"):
        ident = local_id(row["territory"]) or ""
        fact = facts.get(ident)
        if fact is None:
            continue
        contract = fact["contract"] or {
            "id": local_id(row["contract"]),
            "label": row["label"] or "",
            "signed": None,
            "signed_by": None,
        }
        contract["signed"] = contract["signed"] or (row["date"] or "")[:10] or None
        contract["signed_by"] = contract["signed_by"] or (row["latest"] or "")[:10] or None
        fact["contract"] = contract
        fact["status"] = (
            "signed" if row["act"] else ("contract" if fact["status"] == "none" else fact["status"])
        )
        for graph in (row["g"], row["actGraph"]):
            if graph:
                sources[ident].add(graph_name(graph))
    for row in _rows(store, "network-map-mentions"):
        ident = local_id(row["territory"]) or ""
        if ident in facts and row["g"]:
            sources[ident].add(graph_name(row["g"]))
    for ident, found in sources.items():
        cited = sorted(d for d in found if d in docs)
        facts[ident]["sources"] = [_source(registry, d) for d in cited]
    for fact in facts.values():
        fact["groupements"].sort(key=lambda g: g["label"])
    return facts


def territories_geojson(
    store: ox.Store, phase: int, registry: Registry | None = None
) -> dict[str, Any]:
    """The territories of ``phase`` as a GeoJSON FeatureCollection (simplified geometries)."""
    facts = territory_facts(store, phase, registry)
    features = []
    for ident, shape in sorted(shapes(phase).items()):
        props = facts.get(ident) or {
            "id": ident,
            "phase": phase,
            "label": ident,
            "status": "none",
            "sources": [],
            "groupements": [],
        }
        props = {**props, "point": list(shape.point)}
        features.append(
            {
                "type": "Feature",
                "id": ident,
                "bbox": list(shape.bbox),
                "properties": props,
                "geometry": shape.geometry,
            }
        )
    return {
        "type": "FeatureCollection",
        "name": f"territoires-d-industrie-phase-{phase}",
        "features": features,
    }


def communes_geojson(
    store: ox.Store, phase: int, registry: Registry | None = None
) -> dict[str, Any]:
    """The communes the sources speak of, as points inside the territory that contains them.

    A commune outside every territory of both phases has ``"geometry": null`` and
    ``"placed": false``; one only in the other phase's territory is placed there.
    """
    check_phase(phase)
    registry = registry or Registry.build(store)
    docs = documents(registry)
    communes: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "network-map-communes"):
        ident = local_id(row["commune"])
        if ident is None:
            continue
        commune = communes.setdefault(
            ident,
            {
                "id": ident,
                "label": row["label"] or ident,
                "code": row["code"] or "",
                "epci": local_id(row["epci"]),
                "things": {},
                "sources": set(),
                "href": f"/id/{ident}",
            },
        )
        thing = local_id(row["thing"])
        if thing and thing not in docs:
            commune["things"][thing] = row["thingLabel"] or thing
        if row["g"]:
            commune["sources"].add(graph_name(row["g"]))
        if thing in docs:
            commune["sources"].add(thing)
    membership = _membership(store)
    features: list[dict[str, Any]] = []
    used: defaultdict[str | None, int] = defaultdict(int)
    for ident, commune in sorted(communes.items()):
        territory = None
        for p in (phase, *(q for q in PHASES if q != phase)):
            territory = _container(ident, commune["epci"], p, membership)
            if territory:
                break
        props = {
            **{k: v for k, v in commune.items() if k not in ("things", "sources")},
            "things": [{"id": k, "label": v} for k, v in sorted(commune["things"].items())],
            "sources": [_source(registry, d) for d in sorted(commune["sources"]) if d in docs],
            "territory": territory,
            "placed": territory is not None,
        }
        geometry = None
        if territory:
            p = int(territory[2])
            x, y = shapes(p)[territory].point
            n = used[territory]
            used[territory] += 1
            if n:  # several communes in one territory: spread them around its point
                angle = n * 2.399963
                x, y = x + 0.06 * math.cos(angle), y + 0.04 * math.sin(angle)
            geometry = {"type": "Point", "coordinates": [round(x, 5), round(y, 5)]}
        features.append({"type": "Feature", "id": ident, "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "name": "communes-des-sources", "features": features}


def _membership(store: ox.Store) -> dict[str, list[str]]:
    """Groupement id (EPCI or commune) -> the territories it belongs to."""
    out: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, "network-territories"):
        member, territory = local_id(row["member"]), local_id(row["territory"])
        if member and territory:
            out[member].append(territory)
    return out


def _container(
    commune: str, epci: str | None, phase: int, membership: dict[str, list[str]]
) -> str | None:
    """The territory of ``phase`` containing a commune (as a member, or through its EPCI)."""
    prefix = f"ti{phase}-"
    for key in (commune, epci):
        for territory in sorted(membership.get(key or "", ())):
            if territory.startswith(prefix) and territory in shapes(phase):
                return territory
    return None


def dumps(collection: dict[str, Any]) -> bytes:
    """A FeatureCollection serialised (compact JSON)."""
    return orjson.dumps(collection)


__all__ = [
    "DIGITS",
    "PHASES",
    "TOLERANCE",
    "Shape",
    "check_phase",
    "communes_geojson",
    "contains",
    "dumps",
    "representative_point",
    "shapes",
    "simplify",
    "territories_geojson",
    "territory_facts",
]
