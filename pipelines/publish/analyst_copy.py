"""The analysts' DuckDB: the published marts in a file of their own, queryable at any time.

Analysts never open the pipeline's warehouse (DuckDB allows one writing process,
and a reader would block the pipeline or be blocked by it). After each gated
publication the analyst marts (schema `marts` only: pseudonymous person_key, no
ID number, name or phone) are copied into a new file beside the destination,
checkpointed, and moved over it with os.replace. A reader holding the old file
keeps reading the old version (the inode stays alive until it closes); the next
connection sees the new one. Nobody waits for anybody.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

ANALYST_SCHEMA = "marts"

# Column names that would carry a direct identifier. `city_name` is a place, not a
# person, hence the exact patterns rather than "contains name".
PII_COLUMN = re.compile(
    r"^(id_number\w*|\w*_id_number|person_id|id_card\w*|name|name_\w+|person_name|full_name|"
    r"phone\w*|\w*_phone|mobile\w*|姓名|身份证号\w*|联系电话)$",
    re.IGNORECASE,
)


class AnalystCopyError(RuntimeError):
    """The analyst copy was refused (e.g. a mart carries a column that identifies a person)."""


def pii_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if PII_COLUMN.match(c)]


def _analyst_tables(
    con: duckdb.DuckDBPyConnection, catalog: str | None = None
) -> dict[str, list[str]]:
    where_catalog = "and table_catalog = ?" if catalog else ""
    params = [ANALYST_SCHEMA] + ([catalog] if catalog else [])
    rows = con.execute(
        f"""select table_name, column_name from information_schema.columns
            where table_schema = ? {where_catalog}
            order by table_name, ordinal_position""",
        params,
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def build_analyst_copy(
    warehouse: duckdb.DuckDBPyConnection | str | Path, dest: Path
) -> dict[str, int]:
    """Copy schema `marts` of the warehouse into a new DuckDB file and swap it in at `dest`.

    `warehouse` is an open connection to the pipeline's warehouse (the publish
    step passes its own) or the path of a warehouse file (opened read-only).
    Returns {table: rows}. Raises AnalystCopyError, leaving `dest` untouched, when
    a mart has a column that names a person.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    own = not isinstance(warehouse, duckdb.DuckDBPyConnection)
    con = duckdb.connect() if own else warehouse
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{time.monotonic_ns()}.building")
    alias = f"analyst_copy_{os.getpid()}"
    rows: dict[str, int] = {}
    try:
        if own:
            # An in-memory session attaching the warehouse read-only can still
            # write the new file (a read-only main database could not).
            con.execute(f"attach '{warehouse}' as warehouse_src (read_only)")
            catalog = "warehouse_src"
        else:
            # The current catalog: marts of any other attached file must not leak in.
            catalog = con.execute("select current_database()").fetchall()[0][0]
        tables = _analyst_tables(con, catalog)
        leaks = {t: pii_columns(cols) for t, cols in tables.items() if pii_columns(cols)}
        if leaks:
            raise AnalystCopyError(
                f"refusing the analyst copy: marts with identifying columns {leaks}"
            )
        con.execute(f"attach '{tmp}' as {alias}")
        try:
            con.execute(f"create schema {alias}.{ANALYST_SCHEMA}")
            for table in tables:
                con.execute(
                    f'create table {alias}.{ANALYST_SCHEMA}."{table}" as '
                    f'select * from "{catalog}".{ANALYST_SCHEMA}."{table}"'
                )
                rows[table] = con.execute(
                    f'select count(*) from {alias}.{ANALYST_SCHEMA}."{table}"'
                ).fetchall()[0][0]
        finally:
            # Detach checkpoints the file: the swapped-in copy needs no WAL.
            con.execute(f"detach {alias}")
        os.replace(tmp, dest)
    finally:
        if own:
            con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return rows


def open_analyst_copy(path: Path) -> duckdb.DuckDBPyConnection:
    """How analysts (and tests) open the copy: read-only, so it never takes a write lock."""
    return duckdb.connect(str(path), read_only=True)
