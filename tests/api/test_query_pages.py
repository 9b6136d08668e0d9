"""The named queries' HTML pages: /queries links to the forms, /queries/{name} is a form built
from the query's parameters with its result table and the CSV and JSON links."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tdi_graph import queries


def test_queries_page_links_every_query_to_its_form(client: TestClient) -> None:
    page = client.get("/queries").text
    for name in queries.catalogue():
        assert f'href="/queries/{name}"' in page
    assert 'href="/api/queries/' not in page  # no raw JSON links in place of the forms


def test_a_form_has_one_field_per_parameter(client: TestClient) -> None:
    page = client.get("/queries/territory-of-commune").text
    assert re.search(r'<input name="commune" type="text"\s+value=""\s+required', page)
    assert 'placeholder="ex. commune-25547"' in page and 'data-suggest="id"' in page
    assert 'data-suggest-type="place"' in page
    assert 'id="results"' not in page  # a required field: nothing runs before it is filled
    assert 'href="/queries/territory-of-commune?commune=commune-25547"' in page  # the example


def test_a_submitted_form_shows_the_results_and_the_download_links(client: TestClient) -> None:
    page = client.get("/queries/territory-of-commune", params={"commune": "commune-25547"}).text
    assert "Résultats" in page and "(2 lignes)" in page
    assert page.count('<a href="/id/ti1-2707">') + page.count('<a href="/id/ti2-2708">') >= 2
    csv_url = "/api/queries/territory-of-commune?commune=commune-25547&amp;format=csv"
    assert f'href="{csv_url}"' in page
    assert 'href="/api/queries/territory-of-commune?commune=commune-25547"' in page


def test_a_query_without_required_parameter_runs_at_once(client: TestClient) -> None:
    page = client.get("/queries/commitments-of-actor").text
    assert 'value="banque-des-territoires"' in page and 'id="results"' in page
    assert "format=csv" in page


def test_a_bad_value_is_shown_on_the_form(client: TestClient) -> None:
    answer = client.get("/queries/territory-of-commune", params={"commune": "no-such-commune"})
    assert answer.status_code == 404
    assert 'class="notice error"' in answer.text and "no-such-commune" in answer.text
    assert '<form class="query-form"' in answer.text  # the form stays, to correct the value
    assert client.get("/queries/no-such-query", headers={"Accept": "text/html"}).status_code == 404
