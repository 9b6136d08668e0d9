"""The programme's territories as GeoJSON for the map, enriched with facts from the store.

Geometries come from ``data/reference/ti_phase{1,2}_*.geojson`` (ANCT, CRS84). They are
simplified (Douglas-Peucker) and rounded server-side, once per process. Properties come from
the store through the ``network-map-*`` named queries: label, region, groupements, commune
count, contract and signature, the documents that speak of the territory.

The communes the sources mention get a point: the representative point of the programme
territory that contains them (through their EPCI, or as a member commune). No geocoder.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.errors import BadRequest, DataError
from tdi_graph.namespaces import TDI
from tdi_graph.network_nodes import documents, short, source_name
from tdi_graph.resources import data_dir

PHASES = (1, 2)
_FILES = {1: ("ti_phase1_149.geojson", "id_ti"), 2: ("ti_phase2_183.geojson", "id_territoire")}
#: Douglas-Peucker tolerance in degrees (about 200 m) and decimals kept (about 100 m).
TOLERANCE = 0.002
DIGITS = 3

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]


def check_phase(phase: int) -> int:
    """``phase`` if it is 1 or 2, else :class:`BadRequest`."""
    if phase not in PHASES:
        raise BadRequest(f"phase must be 1 or 2, not {phase}")
    return phase


# --- geometry ---------------------------------------------------------------------------------


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    """Distance from ``p`` to the segment ``ab``."""
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def simplify_line(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker simplification of a polyline (iterative; keeps both ends).

    >>> simplify_line([(0, 0), (1, 0.01), (2, 0)], 0.1)
    [(0, 0), (2, 0)]
    """
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: Sequence[Point], tolerance: float, digits: int) -> Ring | None:
    """A closed ring simplified and rounded; ``None`` if it collapses below a triangle."""
    if len(ring) < 4:
        return None
    # split a closed ring in two halves so that the ends Douglas-Peucker keeps are far apart
    far = max(
        range(len(ring)),
        key=lambda i: (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2,
    )
    half = simplify_line(ring[: far + 1], tolerance) + simplify_line(ring[far:], tolerance)[1:]
    out: Ring = []
    for x, y in half:
        point = (round(x, digits), round(y, digits))
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 and abs(ring_area(out)) > 0 else None


def ring_area(ring: Sequence[Point]) -> float:
    """Signed area of a ring (shoelace, in square degrees)."""
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))


def _parts(geometry: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """The simple geometries of a geometry (GeometryCollections flattened)."""
    if not geometry:
        return
    if geometry["type"] == "GeometryCollection":
        for part in geometry["geometries"]:
            yield from _parts(part)
    else:
        yield geometry


def polygons(geometry: dict[str, Any]) -> list[Polygon]:
    """The polygons of a geometry (Polygon, MultiPolygon, or inside a GeometryCollection)."""
    out: list[Polygon] = []
    for part in _parts(geometry):
        if part["type"] in ("Polygon", "MultiPolygon"):
            raw = [part["coordinates"]] if part["type"] == "Polygon" else part["coordinates"]
            out += [[[(float(x), float(y)) for x, y, *_ in ring] for ring in poly] for poly in raw]
    return out


def points(geometry: dict[str, Any]) -> list[Point]:
    """The points of a geometry (Point, MultiPoint, or inside a GeometryCollection).

    Some phase-1 territories are single communes given as points, not polygons.
    """
    out: list[Point] = []
    for part in _parts(geometry):
        if part["type"] in ("Point", "MultiPoint"):
            raw = [part["coordinates"]] if part["type"] == "Point" else part["coordinates"]
            out += [(float(c[0]), float(c[1])) for c in raw]
    return out


def simplify(geometry: dict[str, Any], tolerance: float = TOLERANCE, digits: int = DIGITS) -> dict:
    """The geometry simplified and rounded: a MultiPolygon, a MultiPoint, or a
    GeometryCollection of both. Polygons that collapse are dropped, but the largest is kept."""
    polys = polygons(geometry)
    out: list[Polygon] = []
    for poly in polys:
        exterior = simplify_ring(poly[0], tolerance, digits)
        if exterior is None:
            continue
        holes = [h for h in (simplify_ring(r, tolerance, digits) for r in poly[1:]) if h]
        out.append([exterior, *holes])
    if polys and not out:
        largest = max(polys, key=lambda p: abs(ring_area(p[0])))
        out = [[[(round(x, digits), round(y, digits)) for x, y in largest[0]]]]
    parts: list[dict[str, Any]] = []
    if out:
        coordinates = [[[list(pt) for pt in ring] for ring in poly] for poly in out]
        parts.append({"type": "MultiPolygon", "coordinates": coordinates})
    dots = points(geometry)
    if dots:
        coordinates = [[round(x, digits), round(y, digits)] for x, y in dots]
        parts.append({"type": "MultiPoint", "coordinates": coordinates})
    if len(parts) == 1:
        return parts[0]
    return {"type": "GeometryCollection", "geometries": parts}


def inside(point: Point, polygon: Polygon) -> bool:
    """Whether ``point`` is inside ``polygon`` (exterior ring minus holes; ray casting)."""
    x, y = point
    hit = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def _area(polygon: Polygon) -> float:
    return abs(ring_area(polygon[0])) - sum(abs(ring_area(hole)) for hole in polygon[1:])


def _segments(ring: Ring) -> Iterator[tuple[Point, Point]]:
    return zip(ring, ring[1:], strict=False)


def representative_point(geometry: dict[str, Any]) -> Point:
    """A point of the territory: the centroid of its largest polygon if it falls inside,
    else the middle of the widest inside stretch of the horizontal line through it; for a
    territory made of points only, the point nearest to their mean."""
    polys = polygons(geometry)
    if not polys:
        dots = points(geometry)
        if not dots:
            raise DataError("a territory has neither polygons nor points")
        mx, my = sum(x for x, _ in dots) / len(dots), sum(y for _, y in dots) / len(dots)
        return min(dots, key=lambda d: (d[0] - mx) ** 2 + (d[1] - my) ** 2)
    polygon = max(polys, key=_area)
    ring = polygon[0]
    area = ring_area(ring)
    if area == 0:
        return ring[0]
    cross = [(a, b, a[0] * b[1] - b[0] * a[1]) for a, b in _segments(ring)]
    cx = sum((a[0] + b[0]) * c for a, b, c in cross) / (6 * area)
    cy = sum((a[1] + b[1]) * c for a, b, c in cross) / (6 * area)
    if inside((cx, cy), polygon):
        return (cx, cy)
    crossings = sorted(
        x1 + (cy - y1) * (x2 - x1) / (y2 - y1)
        for r in polygon
        for (x1, y1), (x2, y2) in _segments(r)
        if (y1 > cy) != (y2 > cy)
    )
    spans = list(zip(crossings[::2], crossings[1::2], strict=False))
    if not spans:
        return ring[0]
    a, b = max(spans, key=lambda span: span[1] - span[0])
    return ((a + b) / 2, cy)


@dataclass(frozen=True)
class Shape:
    """One territory's geometry: simplified, its representative point and bounding box."""

    geometry: dict[str, Any]
    point: Point
    bbox: tuple[float, float, float, float]


@lru_cache(maxsize=len(PHASES))
def shapes(phase: int) -> dict[str, Shape]:
    """Territory id (``ti1-2707``) -> :class:`Shape`, for one phase (read once, cached)."""
    name, id_property = _FILES[check_phase(phase)]
    path = data_dir() / "reference" / name
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read GeoJSON: {exc}") from None
    out: dict[str, Shape] = {}
    for feature in collection["features"]:
        code = feature["properties"][id_property]
        if not code.startswith("ti-"):
            raise DataError(f"{path}: {id_property} {code!r} is not of the form ti-NNNN")
        geometry = feature["geometry"]
        every = [pt for poly in polygons(geometry) for pt in poly[0]] + points(geometry)
        xs, ys = [x for x, _ in every], [y for _, y in every]
        x, y = representative_point(geometry)
        out[f"ti{phase}-{code[3:]}"] = Shape(
            simplify(geometry),
            (round(x, 5), round(y, 5)),
            (round(min(xs), 4), round(min(ys), 4), round(max(xs), 4), round(max(ys), 4)),
        )
    return out


# --- facts from the store ---------------------------------------------------------------------


def _rows(store: ox.Store, name: str, values: dict[str, str] | None = None) -> Iterator[dict]:
    answer = queries.run(store, queries.get_query(name), values)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    for row in answer:
        yield {n: (None if row[i] is None else row[i].value) for i, n in enumerate(names)}


def _source(doc: str, docs: dict[str, dict[str, str]]) -> dict[str, str]:
    meta = docs.get(doc, {})
    return {"id": doc, "title": meta.get("title", doc), "date": meta.get("date") or ""}


def territory_facts(store: ox.Store, phase: int) -> dict[str, dict[str, Any]]:
    """Territory id -> the properties of its map feature, from the store."""
    check_phase(phase)
    docs = documents(store)
    facts: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "network-map-territories", {"phase": f"{TDI}Phase{phase}"}):
        ident = short(row["territory"])
        if ident is None:
            continue
        facts[ident] = {
            "id": ident,
            "code": row["code"] or "",
            "phase": phase,
            "label": row["label"] or ident,
            "region": short(row["region"]) or "",
            "region_label": row["regionLabel"] or "",
            "commune_count": int(row["communes"] or 0),
            "groupements": [],
            "status": "none",
            "contract": None,
            "sources": [],
            "href": f"/id/{ident}",
        }
    for row in _rows(store, "network-territories"):
        fact = facts.get(short(row["territory"]) or "")
        member = short(row["member"])
        if fact is not None and member:
            fact["groupements"].append({"id": member, "label": row["memberLabel"] or member})
    sources: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, "network-map-contracts"):
        ident = short(row["territory"]) or ""
        fact = facts.get(ident)
        if fact is None:
            continue
        contract = fact["contract"] or {
            "id": short(row["contract"]),
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
                sources[ident].add(source_name(graph))
    for row in _rows(store, "network-map-mentions"):
        ident = short(row["territory"]) or ""
        if ident in facts and row["g"]:
            sources[ident].add(source_name(row["g"]))
    for ident, found in sources.items():
        cited = sorted(d for d in found if d in docs)
        facts[ident]["sources"] = [_source(d, docs) for d in cited]
    for fact in facts.values():
        fact["groupements"].sort(key=lambda g: g["label"])
    return facts


def territories_geojson(store: ox.Store, phase: int) -> dict[str, Any]:
    """The territories of ``phase`` as a GeoJSON FeatureCollection (simplified geometries)."""
    facts = territory_facts(store, phase)
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


def communes_geojson(store: ox.Store, phase: int) -> dict[str, Any]:
    """The communes the sources speak of, as points inside the territory that contains them.

    A commune outside every territory of both phases has ``"geometry": null`` and
    ``"placed": false``; one only in the other phase's territory is placed there.
    """
    check_phase(phase)
    docs = documents(store)
    communes: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "network-map-communes"):
        ident = short(row["commune"])
        if ident is None:
            continue
        commune = communes.setdefault(
            ident,
            {
                "id": ident,
                "label": row["label"] or ident,
                "code": row["code"] or "",
                "epci": short(row["epci"]),
                "things": {},
                "sources": set(),
                "href": f"/id/{ident}",
            },
        )
        thing = short(row["thing"])
        if thing and thing not in docs:
            commune["things"][thing] = row["thingLabel"] or thing
        if row["g"]:
            commune["sources"].add(source_name(row["g"]))
        if thing in docs:
            commune["sources"].add(thing)
    membership = _membership(store)
    features, used = [], defaultdict(int)
    for ident, commune in sorted(communes.items()):
        territory = None
        for p in (phase, *(q for q in PHASES if q != phase)):
            territory = _container(ident, commune["epci"], p, membership)
            if territory:
                break
        props = {
            **{k: v for k, v in commune.items() if k not in ("things", "sources")},
            "things": [{"id": k, "label": v} for k, v in sorted(commune["things"].items())],
            "sources": [_source(d, docs) for d in sorted(commune["sources"]) if d in docs],
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
        member, territory = short(row["member"]), short(row["territory"])
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
    "communes_geojson",
    "dumps",
    "representative_point",
    "shapes",
    "simplify",
    "territories_geojson",
    "territory_facts",
]
