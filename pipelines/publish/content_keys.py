"""Fingerprints of warehouse relations, taken in DuckDB without loading their rows.

A publication keeps a file (a mart's parquet and csv, a city's 问题反馈 workbook) when
what it is made from has not changed. What it is made from is a multiset of rows: the
writers sort them, and a rebuilt table hands the same rows back in another order. So
a fingerprint is the row count, the sum and the xor of each row's DuckDB hash, and the
relation's columns with their types; the build memo (dbt_project/macros/build_memo.sql)
fingerprints tables the same way. DuckDB's hash may change with its version: callers
put the version in their keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import duckdb
import polars as pl

from pipelines.memo_terms import PARTS_TABLE_PREFIX
from pipelines.publish.files import keep_file, write_bytes_atomic


class Fingerprint(NamedTuple):
    text: str  # what to compare (and put into a key)
    rows: int


def relation_fingerprints(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    by: Sequence[str] = (),
    where: str = "true",
    params: Sequence[Any] = (),
) -> dict[tuple[Any, ...], Fingerprint]:
    """(values of `by`) -> fingerprint of the rows of `relation` (schema.table) with those
    values and satisfying `where`; `by` empty: one fingerprint, keyed (), of them all.
    Raises duckdb.CatalogException when the relation does not exist."""
    schema, table = relation.split(".")
    # The current database's only: the analyst copy, built beside on another cursor,
    # attaches a file with the same schema and table names.
    columns = _columns(con, schema, table)
    if columns is None:  # as querying it would: a missing model is an error, not no rows
        raise duckdb.CatalogException(f"Table {relation} does not exist")
    rows = con.execute(
        parts_fingerprint_sql(f'"{schema}"."{table}"', by, where), list(params)
    ).fetchall()
    return {
        tuple(row[: len(by)]): Fingerprint(
            f"{relation}({columns}):{row[-3]}:{row[-2]}:{row[-1]}", row[-3]
        )
        for row in rows
    }


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str | None:
    return con.execute(
        "select string_agg(column_name || ' ' || data_type, ',' order by column_index) "
        "from duckdb_columns() where database_name = current_database() "
        "and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]


def stored_part_fingerprints(
    con: duckdb.DuckDBPyConnection, relation: str, cutoff: Any = None
) -> dict[tuple[Any, Any], Fingerprint] | None:
    """(cut-off, city code) -> the fingerprint relation_fingerprints would take of that
    part of `relation`, as the build memo stored it when it last wrote the table (a
    `rewrite_parts_by` model by cut-off and city: dbt_project/macros/build_memo.sql),
    without reading its rows; only `cutoff`'s parts when given. None when the memo keeps
    no parts for it (another model, another engine, a table not built by the memo)."""
    schema, table = relation.split(".")
    parts = PARTS_TABLE_PREFIX + table
    columns = _columns(con, schema, table)
    stored = _columns(con, *parts.split("."))
    if columns is None or stored is None:
        return None
    part_columns = [c.rsplit(" ", 1)[0] for c in stored.split(",")[:-3]]
    if part_columns != ["cutoff_date", "city_code"]:
        return None
    where = "cutoff_date = ?" if cutoff is not None else "true"
    rows = con.execute(
        f"select cutoff_date, city_code, n, s, x from {parts} where {where}",
        [cutoff] if cutoff is not None else [],
    ).fetchall()
    return {
        (day, city): Fingerprint(f"{relation}({columns}):{n}:{s}:{x}", n)
        for day, city, n, s, x in rows
    }


def cutoff_city_fingerprints(
    con: duckdb.DuckDBPyConnection, relation: str, cutoff: Any = None
) -> dict[tuple[Any, Any], Fingerprint]:
    """(cut-off, city code) -> fingerprint of that part of `relation` (only `cutoff`'s parts
    when given): as the build memo stored them when it keeps them (no rows read: hashing
    the 2.8 M 问题反馈 items again was 1 s of a corrected ledger's run at 20,000 persons per
    city), else hashed now. Raises duckdb.CatalogException when the relation does not exist."""
    stored = stored_part_fingerprints(con, relation, cutoff)
    if stored is not None:
        return stored
    where, params = ("cutoff_date = ?", [cutoff]) if cutoff is not None else ("true", [])
    return relation_fingerprints(con, relation, ("cutoff_date", "city_code"), where, params)


def cutoff_fingerprints(con: duckdb.DuckDBPyConnection, relation: str) -> dict[Any, Fingerprint]:
    """Cut-off -> fingerprint of that cut-off's rows of `relation` (which has `cutoff_date`
    and `city_code`), put together from its (cut-off, city) fingerprints
    (cutoff_city_fingerprints: stored by the build memo when it keeps them, else hashed
    now; the same text either way). Cut-offs without rows are left out.
    Raises duckdb.CatalogException when the relation does not exist."""
    parts: dict[Any, list[tuple[Any, Fingerprint]]] = {}
    by_part = cutoff_city_fingerprints(con, relation)
    for (cutoff, city), fingerprint in sorted(by_part.items(), key=lambda kv: str(kv[0])):
        if fingerprint.rows:
            parts.setdefault(cutoff, []).append((city, fingerprint))
    return {
        cutoff: Fingerprint(
            "|".join(f"{city}={fp.text}" for city, fp in cities), sum(fp.rows for _, fp in cities)
        )
        for cutoff, cities in parts.items()
    }


def parts_fingerprint_sql(relation: str, by: Sequence[str] = (), where: str = "true") -> str:
    """SQL: per value of `by` (one row when empty), the rows of `relation` (as SQL names
    it) satisfying `where` as a multiset fingerprint: `n` rows, `s` the sum and `x` the
    xor of their DuckDB hashes."""
    keys = "".join(f"{c}, " for c in by)
    group = f"group by {', '.join(by)}" if by else ""
    return (
        f"select {keys}count(*) as n, sum(h) as s, bit_xor(h) as x from "
        f"(select {keys}hash(t) as h from {relation} as t where {where}) {group}"
    )


def writer_key(*modules: ModuleType) -> str:
    """What decides a written file's bytes besides its rows: the source of the modules that
    write it, and Polars' and DuckDB's versions. Part of a content key, so a change to any
    of them writes every file again."""
    h = hashlib.sha256()
    for module in modules:
        h.update(Path(str(module.__file__)).read_bytes())
    h.update(f"{pl.__version__}|{duckdb.__version__}".encode())
    return h.hexdigest()


def content_key(writer: str, fingerprint: Fingerprint) -> str:
    return hashlib.sha256(f"{writer}|{fingerprint.text}".encode()).hexdigest()


# In each version folder: entry -> the content key its files were written from, and
# their sizes and modification times.
RECORD = ".content_keys.json"


def _stat(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


class KeptFiles:
    """Which files of the previous version a new version keeps (hard links) rather than
    writing again: those written from the same content key and still exactly as written
    (size and modification time: a file someone opened and saved in Excel is written
    again). Each version records its entries in RECORD for the next one."""

    def __init__(self, previous: Path | None) -> None:
        self.previous = previous
        try:
            self.before = (
                json.loads((previous / RECORD).read_text(encoding="utf-8")) if previous else {}
            )
        except (OSError, ValueError):
            self.before = {}
        self.now: dict[str, dict] = {}

    def keep(self, folder: Path, entry: str, key: str, names: list[str]) -> list[Path] | None:
        """`names` (relative to the version folder) linked from the previous version into
        `folder` and recorded, if they can be kept; else None, and nothing is done."""
        was = self.before.get(entry)
        if self.previous is None or not isinstance(was, dict) or was.get("key") != key:
            return None
        old = [self.previous / n for n in names]
        try:
            if not all(
                _stat(p) == was.get("files", {}).get(n) for p, n in zip(old, names, strict=True)
            ):
                return None
        except OSError:
            return None
        new = []
        for path, name in zip(old, names, strict=True):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            new.append(keep_file(path, folder / name))
        self.record(folder, entry, key, new)
        return new

    def record(self, folder: Path, entry: str, key: str, paths: list[Path]) -> None:
        self.now[entry] = {
            "key": key,
            "files": {p.relative_to(folder).as_posix(): _stat(p) for p in paths},
        }

    def save(self, folder: Path) -> None:
        write_bytes_atomic(folder / RECORD, json.dumps(self.now, indent=1, sort_keys=True).encode())
