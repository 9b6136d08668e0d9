"""tdi-graph dump: the whole dataset in RDF and CSV, with checksums, reloadable as it was."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from tdi_graph.dump import CHECKSUMS, MANIFEST, TABLES, dump, latest, read_quads, sha256, verify
from tdi_graph.store import graph_sizes


@pytest.fixture(scope="module")
def written(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dump(store, tmp_path_factory.mktemp("dumps"), "test-build").path


def canonical(store: ox.Store) -> set[ox.Quad]:
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def test_the_nquads_reload_into_an_empty_store_with_the_same_quads(
    store: ox.Store, written: Path
) -> None:
    again = read_quads(written)
    assert len(again) == len(store)
    assert graph_sizes(again) == graph_sizes(store)
    assert canonical(again) == canonical(store)


def test_trig_and_jsonld_keep_every_graph(store: ox.Store, written: Path) -> None:
    trig = ox.Store()
    with gzip.open(written / "tdi-graph.trig.gz") as handle:
        trig.load(handle.read(), format=ox.RdfFormat.TRIG)
    assert graph_sizes(trig) == graph_sizes(store)
    document = json.loads(gzip.decompress((written / "tdi-graph.jsonld.gz").read_bytes()))
    assert document["@context"]["tdi"] == "https://w3id.org/tdi-graph/ontology#"
    jsonld = ox.Store()
    jsonld.load(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD)
    assert graph_sizes(jsonld) == graph_sizes(store)


def test_one_turtle_file_per_graph(store: ox.Store, written: Path) -> None:
    manifest = json.loads((written / MANIFEST).read_text())
    per_graph = {f["graph"]: f["path"] for f in manifest["files"] if "graph" in f}
    assert set(per_graph) == set(graph_sizes(store))
    graph = "https://w3id.org/tdi-graph/graph/cp-1114-premiers-contrats"
    turtle = ox.Store()
    turtle.load(gzip.decompress((written / per_graph[graph]).read_bytes()), ox.RdfFormat.TURTLE)
    assert len(turtle) == graph_sizes(store)[graph]


def test_manifest_and_checksums_verify(store: ox.Store, written: Path) -> None:
    manifest = json.loads((written / MANIFEST).read_text())
    assert manifest["build"] == "test-build"
    assert manifest["quads"] == len(store)
    assert verify(written) == []
    sums = (written / CHECKSUMS).read_text().splitlines()
    assert len(sums) == len(manifest["files"])
    digest, name = sums[0].split("  ")
    assert sha256(written / name) == digest
    # the standard tool agrees
    checked = subprocess.run(
        ["sha256sum", "-c", "--quiet", CHECKSUMS], cwd=written, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_damaged_file_is_named(written: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(written, tmp_path / written.name))
    assert verify(copy) == []
    with (copy / "tables" / "facts.csv").open("a") as handle:
        handle.write("tampered\n")
    assert verify(copy) == ["tables/facts.csv"]


def read_table(written: Path, name: str) -> list[dict[str, str]]:
    with (written / "tables" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_tables_a_spreadsheet_opens(written: Path) -> None:
    assert {p.stem for p in (written / "tables").iterdir()} == set(TABLES)
    signatures = read_table(written, "signatures")
    nfc = [r for r in signatures if r["act"].endswith("/signature-contrat-ti-nord-franche-comte")]
    assert {r["person_label"] for r in nfc} >= {"Éric Lombard", "Marie-Guite Dufay"}
    assert {r["date"] for r in nfc} == {"2019-03-19"}
    commitments = read_table(written, "commitments")
    bdt = [r for r in commitments if r["commitment"].endswith("/engagement-bdt-100m-par-an")]
    assert bdt and {r["amount"] for r in bdt} == {"100000000"}
    assert {r["recurrence"] for r in bdt} == {"P1Y"}
    actors = {r["label"] for r in read_table(written, "actors")}
    assert {"Jacqueline Gourault", "Bpifrance", "Pôle emploi"} <= actors
    facts = read_table(written, "facts")
    assert all(r["excerpt"] and r["document"] for r in facts)
    territories = read_table(written, "territories")
    sochaux = [r for r in territories if r["commune_insee"] == "25547"]
    assert {r["territory"].rsplit("/", 1)[-1] for r in sochaux} == {"ti1-2707", "ti2-2708"}


def test_latest_is_the_newest_complete_dump(written: Path) -> None:
    assert latest(written.parent) == written
    (written.parent / ".partial.tmp").mkdir()
    assert latest(written.parent) == written


def test_cli_dump(store_dir: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tdi_graph.cli", "dump", "--store", str(store_dir)]
        + ["-o", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "tdi-graph.nq.gz" in out.stdout
    folder = latest(tmp_path)
    assert folder is not None and verify(folder) == []
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_dump_if_missing_writes_once_per_build(store_dir: Path, tmp_path: Path) -> None:
    """``make run``'s ``dump --if-missing``: the first run writes, the next one keeps the dump;
    a damaged dump is written again."""
    command = [sys.executable, "-m", "tdi_graph.cli", "dump", "--if-missing"]
    command += ["--store", str(store_dir), "-o", str(tmp_path)]
    first = subprocess.run(command, capture_output=True, text=True)
    assert first.returncode == 0 and "tdi-graph.nq.gz" in first.stdout, first.stderr
    folder = latest(tmp_path)
    assert folder is not None
    written = (folder / "tdi-graph.nq.gz").stat().st_mtime_ns
    second = subprocess.run(command, capture_output=True, text=True)
    assert second.returncode == 0 and "already written for this build" in second.stdout
    assert (folder / "tdi-graph.nq.gz").stat().st_mtime_ns == written
    (folder / "tdi-graph.nq.gz").write_bytes(b"damaged")
    third = subprocess.run(command, capture_output=True, text=True)
    assert third.returncode == 0 and "damaged: writing it again" in third.stdout
    assert verify(folder) == []
