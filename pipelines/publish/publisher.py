"""Write every analyst mart aside, then swap the set into the marts folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

MART_SCHEMA = "marts"


@dataclass
class Publication:
    marts_dir: Path
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def mart_tables(con: duckdb.DuckDBPyConnection, schema: str = MART_SCHEMA) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def read_mart(con: duckdb.DuckDBPyConnection, table: str, schema: str = MART_SCHEMA) -> pl.DataFrame:
    """A mart in a deterministic row order (all columns, left to right)."""
    df = con.execute(f'select * from "{schema}"."{table}"').pl()
    return df.sort(df.columns, nulls_last=True) if df.height else df


def write_frame(df: pl.DataFrame, folder: Path, name: str) -> list[Path]:
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    df.write_parquet(parquet)
    # BOM so Excel opens the Chinese text correctly.
    csv.write_bytes(b"\xef\xbb\xbf" + df.write_csv().encode("utf-8"))
    return [parquet, csv]


def swap_in(staged: Path, target: Path) -> None:
    """Move every staged file over its target: each replace is atomic on one filesystem."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(staged.rglob("*")):
        if path.is_file():
            dest = target / path.relative_to(staged)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest)


def publish_marts(con: duckdb.DuckDBPyConnection, marts_dir: Path) -> Publication:
    marts_dir.mkdir(parents=True, exist_ok=True)
    pub = Publication(marts_dir)
    staged = Path(tempfile.mkdtemp(prefix=".publishing-", dir=marts_dir.parent))
    try:
        for table in mart_tables(con):
            df = read_mart(con, table)
            pub.rows[table] = df.height
            for path in write_frame(df, staged, table):
                pub.files.append(marts_dir / path.name)
        swap_in(staged, marts_dir)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return pub
