"""`make bench-pipeline`: the pipeline at national scale, on SYNTHETIC stores of 12k, 120k and 1.2M figures.

Data: canonical long CSVs of county-level units of the 2020 list (real codes; as many as the size asks, the timed
province's first), fourteen years (2008-2021), eleven measures (resident and hukou totals, urban counts, both
rates, hukou rural, births, deaths, in- and out-migration) in five series, some released twice (a first figure
and its revision), with consistent values (urban below total, rates from the counts) so that every check passes. Every source says SYNTHETIC. The
project is a copy of the repository's reference data and schemas with these files only (never the real data).
Cached in bench/pipeline/<size>/ (git-ignored) and made again only when missing or made by another version.

Stages, each in its own child process (wall and CPU time of the child, its peak RSS):
  ingest     hukou-stats ingest (read, validate, store)
  build      hukou-stats build (the database)
  bulletin   hukou-stats bulletin of one province (every format)
  build_unchanged   hukou-stats build again with nothing changed (it does nothing)
  query_*    three analyst queries on the database, timed around the query itself (an analyst's open connection):
             the headline (count of urbanization), one province's headline series, the rates of one year
  ingest_next_year  hukou-stats ingest of one more year's file (resident figures of every county) into that store
  build_next_year   hukou-stats build after it
Results merge into bench/pipeline.json by size (each run with its date, load average and versions); the scaling
exponent of each stage between the two largest sizes and over all sizes; the goals at 1.2M figures.
Usage: python benchmarks/pipeline.py [--sizes 12000 120000 1200000] [--out bench/pipeline.json]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "pipeline"
GENERATOR_VERSION = "2"
YEARS = range(2008, 2022)
PROVINCE = "640000"  # the province whose bulletin is timed (宁夏: its counties come first, whole, at every size)
RESIDENT = ("resident_total", "resident_urban", "resident_urban_rate_pct")
HUKOU = ("hukou_total", "hukou_urban", "hukou_rural", "hukou_urban_rate_pct", "hukou_births", "hukou_deaths",
         "hukou_in_migration", "hukou_out_migration")  # fmt: skip
HUKOU_STOCKS = HUKOU[:4]
# (series, measures, years, releases of year y: each a revision of the one before)
SERIES = [
    ("first_release", RESIDENT, YEARS, (lambda y: f"{y + 1}-02", lambda y: f"{y + 1}-06")),
    ("pre_census2020_revision", RESIDENT, range(2008, 2020), (lambda y: f"{y + 1}-12",)),
    ("census_revised", RESIDENT, range(2011, 2020), (lambda y: "2022-12",)),
    ("post_census_estimate", RESIDENT, range(2020, 2022), (lambda y: f"{y + 1}-12",)),
    ("hukou_register", HUKOU, YEARS, (lambda y: f"{y + 1}-04", lambda y: f"{y + 2}-04")),
    ("first_release", HUKOU_STOCKS, YEARS, (lambda y: f"{y + 1}-03",)),
]
QUERIES = {
    "query_headline_count": "SELECT count(*) FROM urbanization",
    "query_province_series": "SELECT year, resident_rate_pct, hukou_rate_pct, gap_pp FROM urbanization "
    f"WHERE region_code = '{PROVINCE}' ORDER BY year",
    "query_rates_of_a_year": "SELECT region_code, indicator, value FROM rates WHERE year = 2020 ORDER BY 1, 2",
}
GOALS = {"ingest": 60.0, "build": 30.0, "bulletin": 10.0, "query_headline_count": 1.0}
RSS_GOAL_MB = 2048
EXPONENT_GOAL = 1.1


def figures_per_county() -> int:
    return sum(len(measures) * len(years) * len(releases) for _, measures, years, releases in SERIES)


def counties(n_figures: int) -> list[str]:
    """County-level units of the 2020 list, as many as the size asks (all of them for 1.2M): the timed province's
    first (so that its figures sum up to the province), then the others in code order."""
    from hukou_stats.core.project import Project
    from hukou_stats.reference.registry import load_registry

    reg = load_registry(Project.at(ROOT))
    codes = sorted({r.code for rows in reg.by_code.values() for r in rows if r.level == 3 and r.valid_in(2020)})
    want = max(1, math.ceil(n_figures / figures_per_county()))
    if want > len(codes):  # more figures than one set of counties gives: the same counties, more of them again
        raise SystemExit(f"at most {len(codes) * figures_per_county():,} figures with {len(codes)} counties")
    codes.sort(key=lambda c: (c[:2] != PROVINCE[:2], c))
    return codes[:want]


def rows_of(code: str, rng: random.Random):
    """The figures of one county: consistent across measures, a little different across series and releases."""
    base = rng.randint(80_000, 2_500_000)
    share = rng.uniform(0.25, 0.95)
    hshare = share * rng.uniform(0.55, 0.95)
    for series, measures, years, releases in SERIES:
        for y in years:
            for k, release in enumerate(releases):
                drift = 1 + 0.004 * (y - 2008) + 0.002 * k + (0.01 if series == "census_revised" else 0.0)
                total = int(base * drift)
                if "hukou_total" in measures:
                    h = int(total * 0.9)
                    hu = int(h * min(0.99, hshare + 0.005 * (y - 2008)))
                    values = {
                        "hukou_total": h, "hukou_urban": hu, "hukou_rural": h - hu,
                        "hukou_urban_rate_pct": f"{100 * hu / h:.2f}",
                        "hukou_births": int(h * 0.011), "hukou_deaths": int(h * 0.006),
                        "hukou_in_migration": int(h * 0.02), "hukou_out_migration": int(h * 0.012),
                    }  # fmt: skip
                else:
                    u = int(total * min(0.99, share + 0.006 * (y - 2008)))
                    values = {"resident_total": total, "resident_urban": u,
                              "resident_urban_rate_pct": f"{100 * u / total:.2f}"}  # fmt: skip
                for measure, value in values.items():
                    if measure not in measures:
                        continue
                    unit = "pct" if measure.endswith("_pct") else "persons"
                    d = (
                        "urban_rural_area_2015_rule"
                        if measure.startswith("hukou_urban") or measure == "hukou_rural"
                        else ""
                    )
                    source = f"SYNTHETIC benchmark table, {series} {y}" + (
                        " (hukou)" if "hukou_total" in measures else ""
                    )
                    yield [code, y, measure, value, unit, source, release(y), series, d]


def generate(n_figures: int, folder: Path) -> dict:
    """The SYNTHETIC project of about n_figures figures (cached)."""
    stamp = folder / "SYNTHETIC_pipeline.json"
    if stamp.is_file():
        meta = json.loads(stamp.read_text(encoding="utf-8"))
        if meta.get("generator_version") == GENERATOR_VERSION and meta.get("asked") == n_figures:
            return meta
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "data" / "raw").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", folder / "data" / "reference")
    shutil.copytree(ROOT / "schemas", folder / "schemas")
    rng = random.Random(20211231)
    codes = counties(n_figures)
    header = ["region_code", "year", "measure", "value", "unit", "source", "published", "series", "definition"]
    n = 0
    chunk = 400  # counties per file
    for i in range(0, len(codes), chunk):
        with open(folder / "data" / "raw" / f"SYNTHETIC_counties_{i // chunk:03d}.csv", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            for code in codes[i : i + chunk]:
                for row in rows_of(code, rng):
                    w.writerow(row)
                    n += 1
    meta = {"generator_version": GENERATOR_VERSION, "asked": n_figures, "figures": n, "counties": len(codes),
            "SYNTHETIC": "every figure is invented; only the region codes are real"}  # fmt: skip
    stamp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


NEXT_YEAR = 2022
MORE = Path("data") / "raw" / "next_year" / f"SYNTHETIC_counties_{NEXT_YEAR}.csv"


def next_year(folder: Path, codes: list[str]) -> Path:
    """A file of one more year's first-release resident figures for every county: what a bureau adds to a national
    store once a year (for the stages ingest_next_year and build_next_year)."""
    path = folder / MORE
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(NEXT_YEAR)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["region_code", "year", "measure", "value", "unit", "source", "published", "series"])
        for code in codes:
            total = rng.randint(80_000, 2_500_000)
            urban = int(total * rng.uniform(0.3, 0.95))
            source = f"SYNTHETIC benchmark table, first_release {NEXT_YEAR}"
            for measure, value, unit in (("resident_total", total, "persons"), ("resident_urban", urban, "persons"),
                                         ("resident_urban_rate_pct", f"{100 * urban / total:.2f}", "pct")):  # fmt: skip
                w.writerow([code, NEXT_YEAR, measure, value, unit, source, f"{NEXT_YEAR + 1}-02", "first_release"])
    return path


CHILD = r"""
import json, resource, sys, time
import duckdb
db, sql = sys.argv[1], sys.argv[2]
con = duckdb.connect(db, read_only=True)
t, c = time.perf_counter(), time.process_time()
rows = con.execute(sql).fetchall()
print(json.dumps({"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c, "rows": len(rows),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_stage(folder: Path, stage: str) -> dict:
    """One stage in a child process: wall and CPU time, peak RSS."""
    cli = [sys.executable, "-m", "hukou_stats.cli", "--root", str(folder)]
    if stage.startswith("query_"):
        r = subprocess.run([sys.executable, "-c", CHILD, str(folder / "data" / "processed" / "hukou.duckdb"),
                            QUERIES[stage]], capture_output=True, text=True, check=True)  # fmt: skip
        return json.loads(r.stdout)
    args = {"ingest": ["ingest"], "build": ["build"], "build_unchanged": ["build"],
            "bulletin": ["bulletin", "--region", PROVINCE, "--year", "2021", "--force"],
            "ingest_next_year": ["ingest", str(folder / MORE)], "build_next_year": ["build"]}[stage]  # fmt: skip
    with tempfile.TemporaryFile("w+") as out:
        t = time.perf_counter()
        proc = subprocess.Popen([*cli, *args], stdout=out, stderr=subprocess.STDOUT, text=True)
        # reaped here with os.wait4: the child's own resource use, not the maximum over every child so far
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            out.seek(0)
            raise SystemExit(f"{stage} failed (exit {proc.returncode}):\n{out.read()[-4000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


def exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) on log(size)."""
    pts = [(math.log(n), math.log(t)) for n, t in points if t > 0]
    if len(pts) < 2:
        return None
    mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / den, 3) if den else None


def summary(records: list[dict]) -> dict:
    by = {r["size"]: r for r in records}
    sizes = sorted(by)
    stages = sorted({s for r in records for s in r["stages"]})
    out: dict = {"scaling": {}, "goals": {}}
    for s in stages:
        pts = [(by[n]["figures"], by[n]["stages"][s]["cpu_s"]) for n in sizes if s in by[n]["stages"]]
        out["scaling"][s] = {"cpu_exponent_all": exponent(pts), "cpu_exponent_two_largest": exponent(pts[-2:])}
    big = by.get(max(sizes)) if sizes else None
    if big:
        for s, goal in GOALS.items():
            st = big["stages"].get(s)
            if st:
                out["goals"][f"{s} < {goal:g} s at {big['figures']:,} figures"] = {
                    "wall_s": round(st["wall_s"], 3), "cpu_s": round(st["cpu_s"], 3),
                    "met": st["wall_s"] < goal, "met_cpu": st["cpu_s"] < goal,
                }  # fmt: skip
        rss = max(st["peak_rss_mb"] for st in big["stages"].values())
        out["goals"][f"peak RSS < {RSS_GOAL_MB} MB in every stage"] = {
            "peak_rss_mb": round(rss),
            "met": rss < RSS_GOAL_MB,
        }
        for s, e in out["scaling"].items():
            if e["cpu_exponent_two_largest"] is not None:
                out["goals"][f"{s}: exponent <= {EXPONENT_GOAL} between the two largest sizes"] = {
                    "exponent": e["cpu_exponent_two_largest"],
                    "met": e["cpu_exponent_two_largest"] <= EXPONENT_GOAL,
                }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[12_000, 120_000, 1_200_000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "pipeline.json")
    args = ap.parse_args()
    old = json.loads(args.out.read_text(encoding="utf-8"))["runs"] if args.out.is_file() else []
    runs = {r["size"]: r for r in old}
    for n in args.sizes:
        folder = CACHE / str(n)
        meta = generate(n, folder)
        shutil.rmtree(folder / "data" / "processed", ignore_errors=True)
        shutil.rmtree(folder / "out", ignore_errors=True)
        shutil.rmtree((folder / MORE).parent, ignore_errors=True)
        stages = {}
        for stage in (
            "ingest",
            "build",
            "build_unchanged",
            "bulletin",
            *QUERIES,
            "ingest_next_year",
            "build_next_year",
        ):
            if stage == "ingest_next_year":
                next_year(folder, counties(n))
            stages[stage] = run_stage(folder, stage)
            print(f"{meta['figures']:>9,} figures  {stage:24} wall {stages[stage]['wall_s']:7.2f} s  "
                  f"cpu {stages[stage]['cpu_s']:7.2f} s  rss {stages[stage]['peak_rss_mb']:6.0f} MB", flush=True)  # fmt: skip
        runs[n] = {
            "size": n, "figures": meta["figures"], "counties": meta["counties"],
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "load_avg": os.getloadavg(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "stages": stages,
        }  # fmt: skip
        shutil.rmtree((folder / MORE).parent, ignore_errors=True)
    records = [runs[k] for k in sorted(runs)]
    doc = {"note": "SYNTHETIC stores of real county codes; times of child processes (see benchmarks/pipeline.py)",
           "runs": records, **summary(records)}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for goal, v in doc["goals"].items():
        print(f"{'met' if v['met'] else 'NOT met':8} {goal}: {v}")


if __name__ == "__main__":
    main()
