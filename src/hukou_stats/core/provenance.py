"""Provenance: a manifest.json for any output folder or file, and its verification.

    write_manifest(target, inputs, release=..., root=...)   -> target/manifest.json (a folder)
                                                               or <file>.manifest.json (a file)
    verify(path)                                              -> drift found, per manifest

A manifest holds the tool and its version, the time (UTC), the release (vintage) chosen, the command, and
the SHA-256 and size of every input file and every output file, so that a published table can be traced to
the exact inputs it came from and any later change is seen. Paths are relative to `root` (the project
folder), itself stored relative to the manifest, so a project moved as a whole still verifies.

A DuckDB database is also recorded by its content digest (core.database.content_digest): a rebuild from the same
inputs has other bytes and the same content, and `verify` accepts it. An output made from the database records
the database as it was when the output opened it (`record_database_read`, called by every reader connection):
its hash, content digest and build inputs, read from that file, whatever a build does meanwhile.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb

from hukou_stats import __version__
from hukou_stats.core.atomic import TEMP_SUFFIX, write_text
from hukou_stats.core.database import content_digest, file_content_digest, open_read_only
from hukou_stats.core.errors import HukouStatsError, InputOutputError, UsageError

MANIFEST = "manifest.json"
SUFFIX = ".manifest.json"
PENDING = ".pending"  # a manifest written ahead of the rename of what it describes (see pending_path)


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return sha256_fd(f.fileno())[0]


def sha256_fd(fd: int) -> tuple[str, int]:
    """(SHA-256, bytes) of the file open at `fd`, read from its start (the position is not used)."""
    h = hashlib.sha256()
    offset = 0
    while block := os.pread(fd, 1 << 20, offset):
        h.update(block)
        offset += len(block)
    return h.hexdigest(), offset


def manifest_path(target: Path) -> Path:
    target = Path(target)
    return target / MANIFEST if target.is_dir() else target.with_name(target.name + SUFFIX)


def pending_path(target: Path) -> Path:
    """Where a manifest is written before the file it describes is renamed into place, then renamed itself: if
    the run is killed between the two renames, the file and this manifest agree, and `verify` reads it."""
    m = manifest_path(target)
    return m.with_name(m.name + PENDING)


def _is_manifest(p: Path) -> bool:
    return p.name == MANIFEST or p.name.endswith(SUFFIX)


def files_of(paths) -> list[Path]:
    """The files given, and every file under the folders given (hidden files and manifests left out)."""
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".") and not _is_manifest(f))
        else:
            out.append(p)
    return out


def _rel(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(Path(path).resolve())


def file_entry(path: Path, root: Path) -> dict:
    try:
        return {"path": _rel(path, root), "sha256": sha256_file(path), "bytes": Path(path).stat().st_size}
    except OSError as e:
        raise InputOutputError(f"cannot read {path} to hash it: {e.strerror or e}") from e


def _published(entry: dict, staged: Path, final: Path | None, root: Path) -> dict:
    """The entry of a file written in a staging folder, with the path it has once the folder is renamed."""
    if final is None:
        return entry
    old, new = _rel(staged, root) + "/", _rel(final, root) + "/"
    return {**entry, "path": new + entry["path"][len(old) :]} if entry["path"].startswith(old) else entry


def write_manifest(
    target: Path,
    inputs,
    *,
    release: str = "latest",
    root: Path | None = None,
    outputs=None,
    extra: dict | None = None,
    publish_as: Path | None = None,
    to: Path | None = None,
) -> Path:
    """Write the manifest of `target` (a folder or a file). `inputs`: files or folders to hash, or entries
    already hashed ({"path", "sha256", "bytes"}, e.g. carried from an upstream manifest). `outputs`: by
    default the file itself, or every file in the folder (then `verify` also reports files added later);
    entries already hashed may be given too (a database with its content_sha256).
    `publish_as`: the folder `target` (a staging folder) will be renamed to; output paths are recorded there.
    `to`: where to write the manifest, if not beside `target` (a manifest written ahead of a rename)."""
    target = Path(target).resolve()
    root = Path(root).resolve() if root else target.parent
    mpath = Path(to) if to is not None else manifest_path(target)
    given = [i for i in inputs if isinstance(i, dict)]
    hashed = [file_entry(f, root) for f in files_of(i for i in inputs if not isinstance(i, dict))]
    by_path = {e["path"]: e for e in given + hashed}
    complete = outputs is None and target.is_dir()
    outs = [target] if outputs is None else list(outputs)
    entries = [o for o in outs if isinstance(o, dict)] + [
        _published(file_entry(f, root), target, publish_as, root)
        for f in files_of(o for o in outs if not isinstance(o, dict))
        if not f.name.endswith(TEMP_SUFFIX)
    ]
    manifest = {
        "manifest_version": 1,
        "tool": "hukou-stats",
        "version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "release": release,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
        "root": os.path.relpath(root, mpath.parent),
        "inputs": sorted(by_path.values(), key=lambda e: e["path"]),
        "outputs": entries,
        "outputs_complete": complete,
        **(extra or {}),
    }
    if mpath.is_file():  # nothing changed but the time: keep the manifest as it is (re-running changes nothing)
        try:
            old = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        volatile = ("created", "command")
        if isinstance(old, dict) and {k: v for k, v in old.items() if k not in volatile} == {
            k: v for k, v in manifest.items() if k not in volatile
        }:
            return mpath
    write_text(mpath, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return mpath


def read_manifest(path: Path) -> dict:
    try:
        m = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise InputOutputError(f"cannot read {path}: {e.strerror or e}") from e
    except ValueError as e:
        raise UsageError(f"{path} is not a manifest (not JSON: {e})") from e
    if not isinstance(m, dict) or m.get("tool") != "hukou-stats" or not isinstance(m.get("inputs"), list):
        raise UsageError(f"{path} is not a hukou-stats manifest")
    for role in ("inputs", "outputs"):
        entries = m.get(role, [])
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("sha256", ""), str)
            for e in entries
        ):
            raise UsageError(f"{path} is not a hukou-stats manifest (its {role} are not a list of files)")
    if not isinstance(m.get("root", "."), str):
        raise UsageError(f"{path} is not a hukou-stats manifest (root)")
    return m


@dataclass(frozen=True)
class Drift:
    role: str  # input | output
    kind: str  # changed | missing | unlisted
    path: str
    expected: str = ""
    found: str = ""

    def __str__(self) -> str:
        zh = {"changed": "已改变", "missing": "缺失", "unlisted": "清单外新增"}[self.kind]
        what = {
            "changed": f"SHA-256 {self.expected[:12]}… now {self.found[:12]}…",
            "missing": "file not found",
            "unlisted": "file not in the manifest",
        }[self.kind]
        return f"{self.role} {self.path}: {self.kind} / {zh} ({what})"


@dataclass
class Verified:
    manifest: Path
    data: dict
    drift: list[Drift]


def find_manifests(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file() and _is_manifest(path):
        return [path]
    if path.is_dir():
        found = sorted(f for f in path.rglob("*") if f.is_file() and _is_manifest(f))
    else:
        found = [manifest_path(path)] if manifest_path(path).is_file() else []
    if not found:
        if not path.exists():
            raise UsageError(f"{path} does not exist")
        raise UsageError(f"no manifest.json for {path}: nothing to verify / 没有可核对的清单")
    return found


def verify_manifest(mpath: Path, digests: dict | None = None) -> Verified:
    """Re-hash what one manifest records. A database recorded with its content digest verifies when its bytes
    match, or when its content does (rebuilt from the same inputs). `digests`: a cache of content digests."""
    m = read_manifest(mpath)
    root = (mpath.parent / m.get("root", ".")).resolve()
    digests = {} if digests is None else digests
    drift: list[Drift] = []
    for role in ("inputs", "outputs"):
        for e in m.get(role, []):
            f = root / e["path"]
            if not f.is_file():
                drift.append(Drift(role[:-1], "missing", e["path"], e.get("sha256", "")))
                continue
            h = sha256_file(f)
            if h != e.get("sha256") and not (
                e.get("content_sha256") and _content(f, h, digests) == e["content_sha256"]
            ):
                drift.append(Drift(role[:-1], "changed", e["path"], e.get("sha256", ""), h))
    if m.get("outputs_complete"):
        folder = mpath.parent
        listed = {e["path"] for e in m.get("outputs", [])}
        for f in files_of([folder]):
            if _rel(f, root) not in listed and not f.name.endswith(TEMP_SUFFIX):
                drift.append(Drift("output", "unlisted", _rel(f, root)))
    return Verified(mpath, m, drift)


def _content(path: Path, sha: str, digests: dict) -> str | None:
    """The content digest of a database file (None: not a database DuckDB can read)."""
    if sha not in digests:
        try:
            digests[sha] = file_content_digest(path)
        except duckdb.Error:
            digests[sha] = None
    return digests[sha]


def verify(path: Path) -> list[Verified]:
    """Re-hash the inputs and outputs of every manifest at `path` (a manifest, an output, or a folder). Where a
    manifest written ahead of a rename is left beside one (a run killed between the renames) and describes the
    files as they are, it is the one that holds."""
    digests: dict = {}
    found = []
    for m in find_manifests(path):
        v = verify_manifest(m, digests)
        pending = m.with_name(m.name + PENDING)
        if v.drift and pending.is_file():
            try:
                ahead = verify_manifest(pending, digests)
            except HukouStatsError:
                ahead = None
            v = ahead if ahead is not None and not ahead.drift else v
        found.append(v)
    return found


# --- the database a reader opened ---------------------------------------------------------------------------


@dataclass
class DatabaseRead:
    """A database as a reader opened it: its entry (path, sha256, bytes, content_sha256) and what it was built
    from (its table build_inputs)."""

    entry: dict
    inputs: list[dict] = field(default_factory=list)


_read: dict[Path, DatabaseRead] = {}  # database file -> as last opened by this process


def record_database_read(root: Path, db: Path, fd: int, con: duckdb.DuckDBPyConnection) -> DatabaseRead:
    """Record the database `con` has open (`fd`: the same file, pinned by the caller): its SHA-256 now, its
    content digest (from its manifest when that describes these bytes, else computed) and its build inputs."""
    sha, size = sha256_fd(fd)
    entry = {"path": _rel(db, Path(root).resolve()), "sha256": sha, "bytes": size}
    digest = None
    try:
        recorded = json.loads(manifest_path(db).read_text(encoding="utf-8"))
        digest = next(
            (e.get("content_sha256") for e in recorded.get("outputs", []) if e.get("sha256") == sha),
            None,
        )
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    entry["content_sha256"] = digest or content_digest(con)
    inputs = []
    if con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'build_inputs' AND database_name = current_database()"
    ).fetchone() != (0,):
        inputs = [
            {"path": p, "sha256": h, "bytes": n}
            for p, h, n in con.execute("SELECT path, sha256, bytes FROM build_inputs ORDER BY path").fetchall()
        ]
    read = DatabaseRead(entry, inputs)
    _read[Path(db).resolve()] = read
    return read


def database_read(db: Path) -> DatabaseRead | None:
    """The database at `db` as this process last opened it (None: not opened)."""
    return _read.get(Path(db).resolve())


def write_output_manifest(
    project,
    folder: Path,
    release: str = "latest",
    publish_as: Path | None = None,
    inputs: list | None = None,
    extra: dict | None = None,
) -> Path:
    """The manifest of an output folder made from the database (the bulletin, an evaluation): its inputs are
    the database as the output read it (its hash when opened, and its content digest) and everything that
    database was built from, so a published table traces back to the raw files, plus `inputs` (e.g. a settings
    file). Outputs: every file in the folder. `extra`: more keys to record (e.g. what was asked for).

        write_output_manifest(project, out_dir, release=release.label)   # e.g. at the end of make_bulletin
    """
    read = database_read(project.database)
    if read is None:  # not read by this process: the database as it is now
        read = _read_now(project.root, project.database)
    return write_manifest(
        folder, [*read.inputs, read.entry, *(inputs or [])], release=release, root=project.root,
        publish_as=publish_as, extra=extra,
    )  # fmt: skip


def _read_now(root: Path, db: Path) -> DatabaseRead:
    try:
        fd = os.open(db, os.O_RDONLY)
    except OSError as e:
        raise InputOutputError(f"cannot read {db}: {e.strerror or e}") from e
    try:
        con = open_read_only(db)
        try:
            return record_database_read(root, db, fd, con)
        finally:
            con.close()
    finally:
        os.close(fd)


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 over the program's own files (Python, SQL, text shipped with it) and its version: a changed
    program makes every output out of date."""
    h = hashlib.sha256(__version__.encode())
    root = Path(str(resources.files("hukou_stats")))
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in (".py", ".sql", ".md", ".yaml", ".toml") and "__pycache__" not in f.parts:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()
