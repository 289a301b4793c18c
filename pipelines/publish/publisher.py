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
import errno
import shutil
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.campaign import Campaign
from pipelines.publish import content_keys as content_keys_module
from pipelines.publish import files as files_module
from pipelines.publish.analyst_copy import build_analyst_copy
from pipelines.publish.content_keys import (
    KeptFiles,
    content_key,
    cutoff_fingerprints,
    relation_fingerprints,
    writer_key,
)
from pipelines.publish.files import SHARED, build_folder, sort_rows, write_frame
from pipelines.publish.xlsx_form import write_official_xlsx

MART_SCHEMA = "marts"
REPORT_TABLE = "rpt_campaign_stats"
# Marts published as one parquet + csv pair per cut-off, in a folder named after the mart
# (`<mart>/<mart>_<cut-off>.*`), not as one pair. fct_target_progress has a row per target
# and cut-off: 1.4 M rows at 20,000 persons per city, more than Excel opens (1,048,576);
# one cut-off's rows do open. A correction changes the rows of its cut-off only, so the
# other cut-offs keep their files. The whole table is in the analysts' DuckDB.
MARTS_BY_CUTOFF = ("fct_target_progress",)
CUTOFF_COLUMN = "cutoff_date"

# A writer adds files to the version folder being built and returns their paths.
Writer = Callable[[duckdb.DuckDBPyConnection, Path], list[Path]]


class PublicationRefused(RuntimeError):
    """The data failed a blocking check: nothing is written, the previous publication stays."""


class PublicationFailed(OSError):
    """Writing the new version failed (a full disk…): nothing is published, the previous stays."""


@dataclass
class Publication:
    marts_dir: Path
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    version: str = ""


def mart_tables(con: duckdb.DuckDBPyConnection, schema: str = MART_SCHEMA) -> list[str]:
    # The current database's only: the analysts' copy, built beside on another cursor,
    # attaches a file with the same schema and tables (a mart listed twice is written twice).
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def read_mart(
    con: duckdb.DuckDBPyConnection,
    table: str,
    schema: str = MART_SCHEMA,
    cutoff: dt.date | None = None,
) -> pl.DataFrame:
    """A mart (only `cutoff`'s rows when given) in a deterministic row order (all columns,
    left to right)."""
    # A cursor: DuckDB 2.0 refuses relation queries while an execute() result is unfinished.
    cur = con.cursor()
    try:
        if cutoff is None:
            df = cur.sql(f'select * from "{schema}"."{table}"').pl()
        else:
            df = cur.sql(
                f'select * from "{schema}"."{table}" where {CUTOFF_COLUMN} = ?', params=[cutoff]
            ).pl()
    finally:
        cur.close()
    return sort_rows(df, df.columns)


# The code and libraries that decide a mart file's bytes besides the mart's rows.
WRITER_KEY = writer_key(files_module, content_keys_module, sys.modules[__name__])


@dataclass(frozen=True)
class MartFile:
    """One parquet + csv pair of a mart: `stem` is its path in the marts folder without the
    suffix, `key` the content key its bytes follow from (content_keys.py)."""

    stem: str
    key: str
    rows: int
    cutoff: dt.date | None = None


def mart_files(con: duckdb.DuckDBPyConnection) -> dict[str, list[MartFile]]:
    """Mart -> the file pairs it is published as, keyed without loading the mart: the files
    are written from the rows in sorted order, so the same multiset of rows gives the same
    bytes. A mart is one pair named after it; a mart of MARTS_BY_CUTOFF is one pair per
    cut-off (`<mart>/<mart>_<cut-off>`), keyed from the parts the build memo stored when it
    keeps them, so the 1.4 M rows of fct_target_progress are not hashed again
    (content_keys.cutoff_fingerprints). An empty per-cut-off mart has no pair."""
    files: dict[str, list[MartFile]] = {}
    for table in mart_tables(con):
        relation = f"{MART_SCHEMA}.{table}"
        if table not in MARTS_BY_CUTOFF:
            fingerprint = relation_fingerprints(con, relation)[()]
            key = content_key(WRITER_KEY, fingerprint)
            files[table] = [MartFile(table, key, fingerprint.rows)]
            continue
        fingerprints = cutoff_fingerprints(con, relation)
        if None in fingerprints:  # its not-null test stops the build first; never drop rows here
            raise ValueError(f"{relation} has rows without a {CUTOFF_COLUMN}")
        files[table] = [
            MartFile(
                f"{table}/{table}_{cutoff.isoformat()}",
                content_key(WRITER_KEY, fingerprint),
                fingerprint.rows,
                cutoff,
            )
            for cutoff, fingerprint in sorted(fingerprints.items())
        ]
    return files


def mart_files_writer(rows: dict[str, int], previous: Path | None = None) -> Writer:
    """Every table of schema `marts` as its parquet + csv pairs (mart_files); each mart's
    row count goes into `rows`.

    `previous` is the current publication's folder: a pair whose content key is the one its
    files there were written from keeps those files (KeptFiles) instead of being read and
    written again. A correction changes a few marts, and of fct_target_progress (1.4 M rows
    at 20,000 persons per city) only its own cut-off."""

    def write(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
        kept = KeptFiles(previous)
        out: list[Path] = []
        for table, pairs in mart_files(con).items():
            rows[table] = sum(pair.rows for pair in pairs)
            for pair in pairs:
                names = [f"{pair.stem}.parquet", f"{pair.stem}.csv"]
                paths = kept.keep(folder, pair.stem, pair.key, names)
                if paths is None:
                    df = read_mart(con, table, cutoff=pair.cutoff)
                    stem = Path(pair.stem)
                    paths = write_frame(df, folder / stem.parent, stem.name, presorted=True)
                    kept.record(folder, pair.stem, pair.key, paths)
                out += paths
        kept.save(folder)
        return out

    return write


# What a publication owns at the top of the marts folder: these are rewritten by every
# publication (a mart dropped from the models stops being published). Everything else
# there (by_cutoff/, charts/, .gitkeep, written by later assets or by git) is carried
# over into the new version unchanged.
OWNED_SUFFIXES = (".parquet", ".csv", ".xlsx", ".duckdb")
OWNED_FOLDERS = MARTS_BY_CUTOFF


def _carry_over(previous: Path, staged: Path) -> None:
    if not previous.is_dir():
        return
    for path in previous.iterdir():
        dest = staged / path.name
        if dest.exists() or (path.is_file() and path.suffix in OWNED_SUFFIXES):
            continue
        if path.is_dir() and path.name in OWNED_FOLDERS:
            continue
        if path.is_dir():
            shutil.copytree(path, dest, symlinks=True)
        else:
            shutil.copy2(path, dest, follow_symlinks=False)


def publish_version(
    con: duckdb.DuckDBPyConnection, marts_dir: Path, writers: Iterable[Writer]
) -> list[Path]:
    """Run every writer into a new version folder, then swap it in; all or nothing."""
    marts_dir = Path(marts_dir)
    with build_folder(marts_dir, SHARED) as staged:
        # Side by side, each on a cursor of its own: DuckDB and Polars let go of the GIL
        # while they read and write, so the analysts' DuckDB copy is built while the
        # marts' files are written. The files are listed in the writers' order.
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(_write_on_cursor, writer, con, staged) for writer in writers]
            written = [path for future in futures for path in future.result()]
        _carry_over(marts_dir, staged)
    return [marts_dir / p.relative_to(staged) for p in written]


def _write_on_cursor(writer: Writer, con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    cur = con.cursor()
    try:
        return writer(cur, folder)
    finally:
        cur.close()


def publish_marts(
    con: duckdb.DuckDBPyConnection, marts_dir: Path, extra_writers: Iterable[Writer] = ()
) -> Publication:
    """Publish schema `marts` (parquet + csv) plus whatever `extra_writers` add, atomically."""
    pub = Publication(Path(marts_dir))
    try:
        pub.files = publish_version(
            con,
            pub.marts_dir,
            [mart_files_writer(pub.rows, previous=pub.marts_dir), *extra_writers],
        )
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        what = "the disk is full" if full else f"writing failed ({exc.strerror or exc})"
        raise PublicationFailed(
            exc.errno,
            f"{what} while publishing to {pub.marts_dir}: nothing was published and the "
            f"previous marts are untouched; {'free some space' if full else 'fix it'} and run again",
        ) from exc
    pub.version = dt.datetime.now().isoformat(timespec="seconds")
    return pub


def official_xlsx_writer(campaign: Campaign) -> Writer:
    """The official statistics table (the attachment's layout), one xlsx per cut-off."""

    def write(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
        stats = read_mart(con, REPORT_TABLE)
        out = []
        for cutoff in sorted(stats.get_column("cutoff_date").unique().to_list()):
            path = folder / f"{REPORT_TABLE}_{cutoff.isoformat()}.xlsx"
            write_official_xlsx(
                stats.filter(pl.col("cutoff_date") == cutoff), cutoff, path, campaign
            )
            out.append(path)
        return out

    return write


def analyst_copy_writer(file_name: str, previous: Path | None = None) -> Writer:
    """The analysts' DuckDB (schema marts only), built inside the version folder, starting
    from `previous` (the published copy) when it can."""

    def write(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
        build_analyst_copy(con, folder / file_name, previous=previous)
        return [folder / file_name]

    return write
