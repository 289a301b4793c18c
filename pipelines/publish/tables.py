"""Write a mart DataFrame as parquet and csv for the analysts (pure: no warehouse access).

Rows are written in a deterministic order (the given keys, else every sortable column
left to right), so two runs on the same data give the same files. The csv is UTF-8
with a BOM so Excel shows the Chinese text; list columns (e.g. reasons) are joined
with 、 in the csv and kept as lists in the parquet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

CSV_LIST_SEPARATOR = "、"
UTF8_BOM = b"\xef\xbb\xbf"


def _sortable(dtype: pl.DataType) -> bool:
    return not isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object)


def sorted_frame(df: pl.DataFrame, sort_by: Sequence[str] | None = None) -> pl.DataFrame:
    """`df` in a deterministic row order: `sort_by` first, then every other sortable column."""
    keys = list(sort_by or [])
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise KeyError(f"sort columns not in frame: {missing}")
    keys += [c for c, t in df.schema.items() if c not in keys and _sortable(t)]
    if not keys or df.height == 0:
        return df
    return df.sort(keys, nulls_last=True, maintain_order=True)


def csv_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Nested columns flattened to text, since csv cannot hold them."""
    exprs = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List | pl.Array):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join(CSV_LIST_SEPARATOR))
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode())
    return df.with_columns(exprs) if exprs else df


def write_table(
    df: pl.DataFrame, folder: Path, name: str, sort_by: Sequence[str] | None = None
) -> list[Path]:
    """Write `<folder>/<name>.parquet` and `<folder>/<name>.csv`; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    ordered = sorted_frame(df, sort_by)
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    ordered.write_parquet(parquet, statistics=True)
    csv.write_bytes(UTF8_BOM + csv_frame(ordered).write_csv().encode("utf-8"))
    return [parquet, csv]
