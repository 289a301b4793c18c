"""The raw layer as Parquet files (pipelines/ingest/raw_files.py): what Spark reads must be
exactly the warehouse's schema raw, one content-addressed file per upload."""

from __future__ import annotations

import hashlib
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


@pytest.fixture(scope="module")
def demo_layer(demo_run, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a copy of the demo run's warehouse, the raw layer exported from it)."""
    root = tmp_path_factory.mktemp("raw_layer")
    warehouse = root / "warehouse.duckdb"
    shutil.copy2(demo_run.root / "warehouse.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        export_raw_layer(con, root / "raw_layer")
    finally:
        con.close()
    return warehouse, root / "raw_layer"


@pytest.mark.slow
def test_export_mirrors_every_raw_table_into_parquet_row_for_row(demo_layer) -> None:
    warehouse, layer = demo_layer
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for table in RAW_LAYER_TABLES:
            assert _differences(con, table, layer / table) == 0, table
        assert con.execute("select count(*) from raw.ledger").fetchone()[0] > 0
    finally:
        con.close()
    assert stat.S_IMODE(layer.stat().st_mode) == 0o700  # names and ID numbers: owner only


@pytest.mark.slow
def test_each_upload_is_one_parquet_file_named_by_its_sha256(demo_layer) -> None:
    warehouse, layer = demo_layer
    con = duckdb.connect(str(warehouse), read_only=True)
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


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_ingestion_writes_the_parquet_raw_layer_only_for_the_spark_engine(
    engine: str, tmp_path: Path, monkeypatch
) -> None:
    import dagster as dg
    from fixtures.ingest_files import LEDGER_HEADER, ledger_row, write_csv

    from pipelines.defs.assets_ingest import campaign_config, raw_uploads
    from pipelines.defs.resources import WarehouseResource
    from pipelines.ingest.raw_files import NOT_EXPORTED

    raw = tmp_path / "raw"
    ledger = write_csv(
        raw / "submissions/2022-warm-heart/2022-08-15/370100/台账.csv",
        LEDGER_HEADER,
        [ledger_row(1, "张三", "110101199003074514")],
    )
    layer = tmp_path / "raw_layer"
    monkeypatch.setenv("WARMHEART_RAW_DIR", str(raw))
    monkeypatch.setenv("WARMHEART_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("WARMHEART_RAW_LAYER", str(layer))
    monkeypatch.setenv("WARMHEART_ENGINE", engine)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [campaign_config, raw_uploads],
            instance=instance,
            resources={"warehouse": WarehouseResource()},
        )
    files = next(
        m
        for m in result.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["raw", "files"])
    )
    export = files.materialization.metadata["raw_layer_export"].value
    if engine == "duckdb":
        # The DuckDB models read schema raw: no file is written for them.
        assert export == NOT_EXPORTED
        assert not layer.exists()
    else:
        assert export.startswith("raw layer: ")
        sha = hashlib.sha256(ledger.read_bytes()).hexdigest()
        assert (layer / "ledger" / f"{sha}.parquet").is_file()
        assert (layer / "files" / "files.parquet").is_file()
