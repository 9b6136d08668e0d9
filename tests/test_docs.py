"""The generated reference pages (docs/queries.md, docs/settings.md) match the code."""

from __future__ import annotations

from tdi_graph import docs, queries
from tdi_graph.resources import project_root
from tdi_graph.settings import Settings


def test_generated_pages_are_up_to_date() -> None:
    stale = docs.stale()
    assert not stale, f"out of date: {', '.join(p.name for p in stale)}; run `make docs`"


def test_settings_page_lists_every_setting() -> None:
    page = docs.render_settings()
    for name, field in Settings.model_fields.items():
        assert f"`TDI_{name.upper()}`" in page
        assert " ".join((field.description or "").split()) in page


def test_queries_page_lists_every_query() -> None:
    page = docs.render_queries()
    for name, named in queries.catalogue().items():
        assert f"### `{name}`" in page and named.summary in page
        for param in named.params:
            assert f"| `{param.name}` | {param.type} |" in page


def test_check_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert {p.name for p in docs.stale(tmp_path)} == {"queries.md", "settings.md"}
    for path, text in docs.pages(tmp_path).items():
        path.write_text(text, encoding="utf-8")
    assert docs.stale(tmp_path) == []
    assert (project_root() / "docs" / "settings.md").is_file()  # type: ignore[operator]
