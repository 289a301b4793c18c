"""Importing Spark's tables into the warehouse (WARMHEART_ENGINE=spark) makes the next
DuckDB build rebuild every model: the imported tables were not built by the DuckDB models,
so the build memo (dbt_project/macros/build_memo.sql) must not vouch for them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.spark_tables import import_spark_tables


def test_importing_spark_tables_drops_the_duckdb_build_memo(tmp_path: Path):
    folder = tmp_path / "spark" / "warehouse" / "marts.db" / "rpt_campaign_stats"
    folder.mkdir(parents=True)
    pl.DataFrame({"city_code": ["370100"], "employed": [3]}).write_parquet(folder / "p.parquet")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create table main.warmheart_build_memo_v1 (node_id varchar)")
    con.execute("create table main.keep_me (x int)")

    rows = import_spark_tables(con, tmp_path / "spark")

    assert rows == {"marts.rpt_campaign_stats": 1}
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert tables == {"rpt_campaign_stats", "keep_me"}
