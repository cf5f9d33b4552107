"""`make bench-census`: reading, validating and building the bundled data with every county of the 2020 census
(data/raw/census/census_county_2020_v1.xlsx, 3,358 rows x 153 columns), the time of each stage.

Stages (each run in a fresh child process, so that no cache of an earlier run helps; best of --repeats):
  registry   load the code history, names and scope (hukou_stats.reference.registry)
  grid       the workbook as a grid of text (hukou_stats.ingest.xlsx.read_xlsx)
  layout     header, columns, units (ingest.wide.find_layout without the grid)
  rows       every cell to a canonical row (ingest.wide.read_rows, RowBuilder)
  schemas    the pandera schemas over the rows (validate.schemas)
  checks     the rules across rows (validate.cross_checks) over these rows and the other bundled figures
  ingest     `hukou-stats ingest` of all of data/raw into a fresh store (every stage above, for every file, and
             the Parquet store)
  build      `hukou-stats build` (the DuckDB database: reference tables, the code history, every view)
Wall time and process CPU time (user + system) per stage; peak RSS of each child.
Usage: python benchmarks/census_county.py [--repeats 3] [--out bench/census_county.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "data" / "raw" / "census" / "census_county_2020_v1.xlsx"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
stage, root = sys.argv[1], Path(sys.argv[2])
from hukou_stats.core.project import Project
p = Project.at(root)
t0, c0 = time.perf_counter(), time.process_time()
timings = {}
def mark(name):
    global t0, c0
    t, c = time.perf_counter(), time.process_time()
    timings[name] = {"wall_s": round(t - t0, 3), "cpu_s": round(c - c0, 3)}
    t0, c0 = time.perf_counter(), time.process_time()
if stage == "read":
    from hukou_stats.reference.registry import load_registry
    from hukou_stats.ingest.spec import load_spec
    from hukou_stats.ingest import wide, xlsx
    from hukou_stats.ingest.canonical import RowBuilder
    from hukou_stats.validate.schemas import validate_frame
    from hukou_stats.validate.cross_checks import cross_checks
    from hukou_stats.ingest import read_file, discover
    import pandas as pd
    mark("imports")
    reg = load_registry(p)
    mark("registry")
    f = p.raw / "census" / "census_county_2020_v1.xlsx"
    spec = load_spec(f.with_suffix(".toml"))
    rows, sheet, merged = xlsx.read_xlsx(f, spec.sheet)
    mark("grid")
    real = wide._read_grid
    wide._read_grid = lambda path, s: (pd.DataFrame([r + [""] * (max(map(len, rows)) - len(r)) for r in rows], dtype=str), sheet, merged, None)
    layout = wide.find_layout(f, spec, p.label(f))
    wide._read_grid = real
    mark("layout")
    b = RowBuilder(p.label(f), p.reference, reg, sheet=layout.sheet)
    wide.read_rows(layout, spec, reg, b)
    frame, issues = b.result()
    mark("rows")
    validate_frame(frame, p.schemas)
    mark("schemas")
    others = [read_file(g, reg, p.reference, p.label(g))[0] for g in discover([p.raw]) if g != f]
    everything = pd.concat([frame, *[o for o in others if not o.empty]], ignore_index=True)
    mark("other files")
    cross_checks(everything, reg, None, p.reference)
    mark("checks")
    timings["figures"] = len(frame)
elif stage == "ingest":
    from hukou_stats.store.commit import ingest
    mark("imports")
    ingest(p)
    mark("ingest")
elif stage == "build":
    from hukou_stats.warehouse.build import build
    mark("imports")
    build(p)
    mark("build")
timings["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(timings))
"""


def child(stage: str, root: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, stage, str(root)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    keys = [k for k, v in runs[0].items() if isinstance(v, dict)]
    out = {k: min((r[k] for r in runs), key=lambda x: x["wall_s"]) for k in keys}
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "census_county.json")
    a = ap.parse_args()
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "table": {"file": str(TABLE.relative_to(ROOT)), "bytes": TABLE.stat().st_size},
    }
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "p"
        for d in ("data/raw", "data/reference", "schemas"):
            shutil.copytree(ROOT / d, project / d)
        results["read_and_validate"] = best([child("read", project) for _ in range(a.repeats)])
        runs = {"ingest": [], "build": []}
        for _ in range(a.repeats):
            shutil.rmtree(project / "data" / "processed", ignore_errors=True)
            runs["ingest"].append(child("ingest", project))
            runs["build"].append(child("build", project))
        results["ingest"] = best(runs["ingest"])
        results["build"] = best(runs["build"])
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    stages = {k: v for k, v in results["read_and_validate"].items() if isinstance(v, dict)}
    print(f"machine: {results['machine']}")
    for k, v in {
        **stages,
        "ingest (all of data/raw)": results["ingest"]["ingest"],
        "build": results["build"]["build"],
    }.items():
        print(f"{k:28s} wall {v['wall_s']:7.3f} s   cpu {v['cpu_s']:7.3f} s")
    read = sum(v["wall_s"] for k, v in stages.items() if k not in ("imports", "other files"))
    print(f"reading and validating the county table: {read:.3f} s wall (registry, grid, layout, rows, schemas, checks)")
    print(f"peak RSS: read {results['read_and_validate']['peak_rss_mb']} MB, ingest {results['ingest']['peak_rss_mb']} MB, "
          f"build {results['build']['peak_rss_mb']} MB; written to {a.out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
