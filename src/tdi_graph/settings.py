"""One settings object, read from ``TDI_*`` environment variables.

Every field is documented in ``docs/settings.md``; a test keeps the table complete.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from tdi_graph.resources import project_root


def _default_store() -> Path:
    root = project_root()
    if root is not None:
        return root / "var" / "store"
    return Path.home() / ".local" / "share" / "tdi-graph" / "store"


class Settings(BaseSettings):
    """Runtime settings of the library, the CLI and the HTTP server."""

    model_config = SettingsConfigDict(env_prefix="TDI_", extra="ignore")

    store: Path = Field(
        default_factory=_default_store, description="Directory of the on-disk store."
    )
    store_in_memory: bool = Field(
        True,
        description="Serve from an in-memory copy of the on-disk store (3-10x faster queries).",
    )
    host: str = Field("127.0.0.1", description="Address `tdi-graph serve` listens on.")
    port: int = Field(8000, description="Port `tdi-graph serve` listens on.")
    base_url: str = Field(
        "https://w3id.org/tdi-graph/", description="Base of every IRI minted by the project."
    )
    query_timeout: float = Field(
        10.0, description="Seconds a SPARQL query may run before it is stopped (503)."
    )
    query_workers: int = Field(2, description="Worker processes that evaluate SPARQL queries.")
    max_result_rows: int = Field(100_000, description="Most rows a SPARQL SELECT answer may hold.")
    allow_service: bool = Field(
        False, description="Allow SPARQL `SERVICE` calls to remote endpoints."
    )
    api_cache_size: int = Field(
        2048, ge=0, description="JSON answers of the API kept in memory (0: none)."
    )
    sources_dir: Path | None = Field(
        None,
        description="Source documents for the evidence checks (default ../shared/seeds).",
    )
    reference_dir: Path | None = Field(
        None,
        description="Reference CSV files `load` and `validate` convert (default data/reference).",
    )
    # --- reconciliation, dumps and published links (lead)
    dumps_dir: Path = Field(
        default_factory=lambda: _default_store().parent / "dumps",
        description="Folder of the dumps written by `tdi-graph dump` and served at /downloads.",
    )
    public_url: str | None = Field(
        None,
        description="Public root URL of the server (e.g. https://tdi.example.org), used in the "
        "reconciliation manifest; default: the URL the client used.",
    )

    # --- remote engine (remote): a SPARQL 1.1 engine instead of the embedded store, publishing ---
    sparql_url: str | None = Field(
        None,
        description="SPARQL query endpoint of a remote engine to read from instead of the "
        "embedded store (e.g. `http://127.0.0.1:7878/query`, `http://127.0.0.1:8890/sparql`).",
    )
    gsp_url: str | None = Field(
        None,
        description="Graph Store Protocol endpoint `tdi-graph publish` writes to (default: the "
        "query URL's last segment replaced by `store`; Virtuoso: `.../sparql-graph-crud-auth`).",
    )
    gsp_graph_param: str = Field(
        "graph",
        description="Query parameter that names the graph on the Graph Store endpoint "
        "(`graph` in the standard and Oxigraph, `graph-uri` in Virtuoso).",
    )
    sparql_auth: Literal["basic", "digest"] = Field(
        "basic", description="HTTP authentication to the remote engine (Virtuoso: `digest`)."
    )
    sparql_user: str | None = Field(None, description="User name on the remote engine.")
    sparql_password: SecretStr | None = Field(
        None, description="Password on the remote engine (never printed nor logged)."
    )
    publish_timeout: float = Field(
        600.0, description="Seconds one Graph Store request of `tdi-graph publish` may take."
    )
    publish_chunk: int = Field(
        200_000,
        description="Most triples per Graph Store request (a PUT, then POSTs for larger graphs).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
