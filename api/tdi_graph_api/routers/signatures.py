"""Routes of `signatures` (to be completed)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
