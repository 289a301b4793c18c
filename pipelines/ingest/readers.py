"""Reading a file's bytes into grids of text cells, one per sheet.

Format and encoding are detected from the bytes, never from the file name: cities
rename files freely, and a .xls that is really an xlsx must still load.
Every cell is read as text with no header interpretation (header recognition
happens later, on the grid), so title lines above the header are kept and row
numbers match what a spreadsheet shows.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import fastexcel
import polars as pl

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(Exception):
    """The bytes are not a spreadsheet or text this pipeline can read."""


@dataclass
class Grid:
    """A sheet (or CSV) as text cells: columns c0..cN, row i is spreadsheet row i+1."""

    sheet: str | None
    cells: pl.DataFrame
    # For spreadsheets: which cells of the given columns are numeric cells (a True
    # means "stored as a number"), needed for the numeric-ID rule. None for CSV.
    numeric_mask: Callable[[list[int]], pl.DataFrame] | None = None


def detect_format(data: bytes) -> str:
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(XLS_MAGIC):
        return "xls"
    if b"\x00" in data[:8192]:
        # Binary but neither spreadsheet format (a PDF, an image, a UTF-16 export...).
        raise UnreadableFile("the file is neither an Excel workbook nor a text/CSV file")
    return "csv"


def detect_encoding(data: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030, whichever decodes the bytes (in that order)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the text is neither UTF-8 nor GB18030 (undecodable byte at offset {exc.start})"
        ) from exc


def _named(df: pl.DataFrame) -> pl.DataFrame:
    return df.rename({old: f"c{i}" for i, old in enumerate(df.columns)})


def read_csv(data: bytes, encoding: str) -> Grid:
    text = data.decode(encoding)
    if not text.strip():
        return Grid(None, pl.DataFrame())
    # polars sizes a header-less CSV by its first line, which is often a one-cell title
    # line: give it the widest line's field count (commas inside quotes only over-count,
    # which adds empty columns).
    width = int(pl.Series(text.split("\n")).str.count_matches(",", literal=True).max() or 0) + 1
    cells = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        has_header=False,
        schema={f"c{i}": pl.String for i in range(width)},
        missing_columns="insert",
        truncate_ragged_lines=True,
        quote_char='"',
    )
    return Grid(None, cells)


def _excel_sheets(data: bytes) -> list[Grid]:
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # calamine raises several types for a corrupt workbook
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnreadableFile(f"the workbook cannot be opened ({first_line})") from exc
    grids: list[Grid] = []
    for name in reader.sheet_names:
        try:
            # skip_rows=0: keep leading empty rows, so row i is spreadsheet row i+1.
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            cells = _named(sheet.to_polars())
        except Exception:
            # An empty or broken sheet must not hide the other sheets.
            continue

        def numeric_mask(cols: list[int], _name: str = name, _width: int = cells.width) -> pl.DataFrame:
            # Reading as boolean yields a value only for numeric/boolean cells and
            # NULL for text cells: the one way fastexcel tells a number from text.
            if not cols:
                return pl.DataFrame()
            as_bool = reader.load_sheet(
                _name, header_row=None, skip_rows=0, dtypes="boolean", use_columns=cols
            ).to_polars()
            return pl.DataFrame(
                {f"c{c}": as_bool.to_series(i).is_not_null() for i, c in enumerate(cols)}
            )

        grids.append(Grid(name, cells, numeric_mask))
    return grids


def read_grids(data: bytes, file_format: str, encoding: str | None) -> list[Grid]:
    """All sheets of a workbook, or the single grid of a CSV."""
    if file_format == "csv":
        try:
            return [read_csv(data, encoding or "utf-8")]
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(f"the CSV cannot be parsed ({exc})") from exc
    return _excel_sheets(data)
