"""The ``reference/ti-phase1`` and ``reference/ti-phase2`` graphs: the programme territories.

The ANCT ids (``ti-2707``) are reused with another meaning between phases, so the nodes are
``ti1-2707`` and ``ti2-2707`` and the two phases are never joined on the id.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.namespaces import iri
from tdi_graph.reference.cog import EPCI_ALIASES, Places
from tdi_graph.reference.datasets import PHASE1, PHASE2
from tdi_graph.reference.table import Row, read_table, unique
from tdi_graph.reference.terms import (
    COMMUNE_COUNT,
    CONTAINED_IN,
    GROUPEMENT,
    PHASE,
    REGION,
    TERRITORY_CODE,
    Node,
    Triples,
    entity,
    kinds,
    tdi,
    xsd_integer,
)

#: phase -> (stem of its two files, its dataset)
PHASES = {1: ("ti_phase1_149", PHASE1), 2: ("ti_phase2_183", PHASE2)}
TERRITORY_COLUMNS = (
    "id_ti",
    "lib_ti",
    "code_region_id",
    "codes_departements_cog2026",
    "sirens_groupements",
    "nb_communes_cog2026",
)
GROUPEMENT_COLUMNS = (
    "id_ti",
    "siren_groupement",
    "type_groupement_cog2026",
    "code_insee_if_commune",
)
_TI_ID = re.compile(r"ti-(\d{4})")


def groupement_types() -> frozenset[str]:
    """The groupement types of the programme files: the EPCI kinds, or ``COM`` (a commune)."""
    return frozenset(kinds("EpciKinds")) | frozenset(EPCI_ALIASES) | {"COM"}


def territory_triples(ref_dir: Path, phase: int, places: Places) -> Triples:
    """The ``reference/ti-phase<N>`` graph: the programme territories and their groupements."""
    stem, dataset = PHASES[phase]
    out: Triples = []
    territories: dict[str, Node] = {}
    declared: dict[str, tuple[Row, set[str]]] = {}
    cls, phase_node = tdi("ProgrammeTerritory"), tdi(f"Phase{phase}")
    for row in read_table(ref_dir / f"{stem}_territoires.csv", TERRITORY_COLUMNS):
        code = row.req("id_ti")
        match = _TI_ID.fullmatch(code)
        if not match:
            raise row.error(f"id_ti {code!r} is not of the form ti-NNNN")
        node = iri(f"ti{phase}-{match[1]}")
        unique(territories, code, node, row, "territory")
        declared[code] = (row, set(row.codes("sirens_groupements")))
        entity(out, node, (cls,), row.req("lib_ti"), dataset)
        out += [
            ox.Triple(node, TERRITORY_CODE, ox.Literal(code)),
            ox.Triple(node, PHASE, phase_node),
            ox.Triple(node, REGION, row.lookup(places.regions, "code_region_id", "region")),
            ox.Triple(node, COMMUNE_COUNT, xsd_integer(row.integer("nb_communes_cog2026"))),
        ]
        for dep in row.codes("codes_departements_cog2026"):
            target = row.lookup(
                places.departements, "codes_departements_cog2026", "département", dep
            )
            out.append(ox.Triple(node, CONTAINED_IN, target))
    found = _groupements(ref_dir / f"{stem}_groupements.csv", out, territories, places)
    for code, (row, sirens) in declared.items():
        if sirens != found.get(code, set()):
            raise row.error(f"sirens_groupements of {code} differ from the groupements file")
    return out


def _groupements(
    path: Path, out: Triples, territories: dict[str, Node], places: Places
) -> dict[str, set[str]]:
    """Add ``tdi:groupement`` triples; return the SIRENs listed per territory code."""
    found: dict[str, set[str]] = {}
    types = groupement_types()
    for row in read_table(path, GROUPEMENT_COLUMNS):
        territory = row.lookup(territories, "id_ti", "territory of the territories file")
        siren = row.siren("siren_groupement")
        kind = row.req("type_groupement_cog2026")
        if kind not in types:
            raise row.error(
                f"type_groupement_cog2026 {kind!r} is not one of {', '.join(sorted(types))}"
            )
        if kind == "COM":
            member = row.lookup(places.communes, "code_insee_if_commune", "commune")
        else:
            member = row.lookup(places.epcis, "siren_groupement", "EPCI", siren)
        out.append(ox.Triple(territory, GROUPEMENT, member))
        found.setdefault(row["id_ti"].strip(), set()).add(siren)
    return found
