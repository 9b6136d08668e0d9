"""The reference datasets (``dcat:Dataset``), described in Turtle beside the CSV files.

``datasets.ttl`` in the reference directory gives each origin of the files its record (label,
title, origin, description, licence); the converters point every entity at one with
``dct:source``. The ids they use are checked against the file, so a converter cannot cite a
dataset the file does not describe.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from tdi_graph.errors import DataError
from tdi_graph.namespaces import iri
from tdi_graph.reference.terms import A, Node, Triples

DATASETS_FILE = "datasets.ttl"
DCAT_DATASET = Node("http://www.w3.org/ns/dcat#Dataset")

#: The dataset of each converter (ids of ``datasets.ttl``).
COG = iri("dataset-cog2026")
PHASE1 = iri("dataset-ti-phase1")
PHASE2 = iri("dataset-ti-phase2")
FACTS = iri("dataset-ti-facts")
WIKIDATA_REGIONS = iri("dataset-wikidata-regions")
USED = (COG, PHASE1, PHASE2, FACTS, WIKIDATA_REGIONS)


def dataset_triples(ref_dir: Path) -> Triples:
    """The triples of ``ref_dir/datasets.ttl``: one ``dcat:Dataset`` node per dataset.

    Every dataset a converter cites must be described there, and only datasets are.
    """
    path = Path(ref_dir) / DATASETS_FILE
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise DataError(f"{path}:{exc.lineno}:{exc.offset}: {exc.msg}") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    described = {t.subject for t in triples if t.predicate == A and t.object == DCAT_DATASET}
    missing = [node.value for node in USED if node not in described]
    if missing:
        raise DataError(f"{path}: no dcat:Dataset for {', '.join(missing)}")
    others = sorted(str(s) for s in {t.subject for t in triples} - described)
    if others:
        raise DataError(f"{path}: describes {', '.join(others)}, which are not dcat:Dataset")
    return triples
