"""``GET /api/signatures``: who signed which agreement, when, where, during which event."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tdi_graph import facts
from tdi_graph.view.dates import date_range
from tdi_graph_api.deps import ServicesDep, Since, Until
from tdi_graph_api.schemas import FastJSON, Limit, Offset, SignatureList, errors, page

router = APIRouter(tags=["facts"])


@router.get(
    "/api/signatures",
    summary="Signature acts",
    response_model=SignatureList,
    response_class=FastJSON,
    responses=errors(400, 404, 422),
)
async def list_signatures(
    services: ServicesDep,
    actor: Annotated[
        str | None,
        Query(
            description="A signatory person or organisation, or a party to the agreement (id).",
            examples=["eric-lombard"],
        ),
    ] = None,
    agreement: Annotated[
        str | None,
        Query(description="The agreement signed (id).", examples=["contrat-ti-nord-franche-comte"]),
    ] = None,
    territory: Annotated[
        str | None,
        Query(description="The programme territory of the contract (id).", examples=["ti1-2707"]),
    ] = None,
    event: Annotated[
        str | None,
        Query(
            description="The event of the signature (id).",
            examples=["french-fab-tour-sochaux-2019"],
        ),
    ] = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSON:
    """Signature acts in date order: the agreement, the date (`date`, or `date_earliest` and
    `date_latest` when the sources give no day), place, event, the signatories (the person, if
    named, and the organisation signed for) and the sources. A date range keeps the acts whose
    dates overlap it (an act known only by a latest or earliest date is placed at that date).
    Unknown ids are 404."""
    first, last = date_range(since, until)
    filters = {
        "actor": services.resolve(actor),
        "agreement": services.resolve(agreement),
        "territory": services.resolve(territory),
        "event": services.resolve(event),
        "since": first,
        "until": last,
    }
    return FastJSON(
        services.answer(
            ("signatures", *filters.values(), limit, offset),
            lambda: page(
                facts.signatures(services.store, services.registry, **filters), limit, offset
            ),
        )
    )
