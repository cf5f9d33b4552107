"""SYNTHETIC person-level data: a code list, a hukou register extract and a resident extract.

Every file is named SYNTHETIC_*, carries `hukou_stats.synthetic = SYNTHETIC` in its Parquet metadata, and
SYNTHETIC_metadata.json lists the seed, the calibration targets and the publications they come from.
Nothing here is a real person or a real village: only the regions' sizes and rates are real (calibration.py).

Model (stated assumptions, not published facts):
- each county (a real district, or synthetic counties under a real city/province) has villages with
  lognormal sizes; urban villages (classes 111-123, numbered 001-199) hold the county's resident urban
  share, rural villages (210, 220, numbered 200-399) the rest;
- a resident is registered in the region with probability SHARE_REGISTERED_LIVING_HERE x hukou/residents;
  a registered resident lives in the village of registration (P_SAME_VILLAGE, lowered per county where the
  hukou rate could not be reached otherwise), in another village of the
  same county (P_SAME_COUNTY), or anywhere else in the region (the rest);
- registered persons who do not live in the region fill the register up to the hukou total; the hukou
  village distribution is solved per county so that expected hukou totals and rates meet the targets.
Generation is numpy in chunks of CHUNK persons, one Parquet row group each (zstd), so memory stays flat.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from hukou_stats.core.atomic import atomic_path, write_text
from hukou_stats.core.errors import InputOutputError, UsageError
from hukou_stats.core.project import Project
from hukou_stats.core.vocabulary import SYNTHETIC, is_synthetic
from hukou_stats.microdata.calibration import Calibration, calibrate
from hukou_stats.microdata.codes import MUNICIPALITIES

GENERATOR_VERSION = 4  # bump when the same seed would give other files (invalidates bench caches)
CHUNK = 1 << 21
SHARE_REGISTERED_LIVING_HERE = 0.9
P_SAME_VILLAGE, P_SAME_COUNTY = 0.70, 0.12
URBAN_CLASSES, URBAN_P = np.array([111, 112, 121, 122, 123]), np.array([0.55, 0.15, 0.2, 0.07, 0.03])
RURAL_CLASSES, RURAL_P = np.array([210, 220]), np.array([0.1, 0.9])
ID_MULT = 0x9E3779B97F4A7C15 & ((1 << 62) - 1) | 1  # odd: i -> i * ID_MULT mod 2^62 is a bijection

FILES = {
    "codes": "SYNTHETIC_codes.parquet",
    "register": "SYNTHETIC_register.parquet",
    "residents": "SYNTHETIC_residents.parquet",
    "metadata": "SYNTHETIC_metadata.json",
}


@dataclass
class SynthResult:
    out: Path
    persons: int
    registered: int
    villages: int
    counties: int
    files: dict

    def paths(self) -> dict[str, Path]:
        return {k: self.out / v for k, v in self.files.items()}


def _counties(cal: Calibration, rng: np.random.Generator):
    """(county code, resident share, resident rate, hukou share, hukou rate); real districts as they are,
    synthetic counties (codes PPCC11..) under a city or a province."""
    rows = []
    for t in cal.children:
        if not t.code.endswith("00"):
            rows.append((t.code, t.resident_share, t.resident_rate, t.hukou_share, t.hukou_rate))
            continue
        if t.code[2:4] != "00":
            prefs = [t.code]
        elif t.code[:2] in MUNICIPALITIES:  # districts sit directly under the municipality (PP01XX)
            prefs = [f"{t.code[:2]}0100"]
        else:
            prefs = [f"{t.code[:2]}{p:02d}00" for p in range(1, 5)]
        counties = [f"{p[:4]}{c}" for p in prefs for c in range(11, 16)]
        w = rng.lognormal(0, 0.5, len(counties))
        w /= w.sum()
        rows += [
            (c, t.resident_share * x, t.resident_rate, t.hukou_share * x, t.hukou_rate) for c, x in zip(counties, w)
        ]
    return rows


def _villages(n_villages: int, rate: float, rng: np.random.Generator):
    """Village numbers, classes and two weight vectors (resident, hukou shape) for one county."""
    # at least one village of each kind: a fully urban district still has rural registrations (and v.v.)
    n_urban = int(np.clip(round(n_villages * rate), 1, n_villages - 1))
    urban = np.arange(n_villages) < n_urban
    # NBS numbering within a township (10 villages each here): 居委会 001-199, 村委会 200-399; the position in
    # the township keeps every code unique (numbering across the county collided at 300 villages a county)
    k = np.arange(n_villages) % 10 + 1
    number = np.where(urban, k, 200 + k)
    cls = np.where(
        urban, rng.choice(URBAN_CLASSES, n_villages, p=URBAN_P), rng.choice(RURAL_CLASSES, n_villages, p=RURAL_P)
    )
    return number, cls, urban, rng.lognormal(0, 0.8, n_villages), rng.lognormal(0, 0.8, n_villages)


def _split(weights: np.ndarray, urban: np.ndarray, share: float) -> np.ndarray:
    """Weights summing to `share` over urban villages and 1 - share over rural ones."""
    w = weights.astype(float).copy()
    for mask, s in ((urban, share), (~urban, 1 - share)):
        tot = w[mask].sum()
        w[mask] = w[mask] / tot * s if tot > 0 else 0
    return w / w.sum()


def synthesize(
    project: Project,
    persons: int,
    region: str,
    seed: int,
    out: Path,
    year: int = 2021,
    villages_per_county: int | None = None,
) -> SynthResult:
    if persons < 1000:
        raise UsageError("--persons must be at least 1000")
    cal = calibrate(project, region, year)
    rng = np.random.default_rng([seed, 0])
    counties = _counties(cal, rng)
    n_c = len(counties)
    nv = villages_per_county or int(np.clip(persons // (n_c * 3000), 30, 300))
    ratio = cal.hukou_per_resident
    hukou = int(round(persons * ratio))
    reg_here = min(int(round(hukou * SHARE_REGISTERED_LIVING_HERE)), persons)
    extras = hukou - reg_here

    parts: dict[str, list[Any]] = {k: [] for k in ("codes", "classes", "county_of", "w_res", "urban")}
    names: list[str] = []
    w_huk_shape: list[Any] = []
    for ci, (c, rs, rr, _, _) in enumerate(counties):
        number, cls, urban, wr, wh = _villages(nv, rr, rng)
        township = 1 + np.arange(nv) // 10
        parts["codes"].append(np.int64(int(c)) * 1_000_000 + township * 1000 + number)
        parts["classes"].append(cls)
        names += [f"SYNTHETIC {c}-{t:03d}-{n:03d}" for t, n in zip(township, number)]
        parts["county_of"].append(np.full(nv, ci))
        parts["w_res"].append(_split(wr, urban, rr) * rs)
        parts["urban"].append(urban)
        w_huk_shape.append(wh)
    codes, classes, county_of = (np.concatenate(parts[k]) for k in ("codes", "classes", "county_of"))
    p_res = np.concatenate(parts["w_res"])
    p_res /= p_res.sum()
    urban_all = np.concatenate(parts["urban"])

    # hukou distribution: solve per county so that expected totals and rates meet the targets
    pc = np.array([c[1] for c in counties]) / sum(c[1] for c in counties)
    rr = np.array([c[2] for c in counties])
    sc = np.array([c[3] for c in counties]) / sum(c[3] for c in counties)
    hr = np.array([c[4] for c in counties])
    # share living in the village of registration, per county of residence: P_SAME_VILLAGE, lowered where it
    # would make the county's hukou rate unreachable (those registered where they live carry the resident
    # rate; the others must make up the difference with a share of urban registrations between 0 and 1)
    base = np.maximum(reg_here * pc, 1e-9)
    p_same = np.minimum.reduce(
        [
            np.full(n_c, P_SAME_VILLAGE),
            0.95 * hr * hukou * sc / np.maximum(base * rr, 1e-9),
            0.95 * (1 - hr) * hukou * sc / np.maximum(base * (1 - rr), 1e-9),
        ]
    )
    same, local = p_same * reg_here * pc, P_SAME_COUNTY * reg_here * pc
    free = reg_here - same.sum() - local.sum() + extras
    q = np.clip(hukou * sc - same - local, 0, None)
    q = q / q.sum() if q.sum() > 0 else pc
    tot_c = same + local + free * q
    hprime = np.clip((hr * tot_c - same * rr) / np.maximum(tot_c - same, 1e-9), 0, 1)
    p_huk_in = np.empty(len(codes))  # within-county hukou distribution
    for ci in range(n_c):
        m = county_of == ci
        p_huk_in[m] = _split(w_huk_shape[ci], urban_all[m], hprime[ci])
    p_huk = p_huk_in * q[county_of]
    p_huk /= p_huk.sum()
    cdf_res, cdf_huk = np.cumsum(p_res), np.cumsum(p_huk)
    cdf_res[-1] = cdf_huk[-1] = 1.0
    # within-county cdf laid end to end: county ci spans [ci, ci + 1)
    cdf_local = county_of + np.concatenate([np.cumsum(p_huk_in[county_of == ci]) for ci in range(n_c)])
    cdf_local[np.r_[np.diff(county_of) != 0, True]] = np.arange(1, n_c + 1)

    out = Path(out)
    meta = {
        "SYNTHETIC": "every person, village and code in these files is invented; only the calibration targets are real",
        "generator": "hukou_stats.microdata.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "region": cal.region,
        "region_name": cal.name,
        "year": year,
        "persons_resident": persons,
        "persons_registered": hukou,
        "registered_living_here": reg_here,
        "villages": int(len(codes)),
        "counties": n_c,
        "assumptions": {
            "share_of_hukou_living_in_region": SHARE_REGISTERED_LIVING_HERE,
            "p_same_village": P_SAME_VILLAGE,
            "p_same_village_by_county": {c[0]: round(float(x), 4) for c, x in zip(counties, p_same)},
            "p_same_county_other_village": P_SAME_COUNTY,
            "residence_registration_marker_outside_region": 0,
        },
        "calibration": {"notes": cal.notes, "children": [asdict(t) for t in cal.children]},
        "files": FILES,
    }
    kv = {
        b"hukou_stats.synthetic": SYNTHETIC.encode(),
        b"hukou_stats.seed": str(seed).encode(),
        b"hukou_stats.region": cal.region.encode(),
    }

    code_tab = pa.table(
        {
            "year": pa.array(np.full(len(codes), year, dtype=np.int16)),
            "code": pa.array([f"{c:012d}" for c in codes]),
            "name": pa.array(names),
            "class": pa.array([f"{c:03d}" for c in classes]),
        }
    )
    with atomic_path(out / FILES["codes"]) as tmp:
        pq.write_table(code_tab.replace_schema_metadata(kv), tmp, compression="zstd")

    def pid(i: np.ndarray) -> np.ndarray:
        return (i.astype(np.uint64) * np.uint64(ID_MULT) % np.uint64(1 << 62)).astype(np.int64)

    res_schema = pa.schema([("person_id", pa.int64()), ("res_code", pa.int64()), ("reg_code", pa.int64())], metadata=kv)
    reg_schema = pa.schema(
        [("person_id", pa.int64()), ("reg_code", pa.int64()), ("sex", pa.int8()), ("birth_year", pa.int16())],
        metadata=kv,
    )
    with atomic_path(out / FILES["residents"]) as tmp_res, atomic_path(out / FILES["register"]) as tmp_reg:
        with (
            pq.ParquetWriter(tmp_res, res_schema, compression="zstd") as wres,
            pq.ParquetWriter(tmp_reg, reg_schema, compression="zstd") as wreg,
        ):
            for k, start in enumerate(range(0, persons, CHUNK)):
                r = np.random.default_rng([seed, 1, k])
                i = np.arange(start, min(start + CHUNK, persons), dtype=np.int64)
                n = len(i)
                res_v = np.searchsorted(cdf_res, r.random(n), side="right")
                registered = i < reg_here
                u = r.random(n)
                local_v = np.searchsorted(cdf_local, county_of[res_v] + r.random(n), side="right")
                any_v = np.searchsorted(cdf_huk, r.random(n), side="right")
                ps = p_same[county_of[res_v]]
                reg_v = np.where(u < ps, res_v, np.where(u < ps + P_SAME_COUNTY, local_v, any_v))
                reg_code = np.where(registered, codes[reg_v], 0)
                ids = pid(i)
                wres.write_table(
                    pa.table({"person_id": ids, "res_code": codes[res_v], "reg_code": reg_code}, schema=res_schema)
                )
                if registered.any():
                    wreg.write_table(_register_batch(ids[registered], reg_code[registered], r, year, reg_schema))
            for k, start in enumerate(range(0, extras, CHUNK)):
                r = np.random.default_rng([seed, 2, k])
                i = persons + np.arange(start, min(start + CHUNK, extras), dtype=np.int64)
                v = np.searchsorted(cdf_huk, r.random(len(i)), side="right")
                wreg.write_table(_register_batch(pid(i), codes[v], r, year, reg_schema))
    write_text(out / FILES["metadata"], json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return SynthResult(out, persons, hukou, int(len(codes)), n_c, dict(FILES))


def _register_batch(ids, reg_code, r: np.random.Generator, year: int, schema: pa.Schema) -> pa.Table:
    n = len(ids)
    return pa.table(
        {
            "person_id": ids,
            "reg_code": reg_code,
            "sex": r.integers(1, 3, n, dtype=np.int8),
            "birth_year": (year - r.integers(0, 100, n)).astype(np.int16),
        },
        schema=schema,
    )


def is_synthetic_file(path: Path) -> bool:
    """A file is synthetic when its name or its Parquet metadata says so."""
    path = Path(path)
    if is_synthetic(path.name):
        return True
    if path.suffix.lower() == ".parquet" and path.is_file():
        try:
            meta = pq.read_schema(path).metadata or {}
        except (OSError, ValueError) as e:  # pyarrow's ArrowInvalid is a ValueError
            raise InputOutputError(f"cannot read {path} as Parquet: {e}") from e
        return meta.get(b"hukou_stats.synthetic") == SYNTHETIC.encode()
    return False
