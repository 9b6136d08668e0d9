"""The committed OpenAPI description of the HTTP API: ``docs/openapi.json``.

``python -m tdi_graph_api.openapi`` (``make openapi``, also run by ``make docs``) writes it;
``--check`` exits 1 when it is out of date. ``tests/api/test_openapi.py`` compares it with what
the app serves at ``/openapi.json``, so a change of a route, a parameter or a response model
shows in review as a diff of that file. After changing the API, run ``make openapi`` and commit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from tdi_graph.resources import project_root
from tdi_graph.settings import Settings
from tdi_graph.store import write_build

TARGET = Path("docs") / "openapi.json"


def schema() -> dict[str, Any]:
    """The app's OpenAPI document (built over an empty store: the schema needs no data)."""
    from tdi_graph_api.app import create_app

    with tempfile.TemporaryDirectory() as directory:
        store_dir = Path(directory)
        write_build(store_dir, [])
        app = create_app(store_dir=store_dir, settings=Settings(store=store_dir))
        return app.openapi()


def render(document: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or --check) docs/openapi.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    root = project_root() or Path.cwd()
    path = root / TARGET
    text = render(schema())
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            print(f"out of date: {path}; run `make openapi`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
