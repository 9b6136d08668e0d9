"""Two real SPARQL engines for the session, started here and stopped after; the build published
to each once (``tests/remote/engines.py`` says how each is configured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from tdi_graph.publish import PublishReport, Target, publish
from tdi_graph.remote import RemoteStore
from tdi_graph.settings import Settings
from tdi_graph.store import open_store
from tests.remote import engines

ENGINES = ("oxigraph", "virtuoso")


def engine_settings(engine: engines.Engine, **overrides: object) -> Settings:
    """The project's settings pointed at ``engine``."""
    values: dict[str, object] = {
        "sparql_url": engine.query_url,
        "gsp_url": engine.gsp_url,
        "gsp_graph_param": engine.graph_param,
        "sparql_auth": engine.auth,
        "sparql_user": engine.user,
        "sparql_password": SecretStr(engine.password) if engine.password else None,
        "query_timeout": 120.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


class Published:
    """A running engine holding the session's build."""

    def __init__(self, engine: engines.Engine, report: PublishReport, settings: Settings) -> None:
        self.engine = engine
        self.report = report
        self.settings = settings
        self.store = RemoteStore(engine.query_url, timeout=120.0, auth=None)

    @property
    def name(self) -> str:
        return self.engine.name


def _start(name: str, directory: Path) -> Iterator[engines.Engine]:
    if name == "virtuoso" and engines.virtuoso_binary() is None:
        pytest.skip(
            "virtuoso-t is not installed and the tests do not install packages: run "
            "`make virtuoso` (apt-get install virtuoso-opensource)"
        )
    starter = engines.oxigraph if name == "oxigraph" else engines.virtuoso
    with starter(directory) as engine:
        yield engine


@pytest.fixture(scope="session", params=ENGINES)
def published(
    request: pytest.FixtureRequest, store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Published]:
    """Each engine in turn, with the session build published to it."""
    directory = tmp_path_factory.mktemp(request.param)
    for engine in _start(request.param, directory):
        settings = engine_settings(engine)
        report = publish(open_store(store_dir, in_memory=False), Target.from_settings(settings))
        yield Published(engine, report, settings)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here runs real engines: marked ``remote`` (``make test-remote``)."""
    for item in items:
        if "tests/remote/" in item.nodeid:
            item.add_marker(pytest.mark.remote)
