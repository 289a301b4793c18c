"""The analysts' DuckDB: the published marts in a file of their own, queryable at any time.

Analysts never open the pipeline's warehouse (DuckDB allows one writing process,
and a reader would block the pipeline or be blocked by it). After each gated
publication the analyst marts (schema `marts` only: pseudonymous person_key, no
ID number, name or phone) are copied into a new file beside the destination,
checkpointed, and moved over it with os.replace. A reader holding the old file
keeps reading the old version (the inode stays alive until it closes); the next
connection sees the new one. Nobody waits for anybody.

A new copy starts from the previous one when there is one (a file copy), and each table
is brought level with the warehouse by the parts that differ: a table with the part
columns (cut-off and city) has the rows of its changed parts deleted and inserted; any
other changed table is copied whole. The content is compared, not remembered, so a copy
that differs in any way is corrected. A corrected ledger at 20,000 persons per city
changes 3 of 96 parts of fct_target_progress (1.4 M rows, 1.3 s to copy whole). The rows
of a table may then lie in another physical order than in a fresh copy, which no SQL
result depends on. A fresh copy is made when there is no usable previous one, or when
more than half of its file is free space (left by the tables replaced before).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import duckdb

from pipelines.publish.content_keys import parts_fingerprint_sql

ANALYST_SCHEMA = "marts"
# The columns a table is compared and updated by (those of them it has): its parts.
PART_COLUMNS = ("cutoff_date", "city_code")

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
    warehouse: duckdb.DuckDBPyConnection | str | Path,
    dest: Path,
    previous: Path | None = None,
) -> dict[str, int]:
    """Copy schema `marts` of the warehouse into a new DuckDB file and swap it in at `dest`.

    `warehouse` is an open connection to the pipeline's warehouse (the publish
    step passes its own) or the path of a warehouse file (opened read-only).
    `previous`, an earlier copy, is where the new one starts from when it can (module
    docstring). Returns {table: rows}. Raises AnalystCopyError, leaving `dest` untouched,
    when a mart has a column that names a person.
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
        start_from = _usable_previous(con, previous, alias)
        if start_from is not None:
            shutil.copyfile(start_from, tmp)
        con.execute(f"attach '{tmp}' as {alias}")
        try:
            if start_from is None:
                con.execute(f"create schema {alias}.{ANALYST_SCHEMA}")
            else:
                for table in set(_analyst_tables(con, alias)) - set(tables):
                    con.execute(f'drop table {alias}.{ANALYST_SCHEMA}."{table}"')
            for table in tables:
                _level_table(con, catalog, alias, table)
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


def _usable_previous(
    con: duckdb.DuckDBPyConnection, previous: Path | None, alias: str
) -> Path | None:
    """`previous` when a new copy can start from it: a DuckDB file holding tables in schema
    `marts` and nothing else, at most half of it free space."""
    if previous is None or not Path(previous).is_file():
        return None
    probe = f"{alias}_previous"
    try:
        con.execute(f"attach '{previous}' as {probe} (read_only)")
    except duckdb.Error:
        return None
    try:
        others = (
            con.execute(
                "select count(*) from duckdb_tables() where database_name = ? and schema_name <> ?",
                [probe, ANALYST_SCHEMA],
            ).fetchone()[0]
            + con.execute(
                "select count(*) from duckdb_views() where database_name = ? and not internal",
                [probe],
            ).fetchone()[0]
        )
        used, free = con.execute(
            "select used_blocks, free_blocks from pragma_database_size() where database_name = ?",
            [probe],
        ).fetchone()
    finally:
        con.execute(f"detach {probe}")
    return Path(previous) if others == 0 and free <= used else None


def _level_table(con: duckdb.DuckDBPyConnection, catalog: str, alias: str, table: str) -> None:
    """Make the copy's `table` hold the warehouse's rows: untouched when equal, by its
    changed parts when it has the part columns, else copied whole."""
    source = f'"{catalog}".{ANALYST_SCHEMA}."{table}"'
    target = f'{alias}.{ANALYST_SCHEMA}."{table}"'
    columns = _signature(con, catalog, table)
    if columns != _signature(con, alias, table):
        con.execute(f"create or replace table {target} as select * from {source}")
        return
    names = [c.split(" ")[0] for c in columns]
    parts = [c for c in PART_COLUMNS if c in names]
    same = " and ".join(f"c.{c} is not distinct from t.{c}" for c in parts) or "true"
    c_cols = ", ".join(f"coalesce(c.{p}, t.{p}) as {p}" for p in parts) or "1 as whole"
    changed = con.execute(
        f"""create or replace temp table warmheart_changed_parts as
            select {c_cols} from ({parts_fingerprint_sql(source, parts)}) as c
            full join ({parts_fingerprint_sql(target, parts)}) as t on {same}
            where c.n is distinct from t.n or c.s is distinct from t.s
                or c.x is distinct from t.x;
            select count(*) from warmheart_changed_parts"""
    ).fetchone()[0]
    if changed and not parts:
        con.execute(f"create or replace table {target} as select * from {source}")
    elif changed:
        in_changed = f"exists (select 1 from warmheart_changed_parts as c where {same})"
        con.execute(
            f"delete from {target} as t where {in_changed}; "
            f"insert into {target} select * from {source} as t where {in_changed}"
        )
    con.execute("drop table warmheart_changed_parts")


def _signature(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str] | None:
    found = con.execute(
        "select column_name || ' ' || data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, ANALYST_SCHEMA, table],
    ).fetchall()
    return [f[0] for f in found] or None


def open_analyst_copy(path: Path) -> duckdb.DuckDBPyConnection:
    """How analysts (and tests) open the copy: read-only, so it never takes a write lock."""
    return duckdb.connect(str(path), read_only=True)
