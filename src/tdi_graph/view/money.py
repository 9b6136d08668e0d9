"""The one money answer: what the commitments of an actor or a programme add up to, each euro
counted once, computed from the rows of ``queries/money.rq`` (which decides, per commitment,
the ``bucket``: ``one_off``, ``recurring``, ``part``, ``subset``, ``no_funder``, ``status``,
``currency``) and the overlap records of ``queries/money-overlaps.rq``.

Rules (all read from the data, none from a list of ids):

- one-off and recurring amounts (``tdi:recurrence``) are kept apart: a yearly amount is never
  added to one-off ones;
- a part (``tdi:hasPart``, ``tdi:instrumentShare``) or a subset (``tdi:ofWhich``) is never
  summed beside its whole; a whole without an amount of its own is worth its instrument
  shares, else its parts;
- only commitments to come count: announced, engaged or agreed in principle
  (``tdi:status``); a past investment (réalisé), an envelope already dedicated, a
  possibility, a study or a standing offer are listed in ``not_counted`` with the reason;
- a commitment whose source names no funder (no ``tdi:committedBy``) is credited to no one;
- possible overlaps recorded in the curation graph (``tdi:Contradiction`` about
  commitments) and the parts that restate a whole are listed in ``overlaps``, not summed.

A commitment made jointly by several funders counts in full for each funder it names (the
sources give no split).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from tdi_graph.view.registry import Registry
from tdi_graph.view.rows import Row, select

COUNTED = ("one_off", "recurring")


def _reason(registry: Registry, row: Row) -> str:
    bucket = row.text("bucket")
    if bucket == "subset":
        wholes = ", ".join(f"« {registry.label(w)} »" for w in row.iris("supersets"))
        return f"a subset (« dont … », tdi:ofWhich) of {wholes}: never added to it"
    if bucket == "part":
        wholes = ", ".join(f"« {registry.label(w)} »" for w in row.iris("wholes"))
        return f"a part (tdi:hasPart / tdi:instrumentShare) of {wholes}: counted in its whole"
    if bucket == "no_funder":
        return "the source names no funder (no tdi:committedBy): credited to no one"
    if bucket == "status":
        status = row.iri("status")
        label = registry.label(status) if status else "none"
        return f"status « {label} »: not a commitment to come (past, possible or offered)"
    if bucket == "currency":
        return f"amount in {row.text('currency')}, not in euros"
    return ""


def money(
    store: ox.Store, registry: Registry, *, actor: str | None = None, programme: str | None = None
) -> dict[str, Any]:
    """The money answer of ``GET /api/money`` (``actor``, ``programme``: IRIs or ``None``)."""
    rows: dict[str, Row] = {}
    for row in select(store, "money", actor=actor, programme=programme):
        rows.setdefault(row.iri("commitment") or "", row)
    one_off = 0
    counted: list[dict[str, Any]] = []
    not_counted: list[dict[str, Any]] = []
    recurring: dict[tuple[Any, ...], dict[str, Any]] = {}
    for iri, row in rows.items():
        bucket = row.text("bucket") or ""
        amount = row.value("amount")
        if bucket in COUNTED:
            qualifier = row.iri("qualifier")
            item = {
                "commitment": registry.ref(iri),
                "amount": amount,
                "bucket": bucket,
                "qualifier": registry.ref(qualifier),
                "recurrence": row.value("recurrence"),
                "sources": registry.sources(iri),
            }
            counted.append(item)
            if bucket == "one_off":
                one_off += amount
            else:
                start, end = row.value("start"), row.value("end")
                period = None if start is None and end is None else {"start": start, "end": end}
                key = (row.text("currency"), row.value("recurrence"), start, end)
                entry = recurring.setdefault(
                    key,
                    {
                        "value": 0,
                        "currency": row.text("currency"),
                        "recurrence": row.value("recurrence"),
                        "period": period,
                        "commitments": [],
                    },
                )
                entry["value"] += amount
                entry["commitments"].append(registry.ref(iri))
        else:
            not_counted.append(
                {
                    "commitment": registry.ref(iri),
                    "amount": amount,
                    "bucket": bucket,
                    "reason": _reason(registry, row),
                    "about": registry.refs(
                        [*row.iris("supersets"), *row.iris("wholes")]
                        + [s for s in [row.iri("status")] if bucket == "status" and s]
                    ),
                    "currency": row.text("currency"),
                }
            )
    return {
        "actor": registry.ref(actor),
        "programme": registry.ref(programme),
        "one_off": {"value": one_off, "currency": "EUR"},
        "recurring": list(recurring.values()),
        "counted": counted,
        "not_counted": not_counted,
        "overlaps": overlaps(store, registry, rows),
    }


def overlaps(store: ox.Store, registry: Registry, rows: dict[str, Row]) -> list[dict[str, Any]]:
    """The possible overlaps among the listed commitments: the curation records about them,
    then each whole with the parts and subsets that restate its money."""
    records: dict[str, dict[str, Any]] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for row in select(store, "money-overlaps", columns="record commitment note resolution"):
        record, commitment = row.iri("record") or "", row.iri("commitment") or ""
        members[record].append(commitment)
        records.setdefault(
            record,
            {
                "record": registry.ref(record),
                "note": row.text("note") or registry.label(record),
                "resolution": row.text("resolution"),
                "sources": registry.sources(record),
            },
        )
    out = [
        {"commitments": registry.refs(members[record]), "kind": "recorded", **entry}
        for record, entry in records.items()
        if any(c in rows for c in members[record])
    ]
    restated: dict[str, list[str]] = defaultdict(list)
    for iri, row in rows.items():
        for whole in (*row.iris("wholes"), *row.iris("supersets")):
            if whole in rows:
                restated[whole].append(iri)
    for whole, parts in restated.items():
        label = registry.label(whole)
        out.append(
            {
                "commitments": [registry.ref(whole), *registry.refs(parts)],
                "kind": "parts",
                "note": f"« {label} » and its parts or subsets state the same money: "
                "counted once, in the whole",
                "record": None,
                "resolution": None,
                "sources": [],
            }
        )
    return out
