"""Pages of the documentation as built: directives in HTML comments are replaced by what the product prints.

Directives (each alone on its line):

    <!-- gen: NAME -->               generated reference text (reference.GENERATORS, or `database`)
    <!-- project: built -->          the page's commands run in a copy of a project with the bundled data
                                     ingested and built (default: a fresh copy, nothing ingested)
    <!-- run: hukou-stats ... -->    run the command in the page's project; shown with its output;
    <!-- run exit=1: ... -->         the build fails unless it exits 0 (or the code given)
    <!-- setup: hukou-stats ... -->  run it, show nothing
    <!-- write: PATH -->             the fenced block under it is written to PATH in the project (and shown)
    <!-- copy: FROM TO -->           copy a file inside the project, show nothing
    <!-- python -->                  the fenced Python block under it is run in the project; its output follows
    <!-- show: PATH [lines=A-B] -->  an excerpt of a file the commands wrote
    <!-- include: PATH [lines=A-B] --> an excerpt of a file of the repository itself
    <!-- tree: PATH -->              the files under a folder
    <!-- image: PATH -->             a picture the commands wrote, copied into the site

Every page that holds a directive gets its own throw-away copy of the repository's data, reference data and
schemas, so the pages do not depend on each other and nothing in the working tree is touched.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DIRECTIVE = re.compile(r"^<!-- (?P<name>[a-z]+)(?: exit=(?P<exit>\d+))?(?::\s*(?P<arg>.*?))?\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)")
BLOCK_DIRECTIVES = {"write", "python"}  # the fenced block under the directive belongs to it
TIMEOUT = 600
WIDTH = "120"


class DirectiveFailed(RuntimeError):
    pass


def _cli() -> list[str]:
    """The command line, run through this interpreter as `hukou-stats` (it names itself so)."""
    return [sys.executable, "-m", "hukou_stats.cli"]


def new_project(base: Path) -> Path:
    """A project folder as a user's clone has it: data/raw, data/reference and schemas, nothing generated."""
    for part in ("data/raw", "data/reference", "schemas"):
        shutil.copytree(ROOT / part, base / part)
    return base


class Workspace:
    """Throw-away projects for the pages; the built one is made once and copied."""

    def __init__(self, stack: ExitStack):
        self.base = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hukou-docs-")))
        self._built: Path | None = None
        self._n = 0
        self._lock = threading.Lock()

    def _next(self) -> Path:
        with self._lock:
            self._n += 1
            return self.base / f"project{self._n}"

    def fresh(self) -> Path:
        return new_project(self._next())

    def _built_once(self) -> Path:
        """The project whose bundled data is ingested and built (made once, by the CLI); not to be changed."""
        with self._lock:
            if self._built is None:
                root = new_project(self.base / "built")
                for command in ("ingest", "build"):
                    subprocess.run([*_cli(), command], cwd=root, capture_output=True, check=True, timeout=TIMEOUT)
                self._built = root
            return self._built

    def built(self) -> Path:
        """A copy of the built project, for a page to change as it likes."""
        source = self._built_once()
        copy = self._next()
        shutil.copytree(source, copy)
        return copy

    def database_page(self) -> str:
        import duckdb
        from docs.gen.reference import database_page

        con = duckdb.connect(str(self._built_once() / "data" / "processed" / "hukou.duckdb"), read_only=True)
        try:
            return database_page(con)
        finally:
            con.close()


class Page:
    def __init__(self, name: str, workspace: Workspace, project: Path | None):
        self.name = name
        self.workspace = workspace
        self._project = project
        self.assets: dict[str, bytes] = {}

    @property
    def project(self) -> Path:
        if self._project is None:
            self._project = self.workspace.fresh()
        return self._project

    def clean(self, text: str) -> str:
        for root in {str(self.project), os.path.realpath(self.project)}:
            text = text.replace(root + "/", "").replace(root, ".")
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")

    def run(self, command: str, expect: int = 0) -> str:
        words = shlex.split(command)
        if not words or words[0] != "hukou-stats":
            raise DirectiveFailed(f"{self.name}: only hukou-stats commands are run: {command!r}")
        return self._execute(_cli() + words[1:], command, expect)

    def python(self, code: str) -> str:
        return self._execute([sys.executable, "-c", code], "python", 0)

    def _execute(self, argv: list[str], label: str, expect: int) -> str:
        env = {**os.environ, "COLUMNS": WIDTH, "TERMINAL_WIDTH": WIDTH, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        done = subprocess.run(  # standard output and error in one stream, in the order a terminal shows them
            argv,
            cwd=self.project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != expect:
            raise DirectiveFailed(
                f"{self.name}: `{label}` exited {done.returncode}, the page expects {expect}:\n{done.stdout}"
            )
        return self.clean(done.stdout)

    def show(self, arg: str, base: Path | None = None) -> str:
        path, _, rest = arg.partition(" ")
        file = (base or self.project) / path
        if not file.is_file():
            raise DirectiveFailed(f"{self.name}: no file {path}")
        lines = file.read_text(encoding="utf-8").splitlines()
        if m := re.fullmatch(r"lines=(\d+)-(\d+)", rest.strip()):
            lines = lines[int(m.group(1)) - 1 : int(m.group(2))]
        language = {".md": "markdown", ".json": "json", ".toml": "toml", ".yml": "yaml", ".xml": "xml"}.get(
            file.suffix, "text"
        )
        return fenced(language, self.clean("\n".join(lines)))

    def directive(self, name: str, arg: str, expect: int, block: list[str]) -> list[str]:
        """The lines that replace one directive (block: the fenced block under it, for write and python)."""
        handler = getattr(self, f"do_{name}", None)
        if handler is None:
            raise DirectiveFailed(f"{self.name}: unknown directive {name!r}")
        return handler(arg, expect, block)

    def do_gen(self, arg: str, expect: int, block: list[str]) -> list[str]:
        from docs.gen.reference import GENERATORS

        return [self.workspace.database_page() if arg == "database" else GENERATORS[arg]().rstrip("\n")]

    def do_project(self, arg: str, expect: int, block: list[str]) -> list[str]:
        return []

    def do_run(self, arg: str, expect: int, block: list[str]) -> list[str]:
        output = self.run(arg, expect)
        return [fenced("console", f"$ {arg}" + (f"\n{output}" if output else ""))]

    def do_setup(self, arg: str, expect: int, block: list[str]) -> list[str]:
        self.run(arg, expect)
        return []

    def do_write(self, arg: str, expect: int, block: list[str]) -> list[str]:
        target = self.project / arg
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(block[1:-1]) + "\n", encoding="utf-8")
        return block

    def do_copy(self, arg: str, expect: int, block: list[str]) -> list[str]:
        source, target = arg.split()
        (self.project / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.project / source, self.project / target)
        return []

    def do_python(self, arg: str, expect: int, block: list[str]) -> list[str]:
        return [*block, "", "Output:", "", fenced("text", self.python("\n".join(block[1:-1])))]

    def do_show(self, arg: str, expect: int, block: list[str]) -> list[str]:
        return [self.show(arg)]

    def do_include(self, arg: str, expect: int, block: list[str]) -> list[str]:
        return [self.show(arg, base=ROOT)]

    def do_tree(self, arg: str, expect: int, block: list[str]) -> list[str]:
        return [self.tree(arg)]

    def do_image(self, arg: str, expect: int, block: list[str]) -> list[str]:
        return [self.image(arg)]

    def image(self, arg: str) -> str:
        file = self.project / arg
        if not file.is_file():
            raise DirectiveFailed(f"{self.name}: image: no file {arg}")
        asset = f"assets/{Path(self.name).with_suffix('').as_posix()}/{file.name}"
        self.assets[asset] = file.read_bytes()
        link = os.path.relpath(asset, Path(self.name).parent.as_posix() or ".")
        return f"![{file.name}]({link})"

    def tree(self, arg: str) -> str:
        folder = self.project / arg
        if not folder.is_dir():
            raise DirectiveFailed(f"{self.name}: tree: no folder {arg}")
        files = sorted(str(f.relative_to(folder)) for f in folder.rglob("*") if f.is_file())
        return fenced("text", "\n".join([arg.rstrip("/") + "/", *(f"  {f}" for f in files)]))


def fenced(language: str, body: str) -> str:
    ticks = "````" if "```" in body else "```"
    return f"{ticks}{language}\n{body}\n{ticks}"


def _block(lines: list[str], start: int) -> tuple[list[str], int]:
    """The fenced block that starts at lines[start] (its lines, fences included) and the index after it."""
    m = FENCE.match(lines[start]) if start < len(lines) else None
    if not m:
        raise DirectiveFailed(f"a fenced block must follow the directive (line {start + 1})")
    end = start + 1
    while end < len(lines) and not lines[end].startswith(m.group(1)):
        end += 1
    return lines[start : end + 1], end + 1


def render(name: str, text: str, workspace: Workspace) -> tuple[str, dict[str, bytes]]:
    """The page as published, every directive replaced by what it produces, and the files it shows."""
    lines = text.splitlines()
    want_built = any(DIRECTIVE.match(line) and "<!-- project: built" in line for line in lines)
    page = Page(name, workspace, workspace.built() if want_built else None)
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = DIRECTIVE.match(lines[i])
        i += 1
        if not m:
            if not (lines[i - 1] == "" and out and out[-1] == ""):  # no double blank where a directive showed nothing
                out.append(lines[i - 1])
            continue
        block: list[str] = []
        if m.group("name") in BLOCK_DIRECTIVES:
            block, i = _block(lines, i)
        out += page.directive(m.group("name"), (m.group("arg") or "").strip(), int(m.group("exit") or 0), block)
    return "\n".join(out) + "\n", page.assets


def pages() -> list[Path]:
    """The documentation's Markdown sources that hold a directive."""
    return [
        p
        for p in sorted(DOCS.rglob("*.md"))
        if "gen" not in p.relative_to(DOCS).parts[:1]
        and any(DIRECTIVE.match(line) for line in p.read_text(encoding="utf-8").splitlines())
    ]


def render_all(workers: int = 2) -> dict[str, str | bytes]:
    """{path under docs/: the page as published, or a file a page shows} for every page with a directive. The
    pages are independent and mostly wait for the commands they run: two are rendered at a time."""
    files: dict[str, str | bytes] = {}
    with ExitStack() as stack:
        workspace = Workspace(stack)
        texts = {p.relative_to(DOCS).as_posix(): p.read_text(encoding="utf-8") for p in pages()}
        names = sorted(texts, key=lambda n: -texts[n].count("<!-- run"))  # the longest first
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = pool.map(lambda n: render(n, texts[n], workspace), names)
            for name, (text, assets) in zip(names, done):
                files[name] = text
                files.update(assets)
    return files
