"""Claims from outside the programme's files: dated counts of territories, and Wikidata QIDs.

* ``reference/ti-facts``: one ``schema:Observation`` per dated claim about the number of
  territories, with its source URL;
* ``reference/wikidata``: ``skos:exactMatch`` to Wikidata for the trusted region QIDs only.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.namespaces import iri
from tdi_graph.reference.datasets import FACTS
from tdi_graph.reference.table import Row, read_table
from tdi_graph.reference.terms import (
    CITATION,
    COMMENT,
    EXACT_MATCH,
    SOURCE,
    WIKIDATA,
    XSD_DATE,
    Node,
    Triples,
    entity,
    schema,
    tdi,
    xsd_integer,
)

FACT_COLUMNS = ("date", "count_territories", "claim_paraphrased", "source_url", "source_label")
WIKIDATA_COLUMNS = ("entity_type", "code_insee", "qid", "confidence")
REGION_CONFIDENCE = frozenset({"medium-high", "high"})
_QID = re.compile(r"Q[1-9]\d*")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:/\d{2})?")


def fact_triples(ref_dir: Path) -> Triples:
    """The ``reference/ti-facts`` graph: one ``schema:Observation`` per dated claim."""
    out: Triples = []
    about, measured = iri("territoires-d-industrie"), tdi("numberOfTerritories")
    rows = read_table(ref_dir / "ti_programme_facts_external.csv", FACT_COLUMNS)
    for n, row in enumerate(rows, start=1):
        raw_date, source_label = row.req("date"), row.req("source_label")
        count = row.opt_integer("count_territories")
        url = _url(row, "source_url")
        what = f"{count} territoires" if count is not None else "nombre non précisé"
        node = iri(f"claim-ti-count-{n}")
        entity(out, node, (schema("Observation"),), f"{what} ({raw_date}, {source_label})", FACTS)
        out += [
            ox.Triple(node, schema("observationDate"), _date(row, raw_date)),
            ox.Triple(node, schema("measuredProperty"), measured),
            ox.Triple(node, schema("observationAbout"), about),
            ox.Triple(node, COMMENT, ox.Literal(row.req("claim_paraphrased"), language="en")),
            ox.Triple(node, SOURCE, url),
            ox.Triple(node, CITATION, ox.Literal(source_label)),
        ]
        if count is not None:
            out.append(ox.Triple(node, schema("value"), xsd_integer(count)))
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
    for row in read_table(ref_dir / "wikidata_qids_candidates.csv", WIKIDATA_COLUMNS):
        if row.opt("entity_type") != "region" or row.opt("confidence") not in REGION_CONFIDENCE:
            continue
        region = row.lookup(regions, "code_insee", "region")
        qid = row.req("qid")
        if not _QID.fullmatch(qid):
            raise row.error(f"qid is not a Wikidata QID: {qid!r}")
        out.append(ox.Triple(region, EXACT_MATCH, Node(WIKIDATA + qid)))
    return out
