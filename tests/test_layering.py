"""The library never imports the app: no module under src/tdi_graph imports tdi_graph_api."""

from __future__ import annotations

import ast
import re
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


def test_the_readme_layout_names_every_module() -> None:
    """The README's layout section stays the map of the code: each module of the library and of
    the app (its own name, a package's, or a ``network_*`` pattern) is named there."""
    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    words = set(re.findall(r"\w+\*?", layout))
    patterns = [w[:-1] for w in words if w.endswith("_*")]  # network_*
    unnamed = []
    for root in (SRC, SRC.parents[1] / "api" / "tdi_graph_api"):
        for path in sorted(root.glob("*.py")):
            name = path.stem
            if (
                name != "__init__"
                and name not in words
                and not any(name.startswith(p) for p in patterns)
            ):
                unnamed.append(str(path.relative_to(root.parent)))
        for package in sorted(p for p in root.iterdir() if (p / "__init__.py").is_file()):
            if package.name + "/" not in layout:
                unnamed.append(str(package.relative_to(root.parent)) + "/")
    assert unnamed == []
