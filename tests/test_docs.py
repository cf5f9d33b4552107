"""The documentation: the site builds with warnings as errors, the generated reference covers every command, view
and configuration key, and the hand-written pages agree with the code they describe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docs.gen import reference

from hukou_stats.cli import app
from hukou_stats.core import errors
from hukou_stats.ingest.long_csv import LONG_OPTIONAL, LONG_REQUIRED
from hukou_stats.ingest.spec import ColumnEntry, SpecModel
from hukou_stats.reference.targets import TargetEntry
from tests.helpers import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "gen" not in p.relative_to(DOCS).parts[:1])
# the only places outside the repository the documentation may link to: public sources of the data and methods
PUBLIC = ("https://github.com/yescallop/areacodes", "https://github.com/leiii/census", "https://www.stats.gov.cn/",
          "https://data.stats.gov.cn/", "https://open-sdg.org/", "https://open-sdg.readthedocs.io/")  # fmt: skip
URL = re.compile(r"""https?://[^\s)"'>\]]+""")
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


def command_paths() -> set[str]:
    """Every command and subcommand, from the application's registrations (not from the generator)."""
    paths = {f"hukou-stats {c.name}" for c in app.registered_commands}
    for group in app.registered_groups:
        paths.add(f"hukou-stats {group.name}")
        paths |= {f"hukou-stats {group.name} {c.name}" for c in group.typer_instance.registered_commands}
    return paths


def test_every_command_and_subcommand_has_its_help_in_the_reference():
    page = reference.cli_page()
    documented = set(re.findall(r"^#+ `(hukou-stats[^`]*)`", page, flags=re.M))
    assert command_paths() <= documented
    assert len(command_paths()) >= 13  # 9 commands, 2 groups and their subcommands
    for path in command_paths():
        usage = f"Usage: {path} "
        assert usage in page, f"{path}: its --help is not in the reference"
    assert "<!-- gen: cli -->" in (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")


def test_every_configuration_key_has_a_description():
    for model in (SpecModel, ColumnEntry, TargetEntry):
        undocumented = [k for k, f in model.model_fields.items() if not (f.description or "").strip()]
        assert undocumented == [], f"{model.__name__}: keys without a docstring: {undocumented}"
    keys = reference.spec_keys()
    assert all(f"| `{k}` |" in keys for k in SpecModel.model_fields)


def test_exit_codes_are_written_once_and_match_the_errors():
    text = (DOCS / "reference" / "exit-codes.md").read_text(encoding="utf-8")
    documented = {int(c) for c in re.findall(r"^\| (\d) \|", text, flags=re.M)}
    codes = {
        c.exit_code for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.HukouStatsError)
    }
    assert documented == {0} | codes
    others = [p.name for p in PAGES if p.name != "exit-codes.md" and re.search(r"^\| [0-4] \| ", p.read_text(), re.M)]
    assert others == [], f"an exit-code table outside the exit codes page: {others}"


def test_long_csv_columns_are_the_readers():
    text = (DOCS / "reference" / "input-formats.md").read_text(encoding="utf-8")
    section = text.split("## Canonical long CSV", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))
    assert documented == set(LONG_REQUIRED) | set(LONG_OPTIONAL)


def test_every_reference_file_is_described():
    text = (DOCS / "reference" / "reference-data.md").read_text(encoding="utf-8")
    files = sorted(f.name for f in (ROOT / "data" / "reference").iterdir() if f.is_file())
    assert [f for f in files if f"`{f}`" not in text] == []


def test_readme_is_short_and_docs_speak_of_the_product_only():
    readme = ROOT / "README.md"
    assert len(readme.read_text(encoding="utf-8").splitlines()) <= 150
    for path in [readme, *PAGES]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(issues?|tickets?) ?#?\d", text, flags=re.I), path
        assert not re.search(r"\.\./shared\b", text), path  # a user's clone has no workspace folder beside it
        assert "where the issues" not in text.lower(), path


def test_links_leave_the_repository_only_for_public_sources():
    for path in [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "mkdocs.yml", *PAGES]:
        for url in URL.findall(path.read_text(encoding="utf-8")):
            assert url.startswith(PUBLIC), f"{path.relative_to(ROOT)}: {url}"


def test_methodology_can_be_given_to_a_bulletins_readers():
    """No repository paths, code, commands, links or references to the repository's documents."""
    text = (DOCS / "explanation" / "methodology.md").read_text(encoding="utf-8")
    assert "`" not in text
    assert "](" not in text
    assert "<!--" not in text
    assert not re.search(r"\b[\w.-]+/[\w.-]+\.(csv|toml|yaml|py|md|sql|json)\b", text)
    assert not re.search(r"\b(README|hukou-stats|hukou_stats|data/|src/|--\w)", text)


@pytest.mark.slow
def test_site_builds_with_warnings_as_errors(tmp_path, con):
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site), "-f", str(ROOT / "mkdocs.yml")],
        cwd=ROOT,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert not re.search(r"^(WARNING|ERROR)\s+-", log, flags=re.M), log

    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    for path in command_paths():
        assert f'id="{path.replace(" ", "-")}"' in cli, path
    database = (site / "reference" / "database" / "index.html").read_text(encoding="utf-8")
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal UNION ALL SELECT table_name FROM duckdb_tables()"
    ).fetchall():
        assert f'id="{name}"' in database, name
    tutorial = (site / "tutorial" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"\d+ figures: \d+ new, 0 already stored", tutorial) and "86.46" in tutorial
    assert (site / "assets" / "tutorial" / "chart1_rates.png").stat().st_size > 1000

    pages = list(site.rglob("*.html"))
    assert len(pages) >= 18
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<!-- gen:" not in html and "<!-- run" not in html, page
        for url in re.findall(r"""(?:href|src)="(https?://[^"]+)\"""", html):
            assert url.startswith(PUBLIC), f"{page.relative_to(site)}: {url}"


def test_the_generated_pages_exist_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s+([\w/-]+\.md)\s*$", nav, flags=re.M))
    assert {str(p.relative_to(DOCS)) for p in PAGES} | {"changelog.md"} == listed
    assert all(Path(DOCS / p).exists() or p == "changelog.md" for p in listed)
