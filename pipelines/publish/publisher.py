"""Publish the gated marts as one complete version, swapped in at the last moment.

Everything of a publication — every analyst mart as parquet + csv, the official
xlsx, the analysts' DuckDB copy — is first written into a new version folder beside
the marts folder. Only when every writer has finished is the folder swapped in:
the current folder is renamed aside, the new one renamed into its place, and the old
one removed. Any failure before the swap removes the half-built version and leaves
the previous publication byte-for-byte unchanged; a failure *during* the swap renames
the old folder back. (Two renames rather than a symlink flip because `data/marts` is a
real, git-tracked folder that analysts' tools open directly.)
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.campaign import Campaign
from pipelines.publish.analyst_copy import build_analyst_copy
from pipelines.publish.xlsx_form import write_official_xlsx

MART_SCHEMA = "marts"
REPORT_TABLE = "rpt_campaign_stats"

# A writer adds files to the version folder being built and returns their paths.
Writer = Callable[[duckdb.DuckDBPyConnection, Path], list[Path]]


class PublicationRefused(RuntimeError):
    """The data failed a blocking check: nothing is written, the previous publication stays."""


@dataclass
class Publication:
    marts_dir: Path
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    version: str = ""


def mart_tables(con: duckdb.DuckDBPyConnection, schema: str = MART_SCHEMA) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def read_mart(con: duckdb.DuckDBPyConnection, table: str, schema: str = MART_SCHEMA) -> pl.DataFrame:
    """A mart in a deterministic row order (all columns, left to right)."""
    # A cursor: DuckDB 2.0 refuses relation queries while an execute() result is unfinished.
    cur = con.cursor()
    try:
        df = cur.sql(f'select * from "{schema}"."{table}"').pl()
    finally:
        cur.close()
    return df.sort(df.columns, nulls_last=True) if df.height else df


def write_frame(df: pl.DataFrame, folder: Path, name: str) -> list[Path]:
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    df.write_parquet(parquet)
    # BOM so Excel opens the Chinese text correctly.
    csv.write_bytes(b"\xef\xbb\xbf" + df.write_csv().encode("utf-8"))
    return [parquet, csv]


def mart_files_writer(rows: dict[str, int]) -> Writer:
    """Every table of schema `marts` as parquet + csv (row counts go into `rows`)."""

    def write(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
        out: list[Path] = []
        for table in mart_tables(con):
            df = read_mart(con, table)
            rows[table] = df.height
            out += write_frame(df, folder, table)
        return out

    return write


# What a publication owns at the top of the marts folder: these are rewritten by every
# publication (a mart dropped from the models stops being published). Everything else
# there (by_cutoff/, charts/, .gitkeep, written by later assets or by git) is carried
# over into the new version unchanged.
OWNED_SUFFIXES = (".parquet", ".csv", ".xlsx", ".duckdb")


def _carry_over(previous: Path, staged: Path) -> None:
    if not previous.is_dir():
        return
    for path in previous.iterdir():
        dest = staged / path.name
        if dest.exists() or (path.is_file() and path.suffix in OWNED_SUFFIXES):
            continue
        if path.is_dir():
            shutil.copytree(path, dest, symlinks=True)
        else:
            shutil.copy2(path, dest, follow_symlinks=False)


def swap_in(staged: Path, target: Path) -> None:
    """Replace folder `target` by the complete folder `staged` (same parent, so renames are atomic)."""
    if not target.exists():
        os.replace(staged, target)
        return
    old = target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex[:8]}")
    os.replace(target, old)
    try:
        os.replace(staged, target)
    except BaseException:
        os.replace(old, target)  # put the previous publication back exactly as it was
        raise
    shutil.rmtree(old, ignore_errors=True)


def publish_version(con: duckdb.DuckDBPyConnection, marts_dir: Path,
                    writers: Iterable[Writer]) -> list[Path]:
    """Run every writer into a new version folder, then swap it in; all or nothing."""
    marts_dir = Path(marts_dir)
    marts_dir.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    staged = marts_dir.with_name(f".{marts_dir.name}.building-{stamp}-{uuid.uuid4().hex[:8]}")
    staged.mkdir()
    try:
        written: list[Path] = []
        for writer in writers:
            written += writer(con, staged)
        _carry_over(marts_dir, staged)
        swap_in(staged, marts_dir)
    finally:
        shutil.rmtree(staged, ignore_errors=True)  # gone after a swap; the debris of a failure
    return [marts_dir / p.relative_to(staged) for p in written]


def publish_marts(con: duckdb.DuckDBPyConnection, marts_dir: Path,
                  extra_writers: Iterable[Writer] = ()) -> Publication:
    """Publish schema `marts` (parquet + csv) plus whatever `extra_writers` add, atomically."""
    pub = Publication(Path(marts_dir))
    pub.files = publish_version(con, pub.marts_dir, [mart_files_writer(pub.rows), *extra_writers])
    pub.version = dt.datetime.now().isoformat(timespec="seconds")
    return pub


def official_xlsx_writer(campaign: Campaign) -> Writer:
    """The official statistics table (the attachment's layout), one xlsx per cut-off."""

    def write(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
        stats = read_mart(con, REPORT_TABLE)
        out = []
        for cutoff in sorted(stats.get_column("cutoff_date").unique().to_list()):
            path = folder / f"{REPORT_TABLE}_{cutoff.isoformat()}.xlsx"
            write_official_xlsx(stats.filter(pl.col("cutoff_date") == cutoff), cutoff, path, campaign)
            out.append(path)
        return out

    return write


def analyst_copy_writer(file_name: str) -> Writer:
    """The analysts' DuckDB (schema marts only), built inside the version folder."""

    def write(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
        build_analyst_copy(con, folder / file_name)
        return [folder / file_name]

    return write
