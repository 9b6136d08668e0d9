"""A named-query form in headless Chromium: entity suggestions, a run, the result table that
sorts and filters, and the CSV of the same answer."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOTS = Path("var") / "screenshots"


def test_a_named_query_form_runs_and_offers_csv(guarded: Page) -> None:
    page = guarded
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(page.base + "/queries")  # type: ignore[attr-defined]
    page.locator('a[href="/queries/territory-of-commune"]').first.click()
    page.wait_for_url("**/queries/territory-of-commune")
    field = page.locator('input[name="commune"]')
    field.press_sequentially("Sochau", delay=30)  # the entity search suggests ids
    options = page.locator("#suggest-commune option")
    expect(options.first).to_have_attribute("value", "commune-25547", timeout=5000)
    field.fill("commune-25547")
    page.get_by_role("button", name="Lancer la requête").click()
    page.wait_for_url("**/queries/territory-of-commune?commune=commune-25547")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.results")).to_contain_text("Nord Franche-Comté")
    expect(page.locator(".table-count")).to_have_text("2 lignes")
    page.locator(".table-filter").fill("Phase2")
    expect(page.locator("table.results tbody tr:visible")).to_have_count(1)
    page.locator(".table-filter").fill("")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "query-form.png"), full_page=True)
    href = page.locator("a.csv").get_attribute("href")
    assert href is not None and href.endswith("format=csv")
    answer = page.request.get(page.base + href)  # type: ignore[attr-defined]
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.text())))
    assert {r["territory"].rsplit("/", 1)[-1] for r in table} == {"ti1-2707", "ti2-2708"}
