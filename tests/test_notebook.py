"""The analyst notebook runs top to bottom against a freshly built database (so it cannot rot)."""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT

pytestmark = pytest.mark.notebook


def test_analyst_notebook_executes(bundled, monkeypatch):
    monkeypatch.setenv("HUKOU_STATS_DB", str(bundled.database))
    nb = nbformat.read(ROOT / "notebooks" / "analyst_views.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "85.13" in text and "18.49" in text
