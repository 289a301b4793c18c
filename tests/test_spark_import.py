"""Importing Spark's tables into the warehouse (WARMHEART_ENGINE=spark) makes the next
DuckDB build rebuild every model: the imported tables were not built by the DuckDB models,
so neither the build memo (dbt_project/macros/build_memo.sql), its stored parts, nor the
node memo may vouch for them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.spark_tables import import_spark_tables


def test_importing_spark_tables_drops_every_table_of_the_duckdb_memos(tmp_path: Path):
    folder = tmp_path / "spark" / "warehouse" / "marts.db" / "rpt_campaign_stats"
    folder.mkdir(parents=True)
    pl.DataFrame({"city_code": ["370100"], "employed": [3]}).write_parquet(folder / "p.parquet")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create table main.warmheart_build_memo_v1 (node_id varchar)")
    # The memo's other tables describe the DuckDB build's tables too: the publication reads
    # a model's stored (cut-off, city) parts instead of hashing its rows, so parts left
    # behind would describe rows Spark did not compute.
    con.execute(
        "create table main.warmheart_parts_v1__restricted_city_feedback "
        "(cutoff_date date, city_code varchar, n bigint, s hugeint, x ubigint)"
    )
    con.execute("create table main.warmheart_node_memo_v1 (node_id varchar)")
    con.execute("create table main.keep_me (x int)")

    rows = import_spark_tables(con, tmp_path / "spark")

    assert rows == {"marts.rpt_campaign_stats": 1}
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert tables == {"rpt_campaign_stats", "keep_me"}
