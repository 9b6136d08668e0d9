"""The programme territories' geometries for the map, with shapely: simplified and rounded
shapes, a representative point inside each, bounding boxes.

Geometries come from ``data/reference/ti_phase{1,2}_*.geojson`` (ANCT, CRS84); some phase-1
territories are single communes given as points, not polygons. They are computed once per
process (about 0.3 s for both phases): they depend only on those two committed files, not
on the store, and the build directory belongs to the loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import orjson
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from tdi_graph.errors import BadRequest, DataError
from tdi_graph.resources import data_dir

PHASES = (1, 2)
_FILES = {1: ("ti_phase1_149.geojson", "id_ti"), 2: ("ti_phase2_183.geojson", "id_territoire")}
#: Douglas-Peucker tolerance in degrees (about 200 m) and decimals kept (about 100 m).
TOLERANCE = 0.002
DIGITS = 3

XY = tuple[float, float]


def check_phase(phase: int) -> int:
    """``phase`` if it is 1 or 2, else :class:`BadRequest`."""
    if phase not in PHASES:
        raise BadRequest(f"phase must be 1 or 2, not {phase}")
    return phase


def _parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """The simple geometries of a geometry (collections and multi-geometries flattened)."""
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in _parts(part)]
    return [] if geom.is_empty else [geom]


def polygons(geometry: dict[str, Any] | BaseGeometry) -> list[Polygon]:
    """The polygons of a geometry (Polygon, MultiPolygon, or inside a GeometryCollection)."""
    geom = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
    return [p for p in _parts(geom) if isinstance(p, Polygon)]


def points(geometry: dict[str, Any] | BaseGeometry) -> list[Point]:
    """The points of a geometry (Point, MultiPoint, or inside a GeometryCollection)."""
    geom = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
    return [p for p in _parts(geom) if isinstance(p, Point)]


def _rounded(geom: BaseGeometry, digits: int) -> BaseGeometry:
    """``geom`` with coordinates rounded to ``digits`` decimals, repeated points removed."""
    rounded = shapely.transform(geom, lambda xy: np.round(xy, digits))
    return shapely.remove_repeated_points(rounded)


def _json(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON of a geometry with lists, not tuples (as a JSON parser gives it back)."""
    return orjson.loads(orjson.dumps(mapping(geom)))


def simplify(
    geometry: dict[str, Any], tolerance: float = TOLERANCE, digits: int = DIGITS
) -> dict[str, Any]:
    """The geometry simplified (topology-preserving Douglas-Peucker) and snapped to a grid
    of ``digits`` decimals (a valid result): a MultiPolygon, a MultiPoint, or a
    GeometryCollection of both. Polygons that collapse are dropped, but the largest is kept."""
    polys = polygons(geometry)
    out: list[Polygon] = []
    if polys:
        simple = shapely.simplify(MultiPolygon(polys), tolerance, preserve_topology=True)
        snapped = shapely.set_precision(simple, 10.0**-digits)
        # GEOS normalises rings clockwise; GeoJSON (RFC 7946) wants exteriors anticlockwise
        out = [orient(p) for p in polygons(snapped)]
        if not out:
            out = polygons(_rounded(max(polys, key=lambda p: p.area), digits))
    parts: list[dict[str, Any]] = []
    if out:
        parts.append(_json(MultiPolygon(out)))
    dots = points(geometry)
    if dots:
        parts.append(_json(_rounded(MultiPoint(dots), digits)))
    if len(parts) == 1:
        return parts[0]
    return {"type": "GeometryCollection", "geometries": parts}


def representative_point(geometry: dict[str, Any]) -> XY:
    """A point inside the territory: shapely's representative point of its largest polygon;
    for a territory made of points only, the point nearest to their centroid."""
    polys = polygons(geometry)
    if polys:
        point = max(polys, key=lambda p: p.area).representative_point()
        return (point.x, point.y)
    dots = points(geometry)
    if not dots:
        raise DataError("a territory has neither polygons nor points")
    centre = MultiPoint(dots).centroid
    nearest = min(dots, key=centre.distance)
    return (nearest.x, nearest.y)


def contains(geometry: dict[str, Any], point: XY) -> bool:
    """Whether ``point`` lies inside one of the geometry's polygons."""
    return any(p.contains(Point(point)) for p in polygons(geometry))


@dataclass(frozen=True)
class Shape:
    """One territory's geometry: simplified, its representative point and bounding box."""

    geometry: dict[str, Any]
    point: XY
    bbox: tuple[float, float, float, float]


def read_geometries(phase: int) -> dict[str, dict[str, Any]]:
    """Territory id (``ti1-2707``) -> its reference GeoJSON geometry, unsimplified."""
    name, id_property = _FILES[check_phase(phase)]
    path = data_dir() / "reference" / name
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read GeoJSON: {exc}") from None
    out = {}
    for feature in collection["features"]:
        code = feature["properties"][id_property]
        if not code.startswith("ti-"):
            raise DataError(f"{path}: {id_property} {code!r} is not of the form ti-NNNN")
        out[f"ti{phase}-{code[3:]}"] = feature["geometry"]
    return out


@lru_cache(maxsize=len(PHASES))
def shapes(phase: int) -> dict[str, Shape]:
    """Territory id (``ti1-2707``) -> :class:`Shape`, for one phase (computed once, cached)."""
    out: dict[str, Shape] = {}
    for ident, geometry in read_geometries(phase).items():
        west, south, east, north = shape(geometry).bounds
        x, y = representative_point(geometry)
        out[ident] = Shape(
            simplify(geometry),
            (round(x, 5), round(y, 5)),
            (round(west, 4), round(south, 4), round(east, 4), round(north, 4)),
        )
    return out
