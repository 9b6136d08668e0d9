"""Shared dependencies of the routers."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import Depends, Request

from tdi_graph.settings import Settings


def get_store(request: Request) -> ox.Store:
    return request.app.state.store


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[ox.Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
