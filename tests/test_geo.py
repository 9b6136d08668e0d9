"""The map's GeoJSON: simplified territory shapes, facts from the store, communes as points."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
import shapely
from shapely.geometry import LinearRing, Point, box, shape

from tdi_graph import geo
from tdi_graph.errors import BadRequest
from tdi_graph.resources import data_dir

NFC = "cp-bdt-2019-03-20-nord-franche-comte"


def original(phase: int) -> dict[str, dict]:
    """The reference GeoJSON geometries by territory id, unsimplified (read here, not by geo)."""
    name, prop = {
        1: ("ti_phase1_149.geojson", "id_ti"),
        2: ("ti_phase2_183.geojson", "id_territoire"),
    }[phase]
    collection = json.loads((data_dir() / "reference" / name).read_text(encoding="utf-8"))
    return {f"ti{phase}-{f['properties'][prop][3:]}": f["geometry"] for f in collection["features"]}


def inside(point: tuple[float, float], geometry: dict) -> bool:
    """Whether ``point`` is in one of the geometry's polygons (shapely, independently of geo)."""
    return shape(geometry).contains(Point(point))


def rings(geometry: dict) -> list[list[list[float]]]:
    parts = geometry["geometries"] if geometry["type"] == "GeometryCollection" else [geometry]
    return [
        ring
        for part in parts
        if part["type"] == "MultiPolygon"
        for poly in part["coordinates"]
        for ring in poly
    ]


@pytest.mark.parametrize(("phase", "count"), [(1, 149), (2, 183)])
def test_shapes_are_simplified_valid_and_rounded(phase: int, count: int) -> None:
    shapes = geo.shapes(phase)
    assert len(shapes) == count
    assert all(re.fullmatch(rf"ti{phase}-\d{{4}}", ident) for ident in shapes)
    raw = original(phase)
    before = sum(shapely.get_num_coordinates(shape(g)) for g in raw.values())
    after = sum(shapely.get_num_coordinates(shape(s.geometry)) for s in shapes.values())
    assert after < before * 0.9  # the origin is already coarse: rounding saves the most
    for ident, found in shapes.items():
        for ring in rings(found.geometry):
            assert len(ring) >= 4 and ring[0] == ring[-1], ident
            for x, y in ring:
                assert round(x, geo.DIGITS) == x and round(y, geo.DIGITS) == y
        assert shape(found.geometry).is_valid, ident
        west, south, east, north = found.bbox
        assert -62 < west <= east < 56 and -22 < south <= north < 52, ident


def test_representative_points_fall_inside_their_territory() -> None:
    for phase in geo.PHASES:
        raw = original(phase)
        for ident, found in geo.shapes(phase).items():
            geometry = shape(raw[ident])
            if geometry.area > 0:
                assert inside(found.point, raw[ident]), ident
                assert geo.contains(raw[ident], found.point), ident
            else:  # a territory given as commune points only
                dots = [(round(p.x, 5), round(p.y, 5)) for p in shapely.get_parts(geometry)]
                assert found.point in dots, ident


def test_representative_point_of_a_concave_polygon() -> None:
    # a U whose centroid falls in the notch
    u = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3), (0, 0)]
    geometry = {"type": "Polygon", "coordinates": [u]}
    point = geo.representative_point(geometry)
    assert inside(point, geometry) and geo.contains(geometry, point)
    assert not geo.contains(geometry, (1.5, 2))


def test_simplify_keeps_the_shape_of_a_square() -> None:
    noisy = [(0, 0), (0.5, 0.0001), (1, 0), (1, 1), (0.5, 1.0001), (0, 1), (0, 0)]
    simple = geo.simplify({"type": "Polygon", "coordinates": [noisy]}, tolerance=0.01, digits=3)
    assert simple["type"] == "MultiPolygon"
    ((ring,),) = simple["coordinates"]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert sorted(map(tuple, ring[:-1])) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert shape(simple).equals(box(0, 0, 1, 1))
    assert LinearRing(ring).is_ccw  # GeoJSON's exterior orientation
    tiny = [(0, 0), (0.0001, 0), (0.0001, 0.0001), (0, 0)]
    kept = geo.simplify({"type": "Polygon", "coordinates": [tiny]}, tolerance=0.01, digits=4)
    assert kept["type"] == "MultiPolygon" and len(kept["coordinates"]) == 1
    dots = geo.simplify({"type": "MultiPoint", "coordinates": [[7.123456, 43.98765]]})
    assert dots == {"type": "MultiPoint", "coordinates": [[7.123, 43.988]]}


def test_territories_geojson_carries_the_store_facts(store: ox.Store) -> None:
    collection = geo.territories_geojson(store, 1)
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert len(features) == 149
    nfc = features["ti1-2707"]["properties"]
    assert nfc["label"] == "Nord Franche-Comté"
    assert (nfc["region"], nfc["region_label"]) == ("region-27", "Bourgogne-Franche-Comté")
    assert nfc["status"] == "signed"
    assert nfc["contract"]["id"] == "contrat-ti-nord-franche-comte"
    assert nfc["contract"]["signed"] == "2019-03-19"
    assert "epci-200065647" in {g["id"] for g in nfc["groupements"]}
    assert nfc["commune_count"] > 100
    assert NFC in {s["id"] for s in nfc["sources"]}
    assert nfc["href"] == "/id/ti1-2707"
    for feature in collection["features"]:
        props = feature["properties"]
        assert props["label"] and props["status"] in ("signed", "contract", "none")
        assert props["id"] == feature["id"] and props["phase"] == 1
        assert all(v is not None for k, v in props.items() if k != "contract")
    size = len(geo.dumps(collection))
    assert size < 1_000_000, size


def test_phase_2_has_no_contract_in_the_sources(store: ox.Store) -> None:
    features = geo.territories_geojson(store, 2)["features"]
    assert len(features) == 183
    assert {f["properties"]["status"] for f in features} == {"none"}
    assert all(f["id"].startswith("ti2-") for f in features)


def test_communes_of_the_sources_are_placed_in_their_territory(store: ox.Store) -> None:
    communes = {f["id"]: f for f in geo.communes_geojson(store, 1)["features"]}
    sochaux = communes["commune-25547"]
    assert sochaux["properties"]["label"] == "Sochaux"
    assert sochaux["properties"]["territory"] == "ti1-2707"
    assert sochaux["properties"]["placed"] is True
    point = tuple(sochaux["geometry"]["coordinates"])
    assert inside(point, original(1)["ti1-2707"])
    assert "site-psa-sochaux" in {t["id"] for t in sochaux["properties"]["things"]}
    assert NFC in {s["id"] for s in sochaux["properties"]["sources"]}
    for feature in communes.values():
        assert feature["properties"]["placed"] == (feature["geometry"] is not None)
    if "commune-75056" in communes:  # Paris belongs to no programme territory
        assert communes["commune-75056"]["geometry"] is None
    phase2 = {f["id"]: f for f in geo.communes_geojson(store, 2)["features"]}
    assert phase2["commune-25547"]["properties"]["territory"].startswith("ti2-")


def test_bad_phase() -> None:
    with pytest.raises(BadRequest, match="phase"):
        geo.check_phase(3)
