"""Shared fixtures: one store built per test session, the app, an ASGI client, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tdi_graph.load import load
from tdi_graph.resources import project_root
from tdi_graph.settings import Settings
from tdi_graph.store import open_store
from tests.fixtures import REFERENCE
from tests.fixtures.serving import free_port, served

SEEDS = (project_root() or Path.cwd()).parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The source documents (../shared/seeds beside the checkout)."""
    if not SEEDS.is_dir():
        pytest.fail(f"source documents not found at {SEEDS}")
    return SEEDS


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session store: the curated data plus the reference sample of ``tests/fixtures``.

    Built once (validation is tested apart). ``tests/test_full.py`` loads the real reference data.
    """
    directory = tmp_path_factory.mktemp("store")
    load(directory, validate=False, reference=REFERENCE)
    return directory


@pytest.fixture(scope="session")
def store(store_dir: Path) -> ox.Store:
    """The session store, in memory, as the server uses it."""
    return open_store(store_dir, in_memory=True)


@pytest.fixture(scope="session")
def settings(store_dir: Path) -> Settings:
    return Settings(store=store_dir, query_timeout=3.0, query_workers=2)


@pytest.fixture(scope="session")
def app(store_dir: Path, settings: Settings) -> FastAPI:
    from tdi_graph_api.app import create_app

    return create_app(store_dir=store_dir, settings=settings)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """An ASGI client (no network)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served over real HTTP on 127.0.0.1; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    with served(uvicorn.Server(config)) as base:
        yield base
