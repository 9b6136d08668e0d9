"""``GET /api/commitments``: who committed what, how much, through what, until when."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tdi_graph import facts
from tdi_graph_api.deps import ServicesDep
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
    sources. `amount_total` adds up the amounts of all the matching commitments, counting each
    part once (a part, share or subset of another listed commitment is not added; one without
    an amount counts as the sum of its parts)."""
    filters = {"actor": services.resolve(actor), "programme": services.resolve(programme)}

    def compute() -> dict[str, Any]:
        items = facts.commitments(services.store, services.registry, **filters)
        return page(items, limit, offset, amount_total=facts.amount_total(items))

    return FastJSON(services.answer(("commitments", *filters.values(), limit, offset), compute))
