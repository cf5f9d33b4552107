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
    text += " ".join(str(o.get("text", "")) for o in outputs if o.output_type == "stream")
    assert "85.13" in text and "18.49" in text
    # what the notebook says about the figures is computed from them: 16.17 -> 16.21 -> 16.22 is a widening
    assert "From 2017 to 2019 (figures published before the census) the gap widened by 0.05 points" in text
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "narrowed" not in prose and "widened" not in prose
