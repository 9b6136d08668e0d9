"""SHACL shapes, their examples, and the evidence check against the source documents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from tdi_graph.errors import DataError
from tdi_graph.load import collect_curated, collect_reference, curated_files
from tdi_graph.namespaces import TDI
from tdi_graph.resources import ontology_dir
from tdi_graph.validate import (
    ShaclBeside,
    evidence_problems,
    example_problems,
    normalise,
    shacl_problems,
    validate,
)
from tests.fixtures import REFERENCE

EXAMPLES = ontology_dir() / "examples"


@pytest.fixture(scope="module")
def curated() -> dict[str, list[ox.Quad]]:
    return collect_curated()


@pytest.fixture(scope="module")
def ontology_quads(curated: dict[str, list[ox.Quad]]) -> list[ox.Quad]:
    return [
        q for n, qs in curated.items() if n == "ontology" or n.startswith("vocabulary/") for q in qs
    ]


def test_curated_data_passes_every_check(curated, seeds_dir: Path) -> None:
    """With the reference sample; tests/test_full.py validates against the full data."""
    report = validate(curated, seeds_dir, collect_reference(REFERENCE))
    assert report.ok, "\n".join(report.lines())
    assert report.counts["excerpts checked"] >= 200


def test_every_source_document_has_its_graph(curated) -> None:
    files = {
        q.object.value
        for qs in curated.values()
        for q in qs
        if q.predicate.value == TDI + "sourceFile"
    }
    assert files == {
        "000_8570ff99ff748f82.txt",
        "001_2cb6d4c4a609c4f2.txt",
        "002_3c1f11405b10a202.txt",
        "003_0f10cd9e09f266b3.txt",
        "004_d17d310e96e2b2dd.txt",
    }


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.ttl")), ids=lambda p: p.name)
def test_valid_examples_conform(path: Path, curated, ontology_quads) -> None:
    assert example_problems(ontology_quads, curated["shapes"], path) == []


INVALID_EXPECTED = {
    "signature-without-evidence.ttl": [
        "point to at least one document",
        "signs for exactly one",
        "has a date",
    ],
    "commitment-bad-values.ttl": ["needs its currency", "#rate", "#status"],
    "evidence-without-document.ttl": ["cite exactly one source document", "3 to 600 characters"],
    "commitment-without-funder-or-scope.ttl": [
        "names who commits it",
        "tdi:quantity is missing",
        "schema:duration is missing",
    ],
}


@pytest.mark.parametrize("name", sorted(INVALID_EXPECTED))
def test_invalid_examples_fail_for_the_stated_reasons(name: str, curated, ontology_quads) -> None:
    problems = example_problems(ontology_quads, curated["shapes"], EXAMPLES / "invalid" / name)
    assert len(problems) == len(INVALID_EXPECTED[name])
    for expected in INVALID_EXPECTED[name]:
        assert any(expected in p for p in problems), (expected, problems)


def test_every_invalid_example_is_listed() -> None:
    assert {p.name for p in (EXAMPLES / "invalid").glob("*.ttl")} == set(INVALID_EXPECTED)


def test_an_edited_excerpt_fails_the_evidence_check(curated, seeds_dir: Path) -> None:
    target = "Elle mobilise 100 M€ par an d'ici 2022"
    edited = {
        name: [
            ox.Quad(
                q.subject,
                q.predicate,
                ox.Literal(q.object.value.replace("100 M€", "200 M€")),
                q.graph_name,
            )
            if q.predicate.value == TDI + "excerpt" and target in q.object.value
            else q
            for q in quads
        ]
        for name, quads in curated.items()
    }
    problems, _ = evidence_problems(edited, seeds_dir)
    assert len(problems) == 2  # the commitment's excerpt and the contradiction's statement
    assert all("200 M€ par an" in p and "000_8570ff99ff748f82.txt" in p for p in problems)


def test_an_edited_source_fails_the_evidence_check(
    curated, seeds_dir: Path, tmp_path: Path
) -> None:
    sources = tmp_path / "seeds"
    shutil.copytree(seeds_dir, sources)
    text = (sources / "004_d17d310e96e2b2dd.txt").read_text(encoding="utf-8")
    (sources / "004_d17d310e96e2b2dd.txt").write_text(
        text.replace("Châtellerauld", "Châtellerault"), "utf-8"
    )
    problems, _ = evidence_problems(curated, sources)
    assert problems and all(
        "004_d17d310e96e2b2dd.txt" in p and "Châtellerauld" in p for p in problems
    )


def test_a_missing_source_file_is_reported(curated, tmp_path: Path) -> None:
    problems, _ = evidence_problems(curated, tmp_path)
    assert any("source file missing" in p and "000_8570ff99ff748f82.txt" in p for p in problems)


def test_normalise_removes_markdown_emphasis_and_folds_space() -> None:
    assert normalise("**Jacqueline  Gourault**,\n ministre") == "Jacqueline Gourault, ministre"
    assert normalise("1<sup>ère</sup> Assemblée") == "1ère Assemblée"


def test_shacl_beside_finds_what_shacl_finds_in_process(tmp_path: Path) -> None:
    files = [(gf.graph, gf.path) for gf in curated_files()]
    name = "cp-bdt-2019-03-20-nord-franche-comte"
    original = dict(files)[name]
    broken = tmp_path / original.name
    text = original.read_text(encoding="utf-8")
    broken.write_text(text.replace("tdi:onBehalfOf id:region-bourgogne-franche-comte ;", ""))
    files = [(g, broken if g == name else p) for g, p in files]
    found = ShaclBeside(files).result()
    curated = {
        g: [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(path=str(p))]
        for g, p in files
    }
    assert found == shacl_problems(curated)
    assert any("signataire-nfc-dufay" in line for line in found)


def test_a_validation_process_that_fails_or_dies_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"SHACL validation failed: .*missing\.ttl: No such file"):
        ShaclBeside([("shapes", tmp_path / "missing.ttl")]).result()
    beside = ShaclBeside([(gf.graph, gf.path) for gf in curated_files()])
    beside._process.kill()
    with pytest.raises(DataError, match="ended without an answer"):
        beside.result()
