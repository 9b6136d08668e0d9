"""Result views of the SPARQL editor beyond the table, drawn on named queries' results loaded
from queries/ into the editor: a map, a timeline, a bar chart; a graph for CONSTRUCT."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _named(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(page.base + "/sparql?lang=fr")  # type: ignore[attr-defined]
    page.locator(f'button.example[data-name="{name}"]').click()
    expect(page.locator(".yasr table.dataTable tbody tr").first).to_be_visible(timeout=15_000)


def _select(page: Page, plugin: str) -> None:
    button = page.locator(f".yasr .select_{plugin}")
    expect(button).to_be_visible()
    button.click()


def test_the_map_view_places_communes_and_territories(guarded: Page) -> None:
    _named(guarded, "communes-in-sources")
    _select(guarded, "tdiMap")
    view = guarded.locator(".tdi-view-map")
    expect(view).to_have_attribute("data-shown", re.compile(r"^[1-9]\d*$"), timeout=20_000)
    assert int(view.get_attribute("data-shown") or 0) >= 3
    assert guarded.locator(".tdi-view-map .leaflet-interactive").count() >= 3
    expect(guarded.locator(".tdi-view-status")).to_contain_text("placé")
    SHOTS.mkdir(parents=True, exist_ok=True)
    guarded.screenshot(path=str(SHOTS / "sparql-map.png"))


def test_the_timeline_view_orders_the_events(guarded: Page) -> None:
    _named(guarded, "events-timeline")
    rows = guarded.locator(".yasr table.dataTable tbody tr").count()
    _select(guarded, "tdiTimeline")
    view = guarded.locator(".tdi-view-timeline")
    expect(view.locator("svg circle").first).to_be_visible()
    assert view.locator("svg circle").count() == int(view.get_attribute("data-items") or 0) > 0
    assert int(view.get_attribute("data-items") or 0) <= rows
    texts = view.locator("svg g.item text").evaluate_all("els => els.map(e => e.textContent)")
    dates = [t.split(" · ")[0] for t in texts]
    assert dates == sorted(dates) and all(len(d) == 10 for d in dates)
    guarded.screenshot(path=str(SHOTS / "sparql-timeline.png"))


def test_the_chart_view_draws_numbers_by_label(guarded: Page) -> None:
    _named(guarded, "territories-per-region")
    _select(guarded, "tdiChart")
    bars = guarded.locator(".tdi-view-chart svg rect.bar")
    expect(bars.first).to_be_visible()
    assert bars.count() >= 3
    widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(bars.count())]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    guarded.screenshot(path=str(SHOTS / "sparql-chart.png"))


def test_the_graph_view_draws_a_construct_answer(guarded: Page) -> None:
    guarded.goto(guarded.base + "/sparql")  # type: ignore[attr-defined]
    guarded.evaluate(
        "q => window.tdiSparql.yasgui.getTab().setQuery(q)",
        "CONSTRUCT { ?s org:subOrganizationOf ?o } WHERE { ?s org:subOrganizationOf ?o } LIMIT 20",
    )
    guarded.evaluate("window.tdiSparql.yasgui.getTab().query()")
    _select(guarded, "tdiGraph")
    view = guarded.locator(".tdi-view-graph")
    expect(view).to_have_attribute("data-nodes", re.compile(r"^[1-9]\d*$"), timeout=20_000)
    assert int(view.get_attribute("data-nodes") or 0) >= 2
