"""Fixtures: the bundled real data, ingested and built once per session, and a connection to it."""

from __future__ import annotations

import pytest

from hukou_stats.core.project import Project
from hukou_stats.store.commit import ingest
from hukou_stats.warehouse.build import build
from tests.helpers import make_project


@pytest.fixture(scope="session")
def _bundled(tmp_path_factory):
    p = make_project(tmp_path_factory.mktemp("bundled"), bundled=True)
    checked = ingest(p)
    build(p)
    return p, checked


@pytest.fixture(scope="session")
def bundled(_bundled) -> Project:
    """The bundled real data (with every county of the 2020 census), ingested and built once for the session."""
    return _bundled[0]


@pytest.fixture(scope="session")
def bundled_checked(_bundled):
    """What reading and validating the bundled data gave (hukou_stats.validate.run.Checked), once for the session."""
    return _bundled[1]


@pytest.fixture
def con(bundled):
    from hukou_stats.warehouse.connection import connect

    c = connect(bundled)
    yield c
    c.close()
