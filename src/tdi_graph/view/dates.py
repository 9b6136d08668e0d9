"""Date bounds as the API accepts them: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

A range ``since``..``until`` covers whole periods: ``since=2019`` starts on 2019-01-01 and
``until=2019-03`` ends on 2019-03-31. A fact known only within bounds (earliest and/or latest
date) matches when its interval overlaps the range; an open bound (only a latest date, say)
reaches as far as it may.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from tdi_graph.errors import BadRequest

_PERIOD = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def bound(raw: str, *, end: bool = False, name: str = "date") -> str:
    """The ISO day that starts (or, with ``end``, ends) the period ``raw``.

    >>> bound("2019"), bound("2019", end=True), bound("2019-02", end=True)
    ('2019-01-01', '2019-12-31', '2019-02-28')
    >>> bound("2019-03-22")
    '2019-03-22'
    """
    match = _PERIOD.fullmatch(raw.strip())
    try:
        if match is None:
            raise ValueError(raw)
        year, month, day = match[1], match[2], match[3]
        if day is not None:
            return dt.date(int(year), int(month), int(day)).isoformat()
        if month is not None:
            first = dt.date(int(year), int(month), 1)
            if not end:
                return first.isoformat()
            last = calendar.monthrange(first.year, first.month)[1]
            return first.replace(day=last).isoformat()
        return f"{int(year):04d}-12-31" if end else f"{int(year):04d}-01-01"
    except ValueError:
        raise BadRequest(f"{name} {raw!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None


def date_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """The first and last ISO days of ``since``..``until``; :class:`BadRequest` if the range
    ends before it starts.

    >>> date_range("2019", "2019-03")
    ('2019-01-01', '2019-03-31')
    """
    first = bound(since, name="since") if since else None
    last = bound(until, end=True, name="until") if until else None
    if first and last and first > last:
        raise BadRequest(f"since ({since}) is after until ({until})")
    return first, last
