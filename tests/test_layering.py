"""The library never imports the app: no module under src/tdi_graph imports tdi_graph_api."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "tdi_graph"
MODULES = sorted(SRC.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The modules a file imports, wherever the import stands (top level, function, branch)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from tdi_graph_api.app import app\n    import tdi_graph_api\n")
    assert imported(path) == {"tdi_graph_api.app", "tdi_graph_api"}


def test_there_are_modules_to_check() -> None:
    assert len(MODULES) > 40 and SRC / "cli.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_library_module_imports_the_app(path: Path) -> None:
    upward = sorted(n for n in imported(path) if n.split(".")[0] == "tdi_graph_api")
    assert upward == [], f"{path} imports {upward}"
