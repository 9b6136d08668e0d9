"""``GET /guide``: the researcher's guide (``docs/guide.md``) as HTML, and its diagram
(``docs/model.svg``) at ``/guide/model.svg``. The Markdown is the project's own file."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph.resources import docs_dir, project_root
from tdi_graph_api.templating import templates

router = APIRouter(tags=["pages"])


@functools.lru_cache(maxsize=1)
def _body() -> str:
    import markdown  # imported by the first visit, not when the app starts

    text = (docs_dir() / "guide.md").read_text(encoding="utf-8")
    body = markdown.markdown(text, extensions=["tables", "fenced_code"])
    # the page is /guide: its picture is beside it, the repository's files are not served
    return body.replace('src="model.svg"', 'src="/guide/model.svg"').replace(
        'href="../CITATION.cff"', 'href="/guide/CITATION.cff"'
    )


@router.get("/guide", response_class=HTMLResponse, summary="The researcher's guide")
async def guide_page(request: Request) -> HTMLResponse:
    """The model in one picture, a SPARQL cookbook, Python and R, how to cite, the licences."""
    return templates.TemplateResponse(request, "guide.html", {"body": _body()})


@router.get("/guide/model.svg", summary="The model in one picture", response_class=Response)
async def model_svg() -> Response:
    """The diagram of the ontology's classes (generated: `python -m tdi_graph.ontology_doc`)."""
    return Response((docs_dir() / "model.svg").read_bytes(), media_type="image/svg+xml")


@router.get("/guide/CITATION.cff", summary="How to cite the dataset", response_class=Response)
async def citation() -> Response:
    """The Citation File Format (1.2) metadata of the dataset."""
    root = project_root()  # at the checkout's root; in the wheel, beside the guide
    body = (root / "CITATION.cff" if root else docs_dir() / "CITATION.cff").read_bytes()
    return Response(body, media_type="application/x-yaml")
