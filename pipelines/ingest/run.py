"""The ingestion entry point: discover → read → recognise → parse → load, per file.

Each file is processed on its own and any failure is recorded against that file only:
one bad upload never stops the others. Files are written in batches, one transaction
each; a batch that fails is written again file by file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from pipelines.ingest import discovery, headers, readers
from pipelines.ingest.cache import META_FIELDS, Entry, ParseCache
from pipelines.ingest.isolation import ParseCrashed, ParseFailed, ParseWorker, Pending
from pipelines.ingest.parse import Parsed, dtype_of, empty_quarantine, parse_grid
from pipelines.ingest.schema import FILES_DDL, create_raw_tables

Log = Callable[[str], object]


@dataclass
class IngestSummary:
    files_seen: int = 0
    files_loaded: int = 0  # newly loaded (with or without quarantined rows)
    files_skipped: int = 0  # already ingested with the same bytes
    files_reused: int = 0  # loaded from the parse store (same bytes parsed before)
    files_quarantined: int = 0  # whole file quarantined
    late_files: list[str] = field(default_factory=list)
    rows_loaded: dict[str, int] = field(default_factory=dict)  # per raw table
    rows_quarantined: int = 0
    cell_issues: int = 0
    seconds: float = 0.0

    @property
    def total_rows_loaded(self) -> int:
        return sum(self.rows_loaded.values())

    def __str__(self) -> str:
        tables = ", ".join(f"{k}={v}" for k, v in sorted(self.rows_loaded.items()) if v)
        return (
            f"{self.files_seen} files seen: {self.files_loaded} loaded ({self.files_reused} from the parse store), "
            f"{self.files_skipped} unchanged, "
            f"{self.files_quarantined} quarantined, {len(self.late_files)} late; "
            f"rows loaded {self.total_rows_loaded} ({tables or 'none'}), "
            f"rows quarantined {self.rows_quarantined}, cell issues {self.cell_issues}; "
            f"{self.seconds:.1f}s"
        )


def received_at(loc: discovery.Location | Path, zone: dt.tzinfo) -> dt.datetime:
    """The file's modification time (a zip member: the zip's) as naive local time of the
    campaign's zone (contract §2: China time)."""
    seconds = discovery.mtime(loc) if isinstance(loc, discovery.Location) else loc.stat().st_mtime
    mtime = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return mtime.astimezone(zone).replace(tzinfo=None)


@dataclass
class _FileRecord:
    loc: discovery.Location
    sha256: str
    received_at: dt.datetime
    file_format: str | None = None
    encoding: str | None = None
    table_type: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    rows_read: int = 0
    rows_blank: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = "loaded"
    error: str | None = None
    error_code: str | None = None

    @property
    def is_late(self) -> bool | None:
        if self.loc.source != "submission" or self.loc.cutoff_date is None:
            return None
        return self.received_at.date() > self.loc.cutoff_date

    def fail(self, code: str, reason: str) -> None:
        self.status, self.error_code = "quarantined", code
        self.error = f"{self.loc.rel_path}: {reason}"


def _register(con: duckdb.DuckDBPyConnection, name: str, df: pl.DataFrame) -> None:
    con.register(name, df.to_arrow())


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> None:
    if df.height == 0:
        return
    _register(con, "_ingest_batch", df)
    try:
        con.execute(f"insert into raw.{table} by name select * from _ingest_batch")
    finally:
        con.unregister("_ingest_batch")


def _context(rec: _FileRecord) -> dict[str, pl.Expr]:
    loc = rec.loc
    return {
        "file_sha256": pl.lit(rec.sha256),
        "file_path": pl.lit(loc.rel_path),
        "sheet": pl.lit(rec.sheet, dtype=pl.String),
        "table_type": pl.lit(rec.table_type, dtype=pl.String),
        "campaign_id": pl.lit(loc.campaign_id, dtype=pl.String),
        "city_code": pl.lit(loc.city_code, dtype=pl.String),
        "cutoff_date": pl.lit(loc.cutoff_date, dtype=pl.Date),
    }


def _parse_file(rec: _FileRecord, campaign: Campaign) -> tuple[_FileRecord, Parsed | None]:
    """Read and parse one file (in the parse worker: untrusted work, see isolation.py)."""
    return rec, _process(rec, campaign, discovery.read_bytes(rec.loc))


def _process(rec: _FileRecord, campaign: Campaign, data: bytes) -> Parsed | None:
    """Parse one file's bytes; failures land on `rec` (file-level quarantine)."""
    loc = rec.loc
    if (
        loc.problem is None
        and loc.campaign_id == campaign.id
        and loc.cutoff_date not in campaign.cutoffs
    ):
        loc = rec.loc = discovery.Location(
            **{
                **loc.__dict__,
                "problem": f"folder '{loc.cutoff_date}' is not a report cut-off "
                f"of campaign {campaign.id}",
            }
        )
    try:
        rec.file_format = readers.detect_format(data) if data else None
        if rec.file_format == "csv":
            rec.encoding = readers.detect_encoding(data)
        unreadable = None
    except readers.UnreadableFile as exc:
        unreadable = exc
    # A misplaced file is reported as such first: moving it is what the operator must do.
    if loc.problem:
        rec.fail("bad_location", f"not loaded because the {loc.problem}")
        return None
    if unreadable is not None:
        rec.fail("unreadable_file", f"cannot be read: {unreadable}")
        return None
    if not data:
        rec.fail("empty_file", "the file is empty (0 bytes)")
        return None
    try:
        grids = readers.read_grids(data, rec.file_format, rec.encoding)  # type: ignore[arg-type]
    except readers.UnreadableFile as exc:
        rec.fail("unreadable_file", f"cannot be read: {exc}")
        return None
    grids = [g for g in grids if g.cells.height and g.cells.width]
    if not grids:
        rec.fail("empty_file", "the file contains no cells")
        return None
    for grid in grids:
        match = headers.find_header(grid.cells, loc.candidates)
        if match is None:
            continue
        rec.table_type, rec.sheet, rec.header_row = (
            match.table.name,
            grid.sheet,
            match.header_row + 1,
        )
        parsed = parse_grid(grid, match, loc.rel_path)
        rec.rows_read, rec.rows_blank = parsed.rows_read, parsed.rows_blank
        rec.rows_loaded, rec.rows_quarantined = parsed.rows.height, parsed.quarantine.height
        rec.status = "loaded_with_quarantine" if rec.rows_quarantined else "loaded"
        return parsed
    expected = " / ".join(f"{t.title}({'、'.join(t.signature)})" for t in loc.candidates)
    rec.fail(
        "unknown_table",
        "no recognisable header row in the first "
        f"{headers.HEADER_SEARCH_ROWS} rows of any sheet; expected the headers of one of: {expected}",
    )
    return None


def _frames(rec: _FileRecord, parsed: Parsed | None) -> dict[str, pl.DataFrame]:
    """raw table → the rows one file adds to it (its rows, quarantine, cell issues)."""
    loc = rec.loc
    ctx = _context(rec)
    out: dict[str, pl.DataFrame] = {}
    if parsed is not None and rec.table_type is not None:
        table = terms.TABLES_BY_NAME[rec.table_type]
        rows = parsed.rows.select(
            pl.lit(rec.sha256).alias("_file_sha256"),
            pl.lit(loc.rel_path).alias("_file_path"),
            pl.lit(rec.sheet, dtype=pl.String).alias("_sheet"),
            pl.col("_source_row"),
            pl.lit(rec.received_at, dtype=pl.Datetime("us")).alias("_received_at"),
            pl.lit(loc.campaign_id, dtype=pl.String).alias("_campaign_id"),
            pl.lit(loc.cutoff_date, dtype=pl.Date).alias("_cutoff_date"),
            pl.lit(loc.city_code, dtype=pl.String).alias("_city_code"),
            pl.lit(table.name).alias("_table_type"),
            *(pl.col(c.name).cast(dtype_of(c)) for c in table.columns),
        )
        out[table.name] = rows
        out["quarantine"] = parsed.quarantine.with_columns(**ctx)
        out["cell_issues"] = parsed.issues.with_columns(**ctx)
    elif rec.error_code:
        whole = empty_quarantine().vstack(
            pl.DataFrame(
                {
                    "source_row": [None],
                    "column_name": [None],
                    "value": [None],
                    "reason_code": [rec.error_code],
                    "reason": [rec.error],
                    "row_json": [None],
                },
                schema=empty_quarantine().schema,
            )
        )
        out["quarantine"] = whole.with_columns(**ctx)
    return out


FILES_COLUMNS = [c for c, _ in FILES_DDL]
FILES_INSERT = (
    f"insert into raw.files ({', '.join(FILES_COLUMNS)}) "
    f"values ({', '.join('?' for _ in FILES_COLUMNS)})"
)


def _register_row(rec: _FileRecord, ingested_at: dt.datetime) -> list[object]:
    """The file's entry in raw.files, in FILES_COLUMNS order."""
    loc = rec.loc
    record = {
        "file_sha256": rec.sha256,
        "file_path": loc.rel_path,
        "file_name": loc.file_name,
        "file_format": rec.file_format,
        "encoding": rec.encoding,
        "source": loc.source,
        "campaign_id": loc.campaign_id,
        "cutoff_date": loc.cutoff_date,
        "city_code": loc.city_code,
        "city_code_raw": loc.city_code_raw,
        "registry_source": loc.registry_source,
        "table_type": rec.table_type,
        "sheet": rec.sheet,
        "header_row": rec.header_row,
        "received_at": rec.received_at,
        "is_late": rec.is_late,
        "rows_read": rec.rows_read,
        "rows_blank": rec.rows_blank,
        "rows_loaded": rec.rows_loaded,
        "rows_quarantined": rec.rows_quarantined,
        "status": rec.status,
        "error": rec.error,
        "ingested_at": ingested_at,
    }
    return [record[c] for c in FILES_COLUMNS]


def _write_atomically(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[_FileRecord, Parsed | None]],
    ingested_at: dt.datetime,
) -> None:
    """Files' rows, quarantine, cell issues and register entries in one transaction: all
    or nothing. Each raw table gets one insert for the whole batch."""
    frames: dict[str, list[pl.DataFrame]] = {}
    for rec, parsed in batch:
        for table, df in _frames(rec, parsed).items():
            if df.height:
                frames.setdefault(table, []).append(df)
    con.execute("begin transaction")
    try:
        for table, dfs in frames.items():
            _insert(con, table, dfs[0] if len(dfs) == 1 else pl.concat(dfs, how="diagonal_relaxed"))
        con.executemany(FILES_INSERT, [_register_row(rec, ingested_at) for rec, _ in batch])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _already_ingested(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return set(con.execute("select file_path, file_sha256 from raw.files").fetchall())


def ingest_all(
    con: duckdb.DuckDBPyConnection,
    raw_root: Path,
    campaign: Campaign,
    log: Log | None = None,
    cache_dir: Path | None = None,
    on_new_file: Callable[[], object] | None = None,
) -> IngestSummary:
    """Ingest every new or changed file under `raw_root` into schema raw (idempotent).

    Files are keyed by (relative path, sha256): a file seen before with the same
    bytes is skipped; a changed file is a new upload and is added beside the old one.
    With `cache_dir`, each file's parse is also kept there by content (cache.py): bytes
    parsed before — for another warehouse, under another name — are not parsed again.
    `on_new_file` is called once, when the first file not ingested before is found.
    """
    store = ParseCache(cache_dir) if cache_dir is not None else None
    say: Log = log or (lambda _msg: None)
    started = time.perf_counter()
    create_raw_tables(con)
    summary = IngestSummary(rows_loaded={t.name: 0 for t in terms.ALL_TABLES})
    seen = _already_ingested(con)
    ingested_at = dt.datetime.now(campaign.zone).replace(tzinfo=None)
    locations = discovery.discover(raw_root)
    say(f"ingest: {len(locations)} files under {raw_root}")
    batch: list[tuple[int, _FileRecord, Parsed | None]] = []

    def flush() -> None:
        for n, rec, parsed in _write_batch(con, batch, ingested_at, say):
            if rec is None:
                summary.files_quarantined += 1
                continue
            _tally(summary, rec, parsed)
            say(
                f"ingest [{n}/{len(locations)}] {rec.loc.rel_path}: {rec.status} "
                f"{rec.table_type or ''} read={rec.rows_read} loaded={rec.rows_loaded} "
                f"quarantined={rec.rows_quarantined}" + (f" — {rec.error}" if rec.error else "")
            )
        batch.clear()

    def finish(n: int, loc: discovery.Location, begun: _Begun | None) -> None:
        try:
            rec, parsed = _finish(begun, campaign, worker, store) if begun else (None, None)
        except Exception as exc:
            say(f"ingest: {loc.rel_path}: FAILED to record ({type(exc).__name__}: {exc})")
            summary.files_quarantined += 1
            return
        if rec is None:
            summary.files_skipped += 1
            return
        batch.append((n, rec, parsed))
        if len(batch) >= BATCH_FILES or _batch_rows(batch) >= BATCH_ROWS:
            flush()

    with ParseWorker() as worker:
        # The next file is handed to the parse worker before the current one is stored
        # and written: the worker parses while this process writes (two cores, one each).
        previous: tuple[int, discovery.Location, _Begun | None] | None = None
        for n, loc in enumerate(locations, 1):
            summary.files_seen += 1
            try:
                begun = _begin(loc, campaign, worker, seen, store, summary)
            except Exception as exc:
                say(f"ingest: {loc.rel_path}: FAILED to record ({type(exc).__name__}: {exc})")
                summary.files_quarantined += 1
                continue
            if begun is not None and on_new_file is not None:
                on_new_file()
                on_new_file = None
            if previous is not None:
                finish(*previous)
            previous = (n, loc, begun)
        if previous is not None:
            finish(*previous)
        flush()
    summary.seconds = time.perf_counter() - started
    say(f"ingest: {summary}")
    return summary


@dataclass
class _Begun:
    """A file on its way: its record, and its rows (known at once) or its parse in the worker."""

    rec: _FileRecord
    parsed: Parsed | None = None
    parsing: Pending | None = None


def _begin(
    loc: discovery.Location,
    campaign: Campaign,
    worker: ParseWorker,
    seen: set[tuple[str, str]],
    store: ParseCache | None = None,
    summary: IngestSummary | None = None,
) -> _Begun | None:
    """Start on one file: None when the same bytes were ingested before; otherwise its
    record, with its rows when refused or stored, or its parse handed to the worker."""
    if loc.refused:
        sha = loc.identity()
    else:
        try:
            sha = hashlib.sha256(discovery.read_bytes(loc)).hexdigest()
        except discovery.Refused as exc:
            loc = replace(loc, refused=exc.code, refused_detail=str(exc))
            sha = loc.identity()
    if (loc.rel_path, sha) in seen:
        return None
    seen.add((loc.rel_path, sha))
    begun = _Begun(_FileRecord(loc, sha, received_at(loc, campaign.zone)))
    if loc.refused:
        begun.rec.fail(loc.refused, loc.refused_detail or "refused")
    elif (stored := _stored(begun.rec, campaign, store)) is not None:
        begun.parsed = stored.parsed
        if summary is not None:
            summary.files_reused += 1
    else:
        begun.parsing = worker.submit(_parse_file, begun.rec, campaign)
    return begun


def _finish(
    begun: _Begun, campaign: Campaign, worker: ParseWorker, store: ParseCache | None
) -> tuple[_FileRecord, Parsed | None]:
    """The file's record and rows, once its parse (if any) is back; the parse is stored."""
    rec, parsed = begun.rec, begun.parsed
    if begun.parsing is not None:
        try:
            rec, parsed = worker.collect(begun.parsing)
            _store(rec, campaign, store, parsed)
        except ParseCrashed as exc:
            _reset(rec)
            rec.fail("reader_crashed", f"cannot be read: {exc}")
        except ParseFailed as exc:  # a parser bug must cost one file, not the run
            _reset(rec)
            rec.fail("unreadable_file", f"cannot be read: {exc}")
        except Exception as exc:  # a parser bug must cost one file, not the run
            _reset(rec)
            rec.fail("unreadable_file", f"cannot be read: {type(exc).__name__}: {exc}")
    return rec, parsed


# Files are written in batches, one transaction each: a DuckDB commit costs ≈ 25 ms (the
# WAL is synced), a third of ingestion when every one of 583 files had its own. A batch that
# cannot be written is written again file by file, so such a file still costs only itself.
BATCH_FILES = 64
BATCH_ROWS = 250_000


def _batch_rows(batch: list[tuple[int, _FileRecord, Parsed | None]]) -> int:
    return sum(rec.rows_loaded + rec.rows_quarantined for _, rec, _ in batch)


def _write_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[int, _FileRecord, Parsed | None]],
    ingested_at: dt.datetime,
    say: Log,
) -> list[tuple[int, _FileRecord | None, Parsed | None]]:
    """Write `batch`; (n, record as written — None when not even its register entry could
    be — and its rows) per file."""
    if not batch:
        return []
    try:
        _write_atomically(con, [(rec, parsed) for _, rec, parsed in batch], ingested_at)
        return list(batch)
    except Exception:
        pass  # which file could not be written is found by writing each on its own
    return [_write_alone(con, n, rec, parsed, ingested_at, say) for n, rec, parsed in batch]


def _write_alone(
    con: duckdb.DuckDBPyConnection,
    n: int,
    rec: _FileRecord,
    parsed: Parsed | None,
    ingested_at: dt.datetime,
    say: Log,
) -> tuple[int, _FileRecord | None, Parsed | None]:
    try:
        _write_atomically(con, [(rec, parsed)], ingested_at)
        return n, rec, parsed
    except Exception as exc:
        # The rows could not be written (a bug, not the city's fault): register the
        # file as quarantined with the error so it stays visible, and move on.
        _reset(rec)
        rec.fail(
            "unreadable_file", f"could not be written to the warehouse: {type(exc).__name__}: {exc}"
        )
    try:
        _write_atomically(con, [(rec, None)], ingested_at)
    except Exception as exc:
        say(f"ingest: {rec.loc.rel_path}: FAILED to record ({type(exc).__name__}: {exc})")
        return n, None, None
    return n, rec, None


def _located(rec: _FileRecord, campaign: Campaign) -> bool:
    """The file's place is sound (what the parse store may key on: bytes and source)."""
    loc = rec.loc
    return loc.problem is None and not (
        loc.campaign_id == campaign.id and loc.cutoff_date not in campaign.cutoffs
    )


def _stored(rec: _FileRecord, campaign: Campaign, store: ParseCache | None) -> Entry | None:
    """The stored parse of these bytes (its file-level fields set on `rec`), if any."""
    if store is None or not _located(rec, campaign):
        return None
    entry = store.get(rec.sha256, rec.loc.source, rec.loc.rel_path)
    if entry is not None:
        for k, v in entry.meta.items():
            setattr(rec, k, v)
    return entry


def _store(
    rec: _FileRecord, campaign: Campaign, store: ParseCache | None, parsed: Parsed | None
) -> None:
    if store is not None and _located(rec, campaign):
        store.put(
            rec.sha256,
            rec.loc.source,
            rec.loc.rel_path,
            {k: getattr(rec, k) for k in META_FIELDS},
            parsed,
        )


def _reset(rec: _FileRecord) -> None:
    rec.table_type = rec.sheet = rec.header_row = None
    rec.rows_read = rec.rows_loaded = rec.rows_quarantined = rec.rows_blank = 0


def _tally(summary: IngestSummary, rec: _FileRecord, parsed: Parsed | None) -> None:
    if rec.status == "quarantined":
        summary.files_quarantined += 1
    else:
        summary.files_loaded += 1
        summary.rows_loaded[rec.table_type] += rec.rows_loaded  # type: ignore[index]
    summary.rows_quarantined += rec.rows_quarantined
    summary.cell_issues += parsed.issues.height if parsed is not None else 0
    if rec.is_late:
        summary.late_files.append(rec.loc.rel_path)


__all__ = ["IngestSummary", "ingest_all", "received_at"]
