"""The raw layer as Parquet files (pipelines/ingest/raw_files.py): what Spark reads must be
exactly the warehouse's schema raw, one content-addressed file per upload."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.raw_files import (
    PER_FILE_TABLES,
    RAW_LAYER_TABLES,
    SCHEMA_FILE,
    WHOLE_TABLES,
    export_raw_layer,
)


def _differences(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> int:
    files = f"read_parquet('{folder}/*.parquet')"
    return con.execute(
        f"""select count(*) from (
              (select * from raw.{table} except all select * from {files})
              union all
              (select * from {files} except all select * from raw.{table}))"""
    ).fetchone()[0]


@pytest.mark.slow
def test_pipeline_run_mirrors_every_raw_table_into_parquet_row_for_row(demo_run) -> None:
    layer = demo_run.root / "raw_layer"
    con = duckdb.connect(str(demo_run.root / "warehouse.duckdb"), read_only=True)
    try:
        for table in RAW_LAYER_TABLES:
            assert _differences(con, table, layer / table) == 0, table
        assert con.execute("select count(*) from raw.ledger").fetchone()[0] > 0
    finally:
        con.close()
    assert stat.S_IMODE(layer.stat().st_mode) == 0o700  # names and ID numbers: owner only


@pytest.mark.slow
def test_each_upload_is_one_parquet_file_named_by_its_sha256(demo_run) -> None:
    layer = demo_run.root / "raw_layer"
    con = duckdb.connect(str(demo_run.root / "warehouse.duckdb"), read_only=True)
    try:
        for table, (key, _order) in PER_FILE_TABLES.items():
            expected = {
                sha for (sha,) in con.execute(f"select distinct {key} from raw.{table}").fetchall()
            }
            on_disk = {p.stem for p in (layer / table).glob("*.parquet") if p.name != SCHEMA_FILE}
            assert on_disk == expected, table
            for path in list((layer / table).glob("*.parquet"))[:3]:
                if path.name == SCHEMA_FILE:
                    continue
                shas = con.execute(f"select distinct {key} from '{path}'").fetchall()
                assert shas == [(path.stem,)]
        # An empty table keeps its columns, so every engine can read it.
        columns = con.execute(f"select * from '{layer}/ledger/{SCHEMA_FILE}'").description
        assert [c[0] for c in columns][:2] == ["_file_sha256", "_file_path"]
    finally:
        con.close()


@pytest.mark.slow
def test_export_rewrites_only_what_changed_and_drops_what_the_warehouse_lost(
    demo_run, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(demo_run.root / "warehouse.duckdb", warehouse)
    layer = tmp_path / "raw_layer"
    con = duckdb.connect(str(warehouse))
    try:
        first = export_raw_layer(con, layer)
        again = export_raw_layer(con, layer)
        assert first.files_written > len(WHOLE_TABLES)
        assert again.files_written == len(WHOLE_TABLES)  # the register and campaign only
        assert again.files_kept == first.files_written - len(WHOLE_TABLES)

        sha = con.execute("select min(_file_sha256) from raw.visits").fetchone()[0]
        con.execute(f"delete from raw.visits where _file_sha256 = '{sha}'")
        after = export_raw_layer(con, layer)
        assert after.files_removed == 1
        assert not (layer / "visits" / f"{sha}.parquet").exists()
        assert _differences(con, "visits", layer / "visits") == 0
    finally:
        con.close()
