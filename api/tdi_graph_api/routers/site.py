"""The site's own furniture: ``/docs`` (Swagger UI, vendored: no CDN) and the favicon."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from tdi_graph_api.templating import STATIC_DIR, templates

router = APIRouter(include_in_schema=False)

FAVICON = STATIC_DIR / "favicon.svg"


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    """The OpenAPI description in Swagger UI, served from ``static/vendor/swagger-ui``."""
    return templates.TemplateResponse(request, "docs.html", {"openapi_url": "/openapi.json"})


@router.get("/favicon.svg")
@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The site's icon (an SVG; browsers asking for ``/favicon.ico`` get it too)."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
    )
