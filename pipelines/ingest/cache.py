"""The raw layer's parse store: each file's parse kept once, keyed by its content.

A file's bytes decide what it parses to (its table, typed rows, quarantined rows and
cell issues); where it lies decides only the location lineage added when it is
written to the warehouse. So the parse is stored under the file's sha256 (and the
kind of folder it came from, which decides the candidate tables), as Parquet:

    <cache>/<sha256[:2]>/<sha256>-<source>-v<PARSE_VERSION>/
        meta.json            format, encoding, table, sheet, header row, row counts, status
        rows.parquet         typed rows with content lineage (_file_sha256, _sheet, _source_row)
        quarantine.parquet   quarantined rows (reasons name the file path it was parsed under)
        issues.parquet       cell issues

A rebuilt warehouse, a moved or renamed file, or a re-sent identical file is never
parsed again. PARSE_VERSION changes whenever parsing changes what it produces, so a
stored parse is never older than the code reading it. Entries are written to a
temporary folder and renamed into place: a crash leaves no half entry.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.ingest.parse import Parsed

PARSE_VERSION = 1
META_FIELDS = (
    "file_format",
    "encoding",
    "table_type",
    "sheet",
    "header_row",
    "rows_read",
    "rows_blank",
    "rows_loaded",
    "rows_quarantined",
    "status",
    "error",
    "error_code",
)
# File-level failures that follow from the bytes alone (a bad location does not).
CONTENT_FAILURES = {"unreadable_file", "empty_file", "unknown_table"}


@dataclass
class Entry:
    meta: dict[str, Any]
    parsed: Parsed | None


class ParseCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _dir(self, sha256: str, source: str | None) -> Path:
        return self.root / sha256[:2] / f"{sha256}-{source or 'none'}-v{PARSE_VERSION}"

    def get(self, sha256: str, source: str | None, rel_path: str) -> Entry | None:
        """The stored parse of these bytes, its messages naming `rel_path`; None if absent."""
        folder = self._dir(sha256, source)
        meta_file = folder / "meta.json"
        if not meta_file.exists():
            return None
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        parsed_as = meta.pop("parsed_as")
        if meta.get("error"):
            meta["error"] = _renamed(meta["error"], parsed_as, rel_path)
        if meta.get("table_type") is None:
            return Entry(meta, None)
        quarantine = pl.read_parquet(folder / "quarantine.parquet")
        issues = pl.read_parquet(folder / "issues.parquet")
        if parsed_as != rel_path:
            quarantine = quarantine.with_columns(
                pl.col("reason").str.replace_all(parsed_as, rel_path, literal=True)
            )
            issues = issues.with_columns(
                pl.col("reason").str.replace_all(parsed_as, rel_path, literal=True)
            )
        rows = pl.read_parquet(folder / "rows.parquet").drop("_file_sha256", "_sheet")
        return Entry(
            meta,
            Parsed(
                rows=rows,
                quarantine=quarantine,
                issues=issues,
                rows_read=meta["rows_read"],
                rows_blank=meta["rows_blank"],
            ),
        )

    def put(
        self,
        sha256: str,
        source: str | None,
        rel_path: str,
        meta: dict[str, Any],
        parsed: Parsed | None,
    ) -> bool:
        """Store a parse (only what follows from the bytes); True when stored."""
        if parsed is None and meta.get("error_code") not in CONTENT_FAILURES:
            return False
        folder = self._dir(sha256, source)
        if folder.exists():
            return False
        tmp = folder.parent / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            record = {k: meta.get(k) for k in META_FIELDS} | {"parsed_as": rel_path}
            if parsed is not None:
                parsed.rows.select(
                    pl.lit(sha256).alias("_file_sha256"),
                    pl.lit(meta.get("sheet"), dtype=pl.String).alias("_sheet"),
                    pl.all(),
                ).write_parquet(tmp / "rows.parquet")
                parsed.quarantine.write_parquet(tmp / "quarantine.parquet")
                parsed.issues.write_parquet(tmp / "issues.parquet")
            (tmp / "meta.json").write_text(
                json.dumps(record, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )
            os.replace(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not folder.exists():
                raise
            return False  # another writer stored the same bytes first
        return True


def _renamed(text: str, old: str, new: str) -> str:
    return text.replace(old, new) if old != new else text
