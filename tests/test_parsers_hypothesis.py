"""hypothesis on the parameter parsers and the search: any text is an answer or a precise
:class:`BadRequest`, never another exception; the parsers are linear in their input."""

from __future__ import annotations

import datetime as dt
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tdi_graph.entities import Registry
from tdi_graph.errors import BadRequest
from tdi_graph.search import SearchIndex, compact, normalise, words
from tdi_graph.view.dates import bound, date_range
from tdi_graph.view.ids import expand_id, short_id

FAST = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
#: Text as people and robots send it: any code point, some dates and ids, odd spaces.
TEXT = st.one_of(
    st.text(max_size=200),
    st.from_regex(r"\s*[0-9]{1,6}(-[0-9]{1,3}(-[0-9]{1,3})?)?\s*", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}(:|-)[A-Za-z0-9._~-]{0,20}", fullmatch=True),
    st.text(alphabet="\x00\t\n\r ./:#<>\"'{}\\%", max_size=50),
)


@FAST
@given(TEXT, st.booleans())
def test_a_date_bound_is_an_iso_day_or_a_bad_request(raw: str, end: bool) -> None:
    try:
        day = bound(raw, end=end)
    except BadRequest as exc:
        assert exc.status == 400 and "is not a date" in exc.message
        return
    parsed = dt.date.fromisoformat(day) if not day.startswith("0000") else None
    assert len(day) == 10 and (parsed is None or parsed.isoformat() == day)


@FAST
@given(st.dates())
def test_a_day_is_its_own_bound(day: dt.date) -> None:
    text = day.isoformat()
    assert bound(text) == bound(text, end=True) == text
    month = text[:7]
    assert bound(month) <= text <= bound(month, end=True)
    assert bound(text[:4]) <= text <= bound(text[:4], end=True)


@FAST
@given(st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT))
def test_a_date_range_is_ordered_or_a_bad_request(since: str | None, until: str | None) -> None:
    try:
        first, last = date_range(since, until)
    except BadRequest as exc:
        assert exc.status == 400
        return
    assert first is None or last is None or first <= last


@FAST
@given(TEXT, st.booleans())
def test_an_id_expands_to_an_iri_or_is_a_bad_request(value: str, any_scheme: bool) -> None:
    try:
        iri = expand_id(value, any_scheme=any_scheme)
    except BadRequest as exc:
        assert exc.status == 400 and "is not an entity id" in exc.message
        return
    ox.NamedNode(iri)  # a valid IRI for the store
    assert expand_id(short_id(iri), any_scheme=True) == iri


@FAST
@given(st.text(max_size=300))
def test_normalising_is_idempotent_and_ascii(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once and once.isascii() and once == once.strip()
    assert " " not in compact(text) and all(w in once.split() for w in words(text))


@pytest.fixture(scope="module")
def index(store: ox.Store) -> SearchIndex:
    return SearchIndex.build(store, Registry.build(store))


@given(
    text=TEXT,
    types=st.one_of(st.none(), st.lists(st.sampled_from(["commune", "organisation", "x"]))),
    limit=st.integers(1, 1000),
    offset=st.integers(0, 10**9),
)
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_search_answers_any_text(
    index: SearchIndex, text: str, types: list[str] | None, limit: int, offset: int
) -> None:
    total, hits = index.search(text, types, limit=limit, offset=offset)
    assert 0 <= len(hits) <= limit and len(hits) <= max(0, total - offset)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


@pytest.mark.parametrize("unit", ["a.", "é-", "x ", "1", "«»", "a" * 40 + " "])
def test_parsers_are_linear(index: SearchIndex, unit: str) -> None:
    """A long input costs in proportion to its size (10x the text, well under 30x the time).

    The cost is this thread's CPU time, the least of three runs: a ratio of work done, which
    other processes on the machine do not move (a quadratic parser would show 100x)."""

    def once(text: str) -> float:
        start = time.thread_time()
        normalise(text)
        for parse in (bound, expand_id):
            with pytest.raises(BadRequest):
                parse(text + "<")
        index.search(text[:2000])
        return time.thread_time() - start

    def cost(n: int) -> float:
        return min(once(unit * n) for _ in range(3))

    cost(100)
    small, large = cost(1_000), cost(10_000)
    assert large < max(30 * small, 0.05), (small, large)
