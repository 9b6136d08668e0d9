"""Where the project's data files live: the source checkout, or the installed wheel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def project_root() -> Path | None:
    """The source checkout holding ``ontology/`` and ``data/``, or ``None`` when installed."""
    candidate = _PACKAGE_DIR.parents[1]
    if (candidate / "ontology" / "tdi.ttl").is_file() and (candidate / "pyproject.toml").is_file():
        return candidate
    return None


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    """Directory containing ``ontology/``, ``data/`` and ``queries/``."""
    root = project_root()
    if root is not None:
        return root
    return _PACKAGE_DIR / "_resources"


def ontology_dir() -> Path:
    return resources_dir() / "ontology"


def data_dir() -> Path:
    return resources_dir() / "data"


def queries_dir() -> Path:
    return resources_dir() / "queries"


def docs_dir() -> Path:
    """``docs/`` (the guide and its diagram) with ``CITATION.cff``: the checkout's, else the
    copies the wheel carries in ``_resources/docs``."""
    root = project_root()
    if root is not None:
        return root / "docs"
    return _PACKAGE_DIR / "_resources" / "docs"
