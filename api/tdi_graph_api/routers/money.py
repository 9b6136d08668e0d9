"""``GET /api/money``: the commitments' money, each euro counted once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tdi_graph.view.money import money
from tdi_graph_api.deps import ServicesDep
from tdi_graph_api.schemas import FastJSON, Money, errors

router = APIRouter(tags=["facts"])


@router.get(
    "/api/money",
    summary="Money committed, each euro counted once",
    response_model=Money,
    response_class=FastJSON,
    responses=errors(400, 404, 422),
)
async def get_money(
    services: ServicesDep,
    actor: Annotated[
        str | None,
        Query(description="The funder (tdi:committedBy), id.", examples=["banque-des-territoires"]),
    ] = None,
    programme: Annotated[
        str | None,
        Query(description="The programme (id).", examples=["territoires-d-industrie"]),
    ] = None,
) -> FastJSON:
    """What the commitments of an actor and/or a programme add up to, from the named query
    `money` (which the entity pages use too). `one_off` sums the one-off amounts of the
    commitments to come (announced, engaged, agreed in principle); `recurring` keeps yearly
    amounts apart, by recurrence and period; `counted` lists what was added. A part
    (tdi:hasPart, tdi:instrumentShare) or a subset ("dont ...", tdi:ofWhich) is never summed
    beside its whole; past investments, envelopes already dedicated, possibilities, studies
    and offers are not commitments to count; a commitment whose source names no funder is
    credited to no one: all of these are in `not_counted`, with the reason. `overlaps` lists
    the possible overlaps (curation records, wholes and their parts): listed, not summed. A
    commitment made jointly counts in full for each funder it names."""
    filters = {"actor": services.resolve(actor), "programme": services.resolve(programme)}
    return FastJSON(
        services.answer(
            ("money", *filters.values()),
            lambda: money(services.store, services.registry, **filters),
        )
    )
