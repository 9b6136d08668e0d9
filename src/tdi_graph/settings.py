"""One settings object, read from ``TDI_*`` environment variables.

Every field is documented in ``docs/settings.md``; a test keeps the table complete.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

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
        description="Serve from an in-memory copy of the on-disk store (3-10x faster queries). "
        "Each busy SPARQL worker copies the pages of that copy it reads (about 30 MB for point "
        "lookups, 125 MB for two-hop neighbourhoods on the real graph: bench/RESULTS.md); false "
        "serves from the build on disk, under 500 MB, with lookups 20-30 % slower.",
    )
    host: str = Field("127.0.0.1", description="Address `tdi-graph serve` listens on.")
    port: int = Field(8000, description="Port `tdi-graph serve` listens on.")
    base_url: str = Field(
        "https://w3id.org/tdi-graph/", description="Base of every IRI minted by the project."
    )
    public_url: str = Field(
        "",
        description="Public URL of the server (e.g. https://tdi.example.org/): the SPARQL "
        "endpoint's IRI is `{public_url}sparql` (its service description, relative IRIs in "
        "queries; default `base_url`, never the request's `Host` header), and the root of the "
        "reconciliation manifest and the VoID description (default: the URL the client used).",
    )
    query_timeout: float = Field(
        10.0, description="Seconds a SPARQL query may run before it is stopped (503)."
    )
    query_workers: int = Field(
        0,
        description="Worker processes that evaluate SPARQL queries, per server process (0: the "
        "cores shared among the server processes, plus one kept for short queries; at least 2).",
    )
    query_long_workers: int = Field(
        0,
        description="Most SPARQL queries that may run past `query_cheap_seconds` at once "
        "(0: all workers but one, which stays free for short queries); beyond, 503.",
    )
    query_cheap_seconds: float = Field(
        0.5,
        description="A SPARQL query still running after this is long: its worker's priority is "
        "lowered and it needs a long-query slot.",
    )
    query_queue: int = Field(
        8, description="SPARQL queries that may wait for a free worker; beyond, 503."
    )
    query_queue_seconds: float = Field(
        5.0, description="Most seconds a SPARQL query waits for a free worker (then 503)."
    )
    query_per_client: int = Field(
        4,
        description="Most SPARQL queries one client address may have running or waiting "
        "(beyond, 429).",
    )
    query_memory_mb: int = Field(
        1024,
        description="Memory (MB of address space) a SPARQL worker may take beyond what it "
        "shares with the server; a query past it gets 507 and its worker is replaced "
        "(0: no limit).",
    )
    query_worker_private_mb: int = Field(
        0,
        ge=0,
        description="A SPARQL worker over the in-memory store holding more than this many MB "
        "of its own (its heap, and the pages of the store it copied on write while reading "
        "them) is replaced by a fresh fork after an answer, so that the server's memory stays "
        "bounded (read every 64 answers; 0: never). A fresh worker copies again what it reads: "
        "at 32, /sparql point lookups cost twice the CPU (bench/RESULTS.md).",
    )
    server_processes: int = Field(
        0,
        ge=0,
        description="Server processes forked by `tdi-graph serve` once the store is loaded "
        "(they share it copy-on-write, each with its own SPARQL workers; 0: one per core).",
    )
    max_result_rows: int = Field(100_000, description="Most rows a SPARQL SELECT answer may hold.")
    max_answer_bytes: int = Field(
        256 * 1024 * 1024, description="Most bytes a SPARQL answer may hold (then 507)."
    )
    max_query_bytes: int = Field(
        1_000_000, description="Most bytes of a SPARQL query, in the URL or the body (then 413)."
    )
    max_query_depth: int = Field(
        64, description="Deepest nesting of brackets in a SPARQL query (then 400)."
    )
    max_query_patterns: int = Field(
        128,
        ge=1,
        description="Most triple patterns, path steps and groups side by side in one group of "
        "a SPARQL query (then 400 `query_too_complex`).",
    )
    max_query_operators: int = Field(
        500,
        ge=1,
        description="Most patterns and operators (groups, `OPTIONAL`, `UNION`, `MINUS`, "
        "`FILTER`, `BIND`, path steps, logical and arithmetic operators) in a SPARQL query "
        "(then 400 `query_too_complex`).",
    )
    max_header_bytes: int = Field(
        64 * 1024,
        description="Most bytes of a request's line (URL) and headers, then 431; an `Accept` "
        "header over 4 KB is a 431 too.",
    )
    max_connections: int = Field(
        512, description="Most connections the server holds at once (then 503)."
    )
    keep_alive_seconds: float = Field(
        5.0, description="Seconds an idle keep-alive connection stays open."
    )
    access_log: bool = Field(
        True,
        description="`tdi-graph serve` prints one line per request (client, method, path, "
        "status); `false` quiets it (warnings and errors still show).",
    )
    allow_service: bool = Field(
        False, description="Allow SPARQL `SERVICE` calls to remote endpoints."
    )
    api_cache_size: int = Field(
        2048, ge=0, description="JSON answers of the API kept in memory (0: none)."
    )
    answer_cache: bool = Field(
        True,
        description="Keep computed answers in memory (API JSON, network views, map layers); "
        "`false` turns every answer memo off, for honest benchmarks.",
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

    def endpoint(self) -> str:
        """The SPARQL endpoint's public IRI."""
        base = self.public_url or self.base_url
        return base.rstrip("/") + "/sparql"

    def workers(self) -> int:
        """The number of SPARQL worker processes of each server process (``query_workers``, or
        its share of the cores + 1). The workers of every server process share the cores, and
        each copies the pages of the in-memory store it reads: on the real graph, 2 server
        processes with 3 workers each held 1 190 MB (PSS) after point and two-hop runs, with 2
        each 960 MB, at the same throughput."""
        if self.query_workers > 0:
            return self.query_workers
        return max(2, (os.cpu_count() or 1) // self.processes() + 1)

    def processes(self) -> int:
        """The number of server processes (``server_processes``, or one per core)."""
        return self.server_processes or max(1, os.cpu_count() or 1)

    def long_workers(self) -> int:
        """How many SPARQL queries may run long at once."""
        if self.query_long_workers > 0:
            return min(self.query_long_workers, self.workers())
        return max(1, self.workers() - 1)

    def answers_kept(self) -> int:
        """How many computed answers a memo may keep: ``api_cache_size``, 0 if
        ``answer_cache`` is off."""
        return self.api_cache_size if self.answer_cache else 0

    def server_options(self) -> dict[str, Any]:
        """uvicorn's limits from these settings: header size, connections, idle time."""
        return {
            "h11_max_incomplete_event_size": self.max_header_bytes,
            "limit_concurrency": self.max_connections,
            "timeout_keep_alive": self.keep_alive_seconds,
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
