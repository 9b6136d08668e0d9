"""Building the store: what goes in, how fast it reports, and atomicity on broken input.

The loads here run on small inputs: the curated data with the reference sample of
``tests/fixtures/reference``, or a tiny project of a few triples. The full load of the real
data is in ``tests/test_full.py``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from tdi_graph.errors import DataError, StoreMissing, ValidationFailed
from tdi_graph.load import collect_curated, curated_files, load
from tdi_graph.resources import data_dir, ontology_dir
from tdi_graph.store import current_build, derived_path, graph_sizes, open_store
from tests.fixtures import REFERENCE

GRAPH = "https://w3id.org/tdi-graph/graph/"


def test_one_named_graph_per_source_plus_ontology_and_reference(store: ox.Store) -> None:
    sizes = graph_sizes(store)
    for name in (
        "cp-bdt-2019-03-20-nord-franche-comte",
        "article-bdt-assemblee-generale-2019",
        "cp-1076-conventions-de-mobilisation",
        "cp-bdt-2020-11-02-relance-industrie",
        "cp-1114-premiers-contrats",
        "entities",
        "curation",
        "ontology",
        "shapes",
        "reference/cog2026",
        "reference/ti-phase1",
        "reference/ti-phase2",
        "reference/ti-facts",
        "reference/wikidata",
        "reference/datasets",
    ):
        assert sizes.get(GRAPH + name, 0) > 0, name
    assert sizes[GRAPH + "reference/cog2026"] == 3_413  # the sample; 400k+ in test_full.py
    assert sum(sizes.values()) == len(store)


def test_open_store_without_a_load_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="tdi-graph load"):
        open_store(tmp_path)


@pytest.fixture
def project_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the ontology and curated data, with the reference sample."""
    ontology = tmp_path / "ontology"
    data = tmp_path / "data"
    shutil.copytree(ontology_dir(), ontology)
    shutil.copytree(data_dir(), data, ignore=shutil.ignore_patterns("reference"))
    shutil.copytree(REFERENCE, data / "reference", ignore=shutil.ignore_patterns("*.md"))
    return ontology, data


def test_a_broken_file_names_file_and_line_and_leaves_the_old_store(
    project_copy: tuple[Path, Path], store_dir: Path, store: ox.Store, tmp_path: Path
) -> None:
    ontology, data = project_copy
    target = tmp_path / "store"
    shutil.copytree(store_dir, target, symlinks=True)
    before = current_build(target)
    broken = data / "sources" / "cp-1114-premiers-contrats.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines.insert(40, 'id:broken rdfs:label "unterminated .')
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(DataError) as info:
        load(target, ontology=ontology, data=data, validate=False)
    assert str(broken) in info.value.message
    assert ":41:" in info.value.message
    assert current_build(target) == before
    assert len(open_store(target, in_memory=False)) == len(store)


def test_a_shacl_violation_aborts_the_load(project_copy: tuple[Path, Path], tmp_path: Path) -> None:
    ontology, data = project_copy
    path = data / "sources" / "cp-bdt-2019-03-20-nord-franche-comte.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("tdi:onBehalfOf id:region-bourgogne-franche-comte ;", ""), "utf-8")
    target = tmp_path / "store"
    with pytest.raises(ValidationFailed, match="signataire-nfc-dufay"):
        load(target, ontology=ontology, data=data)
    assert current_build(target) is None


def test_a_violation_found_beside_the_write_keeps_the_previous_build(
    project_copy: tuple[Path, Path], tmp_path: Path, seeds_dir: Path
) -> None:
    """SHACL runs in its own process while the store is written: the new build is written, then
    deleted when the answer is a violation, and the previous one stays current."""
    ontology, data = project_copy
    target = tmp_path / "store"
    first = load(target, ontology=ontology, data=data, sources=seeds_dir).build
    assert first is not None and current_build(target) == first
    path = data / "sources" / "cp-bdt-2019-03-20-nord-franche-comte.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("tdi:onBehalfOf id:region-bourgogne-franche-comte ;", ""), "utf-8")
    with pytest.raises(ValidationFailed, match="signataire-nfc-dufay"):
        load(target, ontology=ontology, data=data, sources=seeds_dir)
    assert current_build(target) == first
    assert {p.name.split(".")[0] for p in (target / "builds").iterdir()} == {first.name}


def test_a_validating_load_checks_the_excerpts_against_the_sources(
    project_copy: tuple[Path, Path], tmp_path: Path, seeds_dir: Path
) -> None:
    ontology, data = project_copy
    path = data / "sources" / "cp-1114-premiers-contrats.ttl"
    text = path.read_text(encoding="utf-8")
    excerpt = next(line for line in text.splitlines() if "tdi:excerpt" in line)
    quoted = excerpt.split('"')[1]
    path.write_text(text.replace(quoted, quoted + " (une phrase inventée)", 1), "utf-8")
    expected = "graph cp-1114-premiers-contrats: excerpt not in 004_"
    with pytest.raises(ValidationFailed, match=expected):
        load(tmp_path / "store", ontology=ontology, data=data, sources=seeds_dir)
    assert current_build(tmp_path / "store") is None


def test_the_snapshot_holds_the_quads_of_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The N-Quads snapshot is written from the quads as they stream into the store, a chunk at
    a time (1 000 here, so that 2 501 quads end in a partial chunk): a quad given twice is kept
    once by both, and the in-memory copy equals the on-disk store."""
    from tdi_graph.store import write, write_build

    monkeypatch.setattr(write, "SNAPSHOT_CHUNK", 1_000)

    g = ox.NamedNode(GRAPH + "sample")
    quads = [
        ox.Quad(
            ox.NamedNode(f"https://example.org/s{i}"),
            ox.NamedNode(GRAPH + "p"),
            ox.Literal(str(i)),
            g,
        )
        for i in range(2_501)
    ]
    write_build(tmp_path / "store", [*quads, quads[7], quads[2_000]])
    disk = open_store(tmp_path / "store", in_memory=False)
    memory = open_store(tmp_path / "store", in_memory=True)
    assert len(disk) == len(memory) == 2_501
    assert set(memory) == set(disk) == set(quads)


def test_a_broken_reference_csv_names_file_and_line(
    project_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    ontology, data = project_copy
    csv = data / "reference" / "cog2026_regions.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    rows[3] = "not,enough"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"cog2026_regions\.csv:4"):
        load(tmp_path / "store", ontology=ontology, data=data, validate=False)


def test_the_reference_directory_is_an_argument(tmp_path: Path) -> None:
    report = load(tmp_path / "store", validate=False, reference=REFERENCE)
    assert report.graphs["reference/ti-phase1"] == 476
    assert set(report.seconds) == {
        "parse curated Turtle",
        "check literals",
        "convert reference CSV",
        "write store (bulk load)",
        "read model, beside the write",
        "waiting for the read model",
    }
    total = report.lines()[-1 - len(report.seconds)]  # the total, then one line per step
    assert total.startswith("total") and f"{report.total:,}" in total
    assert report.build is not None and derived_path(report.build).stat().st_size > 1000


@pytest.fixture
def tiny_project(tmp_path: Path) -> tuple[Path, Path]:
    """An ontology of one triple and empty curated files: a load that writes a few quads."""
    ontology, data = tmp_path / "tiny-ontology", tmp_path / "tiny-data"
    (ontology / "vocabularies").mkdir(parents=True)
    (data / "sources").mkdir(parents=True)
    owl = "<https://w3id.org/tdi-graph/ontology> a <http://www.w3.org/2002/07/owl#Ontology> .\n"
    (ontology / "tdi.ttl").write_text(owl, encoding="utf-8")
    for path in (
        ontology / "shapes.ttl",
        ontology / "presentation.ttl",
        data / "entities.ttl",
        data / "curation.ttl",
    ):
        path.write_text("", encoding="utf-8")
    shutil.copytree(REFERENCE, data / "reference", ignore=shutil.ignore_patterns("*.md"))
    return ontology, data


def test_a_second_load_swaps_the_build_and_keeps_one_previous(
    tiny_project: tuple[Path, Path], tmp_path: Path
) -> None:
    ontology, data = tiny_project
    target = tmp_path / "store"

    def again() -> Path:
        build = load(target, validate=False, ontology=ontology, data=data).build
        assert build is not None
        return build

    first = again()
    second = again()
    assert first != second
    assert current_build(target) == second
    assert first.is_dir()  # kept for a server still reading it
    third = again()
    assert current_build(target) == third
    assert not first.exists()
    assert second.is_dir()
    assert len(open_store(target, in_memory=False)) == 1 + 4_487  # the owl triple + the sample


def test_reference_conversion_is_cached_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tdi_graph import load as load_module
    from tdi_graph import reference

    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE, ref)
    cache = tmp_path / "cache"
    converted = load_module.collect_reference(ref, cache=cache)
    assert sorted(p.suffix for p in cache.iterdir()) == [".json", ".nq"]
    first_key = next(cache.iterdir()).stem

    def no_conversion(ref_dir: Path) -> None:
        raise AssertionError("converted again although nothing changed")

    monkeypatch.setattr(reference, "reference_graphs", no_conversion)
    cached = load_module.collect_reference(ref, cache=cache)
    assert list(cached) == list(converted)
    for name, quads in converted.items():
        assert set(cached[name]) == set(quads), name
    monkeypatch.undo()
    # one changed input: converted again, and the cache holds that conversion only
    with (ref / "wikidata_qids_candidates.csv").open("a") as csv:
        csv.write("\n")
    again = load_module.collect_reference(ref, cache=cache)
    assert {n: len(q) for n, q in again.items()} == {n: len(q) for n, q in converted.items()}
    keys = {p.stem for p in cache.iterdir()}
    assert len(keys) == 1 and first_key not in keys


def _names_only(sizes: list[list[Any]]) -> object:
    return [name for name, _ in sizes]  # the format before the sizes were kept


def _shifted(sizes: list[list[Any]]) -> object:
    (a, n), (b, m) = sizes[0], sizes[1]  # same total: one graph's quads counted in the next
    return [[a, n - 1], [b, m + 1], *sizes[2:]]


def _short(sizes: list[list[Any]]) -> object:
    return sizes[:-1]


def _broken(sizes: list[list[Any]]) -> object:
    return {"not": "a list of sizes"}


@pytest.mark.parametrize("damage", [_names_only, _shifted, _short, _broken])
def test_a_kept_conversion_that_does_not_match_its_sizes_is_converted_again(
    tmp_path: Path, damage: Callable[[list[list[Any]]], object]
) -> None:
    from tdi_graph import load as load_module

    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE, ref)
    cache = tmp_path / "cache"
    converted = load_module.collect_reference(ref, cache=cache)
    (sizes_file,) = cache.glob("*.json")
    sizes = json.loads(sizes_file.read_text())
    assert sizes == [[name, len(quads)] for name, quads in converted.items()]
    key = sizes_file.stem
    assert load_module._cached_reference(cache, key) is not None
    sizes_file.write_text(json.dumps(damage(sizes)))
    assert load_module._cached_reference(cache, key) is None
    again = load_module.collect_reference(ref, cache=cache)  # converted again, and kept
    assert {n: len(q) for n, q in again.items()} == {n: len(q) for n, q in converted.items()}
    assert json.loads(sizes_file.read_text()) == sizes


def test_an_ill_typed_date_is_refused_without_a_traceback(
    project_copy: tuple[Path, Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """``"2019-13-45"^^xsd:date`` is a violation naming the node and the property."""
    ontology, data = project_copy
    path = data / "sources" / "cp-bdt-2019-03-20-nord-franche-comte.ttl"
    text = path.read_text(encoding="utf-8")
    assert text.count('dct:date "2019-03-20"^^xsd:date') == 1
    path.write_text(text.replace('dct:date "2019-03-20"', 'dct:date "2019-13-45"'), "utf-8")
    target = tmp_path / "store"
    with pytest.raises(ValidationFailed) as info:
        load(target, ontology=ontology, data=data)
    assert "cp-bdt-2019-03-20-nord-franche-comte" in info.value.message
    assert "dc/terms/date" in info.value.message and "xsd:date" in info.value.message
    assert current_build(target) is None
    assert "Traceback" not in capfd.readouterr().err


def _ill_typed_date(data: Path) -> tuple[Path, int]:
    """Write ``"2019-13-45"^^xsd:date`` into a copy of a document's file; its path and line."""
    path = data / "sources" / "cp-bdt-2019-03-20-nord-franche-comte.ttl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, x in enumerate(lines, 1) if 'dct:date "2019-03-20"^^xsd:date' in x)
    lines[line - 1] = lines[line - 1].replace('"2019-03-20"', '"2019-13-45"')
    path.write_text("".join(lines), encoding="utf-8")
    return path, line


def test_load_without_validation_refuses_an_ill_typed_literal(
    project_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    """``load --no-validate`` skips SHACL but not ill-typed literals: one line naming the
    file and the line, and no build."""
    ontology, data = project_copy
    path, line = _ill_typed_date(data)
    target = tmp_path / "store"
    with pytest.raises(DataError) as info:
        load(target, validate=False, ontology=ontology, data=data)
    message = info.value.message
    assert message.startswith(f'{path}:{line}: "2019-13-45"^^xsd:date is not a valid xsd:date')
    assert "cp-bdt-2019-03-20-nord-franche-comte>" in message and "dc/terms/date>" in message
    assert "\n" not in message
    assert current_build(target) is None


def test_cli_load_no_validate_refuses_it_in_one_line(
    project_copy: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tdi_graph import load as load_module
    from tdi_graph.cli import main

    ontology, data = project_copy
    path, line = _ill_typed_date(data)
    monkeypatch.setattr(load_module, "data_dir", lambda: data)
    monkeypatch.setattr(load_module, "ontology_dir", lambda: ontology)
    assert main(["load", "--no-validate", "--store", str(tmp_path / "store")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"tdi-graph load: {path}:{line}: ")


@pytest.mark.parametrize(
    ("datatype", "good", "bad"),
    [
        (
            "date",
            ["2019-03-20", "2020-02-29", "2019-03-20Z", "-0044-03-15"],
            ["2019-13-45", "2019-02-29", "2019-3-20", "20-03-2019", "2019-03-20T10:00:00"],
        ),
        (
            "dateTime",
            ["2019-03-20T10:00:00", "2019-03-20T24:00:00+01:00"],
            ["2019-03-20", "2019-03-20T25:00:00", "2019-04-31T10:00:00"],
        ),
        ("gYear", ["2022", "-0001", "12345"], ["22", "2022-01", "year"]),
        ("integer", ["0", "-12", "+7", "007"], ["1.5", "1e3", "", "12 000"]),
        ("decimal", ["1.5", "-.5", "3", "3."], ["1,5", "1e3", "."]),
        ("boolean", ["true", "false", "1", "0"], ["True", "yes", ""]),
        ("duration", ["P1Y", "P2Y6M", "PT1H30M", "P1DT2.5S"], ["P", "PT", "1Y", "P1H"]),
    ],
)
def test_lexical_forms_of_each_datatype(datatype: str, good: list[str], bad: list[str]) -> None:
    from tdi_graph.literals import XSD, is_ill_typed

    iri = ox.NamedNode(XSD + datatype)
    assert [v for v in good if is_ill_typed(ox.Literal(v, datatype=iri))] == []
    assert [v for v in bad if not is_ill_typed(ox.Literal(v, datatype=iri))] == []


def test_the_curated_data_has_no_ill_typed_literal() -> None:
    from tdi_graph.literals import ill_typed

    curated = collect_curated(curated_files())
    assert sum(len(q) for q in curated.values()) > 5000
    assert [q for quads in curated.values() for q in ill_typed(quads)] == []
