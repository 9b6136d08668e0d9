"""``GET /api/events``: events in date order."""

from __future__ import annotations

from fastapi import APIRouter

from tdi_graph import facts
from tdi_graph_api.routers.entities import GraphDep
from tdi_graph_api.routers.signatures import Since, Until, date_range
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
    graph: GraphDep,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSON:
    """Events in date order (schema:startDate, schema:endDate) with place, participants
    (schema:attendee), organisers, the events they are part of, and sources. A date range keeps
    the events that overlap it; undated events (series) come last, and only without a range."""
    first, last = date_range(since, until)
    return FastJSON(
        graph.answer(
            ("events", first, last, limit, offset),
            lambda: page(
                facts.events(graph.store, graph.registry, since=first, until=last), limit, offset
            ),
        )
    )
