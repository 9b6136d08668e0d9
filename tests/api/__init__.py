"""What the API tests share."""

from __future__ import annotations

from typing import Any

#: the six other first contracts, signed by 22 March 2019 (the Nord Franche-Comté one on the 20th)
FIRST_SIX = (
    "carros",
    "sud-alsace",
    "auxois-morvan",
    "grand-chatellerault",
    "val-de-garonne",
    "grand-orly",
)


def assert_error(answer: Any, status: int, code: str | None = None) -> str:
    """The contract's error shape (JSON ``{"error": {"code", "message"}}``, no traceback), with
    ``status`` (and ``code`` when given); returns the message."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].split(";")[0].strip() == "application/json"
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in answer.text
    if code:
        assert body["error"]["code"] == code
    return str(body["error"]["message"])
