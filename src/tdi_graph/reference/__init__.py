"""Convert the reference CSV files of ``data/reference/`` into RDF triples, one list per graph.

The files and their caveats are described in ``data/reference/SOURCES.md``. Every check that
fails raises :class:`~tdi_graph.errors.DataError` with ``FILE:LINE: what is wrong``.

The package follows the seams of the job:

* :mod:`~tdi_graph.reference.table`: the checked CSV reader (``Row``, ``read_table``);
* :mod:`~tdi_graph.reference.terms`: the RDF terms, and the code lists read from the vocabulary;
* :mod:`~tdi_graph.reference.datasets`: the ``dcat:Dataset`` records of ``datasets.ttl``;
* one converter per group of files: :mod:`~tdi_graph.reference.cog` (COG 2026),
  :mod:`~tdi_graph.reference.territories` (the programme's two phases) and
  :mod:`~tdi_graph.reference.external` (dated claims, Wikidata).

:func:`reference_graphs` remembers its last answers by the content hash of its inputs, so a
process that converts the same files twice (``validate`` then ``load``) converts them once.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path

from tdi_graph.errors import DataError
from tdi_graph.gctools import gc_paused
from tdi_graph.reference.cog import COMMUNE_COLUMNS, Places, cog_triples, commune_kinds, epci_kinds
from tdi_graph.reference.datasets import DATASETS_FILE, dataset_triples
from tdi_graph.reference.external import fact_triples, wikidata_triples
from tdi_graph.reference.table import Row, read_table
from tdi_graph.reference.terms import GEOGRAPHY, Triples
from tdi_graph.reference.territories import territory_triples
from tdi_graph.resources import ontology_dir

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
INPUTS = (*CSV_FILES, DATASETS_FILE)

_MEMO: OrderedDict[str, dict[str, Triples]] = OrderedDict()
_MEMO_SIZE = 2


def inputs_digest(ref_dir: Path) -> str:
    """SHA-256 of every input of the conversion: the files of ``ref_dir`` and the vocabulary."""
    digest = hashlib.sha256()
    for path in (*(ref_dir / name for name in INPUTS), ontology_dir() / GEOGRAPHY):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def reference_graphs(ref_dir: Path) -> dict[str, Triples]:
    """Every reference graph of ``ref_dir``: graph local name -> triples (do not modify them)."""
    ref_dir = Path(ref_dir)
    missing = [name for name in INPUTS if not (ref_dir / name).is_file()]
    if missing:
        raise DataError(f"{ref_dir}: missing file(s) {', '.join(missing)}")
    key = inputs_digest(ref_dir)
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return dict(_MEMO[key])
    with gc_paused():
        cog, places = cog_triples(ref_dir)
        graphs = {
            "reference/cog2026": cog,
            "reference/ti-phase1": territory_triples(ref_dir, 1, places),
            "reference/ti-phase2": territory_triples(ref_dir, 2, places),
            "reference/ti-facts": fact_triples(ref_dir),
            "reference/wikidata": wikidata_triples(ref_dir, places.regions),
            "reference/datasets": dataset_triples(ref_dir),
        }
    _MEMO[key] = graphs
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return dict(graphs)


__all__ = [
    "COMMUNE_COLUMNS",
    "CSV_FILES",
    "Places",
    "Row",
    "cog_triples",
    "commune_kinds",
    "dataset_triples",
    "epci_kinds",
    "fact_triples",
    "inputs_digest",
    "read_table",
    "reference_graphs",
    "territory_triples",
    "wikidata_triples",
]
