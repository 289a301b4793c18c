"""The raw layer as Parquet files, for engines other than the warehouse's DuckDB (Spark).

The warehouse's schema `raw` stays the source of truth for the DuckDB models; when the
models run on Spark (WARMHEART_ENGINE=spark), each ingestion mirrors it into a folder that
any engine reads (docs/raw_layer.md):

    <raw_layer>/<table>/<sha256>.parquet   one file per uploaded file (content-addressed by the
                                           upload's sha256), its rows with their lineage columns
    <raw_layer>/<table>/00-schema.parquet  no rows: the table's columns, so a table no upload
                                           filled is still readable with its schema
    <raw_layer>/quarantine/, cell_issues/  the same, keyed by file_sha256
    <raw_layer>/files/files.parquet        the register, every file ever seen
    <raw_layer>/campaign/, campaign_cutoffs/  the configured campaign

The rows of an upload never change once ingested (raw.files is keyed by path and bytes), so
an existing file is rewritten only when its row count differs from the warehouse's (the same
bytes arrived under another path) and removed when the warehouse no longer holds it.
The folder holds ID numbers and names: it is the restricted layer, readable by the owner only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines import terms

SCHEMA_FILE = "00-schema.parquet"
# Small tables written whole on every export (deterministic order, so same inputs, same bytes).
WHOLE_TABLES = {
    "files": "file_path, file_sha256",
    "campaign": "campaign_id",
    "campaign_cutoffs": "campaign_id, cutoff_seq",
}
# Tables with a row per source row, split by the upload they came from.
PER_FILE_TABLES = {
    "quarantine": ("file_sha256", "file_path, source_row, column_name"),
    "cell_issues": ("file_sha256", "file_path, source_row, column_name"),
    **{t.name: ("_file_sha256", "_file_path, _source_row") for t in terms.ALL_TABLES},
}
RAW_LAYER_TABLES = (*WHOLE_TABLES, *PER_FILE_TABLES)
# What the run logs when its engine reads the warehouse itself and no file is written.
NOT_EXPORTED = "raw layer: no parquet files written (the duckdb engine reads schema raw)"


@dataclass
class ExportSummary:
    files_written: int = 0
    files_removed: int = 0
    files_kept: int = 0

    def __str__(self) -> str:
        return (
            f"raw layer: {self.files_written} parquet files written, {self.files_kept} unchanged, "
            f"{self.files_removed} removed"
        )


def _copy(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    tmp = target.with_name(f".tmp-{target.name}")
    con.execute(f"copy ({query}) to '{tmp}' (format parquet, compression zstd)")
    os.replace(tmp, target)


def _rows_in(path: Path) -> int:
    return pq.ParquetFile(path).metadata.num_rows


def export_raw_layer(con: duckdb.DuckDBPyConnection, root: Path) -> ExportSummary:
    """Mirror schema raw into `root` as Parquet (see the module docstring); idempotent."""
    summary = ExportSummary()
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    for table, order in WHOLE_TABLES.items():
        folder = root / table
        folder.mkdir(exist_ok=True)
        _copy(con, f"select * from raw.{table} order by {order}", folder / f"{table}.parquet")
        summary.files_written += 1
    for table, (key, order) in PER_FILE_TABLES.items():
        folder = root / table
        folder.mkdir(exist_ok=True)
        schema_file = folder / SCHEMA_FILE
        if not schema_file.exists():
            _copy(con, f"select * from raw.{table} limit 0", schema_file)
        counts = dict(
            con.execute(f"select {key}, count(*) from raw.{table} group by {key}").fetchall()
        )
        on_disk = {p.stem: p for p in folder.glob("*.parquet") if p.name != SCHEMA_FILE}
        for sha, path in on_disk.items():
            if sha not in counts:
                path.unlink()
                summary.files_removed += 1
        for sha, rows in counts.items():
            path = folder / f"{sha}.parquet"
            if sha in on_disk and _rows_in(path) == rows:
                summary.files_kept += 1
                continue
            _copy(
                con,
                f"select * from raw.{table} where {key} = '{sha}' order by {order}",
                path,
            )
            summary.files_written += 1
    return summary


__all__ = ["RAW_LAYER_TABLES", "ExportSummary", "export_raw_layer"]
