"""docs/guide.md: its Python examples run against a live server, its R examples send requests
that a replay (the same URLs and headers as httr) shows the server answers as R reads them, its
cookbook is the one generated from queries/, and CITATION.cff is valid CFF 1.2."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from tdi_graph import __version__, guide

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide.md"
EXAMPLE_BASE = "http://127.0.0.1:8000"
#: what httr 1.4 sends besides the headers a call adds (curl's defaults through r-curl)
HTTR_HEADERS = {
    "User-Agent": "libcurl/8.5.0 r-curl/5.2.1 httr/1.4.7",
    "Accept-Encoding": "deflate, gzip",
}


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.M | re.S)


def test_the_guide_has_the_examples_it_promises() -> None:
    assert len(blocks("python")) == 3 and len(blocks("r")) == 1
    assert len(blocks("sparql")) == len(guide.recipes()) >= 20
    text = GUIDE.read_text(encoding="utf-8")
    assert "](model.svg)" in text and (ROOT / "docs" / "model.svg").is_file()


@pytest.mark.parametrize("index", range(3))
def test_python_examples_run_against_a_live_server(live_server: str, index: int) -> None:
    code = blocks("python")[index]
    assert EXAMPLE_BASE in code
    exec(compile(code.replace(EXAMPLE_BASE, live_server), f"guide.md python #{index}", "exec"), {})


def _r_strings(code: str) -> dict[str, str]:
    """The ``name <- "literal"`` assignments of R code (double-quoted, possibly multi-line)."""
    return {
        m[1]: m[2].replace('\\"', '"') for m in re.finditer(r'(\w+) <- "((?:[^"\\]|\\.)*)"', code)
    }


def _r_requests(code: str) -> list[tuple[str, dict[str, str]]]:
    """Each ``GET(url, query = list(...), accept(...))`` of the R code as the URL and headers
    httr sends: values escaped by curl_escape (only unreserved characters kept)."""
    strings = _r_strings(code)
    found = []
    call = re.compile(
        r'GET\((\w+|"[^"]*")(?:, query = list\(([^)]*)\))?, (accept\("([^"]+)"\)|accept_json\(\))\)'
    )
    for m in call.finditer(code):
        url = m[1].strip('"') if m[1].startswith('"') else strings[m[1]]
        if m[2]:
            pairs = [p.split(" = ") for p in m[2].split(", ")]
            url += "?" + "&".join(f"{k}={quote(strings[v], safe='-._~')}" for k, v in pairs)
        accept = m[4] or "application/json"
        found.append((url, {**HTTR_HEADERS, "Accept": accept}))
    return found


def test_r_examples_requests_are_answered_as_r_reads_them(live_server: str) -> None:
    code = blocks("r")[0]
    requests = _r_requests(code)
    assert [h["Accept"] for _, h in requests] == [
        "text/csv",
        "application/sparql-results+json",
        "application/json",
    ]
    answers = []
    for url, headers in requests:
        assert url.startswith(EXAMPLE_BASE)
        answer = httpx.get(url.replace(EXAMPLE_BASE, live_server), headers=headers)
        assert answer.status_code == 200, answer.text
        answers.append(answer)
    assert answers[0].headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answers[0].text)))  # read.csv(text = ...)
    assert list(table[0]) == ["act", "date"] and len(table) > 5
    bindings = answers[1].json()["results"]["bindings"]  # fromJSON(...)$results$bindings
    assert len(bindings) == len(table) and bindings[0]["act"]["type"] == "uri"
    items = answers[2].json()["items"]  # fromJSON(...)$items
    assert len(items) == 7 and "territoryLabel" in items[0]


def test_the_cookbook_is_generated_from_queries() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert guide.render(text) == text, "docs/guide.md's cookbook is stale: python -m tdi_graph.docs"
    for query in guide.recipes():
        assert f"`GET /api/queries/{query.name}`" in text
        assert f"### {query.summary}\n" in text


def _cffconvert(path: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("cffconvert")
    return subprocess.run([exe, "--validate", "-i", str(path)], capture_output=True, text=True)


def test_citation_cff_is_valid_cff_1_2(tmp_path: Path) -> None:
    cff = ROOT / "CITATION.cff"
    checked = _cffconvert(cff)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "valid according to schema version 1.2.0" in checked.stdout
    assert f'version: "{__version__}"' in cff.read_text(encoding="utf-8")
    broken = tmp_path / "CITATION.cff"
    broken.write_text(cff.read_text(encoding="utf-8").replace("authors:", "writers:"))
    assert _cffconvert(broken).returncode != 0  # the validation can fail


def test_the_home_page_links_the_guide_which_renders(client: TestClient) -> None:
    home = client.get("/").text
    assert 'href="/guide"' in home and 'href="/ontology"' in home
    page = client.get("/guide")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h2>SPARQL cookbook</h2>" in page.text and "<table>" in page.text
    assert 'src="/guide/model.svg"' in page.text
    svg = client.get("/guide/model.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<?xml")
    assert client.get("/guide/CITATION.cff").text.startswith("cff-version: 1.2.0")
