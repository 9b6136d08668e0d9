"""``GET /api/events``: events in date order."""

from __future__ import annotations

from fastapi import APIRouter

from tdi_graph import facts
from tdi_graph.view.dates import date_range
from tdi_graph_api.deps import ServicesDep, Since, Until
from tdi_graph_api.schemas import EventList, FastJSON, Limit, Offset, errors, page

router = APIRouter(tags=["facts"])


@router.get(
    "/api/events",
    summary="Events",
    response_model=EventList,
    response_class=FastJSON,
    responses=errors(400, 422),
)
async def list_events(
    services: ServicesDep,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSON:
    """Events in date order (schema:startDate, schema:endDate) with place, participants
    (schema:attendee), organisers, the events they are part of, and sources. `since` and
    `until` take YYYY, YYYY-MM or YYYY-MM-DD (a month or a year covers all its days); a range
    keeps the events whose start..end interval overlaps it (an event with no end lasts its
    start day). Undated events (series) come last, and only without a range."""
    first, last = date_range(since, until)
    return FastJSON(
        services.answer(
            ("events", first, last, limit, offset),
            lambda: page(
                facts.events(services.store, services.registry, since=first, until=last),
                limit,
                offset,
            ),
        )
    )
