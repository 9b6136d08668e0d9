"""``/downloads``: the dumps of the whole dataset (``tdi-graph dump``), with their checksums.

``GET /downloads`` lists the newest dump (HTML for browsers, its manifest as JSON otherwise);
``GET /downloads/{path}`` serves one of the files its manifest lists, and nothing else.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, Response

from tdi_graph.dump import CHECKSUMS, MANIFEST, latest
from tdi_graph.errors import NotFound
from tdi_graph_api.deps import ServicesDep
from tdi_graph_api.schemas import FastJSON, errors
from tdi_graph_api.templating import templates

router = APIRouter(tags=["downloads"])
MEDIA = {
    ".gz": "application/gzip",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".md": "text/markdown; charset=utf-8",
    "": "text/plain; charset=utf-8",
}


def _manifest(services: Any) -> tuple[Any, dict[str, Any] | None]:
    found = latest(services.settings.dumps_dir)
    if found is None:
        return None, None
    return found, json.loads((found / MANIFEST).read_text())


@router.get(
    "/downloads",
    summary="The dumps of the whole dataset",
    responses={200: {"content": {"text/html": {}, "application/json": {}}}},
)
async def downloads(request: Request, services: ServicesDep) -> Response:
    """The newest dump: N-Quads, TriG, JSON-LD, Turtle per graph and CSV tables, each with
    its size and SHA-256. JSON (the dump's manifest) unless the client prefers HTML."""
    folder, manifest = _manifest(services)
    if "text/html" in request.headers.get("accept", ""):
        return templates.TemplateResponse(
            request, "downloads.html", {"manifest": manifest, "folder": folder}
        )
    if manifest is None:
        raise NotFound("no dump has been written yet: run `tdi-graph dump`")
    return FastJSON(manifest)


@router.get(
    "/downloads/{path:path}",
    summary="One file of the newest dump",
    response_class=FileResponse,
    responses=errors(404),
)
async def download(
    services: ServicesDep, path: Annotated[str, Path(description="A path the manifest lists.")]
) -> FileResponse:
    folder, manifest = _manifest(services)
    listed = {f["path"] for f in manifest["files"]} if manifest else set()
    if folder is None or (path not in listed and path not in (MANIFEST, CHECKSUMS)):
        raise NotFound(f"no file {path!r} in the dump")
    name = path.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return FileResponse(
        folder / path,
        media_type=MEDIA.get(suffix, "application/octet-stream"),
        filename=name,
    )
