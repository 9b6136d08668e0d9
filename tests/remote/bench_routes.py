"""The API routes' side of the scaling figures (``tests.remote.bench_scaling``): the façade's
start-up over a store (registry and search index built from it, as ``Services.build`` does at
start-up) and the p50 of the contract's routes, answered in process through the ASGI client
with the answer cache off (``TDI_ANSWER_CACHE=false``), several distinct ids per route.

Each answer is kept as a digest (its JSON, lists of plain values sorted as in
``test_api_over_engine``) and a row count, so that the stores' answers can be compared per
route at sizes where the tests do not run.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
from fastapi.testclient import TestClient
from tdi_graph_api.app import create_app
from tdi_graph_api.deps import Services

from tdi_graph.settings import Settings
from tests.fixtures.answers import unordered

#: a generous bound on the façade's start-up (seconds): past it the routes are not measured
STARTUP_BOUND = 1800.0
#: seconds a route may take in all before its remaining paths are left out (one path at least)
ROUTE_BUDGET = 120.0
#: routes that read the whole synthetic graph (left out with ``--light``)
HEAVY_ROUTES = ("/api/money (all)", "/api/signatures (first page)")


def rss_mb() -> float:
    """Resident memory of this process, in MB (Linux)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def routes(extra: int) -> dict[str, list[str]]:
    """Route label -> the paths asked (distinct ids spread over the synthetic data, plus a real
    one); ``extra`` is the synthetic size asked of ``synthetic.quads``."""
    acts = max(1, extra // 45)
    orgs, persons = max(3, acts // 5), max(3, acts // 3)

    def spread(n: int) -> list[int]:
        return sorted({17 % n, n // 7, n // 3, n // 2, n - 1})

    agreements = [f"synthetic-agreement-{i}" for i in spread(acts)]
    actors = [f"synthetic-org-{i}" for i in spread(orgs)]
    return {
        "/api/entities/{id}": [f"/api/entities/{e}" for e in agreements[:2] + actors[:2]]
        + [f"/api/entities/synthetic-person-{spread(persons)[1]}", "/api/entities/bpifrance"],
        "/api/search?q=": [
            f"/api/search?q={q}"
            for q in ("bpifrance", f"Contrat {acts // 2}", f"Organisation {orgs // 3}", "nord")
        ]
        + [f"/api/search?q=Personne%20{persons // 7}"],
        "/api/signatures?agreement=": [f"/api/signatures?agreement={a}" for a in agreements]
        + ["/api/signatures?agreement=contrat-ti-nord-franche-comte"],
        "/api/commitments?actor=": [f"/api/commitments?actor={a}" for a in actors]
        + ["/api/commitments?actor=banque-des-territoires"],
        "/api/money?actor=": [f"/api/money?actor={a}" for a in actors[:3]]
        + ["/api/money?actor=banque-des-territoires"],
        "/api/territories?limit=50": [
            f"/api/territories?limit=50&offset={o}" for o in (0, 50, 100)
        ],
        "/api/money (all)": ["/api/money"],
        "/api/signatures (first page)": ["/api/signatures?limit=50"],
    }


def _rows(body: Any) -> int:
    """The answer's size: its list of items, results, relations or counted commitments."""
    if isinstance(body, dict):
        for key in ("items", "results", "relations", "counted"):
            if isinstance(body.get(key), list):
                return len(body[key])
    return -1


class Facade:
    """The app over one store, built in process; ``startup`` is ``None`` past the bound."""

    def __init__(self, settings: Settings, store_dir: Path, store: ox.Store | None = None):
        self.startup: float | None = None
        self.memory_mb = 0.0
        self.error = ""
        found: list[Services] = []

        def build() -> None:
            try:
                found.append(Services.build(settings, store_dir, store))
            except Exception as exc:  # noqa: BLE001 - a figure: say what failed
                self.error = f"{type(exc).__name__}: {str(exc)[:160]}"

        before, t0 = rss_mb(), time.perf_counter()
        worker = threading.Thread(target=build, daemon=True)
        worker.start()
        worker.join(STARTUP_BOUND)
        if found:
            self.startup = time.perf_counter() - t0
            self.memory_mb = rss_mb() - before
        elif not self.error:
            self.error = f"start-up not finished after {STARTUP_BOUND:.0f} s"
        self.app = create_app(store_dir=store_dir, settings=settings)
        if found:  # set before any request: the lifespan (worker pool) is not needed here
            self.app.state.services = found[0]
        self.client = TestClient(self.app, raise_server_exceptions=False)

    def close(self) -> None:
        self.client.close()
        services = getattr(self.app.state, "services", None)
        if services is not None:
            services.stop_pool()
            del self.app.state.services


def measure_routes(
    facade: Facade, extra: int, light: bool = False, rounds: int = 2
) -> dict[str, dict[str, Any]]:
    """Route label -> ``{"p50": seconds, "rows": [...], "digests": {path: sha1},
    "status": {code: n}}``; each path asked ``rounds`` times (once when it takes over 5 s), the
    next paths left out once the route has taken ``ROUTE_BUDGET`` seconds."""
    out: dict[str, dict[str, Any]] = {}
    for label, paths in routes(extra).items():
        if facade.startup is None or (light and label in HEAVY_ROUTES):
            continue
        runs: list[float] = []
        found: dict[str, Any] = {"rows": [], "digests": {}, "status": {}}
        for path in paths:
            if sum(runs) > ROUTE_BUDGET:
                break
            for k in range(rounds):
                t0 = time.perf_counter()
                response = facade.client.get(path)
                runs.append(time.perf_counter() - t0)
                if k == 0:
                    code = response.status_code
                    found["status"][code] = found["status"].get(code, 0) + 1
                    body = response.json() if code == 200 else {"status": code}
                    found["rows"].append(_rows(body))
                    text = orjson.dumps(unordered(body), option=orjson.OPT_SORT_KEYS)
                    found["digests"][path] = hashlib.sha1(text).hexdigest()
                if runs[-1] > 5:
                    break
        found["p50"] = statistics.median(runs)
        out[label] = found
        print(
            f"  {label}: {found['p50'] * 1000:.1f} ms, rows {found['rows']}, "
            f"status {found['status']}",
            flush=True,
        )
    return out


def comparison(results: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown: per route, each store's p50 and whether its answers equal the embedded ones."""
    stores = [s for s, r in results.items() if r.get("routes")]
    if not stores:
        return []
    base = results[stores[0]]["routes"]
    lines = [
        "| route | " + " | ".join(stores) + " | rows per path (first store) |",
        "|---|" + "---|" * (len(stores) + 1),
    ]
    for label, first in base.items():
        cells = []
        for store in stores:
            mine = results[store]["routes"].get(label)
            if mine is None:
                cells.append("-")
                continue
            asked = [p for p in first["digests"] if p in mine["digests"]]
            same = sum(mine["digests"][p] == first["digests"][p] for p in asked)
            note = "" if store == stores[0] else f", {same}/{len(asked)} same"
            if len(asked) < len(first["digests"]):
                note += f" ({len(asked)} of {len(first['digests'])} paths asked)"
            if mine["rows"] != first["rows"][: len(mine["rows"])] and store != stores[0]:
                note += f", rows {mine['rows']}"
            cells.append(f"{mine['p50'] * 1000:.1f} ms{note}")
        lines.append(f"| `{label}` | " + " | ".join(cells) + f" | {first['rows']} |")
    return lines
