"""Every named query of queries/ stays fast on a larger graph: the curated data plus 100 000
synthetic triples shaped like it (``tdi_graph.testing.synthetic``). The bound is generous (the
queries answer in milliseconds here; a planner that starts from a full scan takes seconds)."""

from __future__ import annotations

import time
from itertools import islice

import pyoxigraph as ox
import pytest

from tdi_graph import queries
from tdi_graph.load import collect_curated
from tdi_graph.testing import synthetic

SECONDS = 2.0  # per query, on a busy shared machine; bench/RESULTS.md has the real figures


@pytest.fixture(scope="module")
def grown() -> ox.Store:
    store = ox.Store()
    store.bulk_extend([q for qs in collect_curated().values() for q in qs])
    store.bulk_extend(
        islice(synthetic.quads(150_000), 100_000)
    )  # the generator's count is approximate
    assert len(store) > 100_000
    return store


@pytest.mark.perf
def test_every_named_query_stays_fast_on_100k_triples(grown: ox.Store) -> None:
    slow, ran = {}, 0
    for name, named in sorted(queries.catalogue().items()):
        # a required parameter gets its example (the header's default)
        values = {p.name: p.default for p in named.params if p.required and p.default}
        started = time.perf_counter()
        result = queries.run(grown, named, values)
        if not isinstance(result, ox.QueryBoolean):
            sum(1 for _ in result)  # every row, as a client reads them
        seconds = time.perf_counter() - started
        ran += 1
        if seconds > SECONDS:
            slow[name] = round(seconds, 2)
    assert ran == len(queries.catalogue()) >= 60
    assert slow == {}
