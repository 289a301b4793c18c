"""The raw layer's DDL (docs/raw_layer.md), generated from pipelines/terms.py.

Every table exists even before any file arrives, so dbt sources always resolve.
"""

from __future__ import annotations

import duckdb

from pipelines import terms

SQL_TYPE = {"date": "DATE", "int": "BIGINT", "money": "DOUBLE", "multi": "VARCHAR[]"}

LINEAGE_DDL: tuple[tuple[str, str], ...] = (
    ("_file_sha256", "VARCHAR"),
    ("_file_path", "VARCHAR"),
    ("_sheet", "VARCHAR"),
    ("_source_row", "INTEGER"),
    ("_received_at", "TIMESTAMP"),
    ("_campaign_id", "VARCHAR"),
    ("_cutoff_date", "DATE"),
    ("_city_code", "VARCHAR"),
    ("_table_type", "VARCHAR"),
)

FILES_DDL: tuple[tuple[str, str], ...] = (
    ("file_sha256", "VARCHAR"),
    ("file_path", "VARCHAR"),
    ("file_name", "VARCHAR"),
    ("file_format", "VARCHAR"),
    ("encoding", "VARCHAR"),
    ("source", "VARCHAR"),
    ("campaign_id", "VARCHAR"),
    ("cutoff_date", "DATE"),
    ("city_code", "VARCHAR"),
    ("city_code_raw", "VARCHAR"),
    ("registry_source", "VARCHAR"),
    ("table_type", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("header_row", "INTEGER"),
    ("received_at", "TIMESTAMP"),
    ("is_late", "BOOLEAN"),
    ("rows_read", "BIGINT"),
    ("rows_blank", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("status", "VARCHAR"),
    ("error", "VARCHAR"),
    ("ingested_at", "TIMESTAMP"),
)

ISSUES_DDL: tuple[tuple[str, str], ...] = (
    ("file_sha256", "VARCHAR"),
    ("file_path", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("source_row", "INTEGER"),
    ("column_name", "VARCHAR"),
    ("value", "VARCHAR"),
    ("reason_code", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("table_type", "VARCHAR"),
    ("campaign_id", "VARCHAR"),
    ("city_code", "VARCHAR"),
    ("cutoff_date", "DATE"),
)
QUARANTINE_DDL = (*ISSUES_DDL, ("row_json", "VARCHAR"))


def table_ddl(table: terms.Table) -> tuple[tuple[str, str], ...]:
    data = tuple((c.name, SQL_TYPE.get(c.kind, "VARCHAR")) for c in table.columns)
    return LINEAGE_DDL + data


def _create(con: duckdb.DuckDBPyConnection, name: str, cols: tuple[tuple[str, str], ...]) -> None:
    body = ", ".join(f'"{c}" {t}' for c, t in cols)
    con.execute(f"create table if not exists raw.{name} ({body})")


def create_raw_table(con: duckdb.DuckDBPyConnection, table: terms.Table) -> None:
    """Create raw.<table> with its lineage and data columns (no-op when present)."""
    con.execute("create schema if not exists raw")
    _create(con, table.name, table_ddl(table))


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw and every raw table of docs/raw_layer.md (no-op when present)."""
    con.execute("create schema if not exists raw")
    _create(con, "files", FILES_DDL)
    _create(con, "quarantine", QUARANTINE_DDL)
    _create(con, "cell_issues", ISSUES_DDL)
    for table in terms.ALL_TABLES:
        _create(con, table.name, table_ddl(table))
