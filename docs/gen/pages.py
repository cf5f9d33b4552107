"""Entry point of the mkdocs-gen-files plugin (mkdocs.yml): every page that holds a directive is replaced, in the
build only, by its rendered text (docs/gen/render.py). A directive that fails fails the build."""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docs.gen.render import render_all  # noqa: E402

for name, content in render_all().items():
    if isinstance(content, bytes):
        with mkdocs_gen_files.open(name, "wb") as f:
            f.write(content)
    else:
        with mkdocs_gen_files.open(name, "w") as f:
            f.write(content)

# the project's history, kept once at the root of the repository
with mkdocs_gen_files.open("changelog.md", "w") as f:
    f.write((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
