"""The README's examples work as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from tdi_graph.resources import resources_dir

README = (resources_dir() / "README.md").read_text(encoding="utf-8")


def test_readme_curl_examples_answer(client: TestClient) -> None:
    urls = re.findall(r"curl[^\n]*?'?(http://127\.0\.0\.1:8000[^'\s]*)'?", README)
    assert len(urls) >= 3
    for url in urls:
        path = url.removeprefix("http://127.0.0.1:8000")
        headers = {"Accept": "text/turtle"} if path.startswith("/id/") else {}
        if path == "/sparql":
            answer = client.post(
                "/sparql",
                data={"query": "SELECT * WHERE { ?s a <http://xmlns.com/foaf/0.1/Person> }"},
                headers={"Accept": "text/csv"},
            )
            assert answer.text.count("\n") == 8  # header + the 7 persons of the sources
        else:
            answer = client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.text[:200])


def test_readme_query_example_runs(store_dir: Path) -> None:
    line = next(x for x in README.splitlines() if x.startswith("tdi-graph query signatories"))
    args = line.split()[1:]
    done = subprocess.run(
        [sys.executable, "-m", "tdi_graph.cli", *args, "--store", str(store_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Éric Lombard" in done.stdout and "(3 rows)" in done.stdout
