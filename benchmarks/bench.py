"""`make bench`: the microdata aggregation and quality checks at 1M, 10M and 100M SYNTHETIC persons.

Implementations, each run in its own child process (peak RSS = the child's own ru_maxrss):
  duckdb   hukou_stats.microdata.aggregate (what `hukou-stats microdata aggregate` runs), memory_limit 2GB
  floor    bare DuckDB: one GROUP BY count per person file over the same Parquet, nothing else: register
           GROUP BY reg_code, residents GROUP BY res_code, count(*) kept in a temp table as ours are (floor_counts below)
  floor_same_columns  the floor, the residents' query also reading reg_code (max(reg_code)), as the aggregation must
  polars   the same aggregation in Polars, lazy, streaming engine
  pandas   a straightforward pandas version (read the columns, groupby, merge, roll up)
  quality  hukou_stats.microdata.quality.check_quality on its own (a fresh connection: it makes the per-code
           counts itself, which `microdata aggregate` shares with the aggregation)
  quality_duckdb_single_pass  the same checks hand-written: one DuckDB statement per person file (GROUPING SETS
           over person id and each code column: one scan), the code-list checks as in quality.py
  quality_polars  the same checks in Polars, lazy, one collect_all per run (streaming engine)
The aggregations must give identical counts (region x measure), the quality implementations identical counts per
check; the run fails otherwise. Datasets are cached in bench/data/ (git-ignored), regenerated only when missing.

Times: best of 3 rounds up to 10M persons, one round at 100M (BENCH_REPEATS overrides; stated per record in the
JSON); a round runs every implementation once, one after the other, so that a change of load on the shared
machine falls on all of them. Wall time, and the process CPU time of the work (user + system, all threads),
steadier than wall time on a shared machine; each goal is judged on both (met: wall, met_cpu: CPU). The clock covers the work and the implementation's own result (ours: the long counts table);
turning results into the common form compared across implementations is not timed.
Results are merged into bench/results.json by size and implementation: a run replaces the records of the sizes
and implementations it measured and keeps the others, each record with its date, load average, CPU count and
versions. Ratios and goals are computed from records of one run (same run_id) only.
Usage: python benchmarks/bench.py [--sizes 1000000 10000000 100000000] [--impls ...] [--out bench/results.json]
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
    return long_counts(aggregate(con, inputs_from_dir(folder), YEAR))


def post_duckdb(df) -> dict:
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


def run_quality(folder: Path):
    from hukou_stats.microdata.aggregate import connect, register_inputs
    from hukou_stats.microdata.quality import check_quality
    from hukou_stats.microdata.run import inputs_from_dir

    con = connect("2GB", ROOT / "bench" / "spill")
    inputs = inputs_from_dir(folder)
    register_inputs(con, inputs, YEAR)
    return check_quality(con, inputs, YEAR)


def post_quality(q) -> dict:
    return {f"{c.name}|{c.file}|{c.column}": c.count for c in q.checks}


VALID_CLASSES = (111, 112, 121, 122, 123, 210, 220)
CODE_LO, CODE_HI = 110000000000, 829999999999


def quality_names(inputs) -> dict:
    """The check keys of quality.py (name|file|column), as the baselines fill them."""
    c, g, s = (Path(p).name for p in (inputs.codes, inputs.register, inputs.residents))
    return {
        "malformed": f"malformed village code|{c}|code",
        "duplicate_code": f"duplicate village code|{c}|code",
        "unknown_class": f"unknown urban-rural class|{c}|class",
        "reg_missing": f"registration code missing from the code list|{g}|reg_code",
        "reg_empty": f"registration code empty|{g}|reg_code",
        "res_missing": f"residence code missing from the code list|{s}|res_code",
        "res_empty": f"residence code empty|{s}|res_code",
        "res_reg_missing": f"registration code missing from the code list|{s}|reg_code",
        "res_reg_empty": f"registration code empty|{s}|reg_code",
        "reg_dup": f"duplicate person id|{g}|person_id",
        "reg_twice": f"registered twice|{g}|person_id",
        "res_dup": f"duplicate person id|{s}|person_id",
        "res_twice": f"resident listed twice|{s}|person_id",
    }


def quality_duckdb_single_pass(inputs, con, year: int = YEAR) -> dict:
    """The checks of quality.py hand-written for DuckDB: one statement, one scan, per person file (GROUPING SETS:
    a hash table per id and per code column, the ids kept when repeated), the code-list checks as small queries.
    Counts only (the examples quality.py adds are looked up afterwards, for defects)."""
    from hukou_stats.microdata.aggregate import scan

    names = quality_names(inputs)
    con.execute(f"CREATE OR REPLACE TEMP VIEW b_codes_all AS SELECT * FROM {scan(inputs.codes, 'codes')}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE b_codes AS SELECT TRY_CAST(code AS BIGINT) AS code, "
        "TRY_CAST(class AS INTEGER) AS class FROM b_codes_all WHERE year = ?",
        [year],
    )
    out = {}
    out[names["malformed"]] = con.execute(
        f"SELECT count(*) FROM b_codes_all WHERE year = ? AND (TRY_CAST(code AS BIGINT) IS NULL OR NOT "
        f"TRY_CAST(code AS BIGINT) BETWEEN {CODE_LO} AND {CODE_HI} OR length(CAST(code AS VARCHAR)) <> 12)",
        [year],
    ).fetchone()[0]
    out[names["duplicate_code"]] = con.execute(
        "SELECT count(*) FROM (SELECT code FROM b_codes GROUP BY code HAVING count(*) > 1)"
    ).fetchone()[0]
    out[names["unknown_class"]] = con.execute(
        f"SELECT count(*) FROM b_codes WHERE class IS NULL OR class NOT IN {VALID_CLASSES}"
    ).fetchone()[0]
    missing = "{c} IS NOT NULL AND {c} NOT IN (SELECT code FROM b_codes WHERE code IS NOT NULL){marker}"
    reg = con.execute(f"""
        SELECT sum(n) FILTER (WHERE g = 1 AND {missing.format(c="reg_code", marker="")}),
               sum(n) FILTER (WHERE g = 1 AND reg_code IS NULL),
               count(*) FILTER (WHERE g = 0 AND lo = hi), count(*) FILTER (WHERE g = 0 AND lo <> hi)
        FROM (SELECT GROUPING(person_id) AS g, reg_code, count(*) AS n, min(reg_code) AS lo, max(reg_code) AS hi
              FROM {scan(inputs.register, "register")}
              GROUP BY GROUPING SETS ((person_id), (reg_code))
              HAVING GROUPING(person_id) = 1 OR count(*) > 1)""").fetchone()
    res = con.execute(f"""
        SELECT sum(n) FILTER (WHERE g = 5 AND {missing.format(c="res_code", marker="")}),
               sum(n) FILTER (WHERE g = 5 AND res_code IS NULL),
               sum(n) FILTER (WHERE g = 6 AND {missing.format(c="reg_code", marker=" AND reg_code <> 0")}),
               sum(n) FILTER (WHERE g = 6 AND reg_code IS NULL),
               count(*) FILTER (WHERE g = 3 AND lo = hi), count(*) FILTER (WHERE g = 3 AND lo <> hi)
        FROM (SELECT GROUPING(person_id, res_code, reg_code) AS g, res_code, reg_code, count(*) AS n,
                     min(res_code) AS lo, max(res_code) AS hi
              FROM {scan(inputs.residents, "residents")}
              GROUP BY GROUPING SETS ((person_id), (res_code), (reg_code))
              HAVING GROUPING(person_id) = 1 OR count(*) > 1)""").fetchone()
    for k, v in zip(("reg_missing", "reg_empty", "reg_dup", "reg_twice"), reg):
        out[names[k]] = v
    for k, v in zip(("res_missing", "res_empty", "res_reg_missing", "res_reg_empty", "res_dup", "res_twice"), res):
        out[names[k]] = v
    return {k: int(v or 0) for k, v in out.items()}


def run_quality_duckdb_single_pass(folder: Path) -> dict:
    from hukou_stats.microdata.aggregate import connect
    from hukou_stats.microdata.run import inputs_from_dir

    return quality_duckdb_single_pass(inputs_from_dir(folder), connect("2GB", ROOT / "bench" / "spill"))


def quality_polars(inputs, year: int = YEAR) -> dict:
    """The checks of quality.py in Polars: lazy frames, one collect_all (streaming engine), each person file's
    group-bys over one scan. Counts only."""
    import polars as pl

    names = quality_names(inputs)

    def scan(path):
        p = str(path)
        if p.endswith(".parquet"):
            return pl.scan_parquet(p)
        return pl.scan_csv(p, schema_overrides={"code": pl.Utf8, "class": pl.Utf8})

    raw = scan(inputs.codes).filter(pl.col("year") == year)
    as_int = pl.col("code").cast(pl.Utf8).cast(pl.Int64, strict=False)
    codes = raw.select(as_int.alias("code"), pl.col("class").cast(pl.Utf8).cast(pl.Int32, strict=False))
    listed = codes.filter(pl.col("code").is_not_null()).select("code").unique()
    reg, res = scan(inputs.register), scan(inputs.residents)

    def ids(frame, code):
        return (
            frame.group_by("person_id")
            .agg(pl.len().alias("n"), pl.col(code).min().alias("lo"), pl.col(code).max().alias("hi"))
            .filter(pl.col("n") > 1)
            .select(
                (pl.col("lo") == pl.col("hi")).sum().alias("dup"), (pl.col("lo") != pl.col("hi")).sum().alias("twice")
            )
        )

    def per_code(frame, code, outside=False):
        counts = frame.group_by(pl.col(code).alias("code")).agg(pl.len().alias("n"))
        known = counts.filter(pl.col("code").is_not_null())
        if outside:
            known = known.filter(pl.col("code") != 0)
        return pl.concat(
            [
                known.join(listed, on="code", how="anti").select(pl.col("n").sum().alias("n")),
                counts.filter(pl.col("code").is_null()).select(pl.col("n").sum().alias("n")),
            ]
        )

    malformed = raw.select(
        (
            as_int.is_null()
            | ~as_int.is_between(CODE_LO, CODE_HI)
            | (pl.col("code").cast(pl.Utf8).str.len_chars() != 12)
        ).sum()
    )
    dup_codes = codes.group_by("code").agg(pl.len().alias("n")).filter(pl.col("n") > 1).select(pl.len())
    unknown = codes.select((pl.col("class").is_null() | ~pl.col("class").is_in(list(VALID_CLASSES))).sum())
    frames = pl.collect_all(
        [
            malformed,
            dup_codes,
            unknown,
            per_code(reg, "reg_code"),
            ids(reg, "reg_code"),
            per_code(res, "res_code"),
            per_code(res, "reg_code", outside=True),
            ids(res, "res_code"),
        ],
        engine="streaming",
    )
    m, d, u, rc, ri, sc, sr, si = frames
    out = {
        names["malformed"]: m.item(),
        names["duplicate_code"]: d.item(),
        names["unknown_class"]: u.item(),
        names["reg_missing"]: rc["n"][0],
        names["reg_empty"]: rc["n"][1],
        names["reg_dup"]: ri["dup"][0],
        names["reg_twice"]: ri["twice"][0],
        names["res_missing"]: sc["n"][0],
        names["res_empty"]: sc["n"][1],
        names["res_reg_missing"]: sr["n"][0],
        names["res_reg_empty"]: sr["n"][1],
        names["res_dup"]: si["dup"][0],
        names["res_twice"]: si["twice"][0],
    }
    return {k: int(v or 0) for k, v in out.items()}


def run_quality_polars(folder: Path) -> dict:
    from hukou_stats.microdata.run import inputs_from_dir

    return quality_polars(inputs_from_dir(folder))


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
    for div in [*LEVELS.values(), None]:
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
    return pl.concat([v.group_by(u.alias("unit")).agg(pl.col(measures).sum()) for u in units]).collect(
        engine="streaming"
    )


def post_polars(out) -> dict:
    measures = ["hukou", "hukou_urban", "resident", "resident_urban", "within", "across"]
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
    "quality_duckdb_single_pass": run_quality_duckdb_single_pass,
    "quality_polars": run_quality_polars,
}
POST = {"duckdb": post_duckdb, "polars": post_polars, "quality": post_quality}  # untimed: to the common form
AGGREGATIONS = ("duckdb", "polars", "pandas")  # must give identical counts
QUALITY = ("quality", "quality_duckdb_single_pass", "quality_polars")  # identical counts per check
QUALITY_BASELINES = QUALITY[1:]
DEFAULT_IMPLS = ["floor", "floor_same_columns", "duckdb", "polars", "pandas", *QUALITY]

_OURS = ["hukou_stats.microdata.run", "hukou_stats.microdata.aggregate"]
WARM = {
    "duckdb": _OURS,
    "floor": _OURS,
    "floor_same_columns": _OURS,
    "quality": [*_OURS, "hukou_stats.microdata.quality"],
    "quality_duckdb_single_pass": _OURS,
    "quality_polars": ["polars", *_OURS],
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
    native = IMPLS[impl](Path(folder), *map(int, extra))
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = POST.get(impl, lambda x: x)(native)
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


def merge_runs(old: list[dict], new: list[dict]) -> list[dict]:
    """Earlier results kept: a new record replaces the one of the same size and implementation."""
    fresh = {(r["persons"], r["impl"]) for r in new}
    kept = [r for r in old if (r.get("persons"), r.get("impl")) not in fresh]
    return sorted(kept + new, key=lambda r: (r["persons"], r["impl"]))


def _ratio(a: dict, b: dict, key: str) -> float:
    return round(a[key] / max(b[key], 1e-9), 3)


def size_ratios(by: dict, n: int) -> dict:
    """Ratios at one size between records of the same run only (wall; _cpu: the least CPU seconds of the runs,
    steadier than wall time on a shared machine)."""
    row: dict = {"persons": n}
    d = by.get(("duckdb", n))
    for other in ("floor", "floor_same_columns", "polars", "pandas"):
        o = by.get((other, n))
        if d and o and o["run_id"] == d["run_id"]:
            row[f"duckdb_over_{other}"] = _ratio(d, o, "wall_s")
            row[f"duckdb_over_{other}_cpu"] = _ratio(d, o, "min_cpu_s")
    q = by.get(("quality", n))
    bases = [by[b, n] for b in QUALITY_BASELINES if q and (b, n) in by and by[b, n]["run_id"] == q["run_id"]]
    if q and bases:
        best = min(bases, key=lambda r: r["wall_s"])
        row["quality_baseline"] = best["impl"]
        row["quality_over_baseline"] = _ratio(q, best, "wall_s")
        row["quality_over_baseline_cpu"] = _ratio(q, min(bases, key=lambda r: r["min_cpu_s"]), "min_cpu_s")
    if len(row) > 1:
        row["load_avg_1m"] = max(r["load_avg_1m_before"] for (_, m), r in by.items() if m == n)
    return row


def scaling(by: dict, sizes: list[int]) -> dict:
    """Exponent of time in persons per implementation (wall; _cpu: CPU seconds, steadier across runs made at
    other loads), over all sizes and between the two largest, where fixed costs no longer hide the slope."""
    exps = {}
    for impl in sorted({i for i, _ in by}):
        for key, suffix in (("wall_s", ""), ("min_cpu_s", "_cpu")):
            pts = [(n, by[impl, n][key]) for n in sizes if (impl, n) in by]
            e = slope(pts)
            if e is not None:
                exps[impl + suffix] = round(e, 3)
                exps[f"{impl}_largest_two{suffix}"] = round(slope(pts[-2:]) or 0, 3)
    return exps


def ratio_goals(row: dict, by: dict) -> dict:
    """The goals at 10M and 100M persons: aggregation within 1.2x of the floor reading the same columns and
    ahead of Polars; quality within 1.5x of the best single-pass baseline, in bounded memory."""
    n = row["persons"]
    tag = f"{n // 1_000_000}M"
    goals: dict = {}
    if "duckdb_over_floor_same_columns" in row:
        r = row["duckdb_over_floor_same_columns"]
        c = row["duckdb_over_floor_same_columns_cpu"]
        goals[f"{tag}_within_1.2x_of_floor_same_columns"] = {
            "ratio": r,
            "ratio_cpu": c,
            "met": r <= 1.2,
            "met_cpu": c <= 1.2,
        }
    if "duckdb_over_polars" in row:
        r = row["duckdb_over_polars"]
        c = row["duckdb_over_polars_cpu"]
        goals[f"{tag}_ahead_of_polars"] = {"ratio": r, "ratio_cpu": c, "met": r < 1, "met_cpu": c < 1}
    if "quality_over_baseline" in row:
        r = row["quality_over_baseline"]
        c = row["quality_over_baseline_cpu"]
        goals[f"{tag}_quality_within_1.5x_of_single_pass"] = {
            "ratio": r,
            "ratio_cpu": c,
            "baseline": row["quality_baseline"],
            "met": r <= 1.5,
            "met_cpu": c <= 1.5,
        }
        rss = by["quality", n]["peak_rss_mb"]
        goals[f"{tag}_quality_peak_rss_under_3GB"] = {"peak_rss_mb": rss, "met": rss < 3 * 1024}
    return goals


def ratios_and_goals(runs: list[dict]) -> tuple[list[dict], dict, dict]:
    """Ratios per size (records of one run only), scaling exponents, and the goals met or not."""
    by = {(r["impl"], r["persons"]): r for r in runs if "wall_s" in r}
    sizes = sorted({n for _, n in by})
    ratios = [row for row in (size_ratios(by, n) for n in sizes) if len(row) > 1]
    exps = scaling(by, sizes)
    goals: dict = {}
    big, ten = by.get(("duckdb", 100_000_000)), by.get(("duckdb", 10_000_000))
    if big:
        goals["100M_under_20s"] = {"wall_s": big["wall_s"], "met": big["wall_s"] < 20}
        goals["100M_peak_rss_under_3GB"] = {"peak_rss_mb": big["peak_rss_mb"], "met": big["peak_rss_mb"] < 3 * 1024}
    p10 = by.get(("pandas", 10_000_000))
    if ten and p10 and p10["run_id"] == ten["run_id"]:
        s = p10["wall_s"] / ten["wall_s"]
        goals["10M_5x_faster_than_pandas"] = {"speedup": round(s, 2), "met": s >= 5}
    for row in ratios:
        if row["persons"] in (10_000_000, 100_000_000):
            goals.update(ratio_goals(row, by))
    if "duckdb" in exps:
        e = max(exps["duckdb"], exps.get("duckdb_largest_two", 0))
        c = max(exps["duckdb_cpu"], exps.get("duckdb_largest_two_cpu", 0))
        goals["linear_time"] = {
            "exponent_all_sizes": exps["duckdb"],
            "exponent_largest_two": exps.get("duckdb_largest_two"),
            "exponent_largest_two_cpu": exps.get("duckdb_largest_two_cpu"),
            "met": e <= 1.1,
            "met_cpu": c <= 1.1,
        }
    return ratios, exps, goals


def check_agreement(impl: str, n: int, reps: list[dict], reference: dict) -> dict:
    """Same counts on repeated runs and across implementations of one kind; returns the fields to record."""
    m = reps[0]["result"]
    if any(r["result"] != m for r in reps):
        raise SystemExit(f"{impl} gave different counts on repeated runs at {n:,} persons")
    kind = "aggregation" if impl in AGGREGATIONS else "quality"
    if kind not in reference:
        reference[kind] = (impl, m)
        return {"figures" if kind == "aggregation" else "checks": len(m)}
    first, ref = reference[kind]
    if m != ref:
        diff = {k for k in set(ref) | set(m) if ref.get(k) != m.get(k)}
        raise SystemExit(
            f"{impl} disagrees with {first} at {n:,} persons on {len(diff)} counts, e.g. {sorted(diff)[:5]}"
        )
    return {f"counts_identical_to_{first}": True}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000])
    ap.add_argument("--impls", nargs="+", default=DEFAULT_IMPLS, choices=sorted(set(IMPLS) - {"synth"}))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    a = ap.parse_args()
    v = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench; "
            "print(json.dumps(bench.versions()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    versions_now = json.loads(v.stdout)
    env = {
        "python": platform.python_version(),
        **versions_now,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "note": f"SYNTHETIC data (hukou-stats synth, region 000000, seed {SEED}); shared machine: see load_avg",
    }
    run_id = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    stamp = {
        "run_id": run_id,
        "date": run_id,
        "cpus": os.cpu_count(),
        "versions": {"python": env["python"], **versions_now},
    }
    repeats = int(os.environ.get("BENCH_REPEATS", 0)) or None
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
                    "load_avg_1m_before": round(os.getloadavg()[0], 2),
                    "min_cpu_s": round(gen["cpu_s"], 2),
                    **stamp,
                }
            )
            print(
                f"  generated in {gen['wall_s']:.1f} s, peak RSS {gen['peak_rss_bytes'] / 2**20:,.0f} MB -> {folder}",
                flush=True,
            )
        size = sum(f.stat().st_size for f in folder.glob("*.parquet"))
        todo = [i for i in a.impls if not (i == "pandas" and n > PANDAS_MAX)]
        if "pandas" in a.impls and n > PANDAS_MAX:
            runs.append(
                {
                    "persons": n,
                    "impl": "pandas",
                    "skipped": f"pandas loads every column into memory "
                    f"(~{n * 40 / 1e9:.0f} GB of frames and temporaries at {n:,} persons): not run above {PANDAS_MAX:,}",
                    **stamp,
                }
            )
            print(f"  {'pandas':26} skipped (above {PANDAS_MAX:,} persons)", flush=True)
        # the machine is shared: best of REPEATS rounds up to 10M persons, one round at 100M
        rounds = repeats or (REPEATS if n <= PANDAS_MAX else 1)
        reps: dict[str, list[dict]] = {i: [] for i in todo}
        loads: dict[str, list[float]] = {i: [] for i in todo}
        for _ in range(rounds):
            for impl in todo:
                loads[impl].append(os.getloadavg()[0])
                reps[impl].append(measure(impl, folder))
        reference: dict = {}
        for impl in todo:
            rs = reps[impl]
            m = min(rs, key=lambda r: r["wall_s"])
            rec = {
                "persons": n,
                "impl": impl,
                "wall_s": round(m["wall_s"], 3),
                "process_wall_s": round(m["process_wall_s"], 3),
                "cpu_s": round(m["cpu_s"], 3),
                "min_cpu_s": round(min(r["cpu_s"] for r in rs), 3),
                "rows_per_s": round(n / m["wall_s"]),
                "peak_rss_mb": round(max(r["peak_rss_bytes"] for r in rs) / 2**20),
                "load_avg_1m_before": round(max(loads[impl]), 2),
                "load_avg_1m_each_round": [round(x, 2) for x in loads[impl]],
                "parquet_mb": round(size / 2**20),
                "all_runs_wall_s": [round(r["wall_s"], 3) for r in rs],
                "all_runs_cpu_s": [round(r["cpu_s"], 3) for r in rs],
                **stamp,
            }
            if impl in AGGREGATIONS or impl in QUALITY:
                rec.update(check_agreement(impl, n, rs, reference))
            runs.append(rec)
            print(
                f"  {impl:26} {m['wall_s']:8.2f} s  (CPU {rec['min_cpu_s']:6.2f} s)  {rec['rows_per_s']:>12,} rows/s"
                f"  peak RSS {rec['peak_rss_mb']:>6,} MB  (load {rec['load_avg_1m_before']:.1f})",
                flush=True,
            )
    old = []
    if a.out.exists():
        try:
            old = json.loads(a.out.read_text(encoding="utf-8")).get("runs", [])
        except (OSError, ValueError):
            old = []
    merged = merge_runs([r for r in old if "run_id" in r], runs)  # records older than run_id are not comparable
    ratios, exps, goals = ratios_and_goals(merged)
    env["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    result = {"environment": env, "runs": merged, "ratios": ratios, "scaling_exponent": exps, "goals": goals}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = a.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, a.out)
    print(json.dumps({"ratios": ratios, "goals": goals}, indent=2))
    print(f"written: {a.out}")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
