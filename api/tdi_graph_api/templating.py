"""Jinja2 templates and static files of the HTML pages (server-rendered, autoescaped)."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from tdi_graph import __version__
from tdi_graph_api import i18n

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["version"] = __version__
templates.env.globals.update(i18n.GLOBALS)  # lang(), t(), term(), typename(), inverse()
