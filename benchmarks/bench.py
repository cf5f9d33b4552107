"""`make bench`: the microdata aggregation at 1M, 10M and 100M SYNTHETIC persons.

Implementations, each run in its own child process (peak RSS = the child's own ru_maxrss):
  duckdb   hukou_stats.microdata.aggregate (what `hukou-stats microdata aggregate` runs), memory_limit 2GB
  floor    bare DuckDB: one GROUP BY count per person file over the same Parquet, nothing else: register
           GROUP BY reg_code, residents GROUP BY res_code, count(*) kept in a temp table as ours are (floor_counts below)
  floor_same_columns  (informative) the floor, the residents' query also reading reg_code (max(reg_code))
  polars   the same aggregation in Polars, lazy, streaming engine
  pandas   a straightforward pandas version (read the columns, groupby, merge, roll up)
  quality  the DuckDB quality checks (duplicate ids group by person id: the costly part), timed apart
All implementations must give identical counts (region x measure); the run fails otherwise.
Datasets are cached in bench/data/ (git-ignored), regenerated only when missing.

Times: best of 3 runs up to 10M persons, one run at 100M (stated per run in the JSON); wall time, and the
process CPU time of the work (user + system, all threads), steadier than wall time on a shared machine.
Usage: python benchmarks/bench.py [--sizes 1000000 10000000 100000000] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR, SEED, REGION = 2021, 20211231, "000000"
REPEATS = 3
PANDAS_MAX = 10_000_000  # beyond this, pandas needs ~10x the data in RAM (stated in the JSON)
LEVELS = {3: 1_000_000, 2: 100_000_000, 1: 10_000_000_000}  # divisor of the 12-digit code per level


def dataset(n: int) -> tuple[Path, dict | None]:
    """The cached dataset (generated in a child process, so this process stays small: a child's peak RSS
    on Linux starts from its parent's at fork time)."""
    folder = ROOT / "bench" / "data" / f"national-{n}"
    meta = folder / "SYNTHETIC_metadata.json"
    version = subprocess.run(
        [sys.executable, "-c", "from hukou_stats.microdata.synth import GENERATOR_VERSION as v; print(v)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if meta.exists():
        m = json.loads(meta.read_text(encoding="utf-8"))
        if m.get("seed") == SEED and str(m.get("generator_version")) == version and m.get("persons_resident") == n:
            return folder, None
    return folder, measure("synth", folder, n)


def run_synth(folder: Path, n: int) -> dict:
    from hukou_stats.core.project import Project
    from hukou_stats.microdata.synth import synthesize

    synthesize(Project.at(ROOT), n, REGION, SEED, folder, YEAR)
    return {}


def versions() -> dict:
    import duckdb
    import pandas
    import polars

    return {"duckdb": duckdb.__version__, "pandas": pandas.__version__, "polars": polars.__version__}


# --- implementations (run inside the child) ---------------------------------------------------------------


def run_duckdb(folder: Path) -> dict:
    from hukou_stats.microdata.aggregate import aggregate, connect, long_counts
    from hukou_stats.microdata.run import inputs_from_dir

    con = connect("2GB", ROOT / "bench" / "spill")
    df = long_counts(aggregate(con, inputs_from_dir(folder), YEAR))
    return {f"{r.region_code}|{r.measure}": int(r.value) for r in df.itertuples() if r.value}


def floor_counts(con, inputs, residents_extra: str = "") -> int:
    """The bare DuckDB floor (for the benchmark): one GROUP BY count per person file, register by reg_code,
    residents by res_code, nothing else; the per-code counts are kept in temp tables as aggregate() keeps its
    own (a count(*) over the groups would let DuckDB drop the counts and run a mere DISTINCT).
    residents_extra: another aggregate for the residents' query (the benchmark's floor reading reg_code too)."""
    from hukou_stats.microdata.aggregate import scan

    con.execute(
        f"CREATE OR REPLACE TEMP TABLE floor_register AS SELECT reg_code AS code, count(*) AS n "
        f"FROM {scan(inputs.register, 'register')} GROUP BY ALL"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE floor_residents AS SELECT res_code AS code, count(*) AS n{residents_extra} "
        f"FROM {scan(inputs.residents, 'residents')} GROUP BY ALL"
    )
    return con.execute(
        "SELECT (SELECT count(*) FROM floor_register) + (SELECT count(*) FROM floor_residents)"
    ).fetchone()[0]


def run_floor(folder: Path) -> dict:
    from hukou_stats.microdata.aggregate import connect
    from hukou_stats.microdata.run import inputs_from_dir

    return {"groups": floor_counts(connect("2GB", ROOT / "bench" / "spill"), inputs_from_dir(folder))}


def run_floor_same_columns(folder: Path) -> dict:
    """Informative: the floor also reading the residents' reg_code, as the aggregation must (one max() over it,
    the least work that reads it; count(reg_code) would not do: DuckDB turns it into count(*) when the Parquet
    statistics say the column has no NULLs, and never reads it)."""
    from hukou_stats.microdata.aggregate import connect
    from hukou_stats.microdata.run import inputs_from_dir

    return {
        "groups": floor_counts(
            connect("2GB", ROOT / "bench" / "spill"), inputs_from_dir(folder), residents_extra=", max(reg_code) AS m"
        )
    }


def run_quality(folder: Path) -> dict:
    from hukou_stats.microdata.aggregate import connect, register_inputs
    from hukou_stats.microdata.quality import check_quality
    from hukou_stats.microdata.run import inputs_from_dir

    con = connect("2GB", ROOT / "bench" / "spill")
    inputs = inputs_from_dir(folder)
    register_inputs(con, inputs, YEAR)
    q = check_quality(con, inputs, YEAR)
    return {"defects": sum(c.count for c in q.checks)}


def _emit(rows) -> dict:
    """rows: (unit code as int, measure, value) -> the common dict form (groupings that are no unit left out,
    as hukou_stats does)."""
    from hukou_stats.reference.hierarchy import is_unit

    return {f"{int(c):06d}|{m}": int(v) for c, m, v in rows if v and (int(c) == 0 or is_unit(f"{int(c):06d}"))}


def run_pandas(folder: Path) -> dict:
    import pandas as pd

    from hukou_stats.microdata.run import inputs_from_dir

    i = inputs_from_dir(folder)
    codes = pd.read_parquet(i.codes)
    codes = codes[codes.year == YEAR]
    urban = pd.Series(
        codes["class"].astype(int).isin([111, 112, 121, 122, 123]).values, index=codes.code.astype("int64")
    )
    reg = pd.read_parquet(i.register, columns=["reg_code"])
    h = reg.groupby("reg_code").size().rename("hukou")
    res = pd.read_parquet(i.residents, columns=["res_code", "reg_code"])
    same_county = (res.reg_code // 1_000_000) == (res.res_code // 1_000_000)
    res["within"] = same_county & ((res.reg_code // 1000) != (res.res_code // 1000)) & res.reg_code.notna()
    res["across"] = ~same_county & res.reg_code.notna()
    r = res.groupby("res_code").agg(resident=("res_code", "size"), within=("within", "sum"), across=("across", "sum"))
    v = pd.concat([h, r], axis=1).fillna(0)
    v["urban"] = urban.reindex(v.index).fillna(False).astype(bool).values
    v["hukou_urban"] = v.hukou * v.urban
    v["resident_urban"] = v.resident * v.urban
    rows = []
    for lv, div in list(LEVELS.items()) + [(0, None)]:
        key = (v.index // div * (div // 1_000_000)) if div else pd.Series(0, index=v.index)
        g = v.groupby(pd.Index(key, name="unit"))[
            ["hukou", "hukou_urban", "resident", "resident_urban", "within", "across"]
        ].sum()
        for unit, x in g.iterrows():
            rows += [
                (unit, "hukou_total", x.hukou),
                (unit, "hukou_urban", x.hukou_urban),
                (unit, "resident_total", x.resident),
                (unit, "resident_urban", x.resident_urban),
                (unit, "separated_within_county", x.within),
                (unit, "separated_across_counties", x.across),
            ]
    return _emit(rows)


def run_polars(folder: Path) -> dict:
    import polars as pl

    from hukou_stats.microdata.run import inputs_from_dir

    i = inputs_from_dir(folder)
    codes = (
        pl.scan_parquet(i.codes)
        .filter(pl.col("year") == YEAR)
        .select(
            pl.col("code").cast(pl.Int64),
            pl.col("class").cast(pl.Int32).is_in([111, 112, 121, 122, 123]).alias("urban"),
        )
    )
    h = pl.scan_parquet(i.register).group_by(pl.col("reg_code").alias("code")).agg(pl.len().alias("hukou"))
    res, reg = pl.col("res_code"), pl.col("reg_code")
    r = (
        pl.scan_parquet(i.residents)
        .group_by(res.alias("code"))
        .agg(
            pl.len().alias("resident"),
            (reg.is_not_null() & (reg // 1_000_000 == res // 1_000_000) & (reg // 1000 != res // 1000))
            .sum()
            .alias("within"),
            (reg.is_not_null() & (reg // 1_000_000 != res // 1_000_000)).sum().alias("across"),
        )
    )
    v = (
        h.join(r, on="code", how="full", coalesce=True)
        .join(codes, on="code", how="left")
        .with_columns(
            pl.col("hukou", "resident", "within", "across").fill_null(0).cast(pl.Int64),
            pl.col("urban").fill_null(False),
        )
        .with_columns(
            (pl.col("hukou") * pl.col("urban")).alias("hukou_urban"),
            (pl.col("resident") * pl.col("urban")).alias("resident_urban"),
        )
    )
    units = [(pl.col("code") // div * (div // 1_000_000)) for div in LEVELS.values()] + [pl.lit(0, pl.Int64)]
    measures = ["hukou", "hukou_urban", "resident", "resident_urban", "within", "across"]
    out = pl.concat([v.group_by(u.alias("unit")).agg(pl.col(measures).sum()) for u in units]).collect(
        engine="streaming"
    )
    names = dict(
        zip(
            measures,
            [
                "hukou_total",
                "hukou_urban",
                "resident_total",
                "resident_urban",
                "separated_within_county",
                "separated_across_counties",
            ],
        )
    )
    return _emit((row["unit"], names[m], row[m]) for row in out.iter_rows(named=True) for m in measures)


IMPLS = {
    "synth": run_synth,
    "duckdb": run_duckdb,
    "floor": run_floor,
    "floor_same_columns": run_floor_same_columns,
    "polars": run_polars,
    "pandas": run_pandas,
    "quality": run_quality,
}


WARM = {
    "duckdb": ["hukou_stats.microdata.run", "hukou_stats.microdata.aggregate"],
    "floor": ["hukou_stats.microdata.run", "hukou_stats.microdata.aggregate"],
    "floor_same_columns": ["hukou_stats.microdata.run", "hukou_stats.microdata.aggregate"],
    "quality": ["hukou_stats.microdata.run", "hukou_stats.microdata.quality"],
    "pandas": ["pandas", "hukou_stats.microdata.run"],
    "polars": ["polars", "hukou_stats.microdata.run"],
    "synth": ["hukou_stats.microdata.synth"],
}


def child(impl: str, folder: str, *extra) -> None:
    """Imports happen before the clock starts: the time is the work, not Python's start-up."""
    import importlib

    for mod in WARM[impl]:
        importlib.import_module(mod)
    t, c = time.perf_counter(), time.process_time()
    result = IMPLS[impl](Path(folder), *map(int, extra))
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": rss, "result": result}))


def measure(impl: str, folder: Path, *extra) -> dict:
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, __file__, "--child", impl, str(folder), *map(str, extra)], capture_output=True, text=True
    )
    if p.returncode != 0:
        raise SystemExit(f"{impl} failed on {folder}:\n{p.stderr[-3000:]}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["process_wall_s"] = time.perf_counter() - t
    return out


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares exponent b of time = a * persons^b."""
    if len(points) < 2:
        return None
    xs, ys = [math.log(n) for n, _ in points], [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000])
    ap.add_argument(
        "--impls", nargs="+", default=["floor", "floor_same_columns", "duckdb", "polars", "pandas", "quality"]
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    a = ap.parse_args()
    v = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; sys.path.insert(0, %r); import bench; "
            "print(json.dumps(bench.versions()))" % str(Path(__file__).parent),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    env = {
        "python": platform.python_version(),
        **json.loads(v.stdout),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "note": "SYNTHETIC data (hukou-stats synth, region 000000, seed %d); shared machine: see load_avg" % SEED,
    }
    runs = []
    for n in a.sizes:
        print(f"{n:,} persons", flush=True)
        folder, gen = dataset(n)
        if gen:
            runs.append(
                {
                    "persons": n,
                    "impl": "synth (generation)",
                    "wall_s": round(gen["wall_s"], 2),
                    "peak_rss_mb": round(gen["peak_rss_bytes"] / 2**20),
                }
            )
            print(
                f"  generated in {gen['wall_s']:.1f} s, peak RSS {gen['peak_rss_bytes'] / 2**20:,.0f} MB -> {folder}",
                flush=True,
            )
        size = sum(f.stat().st_size for f in folder.glob("*.parquet"))
        reference = None
        for impl in a.impls:
            if impl == "pandas" and n > PANDAS_MAX:
                runs.append(
                    {
                        "persons": n,
                        "impl": impl,
                        "skipped": f"pandas loads every column into memory "
                        f"(~{n * 40 / 1e9:.0f} GB of frames and temporaries at {n:,} persons): not run above {PANDAS_MAX:,}",
                    }
                )
                print(f"  {impl:18} skipped (above {PANDAS_MAX:,} persons)", flush=True)
                continue
            load = os.getloadavg()[0]
            # the machine is shared: best of REPEATS runs up to 10M persons (one run at 100M, and of quality)
            reps = [measure(impl, folder) for _ in range(REPEATS if n <= PANDAS_MAX and impl != "quality" else 1)]
            m = min(reps, key=lambda r: r["wall_s"])
            rec = {
                "persons": n,
                "impl": impl,
                "wall_s": round(m["wall_s"], 3),
                "process_wall_s": round(m["process_wall_s"], 3),
                "cpu_s": round(m["cpu_s"], 3),
                "min_cpu_s": round(min(r["cpu_s"] for r in reps), 3),
                "rows_per_s": round(n / m["wall_s"]),
                "peak_rss_mb": round(m["peak_rss_bytes"] / 2**20),
                "load_avg_1m_before": round(load, 2),
                "parquet_mb": round(size / 2**20),
                "all_runs_wall_s": [round(r["wall_s"], 3) for r in reps],
            }
            if impl in ("duckdb", "polars", "pandas"):
                if any(r["result"] != m["result"] for r in reps):
                    raise SystemExit(f"{impl} gave different counts on repeated runs at {n:,} persons")
                if reference is None:
                    reference = m["result"]
                    rec["figures"] = len(reference)
                elif m["result"] != reference:
                    diff = {k for k in set(reference) | set(m["result"]) if reference.get(k) != m["result"].get(k)}
                    raise SystemExit(
                        f"{impl} disagrees with duckdb at {n:,} persons on {len(diff)} counts, e.g. {sorted(diff)[:5]}"
                    )
                else:
                    rec["counts_identical_to_duckdb"] = True
            runs.append(rec)
            print(
                f"  {impl:18} {m['wall_s']:8.2f} s  (CPU {rec['min_cpu_s']:6.2f} s)  {rec['rows_per_s']:>12,} rows/s  peak RSS {rec['peak_rss_mb']:>6,} MB"
                f"  (load {load:.1f})",
                flush=True,
            )
    by = {(r["impl"], r["persons"]): r for r in runs if "wall_s" in r}
    ratios, exps = [], {}
    for n in a.sizes:
        d = by.get(("duckdb", n))
        if not d:
            continue
        row = {"persons": n}
        for other in ("floor", "floor_same_columns", "polars", "pandas"):
            if (other, n) in by:
                row[f"duckdb_over_{other}"] = round(d["wall_s"] / by[other, n]["wall_s"], 3)
                # CPU seconds (least of the runs): steadier than wall time on a shared machine
                row[f"duckdb_over_{other}_cpu"] = round(d["min_cpu_s"] / max(by[other, n]["min_cpu_s"], 1e-9), 3)
        ratios.append(row)
    for impl in a.impls:
        pts = [(n, by[impl, n]["wall_s"]) for n in a.sizes if (impl, n) in by]
        e = slope(pts)
        if e is not None:
            exps[impl] = round(e, 3)
        if len(pts) >= 2:  # between the two largest sizes, where fixed costs no longer hide the slope
            exps[f"{impl}_largest_two"] = round(slope(pts[-2:]), 3)
    goals = {}
    big, ten = by.get(("duckdb", 100_000_000)), by.get(("duckdb", 10_000_000))
    if big:
        goals["100M_under_20s"] = {"wall_s": big["wall_s"], "met": big["wall_s"] < 20}
        goals["100M_peak_rss_under_3GB"] = {"peak_rss_mb": big["peak_rss_mb"], "met": big["peak_rss_mb"] < 3 * 1024}
    if ten and ("pandas", 10_000_000) in by:
        s = by["pandas", 10_000_000]["wall_s"] / ten["wall_s"]
        goals["10M_5x_faster_than_pandas"] = {"speedup": round(s, 2), "met": s >= 5}
    worst = max((r.get("duckdb_over_floor", 0) for r in ratios), default=None)
    if worst:
        goals["within_1.5x_of_floor"] = {"worst_ratio": worst, "met": worst <= 1.5}
    if "duckdb" in exps:
        e = max(exps["duckdb"], exps.get("duckdb_largest_two", 0))
        goals["linear_time"] = {
            "exponent_all_sizes": exps["duckdb"],
            "exponent_largest_two": exps.get("duckdb_largest_two"),
            "met": e <= 1.1,
        }
    env["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    result = {"environment": env, "runs": runs, "ratios": ratios, "scaling_exponent": exps, "goals": goals}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = a.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, a.out)
    print(json.dumps({"ratios": ratios, "scaling_exponent": exps, "goals": goals}, indent=2))
    print(f"written: {a.out}")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
