"""Regenerates data/reference/region_names.csv: an English name and a pinyin for every (code, name) of the code
history (data/reference/areacodes/result.csv).

A development tool, not part of the package (which reads the CSV and needs neither package below):

    pip install pypinyin==0.55.0 china-cities==0.0.4      # both MIT
    python tools/region_names.py                          # rewrites data/reference/region_names.csv

Sources, in this order (column `source`):
- curated: rows already marked curated in region_names.csv are kept as they are (the hand-checked names of the
  regions hukou-stats started with: the provinces, Zhejiang's cities, Guangzhou's districts);
- china-cities: prefecture-level cities (and 香港, 澳门) by their exact Chinese name within the province, from the
  package china-cities (en.wikipedia "List of cities in China"), which gives the conventional forms (Hohhot,
  Ürümqi, Xigazê); its generic term is added for a 地区/盟;
- pypinyin: everything else, toneless pypinyin of the proper name with a short reviewed list of place-name readings
  (长治 chang zhi, 六安 lu an, 番禺 pan yu …) and English generic terms (District, County, Banner, Autonomous
  Prefecture …, ethnic names as in official English names). Machine-made: to be reviewed before publication.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hukou_stats.reference.code_history import read_code_history  # noqa: E402

HISTORY = ROOT / "data" / "reference" / "areacodes" / "result.csv"
NAMES = ROOT / "data" / "reference" / "region_names.csv"
COLUMNS = ["code", "name_zh", "name_en", "pinyin", "source"]

ETHNIC_EN = {
    "维吾尔": "Uyghur", "蒙古": "Mongol", "哈萨克": "Kazakh", "柯尔克孜": "Kyrgyz", "塔吉克": "Tajik",
    "乌孜别克": "Uzbek", "塔塔尔": "Tatar", "俄罗斯": "Russian", "锡伯": "Xibe", "达斡尔": "Daur",
    "鄂温克": "Ewenki", "鄂伦春": "Oroqen", "赫哲": "Hezhen", "朝鲜": "Korean", "满": "Manchu", "回": "Hui",
    "藏": "Tibetan", "苗": "Miao", "彝": "Yi", "壮": "Zhuang", "布依": "Bouyei", "侗": "Dong", "瑶": "Yao",
    "白": "Bai", "土家": "Tujia", "哈尼": "Hani", "傣": "Dai", "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She",
    "拉祜": "Lahu", "水": "Sui", "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "土": "Tu", "仫佬": "Mulao",
    "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar", "毛南": "Maonan", "仡佬": "Gelao", "阿昌": "Achang",
    "普米": "Pumi", "怒": "Nu", "德昂": "De'ang", "保安": "Bonan", "裕固": "Yugur", "京": "Gin", "独龙": "Derung",
    "门巴": "Monba", "珞巴": "Lhoba", "基诺": "Jino", "高山": "Gaoshan", "崩龙": "De'ang",
}  # fmt: skip
_ETH = "|".join(sorted(ETHNIC_EN, key=len, reverse=True))
AUTONOMOUS_RE = re.compile(rf"^(?P<base>.*?)(?P<eth>(?:(?:{_ETH})族)+)?自治(?P<kind>区|州|县|旗)$")
AUTONOMOUS_EN = {"区": "Autonomous Region", "州": "Autonomous Prefecture", "县": "Autonomous County",
                 "旗": "Autonomous Banner"}  # fmt: skip
GENERIC_EN = {
    1: [("特别行政区", ""), ("自治区", ""), ("省", ""), ("市", "")],
    2: [("地区", "Prefecture"), ("盟", "League"), ("市", "")],
    3: [("林区", "Forestry District"), ("特区", "Special District"), ("矿区", "Mining District"),
        ("新区", "New Area"), ("行政委员会", "Administrative Committee"), ("区", "District"), ("县", "County"),
        ("旗", "Banner"), ("市", "(county-level city)"), ("镇", "Town")],
}  # fmt: skip
# place-name readings pypinyin gets wrong (checked against china-cities and gazetteer romanisations)
PINYIN_OVERRIDES = {
    "长治": "chang zhi", "长垣": "chang yuan", "长子": "zhang zi", "朝阳": "chao yang", "涡阳": "guo yang",
    "洪洞": "hong tong", "单县": "shan xian", "郫都": "pi du", "郫县": "pi xian", "六安": "lu an", "蚌埠": "beng bu",
    "番禺": "pan yu", "铅山": "yan shan", "乐亭": "lao ting", "乐清": "yue qing", "枞阳": "zong yang",
    "莘县": "shen xian", "歙县": "she xian", "蔚县": "yu xian", "筠连": "jun lian", "犍为": "qian wei",
    "阆中": "lang zhong", "荥阳": "xing yang", "荥经": "ying jing", "大埔": "da bu", "东阿": "dong e",
    "都江堰": "du jiang yan", "成都": "cheng du", "都昌": "du chang", "都匀": "du yun", "都安": "du an",
    "都兰": "du lan", "巴中": "ba zhong", "长沙": "chang sha", "珲春": "hun chun", "穆棱": "mu ling",
    "泊头": "bo tou", "瑷珲": "ai hui", "都": "du", "勒": "le", "什": "shi", "漯": "luo", "长": "chang",
}  # fmt: skip
SOURCE_CITIES = "china-cities 0.0.4"
SOURCE_PINYIN = "pypinyin 0.55.0 + rules (machine-made)"


def syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    i, run = 0, ""
    keys = sorted(PINYIN_OVERRIDES, key=len, reverse=True)
    while i < len(text):
        hit = next((k for k in keys if text.startswith(k, i)), None)
        if hit is None:
            run += text[i]
            i += 1
            continue
        out += lazy_pinyin(run, style=Style.NORMAL, v_to_u=True, errors="ignore") + PINYIN_OVERRIDES[hit].split()
        run, i = "", i + len(hit)
    return out + lazy_pinyin(run, style=Style.NORMAL, v_to_u=True, errors="ignore")


def split_name(name: str, level: int) -> tuple[str, str, list[str]]:
    """(proper name, English generic term, English ethnic names)."""
    m = AUTONOMOUS_RE.match(name)
    if m:
        base, eths = m["base"], re.findall(rf"({_ETH})族", m["eth"] or "")
        if not base:  # 鄂伦春自治旗: the ethnic name is the proper name
            base, eths = (eths[0], eths[1:]) if eths else (name[:-3], [])
        return base, AUTONOMOUS_EN[m["kind"]], [ETHNIC_EN[e] for e in eths]
    for suffix, en in GENERIC_EN.get(level, []):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], en, []
    return name, "", []


def pinyin_of(name: str, level: int) -> str:
    base = split_name(name, level)[0]
    return "".join(syllables(name if len(base) == 1 else base)).replace("ü", "v")


def english_of(name: str, level: int) -> str:
    base, generic, eths = split_name(name, level)
    s = ""
    for k, x in enumerate(syllables(base)):
        s += ("'" if k and x[:1] in "aoe" else "") + x
    en = s[:1].upper() + s[1:]
    if eths:
        en += " " + (" and ".join(eths) if len(eths) <= 2 else ", ".join(eths[:-1]) + " and " + eths[-1])
    return f"{en} {generic}".strip()


def city_names() -> dict[str, list[tuple[str, str]]]:
    import china_cities

    out: dict[str, list[tuple[str, str]]] = {}
    for c in china_cities.cities.get_cities():
        out.setdefault(c.name_cn, []).append((c.name_en, c.province))
    return out


def main() -> int:
    periods = read_code_history(HISTORY)
    old = pd.read_csv(NAMES, dtype=str, keep_default_na=False) if NAMES.exists() else pd.DataFrame(columns=COLUMNS)
    curated = {(r.code, r.name_zh): r for r in old.itertuples(index=False) if r.source == "curated"}
    province_en = {r.code: r.name_en for r in curated.values() if r.code.endswith("0000")}
    cities = city_names()

    def same_province(listed: str, code: str) -> bool:
        ours = re.sub(r"\s*\(.*\)", "", province_en.get(code[:2] + "0000", "")).strip().lower()
        theirs = re.sub(r"\s*\(.*\)", "", listed).strip().lower()
        return bool(ours) and (theirs == ours or theirs in ours)

    rows, seen = [], set()
    for p in periods:
        key = (p.code, p.name_zh)
        if key in seen:
            continue
        seen.add(key)
        if key in curated:
            c = curated[key]
            rows.append([p.code, p.name_zh, c.name_en, c.pinyin, "curated"])
            continue
        name_en = None
        if p.level in (1, 2):
            base = split_name(p.name_zh, p.level)[0]
            for k in (p.name_zh, base) if p.level == 1 else (p.name_zh,):
                hits = [h for h in cities.get(k, []) if p.level == 1 or same_province(h[1], p.code)]
                if len(hits) == 1:
                    generic = split_name(p.name_zh, p.level)[1]
                    name_en = hits[0][0] + (f" {generic}" if generic and generic not in hits[0][0] else "")
                    break
        source = SOURCE_CITIES if name_en else SOURCE_PINYIN
        rows.append(
            [p.code, p.name_zh, name_en or english_of(p.name_zh, p.level), pinyin_of(p.name_zh, p.level), source]
        )
    out = pd.DataFrame(rows, columns=COLUMNS).sort_values(["code", "name_zh"])
    tmp = NAMES.with_suffix(".csv.tmp")
    out.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(NAMES)
    print(f"{NAMES}: {len(out)} names; by source: {out.source.value_counts().to_dict()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
