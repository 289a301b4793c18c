"""Opening the pipeline's DuckDB file (one writer; analysts read the published copy)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines import settings

SCHEMAS = ("raw",)


def connect(path: Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = path or settings.warehouse_path()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        # It holds ID numbers, names and phones: the owner only (contract §11, restricted layer).
        os.chmod(path, 0o600)
        for schema in SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
    return con
