"""The ``reference/cog2026`` graph: regions, départements, EPCI and communes of COG 2026."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.namespaces import iri
from tdi_graph.reference.datasets import COG
from tdi_graph.reference.table import Row, read_table, unique
from tdi_graph.reference.terms import (
    COMMUNE_COUNT,
    COMMUNE_KIND,
    CONTAINED_IN,
    EPCI_KIND,
    HAS_MEMBER,
    INSEE_CODE,
    INTERCOMMUNALITY,
    PARENT_COMMUNE,
    POPULATION,
    POSTAL_CODE,
    SIREN,
    Node,
    Triples,
    entity,
    kinds,
    tdi,
    xsd_integer,
)

#: The suffix of the id of a commune kind whose code a current commune may also have: INSEE
#: gives a commune nouvelle the code of its chef-lieu, so 584 delegated communes share their
#: code with the current commune.
ID_SUFFIXES = {"commune-deleguee": "-deleguee", "commune-associee": "-associee"}
#: The EPCI type MET69 (Métropole de Lyon, a collectivité à statut particulier that the DGCL
#: lists among the EPCI) is filed as a métropole.
EPCI_ALIASES = {"MET69": "METRO"}

COMMUNE_COLUMNS = (
    "code_insee",
    "nom",
    "type",
    "commune_parente",
    "code_departement",
    "siren",
    "siren_epci",
    "siren_ept",
    "codes_postaux",
    "population",
)


def commune_kinds() -> dict[str, tuple[Node, str]]:
    """Commune ``type`` -> (``tdi:communeKind``, suffix of the id), from the vocabulary."""
    return {code: (kind, ID_SUFFIXES.get(code, "")) for code, kind in kinds("CommuneKinds").items()}


def epci_kinds() -> dict[str, Node]:
    """EPCI ``type`` -> ``tdi:epciKind``: the vocabulary's notations plus ``EPCI_ALIASES``."""
    table = dict(kinds("EpciKinds"))
    table.update({alias: table[code] for alias, code in EPCI_ALIASES.items()})
    return table


@dataclass
class Places:
    """The COG 2026 nodes by code, for the other graphs to point at."""

    regions: dict[str, Node]
    departements: dict[str, Node]
    communes: dict[str, Node]  # current communes and municipal arrondissements, by INSEE code
    epcis: dict[str, Node]  # by SIREN


def _regions(ref_dir: Path, out: Triples) -> dict[str, Node]:
    regions: dict[str, Node] = {}
    for row in read_table(ref_dir / "cog2026_regions.csv", ("code_region", "nom")):
        code = row.code("code_region")
        node = iri(f"region-{code}")
        unique(regions, code, node, row, "region")
        entity(out, node, (tdi("Region"),), row.req("nom"), COG)
        out.append(ox.Triple(node, INSEE_CODE, ox.Literal(code)))
    return regions


def _departements(ref_dir: Path, out: Triples, regions: dict[str, Node]) -> dict[str, Node]:
    deps: dict[str, Node] = {}
    columns = ("code_departement", "nom", "code_region")
    for row in read_table(ref_dir / "cog2026_departements.csv", columns):
        code = row.code("code_departement")
        node = iri(f"departement-{code}")
        unique(deps, code, node, row, "département")
        entity(out, node, (tdi("Departement"),), row.req("nom"), COG)
        out += [
            ox.Triple(node, INSEE_CODE, ox.Literal(code)),
            ox.Triple(node, CONTAINED_IN, row.lookup(regions, "code_region", "region")),
        ]
    return deps


def _epcis(ref_dir: Path, out: Triples, deps: dict[str, Node]) -> dict[str, Node]:
    epcis: dict[str, Node] = {}
    columns = ("siren", "nom", "type", "population_totale", "nb_communes", "codes_departements")
    classes = (tdi("Intercommunality"), tdi("EPCI"))
    table = epci_kinds()
    what = f"EPCI type ({', '.join(sorted(table))})"
    for row in read_table(ref_dir / "cog2026_epci.csv", columns):
        siren = row.siren("siren")
        kind = row.lookup(table, "type", what)
        node = iri(f"epci-{siren}")
        unique(epcis, siren, node, row, "EPCI")
        entity(out, node, classes, row.req("nom"), COG)
        out += [
            ox.Triple(node, SIREN, ox.Literal(siren)),
            ox.Triple(node, EPCI_KIND, kind),
            ox.Triple(node, POPULATION, xsd_integer(row.integer("population_totale"))),
            ox.Triple(node, COMMUNE_COUNT, xsd_integer(row.integer("nb_communes"))),
        ]
        for code in row.codes("codes_departements"):
            dep = row.lookup(deps, "codes_departements", "département", code)
            out.append(ox.Triple(node, CONTAINED_IN, dep))
    return epcis


def _communes(ref_dir: Path, out: Triples, places: Places) -> None:
    """Every row of the communes file, current or not, in one pass."""
    seen: set[str] = set()
    pending: list[tuple[Row, str]] = []  # (row, parent code): parents may come later
    cache: dict[str, ox.Literal] = {}  # postal codes and populations repeat
    cls, communes, table = tdi("Commune"), places.communes, commune_kinds()
    for row in read_table(ref_dir / "cog2026_communes.csv", COMMUNE_COLUMNS):
        code = row.code("code_insee")
        kind, suffix = row.lookup(table, "type", "commune type")
        if code + suffix in seen:
            raise row.error(f"duplicate commune {code!r} ({row['type'].strip()})")
        seen.add(code + suffix)
        node = iri(f"commune-{code}{suffix}")
        if not suffix:
            communes[code] = node
        entity(out, node, (cls,), row.req("nom"), COG)
        dep = row.lookup(places.departements, "code_departement", "département")
        out += [
            ox.Triple(node, INSEE_CODE, ox.Literal(code)),
            ox.Triple(node, COMMUNE_KIND, kind),
            ox.Triple(node, CONTAINED_IN, dep),
        ]
        parent = row.opt("commune_parente")
        if parent:
            pending.append((row, parent))
            out.append(ox.Triple(node, PARENT_COMMUNE, iri(f"commune-{parent}")))
        _commune_facts(out, node, row, places.epcis, cache)
    for row, parent in pending:
        row.lookup(communes, "commune_parente", "current commune", parent)


def _commune_facts(
    out: Triples, node: Node, row: Row, epcis: dict[str, Node], cache: dict[str, ox.Literal]
) -> None:
    """The optional facts of a commune: SIREN, EPCI and EPT, population, postal codes."""
    siren = row.siren("siren", required=False)
    if siren:
        out.append(ox.Triple(node, SIREN, ox.Literal(siren)))
    for column in ("siren_epci", "siren_ept"):
        siren = row.opt(column)
        if siren:  # every known SIREN was checked when the EPCI file was read
            out.append(ox.Triple(node, INTERCOMMUNALITY, row.lookup(epcis, column, "EPCI", siren)))
    population = row.opt_integer("population")
    if population is not None:
        key = f"#{population}"
        literal = cache.get(key) or cache.setdefault(key, xsd_integer(population))
        out.append(ox.Triple(node, POPULATION, literal))
    for cp in row.codes("codes_postaux"):
        literal = cache.get(cp) or cache.setdefault(cp, ox.Literal(cp))
        out.append(ox.Triple(node, POSTAL_CODE, literal))


def _members(ref_dir: Path, out: Triples, places: Places) -> None:
    columns = ("siren_groupement", "code_insee_commune")
    for row in read_table(ref_dir / "cog2026_epci_membres.csv", columns):
        epci = row.lookup(places.epcis, "siren_groupement", "EPCI", row.siren("siren_groupement"))
        commune = row.lookup(places.communes, "code_insee_commune", "commune")
        out.append(ox.Triple(epci, HAS_MEMBER, commune))


def cog_triples(ref_dir: Path) -> tuple[Triples, Places]:
    """The ``reference/cog2026`` graph, and its nodes by code."""
    out: Triples = []
    regions = _regions(ref_dir, out)
    deps = _departements(ref_dir, out, regions)
    places = Places(regions, deps, {}, _epcis(ref_dir, out, deps))
    _communes(ref_dir, out, places)
    _members(ref_dir, out, places)
    return out, places
