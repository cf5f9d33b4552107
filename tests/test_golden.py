"""Golden copies of the bundled Guangzhou 2021 and China 2020 bulletins (CSV tables, notes, Markdown and the text
paragraphs) in tests/golden/: a change in any published figure, note or sentence fails here, with the diff, until
the copies are regenerated on purpose with `make golden` (HUKOU_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from hukou_stats.publish.bulletin import collect, make_bulletin
from hukou_stats.publish.bulletin.report import texts

GOLDEN = Path(__file__).parent / "golden"
CASES = [("440100", 2021), pytest.param("000000", 2020, marks=pytest.mark.slow)]
UPDATE = os.environ.get("HUKOU_UPDATE_GOLDEN") == "1"


def outputs(project, code: str, year: int) -> dict[str, str]:
    """The published files and paragraphs of a bulletin, by golden file name."""
    folder = make_bulletin(project, code, year)
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.suffix == ".csv"}
    files["bulletin.md"] = (folder / "bulletin.md").read_text(encoding="utf-8")
    c = collect(project, code, year)
    for b in texts(c, "both"):
        files[f"text_{b.lang}.txt"] = b.plain() + "\n"
    return files


@pytest.mark.parametrize(("code", "year"), CASES)
def test_the_bulletin_equals_its_golden_copy(bundled, code, year):
    got = outputs(bundled, code, year)
    folder = GOLDEN / f"{code}-{year}"
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, text in got.items():
            (folder / name).write_text(text, encoding="utf-8")
    stored = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())} if folder.exists() else {}
    assert sorted(stored) == sorted(got), f"files differ from {folder}: regenerate on purpose with `make golden`"
    diffs = []
    for name, text in got.items():
        if text != stored[name]:
            diff = difflib.unified_diff(
                stored[name].splitlines(), text.splitlines(), f"golden/{code}-{year}/{name}", "now", lineterm="", n=1
            )
            diffs.append("\n".join(list(diff)[:80]))
    assert not diffs, (
        "the bulletin differs from its golden copy (run `make golden` if the change is meant):\n" + "\n\n".join(diffs)
    )
