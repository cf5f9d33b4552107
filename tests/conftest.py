"""Fixtures: the bundled real data, ingested and built once per session, and a connection to it."""

from __future__ import annotations

import pytest

from hukou_stats.core.project import Project
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from tests.helpers import make_project


@pytest.fixture(scope="session")
def bundled(tmp_path_factory) -> Project:
    """The bundled real data, ingested and built once for the session."""
    p = make_project(tmp_path_factory.mktemp("bundled"), bundled=True)
    ingest(p)
    build(p)
    return p


@pytest.fixture
def con(bundled):
    from hukou_stats.warehouse.connection import connect

    c = connect(bundled)
    yield c
    c.close()
