"""The tables dbt built on Spark, brought into the warehouse's DuckDB (WARMHEART_ENGINE=spark).

On Spark every model materialised as a table is a folder of Parquet files under the Spark
warehouse (`<spark_dir>/warehouse/<schema>.db/<table>/`). The checks, the publication and
the analysts' copy read the warehouse's DuckDB whichever engine built the models, so after
a Spark build these folders replace the DuckDB tables of the same name: what is published
is then exactly what Spark computed, through the same publishing code (docs/scaling.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.memo_terms import MEMO_TABLE_PREFIX

# dbt's schemas (raw is the warehouse's own).
MODEL_SCHEMAS = ("reference", "staging", "intermediate", "marts", "restricted")


def spark_warehouse(spark_dir: Path) -> Path:
    """Where the `spark` dbt target writes its tables (profiles.yml spark.sql.warehouse.dir)."""
    return spark_dir / "warehouse"


def spark_tables(spark_dir: Path) -> dict[str, list[Path]]:
    """Schema → the table folders Spark built there (a folder holding Parquet files)."""
    found: dict[str, list[Path]] = {}
    for schema in MODEL_SCHEMAS:
        folder = spark_warehouse(spark_dir) / f"{schema}.db"
        tables = sorted(p for p in folder.glob("*") if p.is_dir() and any(p.glob("*.parquet")))
        if tables:
            found[schema] = tables
    return found


def import_spark_tables(con: duckdb.DuckDBPyConnection, spark_dir: Path) -> dict[str, int]:
    """Replace each DuckDB model table by the one Spark built; returns rows per schema.table.

    All in one transaction: a failure leaves the previous tables in place.
    """
    tables = spark_tables(spark_dir)
    if "marts" not in tables:
        raise FileNotFoundError(
            f"no marts built by Spark under {spark_warehouse(spark_dir)}: did the Spark dbt build run?"
        )
    rows: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        forget_dbt_builds(con)  # the tables below were not built by the DuckDB models
        for schema, folders in tables.items():
            con.execute(f'create schema if not exists "{schema}"')
            for folder in folders:
                name = folder.name
                kind = con.execute(
                    "select table_type from information_schema.tables "
                    "where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchone()
                if kind and kind[0] == "VIEW":  # a view cannot be replaced by a table
                    con.execute(f'drop view "{schema}"."{name}"')
                con.execute(
                    f'create or replace table "{schema}"."{name}" as '
                    f"select * from read_parquet('{folder}/*.parquet')"
                )
                rows[f"{schema}.{name}"] = con.execute(
                    f'select count(*) from "{schema}"."{name}"'
                ).fetchone()[0]
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return rows


def forget_dbt_builds(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every table the DuckDB build's memos keep (the memo of which tables match their
    inputs, and the parts, changes and results recorded with it): its next build rebuilds
    every model table, and the publication hashes the tables' rows instead of trusting
    parts stored for tables Spark has replaced."""
    for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'main' and starts_with(table_name, ?)",
        [MEMO_TABLE_PREFIX],
    ).fetchall():
        con.execute(f'drop table main."{name}"')


__all__ = [
    "MODEL_SCHEMAS",
    "forget_dbt_builds",
    "import_spark_tables",
    "spark_tables",
    "spark_warehouse",
]
