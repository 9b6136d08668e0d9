"""The committed test fixtures match what their generator cuts from ``data/reference``."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.fixtures import REFERENCE, generate

ORIGIN = Path(__file__).resolve().parents[1] / "data" / "reference"


def test_the_reference_sample_is_up_to_date() -> None:
    assert generate.stale() == [], "run `make fixtures` (python -m tests.fixtures.generate)"


def test_the_sample_only_selects_lines_of_the_origin() -> None:
    for path in sorted(REFERENCE.glob("*.csv")):
        origin = (ORIGIN / path.name).read_text(encoding="utf-8").splitlines()
        sample = path.read_text(encoding="utf-8").splitlines()
        assert sample[0] == origin[0], path.name
        positions = {line: n for n, line in enumerate(origin)}
        order = [positions[line] for line in sample]  # KeyError: a line not in the origin
        assert order == sorted(order), f"{path.name}: lines out of the origin's order"


def test_the_sample_has_the_communes_the_curated_data_names() -> None:
    with (REFERENCE / "cog2026_communes.csv").open(encoding="utf-8", newline="") as f:
        names = {row["code_insee"]: row["nom"] for row in csv.DictReader(f)}
    for code, name in {
        "25547": "Sochaux",
        "49099": "Cholet",
        "80021": "Amiens",
        "13087": "Rousset",
        "86066": "Châtellerault",
        "71076": "Chalon-sur-Saône",
        "69123": "Lyon",
        "06033": "Carros",
    }.items():
        assert names[code] == name
    assert len(names) == 88  # 89 rows: Arbignieu (delegated) shares 01015 with Arboys en Bugey


def test_the_readme_table_gives_the_row_counts() -> None:
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    for path in sorted(REFERENCE.glob("*.csv")):
        rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
        assert f"| `{path.name}` | {rows} |" in readme, path.name
