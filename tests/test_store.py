"""Append-only Parquet store."""

import json

import pyarrow.parquet as pq

from hukou_stats.store.commit import ingest
from hukou_stats.store.parquet import Store
from tests.helpers import long_csv, make_project, tree_snapshot

R2019 = "440100,广州市,2019,resident_total,1530.59,10k_persons,bulletin 2019,2020-03,,first_release,,"
R2019_REVISED = "440100,广州市,2019,resident_total,1831.21,10k_persons,summary table,2022,,census_revised,,"


def test_reingesting_an_unchanged_file_changes_nothing(tmp_path):
    p = make_project(tmp_path, {"a.csv": long_csv(R2019)})
    first = ingest(p).stored
    snap = tree_snapshot(p.processed)
    again = ingest(p).stored
    assert first["new"] == 1 and again == {"new": 0, "skipped": 1, "parts": []}
    assert tree_snapshot(p.processed) == snap


def test_a_new_release_is_appended_and_the_old_one_kept(tmp_path):
    p = make_project(tmp_path, {"a.csv": long_csv(R2019)})
    ingest(p)
    old_parts = tree_snapshot(p.processed / "observations")
    (p.raw / "b.csv").write_text(long_csv(R2019_REVISED), encoding="utf-8")
    result = ingest(p).stored
    assert result["new"] == 1 and result["parts"] == [p for p in result["parts"] if p.startswith("release=2022-12-31/")]
    now = tree_snapshot(p.processed / "observations")
    for name, data in old_parts.items():  # every earlier part is still there, byte for byte
        if not name.endswith("manifest.json"):  # the store's commit list and its provenance manifest
            assert now[name] == data
    df = Store(p.processed).read()
    assert sorted(df.value_published) == ["1530.59", "1831.21"]
    manifest = json.loads((p.processed / "observations" / "_manifest.json").read_text())
    assert manifest["row_count"] == 2


def test_parts_not_in_the_manifest_are_ignored(tmp_path):
    """A crash between writing a part and the manifest leaves an orphan that readers must not see."""
    p = make_project(tmp_path, {"a.csv": long_csv(R2019)})
    ingest(p)
    store = Store(p.processed)
    part = store.part_paths()[0]
    orphan = part.parent / "part-orphan.parquet"
    pq.write_table(pq.read_table(part), orphan)
    assert len(store.read()) == 1
