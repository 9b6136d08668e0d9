"""Convert the reference CSV files of ``data/reference/`` into RDF triples, one list per graph.

The files and their caveats are described in ``data/reference/SOURCES.md``. Every check that
fails raises :class:`~tdi_graph.errors.DataError` with ``FILE:LINE: what is wrong``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from tdi_graph.errors import DataError
from tdi_graph.gctools import gc_paused
from tdi_graph.namespaces import PREFIXES, TDI, iri

Triples = list[ox.Triple]
Node = ox.NamedNode
T = TypeVar("T")


def _ns(prefix: str) -> Callable[[str], Node]:
    """A term factory for one of the shared prefixes."""
    base = PREFIXES[prefix]
    return lambda local: Node(base + local)


_rdf, _rdfs, _skos, _dct = _ns("rdf"), _ns("rdfs"), _ns("skos"), _ns("dct")
_prov, _schema, _xsd = _ns("prov"), _ns("schema"), _ns("xsd")


def _tdi(local: str) -> Node:
    return Node(TDI + local)


A = _rdf("type")
LABEL, COMMENT = _rdfs("label"), _rdfs("comment")
PREF_LABEL, EXACT_MATCH = _skos("prefLabel"), _skos("exactMatch")
SOURCE, TITLE, LICENSE = _dct("source"), _dct("title"), _dct("license")
DESCRIPTION, CITATION = _dct("description"), _dct("bibliographicCitation")
DERIVED_FROM, PROV_ENTITY = _prov("wasDerivedFrom"), _prov("Entity")
CONTAINED_IN, POSTAL_CODE = _schema("containedInPlace"), _schema("postalCode")
XSD_INTEGER, XSD_DATE = _xsd("integer"), _xsd("date")
DCAT_DATASET = Node("http://www.w3.org/ns/dcat#Dataset")
WIKIDATA = PREFIXES["wd"]
LICENCE_OUVERTE = Node("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")

INSEE_CODE, SIREN, POPULATION = _tdi("inseeCode"), _tdi("siren"), _tdi("population")
COMMUNE_COUNT, INTERCOMMUNALITY = _tdi("communeCount"), _tdi("intercommunality")
PARENT_COMMUNE, COMMUNE_KIND, EPCI_KIND = (
    _tdi("parentCommune"),
    _tdi("communeKind"),
    _tdi("epciKind"),
)
HAS_MEMBER, GROUPEMENT, REGION = _tdi("hasMember"), _tdi("groupement"), _tdi("region")
TERRITORY_CODE, PHASE = _tdi("territoryCode"), _tdi("phase")

#: commune ``type`` -> (tdi:communeKind, suffix of the id). INSEE gives a commune nouvelle the
#: code of its chef-lieu, so 584 delegated communes share their code with the current commune.
COMMUNE_KINDS: dict[str, tuple[Node, str]] = {
    "commune-actuelle": (_tdi("CommuneActuelle"), ""),
    "arrondissement-municipal": (_tdi("ArrondissementMunicipal"), ""),
    "commune-deleguee": (_tdi("CommuneDeleguee"), "-deleguee"),
    "commune-associee": (_tdi("CommuneAssociee"), "-associee"),
}
#: EPCI ``type`` -> tdi:epciKind. MET69 (Métropole de Lyon, a collectivité à statut particulier
#: that the DGCL lists among the EPCI) is filed as a métropole.
EPCI_KINDS: dict[str, Node] = {k: _tdi(k) for k in ("CC", "CA", "CU", "METRO", "EPT")}
EPCI_KINDS["MET69"] = EPCI_KINDS["METRO"]
GROUPEMENT_TYPES = frozenset(EPCI_KINDS) | {"COM"}
REGION_CONFIDENCE = frozenset({"medium-high", "high"})
#: The files converted here (the others of data/reference/ are only kept, see its README).
CSV_FILES = (
    "cog2026_regions.csv",
    "cog2026_departements.csv",
    "cog2026_epci.csv",
    "cog2026_communes.csv",
    "cog2026_epci_membres.csv",
    "ti_phase1_149_territoires.csv",
    "ti_phase1_149_groupements.csv",
    "ti_phase2_183_territoires.csv",
    "ti_phase2_183_groupements.csv",
    "ti_programme_facts_external.csv",
    "wikidata_qids_candidates.csv",
)

_TI_ID = re.compile(r"ti-(\d{4})")
_QID = re.compile(r"Q[1-9]\d*")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:/\d{2})?")


# --- reading -------------------------------------------------------------------------------


class Row(dict[str, str]):
    """One CSV record that knows where it comes from, with checked accessors."""

    __slots__ = ("path", "line")

    path: Path
    line: int

    def error(self, message: str) -> DataError:
        """A :class:`DataError` pointing at this row."""
        return DataError(f"{self.path}:{self.line}: {message}")

    def opt(self, column: str) -> str:
        """The value of ``column``, stripped (also of non-breaking spaces); may be empty."""
        return self[column].strip()

    def req(self, column: str) -> str:
        """The value of ``column``; an empty value is an error."""
        value = self[column].strip()
        if not value:
            raise self.error(f"empty {column}")
        return value

    def integer(self, column: str) -> int:
        """The value of ``column`` as an integer."""
        value = self[column].strip()
        try:
            return int(value)
        except ValueError:
            raise self.error(f"{column} is not an integer: {value!r}") from None

    def opt_integer(self, column: str) -> int | None:
        """The value of ``column`` as an integer, ``None`` if empty."""
        return self.integer(column) if self[column].strip() else None

    def code(self, column: str) -> str:
        """An official code (INSEE, ANCT...): ASCII letters and digits, so it fits in an IRI."""
        value = self.req(column)
        if not (value.isascii() and value.isalnum()):
            raise self.error(f"{column} is not a code of ASCII letters and digits: {value!r}")
        return value

    def siren(self, column: str, required: bool = True) -> str:
        """A 9-digit SIREN number (``""`` if empty and not required)."""
        value = self.req(column) if required else self.opt(column)
        if value and not (len(value) == 9 and value.isascii() and value.isdigit()):
            raise self.error(f"{column} is not a 9-digit SIREN: {value!r}")
        return value

    def codes(self, column: str) -> list[str]:
        """The ``|``-separated values of ``column``."""
        value = self[column]
        if "|" not in value:  # the usual case, kept fast
            value = value.strip()
            return [value] if value else []
        return [v for v in (p.strip() for p in value.split("|")) if v]

    def lookup(self, table: Mapping[str, T], column: str, what: str, value: str = "") -> T:
        """The node of ``value`` (default: the column's value) in ``table``; unknown is an error."""
        key = value or self.req(column)
        try:
            return table[key]
        except KeyError:
            raise self.error(f"{column} {key!r} is not a known {what}") from None


def read_table(path: Path, columns: Iterable[str]) -> list[Row]:
    """The records of a UTF-8 CSV file with a header holding at least ``columns``."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return _records(path, f, list(columns))
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _records(path: Path, lines: Iterable[str], columns: list[str]) -> list[Row]:
    reader = csv.reader(lines)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        if not header:
            raise DataError(f"{path}:1: no header row")
        if len(set(header)) != len(header):
            raise DataError(f"{path}:1: a column name appears twice")
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
        width, rows = len(header), []
        for fields in reader:
            if not fields:  # a blank line
                continue
            if len(fields) != width:
                raise DataError(
                    f"{path}:{reader.line_num}: {len(fields)} fields, the header has {width}"
                )
            row = Row(zip(header, fields, strict=True))
            row.path, row.line = path, reader.line_num
            rows.append(row)
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}:{reader.line_num + 1}: not UTF-8 ({exc.reason})") from None
    return rows


# --- terms -----------------------------------------------------------------------------------


def xsd_integer(value: int) -> ox.Literal:
    """An ``xsd:integer`` literal."""
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def entity(out: Triples, node: Node, classes: Iterable[Node], name: str, source: Node) -> None:
    """The triples every entity has: types, ``rdfs:label`` and ``skos:prefLabel`` @fr, source."""
    label = ox.Literal(name, language="fr")
    out.extend(ox.Triple(node, A, c) for c in classes)
    out += [
        ox.Triple(node, LABEL, label),
        ox.Triple(node, PREF_LABEL, label),
        ox.Triple(node, SOURCE, source),
    ]


def _unique(table: dict[str, Node], key: str, node: Node, row: Row, what: str) -> None:
    if key in table:
        raise row.error(f"duplicate {what} {key!r}")
    table[key] = node


# --- datasets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """One reference dataset: the origin of a group of CSV files."""

    id: str
    label_fr: str
    title_en: str
    derived_from: str
    description: str
    licence: bool  # Licence Ouverte 2.0, as SOURCES.md says

    @property
    def node(self) -> Node:
        return iri(self.id)


COG = Dataset(
    "dataset-cog2026",
    "Code officiel géographique 2026 : régions, départements, communes, EPCI",
    "INSEE Code officiel géographique 2026: regions, départements, communes and EPCI",
    "npm @etalab/decoupage-administratif 6.0.0 (github.com/datagouv/decoupage-administratif) "
    "data/{regions,departements,arrondissements,communes,epci,ept}.json",
    "Files cog2026_*.csv, reshaped from the package; its sources are INSEE COG 2026, DGCL "
    "epcicom2026.xlsx, INSEE legal populations and La Poste postal codes.",
    True,
)
PHASE1 = Dataset(
    "dataset-ti-phase1",
    "Territoires d'industrie, phase 1 (149 territoires arrêtés fin 2022)",
    "Territoires d'industrie phase 1: 149 territories (list 'arrêtés fin 2022')",
    "anct-carto/superposeur-V2 data/admin/polygone-4326_ti.geojson "
    "@ 6ca770ace870e605ef330fe77d9e6fc8d3158f71, from data.gouv.fr dataset "
    "programme-territoires-dindustrie resource a1aca2c0-5a34-4a21-82bf-74ff0daf16db",
    "Files ti_phase1_149_*.csv. The origin does not label itself as phase 1 (see SOURCES.md); "
    "columns ending in _cog2026 are joins against COG 2026. The licence is the data.gouv.fr "
    "one (the GitHub repository has no licence file).",
    True,
)
PHASE2 = Dataset(
    "dataset-ti-phase2",
    "Territoires d'industrie, phase 2 (183 territoires, 2023-2027)",
    "Territoires d'industrie phase 2 (2023-2027): 183 territories",
    "anct-carto/superposeur-anct data/geom/geojsonV2/ti_geom.geojson "
    "@ 5c5ffe30cc5d4a0e05a99d30a316d196e180f96a, built from ANCT liste-ti-20240704.csv "
    "and liste-ti-grpt2023-20240704.csv (COG 2023)",
    "Files ti_phase2_183_*.csv; columns ending in _cog2026 are joins against COG 2026. "
    "Attribution: ANCT.",
    True,
)
FACTS = Dataset(
    "dataset-ti-facts",
    "Affirmations datées sur le nombre de Territoires d'industrie",
    "Dated external claims about the number of Territoires d'industrie",
    "public web pages (senat.fr, cget.gouv.fr, data.gouv.fr, cohesion-territoires.gouv.fr, press) "
    "and two GitHub repositories; each claim cites its URL",
    "File ti_programme_facts_external.csv: one row per dated claim, paraphrased, not quoted.",
    False,
)
WIKIDATA_REGIONS = Dataset(
    "dataset-wikidata-regions",
    "Identifiants Wikidata des régions",
    "Wikidata QIDs of the regions",
    "wikidata_qids_candidates.csv: region QIDs seen in at least 4 independent public GitHub "
    "files (code index ids in the source_file_ids column)",
    "Only the region rows rated medium-high or high are converted; the département, person "
    "and organisation QIDs of the same file are unverified and left out.",
    False,
)
DATASETS = (COG, PHASE1, PHASE2, FACTS, WIKIDATA_REGIONS)


def dataset_triples(datasets: Iterable[Dataset] = DATASETS) -> Triples:
    """One ``dcat:Dataset`` node per reference dataset."""
    out: Triples = []
    for d in datasets:
        node = d.node
        label = ox.Literal(d.label_fr, language="fr")
        out += [
            ox.Triple(node, A, DCAT_DATASET),
            ox.Triple(node, A, PROV_ENTITY),
            ox.Triple(node, LABEL, label),
            ox.Triple(node, PREF_LABEL, label),
            ox.Triple(node, TITLE, ox.Literal(d.title_en, language="en")),
            ox.Triple(node, DERIVED_FROM, ox.Literal(d.derived_from)),
            ox.Triple(node, DESCRIPTION, ox.Literal(d.description, language="en")),
        ]
        if d.licence:
            out.append(ox.Triple(node, LICENSE, LICENCE_OUVERTE))
    return out


# --- COG 2026 --------------------------------------------------------------------------------


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
        _unique(regions, code, node, row, "region")
        entity(out, node, (_tdi("Region"),), row.req("nom"), COG.node)
        out.append(ox.Triple(node, INSEE_CODE, ox.Literal(code)))
    return regions


def _departements(ref_dir: Path, out: Triples, regions: dict[str, Node]) -> dict[str, Node]:
    deps: dict[str, Node] = {}
    columns = ("code_departement", "nom", "code_region")
    for row in read_table(ref_dir / "cog2026_departements.csv", columns):
        code = row.code("code_departement")
        node = iri(f"departement-{code}")
        _unique(deps, code, node, row, "département")
        entity(out, node, (_tdi("Departement"),), row.req("nom"), COG.node)
        out += [
            ox.Triple(node, INSEE_CODE, ox.Literal(code)),
            ox.Triple(node, CONTAINED_IN, row.lookup(regions, "code_region", "region")),
        ]
    return deps


def _epcis(ref_dir: Path, out: Triples, deps: dict[str, Node]) -> dict[str, Node]:
    epcis: dict[str, Node] = {}
    columns = ("siren", "nom", "type", "population_totale", "nb_communes", "codes_departements")
    classes = (_tdi("Intercommunality"), _tdi("EPCI"))
    for row in read_table(ref_dir / "cog2026_epci.csv", columns):
        siren = row.siren("siren")
        kind = row.lookup(EPCI_KINDS, "type", "EPCI type (CC, CA, CU, METRO, MET69, EPT)")
        node = iri(f"epci-{siren}")
        _unique(epcis, siren, node, row, "EPCI")
        entity(out, node, classes, row.req("nom"), COG.node)
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


def _communes(ref_dir: Path, out: Triples, places: Places) -> None:
    """Every row of the communes file, current or not, in one pass."""
    seen: set[str] = set()
    pending: list[tuple[Row, str]] = []  # (row, parent code): parents may come later
    cache: dict[str, ox.Literal] = {}  # postal codes and populations repeat
    cls, communes = _tdi("Commune"), places.communes
    for row in read_table(ref_dir / "cog2026_communes.csv", COMMUNE_COLUMNS):
        code = row.code("code_insee")
        kind, suffix = row.lookup(COMMUNE_KINDS, "type", "commune type")
        if code + suffix in seen:
            raise row.error(f"duplicate commune {code!r} ({row['type'].strip()})")
        seen.add(code + suffix)
        node = iri(f"commune-{code}{suffix}")
        if not suffix:
            communes[code] = node
        entity(out, node, (cls,), row.req("nom"), COG.node)
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


# --- programme territories -----------------------------------------------------------------


def territory_triples(ref_dir: Path, phase: int, places: Places) -> Triples:
    """The ``reference/ti-phase<N>`` graph: the programme territories and their groupements."""
    stem, dataset = {1: ("ti_phase1_149", PHASE1), 2: ("ti_phase2_183", PHASE2)}[phase]
    out: Triples = []
    columns = (
        "id_ti",
        "lib_ti",
        "code_region_id",
        "codes_departements_cog2026",
        "sirens_groupements",
        "nb_communes_cog2026",
    )
    territories: dict[str, Node] = {}
    declared: dict[str, tuple[Row, set[str]]] = {}
    cls, phase_node = _tdi("ProgrammeTerritory"), _tdi(f"Phase{phase}")
    for row in read_table(ref_dir / f"{stem}_territoires.csv", columns):
        code = row.req("id_ti")
        match = _TI_ID.fullmatch(code)
        if not match:
            raise row.error(f"id_ti {code!r} is not of the form ti-NNNN")
        node = iri(f"ti{phase}-{match[1]}")
        _unique(territories, code, node, row, "territory")
        declared[code] = (row, set(row.codes("sirens_groupements")))
        entity(out, node, (cls,), row.req("lib_ti"), dataset.node)
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
    columns = ("id_ti", "siren_groupement", "type_groupement_cog2026", "code_insee_if_commune")
    found: dict[str, set[str]] = {}
    for row in read_table(path, columns):
        territory = row.lookup(territories, "id_ti", "territory of the territories file")
        siren = row.siren("siren_groupement")
        kind = row.req("type_groupement_cog2026")
        if kind not in GROUPEMENT_TYPES:
            raise row.error(
                f"type_groupement_cog2026 {kind!r} is not one of "
                f"{', '.join(sorted(GROUPEMENT_TYPES))}"
            )
        if kind == "COM":
            member = row.lookup(places.communes, "code_insee_if_commune", "commune")
        else:
            member = row.lookup(places.epcis, "siren_groupement", "EPCI", siren)
        out.append(ox.Triple(territory, GROUPEMENT, member))
        found.setdefault(row["id_ti"].strip(), set()).add(siren)
    return found


# --- external claims, Wikidata --------------------------------------------------------------


def fact_triples(ref_dir: Path) -> Triples:
    """The ``reference/ti-facts`` graph: one ``schema:Observation`` per dated claim."""
    out: Triples = []
    columns = ("date", "count_territories", "claim_paraphrased", "source_url", "source_label")
    about, measured = iri("territoires-d-industrie"), _tdi("numberOfTerritories")
    rows = read_table(ref_dir / "ti_programme_facts_external.csv", columns)
    for n, row in enumerate(rows, start=1):
        raw_date, source_label = row.req("date"), row.req("source_label")
        count = row.opt_integer("count_territories")
        url = _url(row, "source_url")
        what = f"{count} territoires" if count is not None else "nombre non précisé"
        node = iri(f"claim-ti-count-{n}")
        entity(
            out, node, (_schema("Observation"),), f"{what} ({raw_date}, {source_label})", FACTS.node
        )
        out += [
            ox.Triple(node, _schema("observationDate"), _date(row, raw_date)),
            ox.Triple(node, _schema("measuredProperty"), measured),
            ox.Triple(node, _schema("observationAbout"), about),
            ox.Triple(node, COMMENT, ox.Literal(row.req("claim_paraphrased"), language="en")),
            ox.Triple(node, SOURCE, url),
            ox.Triple(node, CITATION, ox.Literal(source_label)),
        ]
        if count is not None:
            out.append(ox.Triple(node, _schema("value"), xsd_integer(count)))
    return out


def _url(row: Row, column: str) -> Node:
    """An absolute http(s) IRI."""
    value = row.req(column)
    try:
        if value.startswith(("http://", "https://")):
            return Node(value)
    except ValueError:
        pass
    raise row.error(f"{column} is not an http(s) IRI: {value!r}")


def _date(row: Row, raw: str) -> ox.Literal:
    """An ``xsd:date``; for a range of days such as ``2018-11-21/22``, its first day."""
    match = _DATE.fullmatch(raw)
    try:
        day = dt.date.fromisoformat(match[1]) if match else None
    except ValueError:
        day = None
    if day is None:
        raise row.error(f"date is not YYYY-MM-DD (or YYYY-MM-DD/DD): {raw!r}")
    return ox.Literal(day.isoformat(), datatype=XSD_DATE)


def wikidata_triples(ref_dir: Path, regions: dict[str, Node]) -> Triples:
    """The ``reference/wikidata`` graph: ``skos:exactMatch`` for the trusted region QIDs only."""
    out: Triples = []
    columns = ("entity_type", "code_insee", "qid", "confidence")
    for row in read_table(ref_dir / "wikidata_qids_candidates.csv", columns):
        if row.opt("entity_type") != "region" or row.opt("confidence") not in REGION_CONFIDENCE:
            continue
        region = row.lookup(regions, "code_insee", "region")
        qid = row.req("qid")
        if not _QID.fullmatch(qid):
            raise row.error(f"qid is not a Wikidata QID: {qid!r}")
        out.append(ox.Triple(region, EXACT_MATCH, Node(WIKIDATA + qid)))
    return out


# --- all together ------------------------------------------------------------------------------


def reference_graphs(ref_dir: Path) -> dict[str, Triples]:
    """Every reference graph of ``ref_dir``: graph local name -> triples."""
    ref_dir = Path(ref_dir)
    missing = [name for name in CSV_FILES if not (ref_dir / name).is_file()]
    if missing:
        raise DataError(f"{ref_dir}: missing file(s) {', '.join(missing)}")
    with gc_paused():
        cog, places = cog_triples(ref_dir)
        return {
            "reference/cog2026": cog,
            "reference/ti-phase1": territory_triples(ref_dir, 1, places),
            "reference/ti-phase2": territory_triples(ref_dir, 2, places),
            "reference/ti-facts": fact_triples(ref_dir),
            "reference/wikidata": wikidata_triples(ref_dir, places.regions),
            "reference/datasets": dataset_triples(),
        }
