"""The warehouse moves to Spark unchanged: the shared demo campaign's dbt models built on a
local Spark (one dbt process, one Spark session) give every published mart row for row, and
every other table of the models (staging, intermediate, restricted) with the same columns,
in the same order, and the same rows."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines import person_key, settings
from pipelines.dbt_project import dbt_executable
from pipelines.ingest.raw_files import export_raw_layer
from pipelines.publish.files import sort_rows
from pipelines.publish.publisher import MARTS_BY_CUTOFF, mart_tables, read_mart
from pipelines.spark_tables import MODEL_SCHEMAS, import_spark_tables

# Every schema dbt builds, the seeds' (`reference`) included: dbt-spark's session method
# loaded an empty CSV cell as the text 'None' until macros/spark_seeds.sql.
COMPARED_SCHEMAS = MODEL_SCHEMAS


def _spark_env(demo_root: Path, raw_layer: Path, spark_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMHEART_")}
    # The demo run read real-upload settings (WARMHEART_RAW_DIR set): its person_key secret
    # is the one generated beside its warehouse; Spark must key people with the same.
    secret = (demo_root / "secrets" / "person_key_secret").read_text(encoding="ascii").strip()
    env.update(
        WARMHEART_ENGINE="spark",
        WARMHEART_RAW_LAYER=str(raw_layer),
        WARMHEART_SPARK_DIR=str(spark_dir),
        WARMHEART_SPARK_DRIVER_MEMORY="1g",
        WARMHEART_SPARK_SHUFFLE_PARTITIONS="4",
        **person_key.dbt_env(secret),
    )
    return env


def _tables_that_differ(spark: duckdb.DuckDBPyConnection, duck_warehouse: Path) -> list[str]:
    """Each model table of `spark` (the Spark tables imported) that differs from the DuckDB
    build's: columns and types in order, then the rows as a multiset (doubles to 1e-9)."""
    spark.execute(f"attach '{duck_warehouse}' as duck (read_only)")
    differ = []
    try:
        for schema, table in spark.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = 'duck' and list_contains(?, schema_name) order by all",
            [list(COMPARED_SCHEMAS)],
        ).fetchall():
            columns = [
                spark.execute(
                    "select column_name, data_type from duckdb_columns() where database_name = ? "
                    "and schema_name = ? and table_name = ? order by column_index",
                    [database, schema, table],
                ).fetchall()
                for database in (spark.execute("select current_database()").fetchone()[0], "duck")
            ]
            if columns[0] != columns[1]:
                differ.append(f"{schema}.{table} columns: Spark {columns[0]} / DuckDB {columns[1]}")
                continue
            values = ", ".join(
                f'round("{name}", 9)' if kind == "DOUBLE" else f'"{name}"'
                for name, kind in columns[1]
            )
            for left, right in (("", "duck."), ("duck.", "")):
                extra = spark.execute(
                    f'select count(*) from (select {values} from {left}"{schema}"."{table}" '
                    f'except all select {values} from {right}"{schema}"."{table}")'
                ).fetchone()[0]
                if extra:
                    engine = "DuckDB" if left else "Spark"
                    differ.append(f"{schema}.{table}: {extra} rows only on {engine}")
    finally:
        spark.execute("detach duck")
    return differ


@pytest.mark.spark
def test_spark_builds_every_published_mart_row_for_row_as_duckdb(demo_run, tmp_path: Path) -> None:
    assert shutil.which("java"), (
        "Spark needs a Java runtime (apt-get install openjdk-17-jre-headless)"
    )
    spark_dir = tmp_path / "spark"
    # The demo run was a DuckDB run, which writes no Parquet raw layer: exported here from
    # its warehouse, as a run on Spark exports it after ingestion.
    raw_layer = tmp_path / "raw_layer"
    source = duckdb.connect(str(demo_run.root / "warehouse.duckdb"), read_only=True)
    try:
        export_raw_layer(source, raw_layer)
    finally:
        source.close()
    started = time.perf_counter()
    # Seeds and models in one dbt process: one Spark session. The data tests are the DuckDB
    # run's job here (they gate publication there); this test proves the computed tables.
    proc = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
            "--project-dir",
            str(settings.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
        ],
        env=_spark_env(demo_run.root, raw_layer, spark_dir),
        cwd=settings.DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    (tmp_path / "spark_build.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, proc.stdout[-6000:]
    print(f"Spark build of the demo campaign (seeds and models): {seconds:.0f}s")

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(demo_run.root / "warehouse.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        import_spark_tables(con, spark_dir)
        marts = demo_run.root / "marts"
        # A mart is one file, or (MARTS_BY_CUTOFF) one file per cut-off in its folder.
        published = {p.stem: p for p in marts.glob("*.parquet")} | {
            name: marts / name / "*.parquet" for name in MARTS_BY_CUTOFF
        }
        assert sorted(published) == mart_tables(con)
        assert read_mart(con, "rpt_campaign_stats").height > 0
        for name, path in sorted(published.items()):
            duck = pl.read_parquet(path)
            duck = sort_rows(duck, duck.columns)
            spark = read_mart(con, name)
            assert spark.schema == duck.schema, name
            # Same rows in the publisher's order; amounts and rates to 1e-9 (finer than a cent).
            assert_frame_equal(spark, duck, check_exact=False, abs_tol=1e-9, rel_tol=0)
        # The tables behind the marts too: a model whose columns come out in another order
        # or with other rows on Spark is found even when no published mart shows it.
        assert _tables_that_differ(con, demo_run.root / "warehouse.duckdb") == []
    finally:
        con.close()
