"""``GET /api/commitments``: who committed what, how much, through what, until when."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tdi_graph import facts
from tdi_graph.view.money import money
from tdi_graph_api.deps import Services, ServicesDep
from tdi_graph_api.schemas import CommitmentList, FastJSON, Limit, Offset, errors, page

router = APIRouter(tags=["facts"])


@router.get(
    "/api/commitments",
    summary="Commitments",
    response_model=CommitmentList,
    response_class=FastJSON,
    responses=errors(400, 404, 422),
)
async def list_commitments(
    services: ServicesDep,
    actor: Annotated[
        str | None,
        Query(
            description="The organisation that committed (id).", examples=["banque-des-territoires"]
        ),
    ] = None,
    programme: Annotated[
        str | None,
        Query(
            description="A programme the commitment is for (id).",
            examples=["territoires-d-industrie"],
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSON:
    """Commitments with the amount (`{"value", "currency"}`, a plain number: 100 M€ is
    100000000) and its qualifier (about, more than), rate, recurrence (P1Y: per year), period,
    instrument(s), status, their parts (`parts`, `part_of`) and split by instrument (`shares`,
    `share_of`), the subsets they mention (`of_which`: "dont 100 M€ engagés", not additive) and
    sources. `amount_total` is the `one_off` total of `/api/money` for the same filters (each
    euro counted once: parts, subsets, past investments, recurring amounts and commitments
    with no named funder are left out; see `/api/money` for what is and is not counted)."""
    filters = {"actor": services.resolve(actor), "programme": services.resolve(programme)}

    def compute() -> dict[str, Any]:
        items = facts.commitments(services.store, services.registry, **filters)
        return page(items, limit, offset, amount_total=amount_total(services, **filters))

    return FastJSON(services.answer(("commitments", *filters.values(), limit, offset), compute))


def amount_total(services: Services, **filters: str | None) -> dict[str, Any]:
    """The one-off total of the money answer, and the ids of the commitments it adds up."""
    answer = money(services.store, services.registry, **filters)
    return {
        **answer["one_off"],
        "commitments": [
            c["commitment"]["id"] for c in answer["counted"] if c["bucket"] == "one_off"
        ],
    }
