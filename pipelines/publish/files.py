"""THE safe writer: every file the project writes for people (CSV, xlsx) goes through here.

Use it for any new output (marts, restricted lists, the cities' feedback workbooks, the
final summary). It owns four promises, so no caller has to remember them:

1. **No formula injection.** A spreadsheet never evaluates text we wrote:
   - CSV: a text value starting with ``= + - @``, a tab or a carriage return gets a
     leading apostrophe (OWASP's CSV-injection rule); numbers, dates and booleans are
     written as they are. `write_csv` / `write_frame` apply it.
   - xlsx: `safe_workbook` turns off xlsxwriter's string→formula/number/URL guessing, so
     `write()` of any text is a string cell; `write_frame_to_sheet` writes text with
     `write_string` explicitly. Never call `write_formula` with data from an input.
   Parquet and DuckDB keep values exactly as they are (they are data, not documents).
2. **Stable bytes.** The same frame gives the same bytes: rows sorted on every sortable
   column (`sorted_frame`), CSV as UTF-8 with a BOM (Excel shows the Chinese text), list
   columns joined with 、, and xlsx document properties pinned (`safe_workbook` takes the
   date to stamp; xlsxwriter already fixes the zip members' times).
3. **All or nothing.** A folder is built aside and swapped in whole (`build_folder`), a
   single file is written to a temporary name and renamed (`write_bytes_atomic`); a
   failure — a full disk included — leaves the previous version byte for byte.
4. **Permissions.** `build_folder` sets the modes of everything it swaps in: restricted
   outputs owner-only (`RESTRICTED`: 0700 folders, 0600 files), analysts' marts
   group-readable (`SHARED`: 0750 / 0640).

Example (a city's feedback workbook under the restricted folder)::

    with build_folder(restricted_dir / cutoff / city, RESTRICTED) as folder:
        wb = safe_workbook(folder / "问题反馈.xlsx", created=cutoff)
        ws = wb.add_worksheet("隔离的行")
        write_frame_to_sheet(ws, quarantined_rows, header_format=wb.add_format({"bold": True}))
        wb.close()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

UTF8_BOM = b"\xef\xbb\xbf"
CSV_LIST_SEPARATOR = "、"
# OWASP "CSV injection": cells starting with these are evaluated by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"


@dataclass(frozen=True)
class Modes:
    folder: int
    file: int


RESTRICTED = Modes(folder=0o700, file=0o600)  # names, ID numbers, phones: the owner only
SHARED = Modes(folder=0o750, file=0o640)  # analysts' marts: the owner's group reads them


# --- text --------------------------------------------------------------------------------


def escape_formula(value: str | None) -> str | None:
    """`value` made inert for a spreadsheet (a leading apostrophe when it starts a formula)."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return FORMULA_ESCAPE + value
    return value


def escape_formula_expr(column: str) -> pl.Expr:
    """Polars form of `escape_formula` for one text column."""
    col = pl.col(column)
    pattern = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_TRIGGERS) + "]"
    return (
        pl.when(col.str.contains(pattern))
        .then(pl.lit(FORMULA_ESCAPE) + col)
        .otherwise(col)
        .alias(column)
    )


# --- frames --------------------------------------------------------------------------------


def _sortable(dtype: pl.DataType) -> bool:
    return not isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object)


# Published frames lead with the columns that tell their rows apart (cut-off, city, then
# the row's own key): sorted on these first, a frame has its final order as soon as no two
# rows share them, and the sort on every column is not needed. Sorting the 1.4 M rows of
# fct_target_progress on its 22 columns took 1.7-2.4 s on a 2-core machine, on its first
# three 1.3-1.5 s.
LEADING_SORT_COLUMNS = 3


def sort_rows(df: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """`df.sort(keys, nulls_last=True, maintain_order=True)`: the same rows in the same
    order, sorted on the leading keys alone when no two rows share those."""
    keys = list(keys)
    if not keys or df.height < 2:
        return df
    lead = keys[:LEADING_SORT_COLUMNS]
    if len(lead) < len(keys):
        ordered = df.sort(lead, nulls_last=True, maintain_order=True)
        # Sorted, rows sharing the leading keys are neighbours.
        shared = ordered.select(
            pl.all_horizontal(pl.col(c).eq_missing(pl.col(c).shift(1)) for c in lead).any()
        ).item()
        if not shared:
            return ordered
    return df.sort(keys, nulls_last=True, maintain_order=True)


def sorted_frame(df: pl.DataFrame, sort_by: Sequence[str] | None = None) -> pl.DataFrame:
    """`df` in a deterministic row order: `sort_by` first, then every other sortable column."""
    keys = list(sort_by or [])
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise KeyError(f"sort columns not in frame: {missing}")
    keys += [c for c, t in df.schema.items() if c not in keys and _sortable(t)]
    return sort_rows(df, keys)


def flat_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Nested columns as text (lists joined with 、, structs as JSON): CSV and sheets hold no nesting."""
    exprs = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List | pl.Array):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join(CSV_LIST_SEPARATOR))
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode())
    return df.with_columns(exprs) if exprs else df


def csv_frame(df: pl.DataFrame) -> pl.DataFrame:
    """`df` as it goes into a CSV: flat, and every text value formula-escaped."""
    flat = flat_frame(df)
    text = [c for c, t in flat.schema.items() if t == pl.String]
    return flat.with_columns(escape_formula_expr(c) for c in text) if text else flat


# --- files and folders ---------------------------------------------------------------------


def write_atomic(path: Path, write: Callable[[BinaryIO], object], mode: int | None = None) -> Path:
    """Call `write` on a temporary file in `path`'s folder, then rename it to `path`
    (all or nothing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def keep_file(old: Path, new: Path) -> Path:
    """`new` becomes the very file `old`, unchanged (a hard link; a copy where links are
    refused): a new version keeps a file whose content did not change."""
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)
    return new


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None) -> Path:
    """Write `path` through a temporary file in the same folder and a rename (all or nothing)."""
    return write_atomic(path, lambda fh: fh.write(data), mode)


def _write_csv_file(df: pl.DataFrame, path: Path) -> Path:
    """UTF-8 CSV with a BOM (Excel shows the Chinese text), formula-escaped, rows as given.
    Polars writes the file itself: a 1.4 M-row mart is not held as text, then as bytes."""

    def write(fh: BinaryIO) -> None:
        fh.write(UTF8_BOM)
        csv_frame(df).write_csv(fh)

    return write_atomic(path, write)


def write_csv(df: pl.DataFrame, path: Path, sort_by: Sequence[str] | None = None) -> Path:
    """One safe CSV (sorted, BOM, formula-escaped), written atomically."""
    return _write_csv_file(sorted_frame(df, sort_by), path)


def write_frame(
    df: pl.DataFrame,
    folder: Path,
    name: str,
    sort_by: Sequence[str] | None = None,
    presorted: bool = False,
) -> list[Path]:
    """`<folder>/<name>.parquet` (values as they are) and `<folder>/<name>.csv` (safe); both
    paths. `presorted`: `df` is already in a deterministic order (publisher.read_mart sorts
    on every column), which is kept rather than sorted again (0.3 s for 1.4 M rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    ordered = df if presorted else sorted_frame(df, sort_by)
    # Polars lets go of the GIL while it writes: the two files are written side by side.
    with ThreadPoolExecutor(max_workers=1) as pool:
        parquet = pool.submit(
            write_atomic,
            folder / f"{name}.parquet",
            lambda fh: ordered.write_parquet(fh, statistics=True),
        )
        csv = _write_csv_file(ordered, folder / f"{name}.csv")
        return [parquet.result(), csv]


def apply_modes(root: Path, modes: Modes) -> None:
    """Set `modes` on `root` and everything below it (links are left alone)."""
    for dirpath, _dirs, filenames in os.walk(root):
        os.chmod(dirpath, modes.folder)
        for name in filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, modes.file)


def swap_folder(staged: Path, target: Path) -> None:
    """Replace folder `target` by the complete folder `staged` (same parent: renames are atomic).

    If the second rename fails, the previous folder is put back exactly as it was.
    """
    if not target.exists():
        os.replace(staged, target)
        return
    old = target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex[:8]}")
    os.replace(target, old)
    try:
        os.replace(staged, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def remove_debris(parent: Path, name: str) -> None:
    """Half-built or replaced copies of `name` that a killed run left behind in `parent`."""
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        if p.name.startswith((f".{name}.building-", f".{name}.replaced-")) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def build_folder(target: Path, modes: Modes) -> Iterator[Path]:
    """Yield an empty folder beside `target`; on success it replaces `target` whole, with `modes`.

    On any failure (an exception, a full disk) the half-built folder is removed and
    `target` is left byte for byte as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_debris(target.parent, target.name)
    staged = target.with_name(f".{target.name}.building-{uuid.uuid4().hex[:12]}")
    staged.mkdir()
    try:
        yield staged
        apply_modes(staged, modes)
        swap_folder(staged, target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)  # gone after a swap; the debris of a failure


# --- xlsx ----------------------------------------------------------------------------------


def safe_workbook(
    path: Path,
    created: dt.date | dt.datetime,
    title: str = "",
    options: Mapping[str, Any] | None = None,
) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook whose text is never a formula and whose bytes do not depend on now.

    `created` is stamped as the document's creation date (use the cut-off or campaign
    date, never the clock). Close it with `wb.close()` as usual.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    when = created if isinstance(created, dt.datetime) else dt.datetime.combine(created, dt.time())
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,  # "=1+1" typed by a city stays the text "=1+1"
            "strings_to_numbers": False,
            "strings_to_urls": False,
            **(options or {}),
        },
    )
    wb.set_properties({"created": when, "title": title, "author": "", "company": ""})
    return wb


def write_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """One cell by type: text always as a string cell, numbers as numbers, dates as ISO text."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.date | dt.datetime):
        ws.write_string(row, col, value.isoformat(), fmt)
    elif isinstance(value, list | tuple):
        ws.write_string(
            row, col, CSV_LIST_SEPARATOR.join("" if v is None else str(v) for v in value), fmt
        )
    else:
        ws.write_string(row, col, str(value), fmt)


def write_frame_to_sheet(
    ws: Worksheet,
    df: pl.DataFrame,
    first_row: int = 0,
    first_col: int = 0,
    header: bool = True,
    header_format: Any = None,
    cell_format: Any = None,
) -> int:
    """Write `df` (header row, then rows as given) into `ws`; return the next free row."""
    row = first_row
    if header:
        for j, name in enumerate(df.columns):
            ws.write_string(row, first_col + j, name, header_format)
        row += 1
    for values in df.iter_rows():
        for j, value in enumerate(values):
            write_cell(ws, row, first_col + j, value, cell_format)
        row += 1
    return row
