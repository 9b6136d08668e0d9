"""The JSON answers of the facts (signatures, commitments, events, territories, money),
defined once for the library, the API and the tests (see :mod:`tdi_graph.view.models`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tdi_graph.view.models import REF_EXAMPLE, SOURCE_EXAMPLE, Page, Ref, Source, _example

# --- facts ----------------------------------------------------------------------------------


class Signatory(BaseModel):
    person: Ref | None = Field(description="Null when the source names only the organisation.")
    organisation: Ref | None


class Signature(BaseModel):
    model_config = _example(
        id="signature-contrat-ti-nord-franche-comte",
        label="Signature du contrat Territoire d'industrie Nord Franche-Comté",
        agreement={
            "id": "contrat-ti-nord-franche-comte",
            "type": "agreement",
            "label": "Contrat Territoire d'industrie Nord Franche-Comté",
        },
        date="2019-03-19",
        date_earliest=None,
        date_latest=None,
        place={"id": "site-psa-sochaux", "type": "place", "label": "site PSA de Sochaux"},
        event={
            "id": "french-fab-tour-sochaux-2019",
            "type": "event",
            "label": "Étape sochalienne du French Fab Tour (2019)",
        },
        signatories=[
            {
                "person": {"id": "eric-lombard", "type": "person", "label": "Éric Lombard"},
                "organisation": REF_EXAMPLE,
            }
        ],
        sources=[SOURCE_EXAMPLE],
    )
    id: str
    label: str
    agreement: Ref | None
    date: str | None = Field(description="YYYY-MM-DD; null when only bounds are known.")
    date_earliest: str | None = Field(description="Earliest possible date, if no exact date.")
    date_latest: str | None = Field(description="Latest possible date, if no exact date.")
    place: Ref | None
    event: Ref | None
    signatories: list[Signatory]
    sources: list[Source]


class SignatureList(Page):
    items: list[Signature]


class Amount(BaseModel):
    value: float = Field(description="Plain number in the currency (100 M€ is 100000000).")
    currency: str


class Period(BaseModel):
    start: str | None = Field(description="Year (YYYY) or date.")
    end: str | None


class Commitment(BaseModel):
    model_config = _example(
        id="engagement-bdt-100m-par-an",
        label="100 M€ par an d'ici 2022 en fonds propres dans les projets des Territoires "
        "d'industrie",
        actor={
            "id": "banque-des-territoires",
            "type": "organisation",
            "label": "Banque des Territoires",
        },
        programme={
            "id": "territoires-d-industrie",
            "type": "programme",
            "label": "Territoires d'industrie",
        },
        amount={"value": 100000000, "currency": "EUR"},
        rate=None,
        recurrence="P1Y",
        period={"start": None, "end": "2022"},
        instrument={"id": "tdi:Equity", "type": "concept", "label": "fonds propres"},
        parts=[],
        sources=[SOURCE_EXAMPLE],
    )
    id: str
    label: str
    actor: Ref | None
    actors: list[Ref] = Field([], description="Every organisation that committed.")
    programme: Ref | None
    programmes: list[Ref] = []
    amount: Amount | None
    qualifier: Ref | None = Field(None, description="About, more than, at most... (amount).")
    rate: float | None = Field(description="Decimal rate (0.5 for 50 %).")
    rate_qualifier: Ref | None = None
    recurrence: str | None = Field(description="ISO 8601 duration: P1Y is per year.")
    quantity: float | None = None
    period: Period | None
    instrument: Ref | None
    instruments: list[Ref] = []
    status: Ref | None = Field(None, description="Pledged, engaged, realised...")
    parts: list[Ref] = Field(description="tdi:hasPart: the parts that add up to the amount.")
    part_of: list[Ref] = []
    shares: list[Ref] = Field([], description="tdi:instrumentShare: the split by instrument.")
    share_of: list[Ref] = []
    of_which: list[Ref] = Field(
        [], description='tdi:ofWhich: subsets mentioned ("dont"), not additive.'
    )
    subset_of: list[Ref] = []
    sources: list[Source]


class AmountTotal(BaseModel):
    """The sum of the listed amounts, each part counted once (see `amount_total` in docs)."""

    value: float
    currency: str
    commitments: list[str] = Field(description="Ids of the commitments added up.")


class CommitmentList(Page):
    items: list[Commitment]
    amount_total: AmountTotal


class Event(BaseModel):
    model_config = _example(
        id="french-fab-tour-sochaux-2019",
        label="Étape sochalienne du French Fab Tour (2019)",
        type="event",
        start="2019-03-19",
        end="2019-03-19",
        place={"id": "site-psa-sochaux", "type": "place", "label": "site PSA de Sochaux"},
        participants=[{"id": "eric-lombard", "type": "person", "label": "Éric Lombard"}],
        sources=[SOURCE_EXAMPLE],
    )
    id: str
    label: str
    type: str = Field(description="`event` (the public type; see `classes` for the kind).")
    classes: list[Ref] = Field([], description="Its classes: tour stage, general assembly...")
    start: str | None
    end: str | None
    place: Ref | None
    participants: list[Ref]
    organizers: list[Ref] = []
    part_of: list[Ref] = []
    sources: list[Source]


class EventList(Page):
    items: list[Event]


class Territory(BaseModel):
    model_config = _example(
        id="ti1-2707",
        label="Nord Franche-Comté",
        code="ti-2707",
        region={"id": "region-27", "type": "place", "label": "Bourgogne-Franche-Comté"},
        phase={"id": "tdi:Phase1", "type": "concept", "label": "phase 1 (2018-2022)"},
        communes=197,
        contract_status="signed",
        contract_signed="2019-03-19",
    )
    id: str
    label: str
    code: str | None = Field(description="ANCT territory code (ti-NNNN).")
    region: Ref | None
    phase: Ref | None
    communes: int | None = Field(description="Number of communes (COG 2026).")
    groupements: list[Ref] = Field([], description="Member EPCI or communes.")
    contract: Ref | None = None
    contract_status: str = Field(
        description="`signed`, `unsigned` (contract, no signature "
        "known) or `none` (no contract in the graph)."
    )
    contract_signature: Ref | None = None
    contract_signed: str | None = Field(
        description="Date the contract was signed: the exact date, else the latest date it is "
        "known to have been signed by (see `contract_signed_precision`)."
    )
    contract_signed_precision: str | None = Field(
        description="`day` (exact date), `by` (signed on or before `contract_signed`), "
        "`between` (within earliest..latest), `after` (only an earliest date), null if unsigned."
    )
    contract_signed_earliest: str | None = None
    contract_signed_latest: str | None = None
    sources: list[Source] = []


class TerritoryList(Page):
    items: list[Territory]


# --- money ----------------------------------------------------------------------------------


class MoneyCounted(BaseModel):
    commitment: Ref
    amount: float
    bucket: str = Field(description="`one_off` or `recurring`.")
    qualifier: Ref | None = Field(description="About, more than, at most... (as stated).")
    recurrence: str | None
    sources: list[Source]


class Recurring(BaseModel):
    value: float
    currency: str
    recurrence: str = Field(description="ISO 8601 duration: P1Y is per year.")
    period: Period | None
    commitments: list[Ref]


class MoneyNotCounted(BaseModel):
    commitment: Ref
    amount: float | None
    bucket: str = Field(description="part, subset, no_funder, status or currency.")
    reason: str


class Overlap(BaseModel):
    commitments: list[Ref]
    kind: str = Field(
        description="`recorded` (a curation record) or `parts` (a whole and its parts or subsets)."
    )
    note: str
    record: Ref | None
    resolution: str | None
    sources: list[Source]


class Money(BaseModel):
    """The commitments' money, each euro counted once."""

    actor: Ref | None
    programme: Ref | None
    one_off: Amount
    recurring: list[Recurring]
    counted: list[MoneyCounted]
    not_counted: list[MoneyNotCounted]
    overlaps: list[Overlap]
