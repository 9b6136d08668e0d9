"""The site's own furniture: ``/api`` (an index of the API), ``/docs`` (Swagger UI, vendored: no
CDN) and the favicon."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from tdi_graph_api.templating import STATIC_DIR, templates

router = APIRouter(include_in_schema=False)

FAVICON = STATIC_DIR / "favicon.svg"


@router.get("/api")
async def api_index(request: Request) -> JSONResponse:
    """Where the API is described, and its operations under ``/api`` (read from the app's own
    OpenAPI description, so that the list is never out of step with the routes)."""
    paths = request.app.openapi()["paths"]
    operations = [
        {"method": method.upper(), "path": path, "summary": operation.get("summary", "")}
        for path, by_method in paths.items()
        if path.startswith("/api/")
        for method, operation in by_method.items()
    ]
    return JSONResponse({"docs": "/docs", "openapi": "/openapi.json", "operations": operations})


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
