"""schemathesis against the app's own ``/openapi.json``, through the ASGI app: every operation,
a bounded number of generated cases each (valid and invalid), no 5xx and every response
matching its documented schema and content type.

The operations are read from the committed snapshot (``docs/openapi.json``, which
``test_openapi`` keeps equal to the served one) to parametrize the test; the cases are
generated from the schema the app serves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

SNAPSHOT = Path(__file__).parents[2] / "docs" / "openapi.json"
#: Cases per operation and mode: about 30 operations, the module in well under 20 s.
EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, operations in json.loads(SNAPSHOT.read_text())["paths"].items()
    for method in operations
]
#: Every case run, for the figures of docs/reliability.md (printed at the end).
RUN: dict[str, int] = {}


@pytest.fixture(scope="module")
def api_schema(app: FastAPI, client: TestClient) -> schemathesis.BaseSchema:
    """The served schema (``client`` has started the app's services)."""
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation(api_schema: schemathesis.BaseSchema, label: str, mode) -> None:  # type: ignore[no-untyped-def]
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        RUN[label] = RUN.get(label, 0) + 1
        case.call_and_validate(checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip(f"{label}: the schema leaves no invalid input to send")


def test_the_operations_are_all_there() -> None:
    assert len(OPERATIONS) >= 29 and "POST /sparql" in OPERATIONS
