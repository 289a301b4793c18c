"""Reading a file's bytes into grids of text cells, one per sheet.

Format and encoding are detected from the bytes, never from the file name: cities
rename files freely, and a .xls that is really an xlsx must still load.
Every cell is read as text with no header interpretation (header recognition
happens later, on the grid), so title lines above the header are kept and row
numbers match what a spreadsheet shows.
"""

from __future__ import annotations

import html.parser
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import fastexcel
import polars as pl

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# An encrypted xlsx/xlsb is an OLE container holding a stream named EncryptedPackage.
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<table|<\?xml[^>]*>\s*<html)", re.IGNORECASE)


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
        if ENCRYPTED_MARK in data[: 1 << 20]:
            raise UnreadableFile(
                "the workbook is password-protected (encrypted): open it in Excel or "
                "WPS, remove the password and save it again as .xlsx"
            )
        return "xls"
    if data.startswith(UTF16_BOMS):
        return "csv"  # Excel's "Unicode text": UTF-16, tab-separated
    if HTML_START.match(data.lstrip(b"\xef\xbb\xbf")[:4096]):
        return "html"  # a web page saved as .xls, as many government systems export
    if b"\x00" in data[:8192]:
        # Binary but neither spreadsheet format (a PDF, an image, a UTF-16 export...).
        raise UnreadableFile("the file is neither an Excel workbook nor a text/CSV file")
    return "csv"


def detect_encoding(data: bytes) -> str:
    """utf-16 (BOM), utf-8-sig, utf-8 or gb18030, whichever decodes the bytes (in that order)."""
    if data.startswith(UTF16_BOMS):
        return "utf-16"
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


def _separator(text: str) -> str:
    """Tab for tab-separated text (Excel's "Unicode text" / "Text (Tab delimited)"), else comma."""
    head = text[:65536]
    return "\t" if head.count("\t") > head.count(",") else ","


def read_csv(data: bytes, encoding: str) -> Grid:
    text = data.decode(encoding)
    if not text.strip():
        return Grid(None, pl.DataFrame())
    sep = _separator(text)
    # polars sizes a header-less CSV by its first line, which is often a one-cell title
    # line: give it the widest line's field count (separators inside quotes only over-count,
    # which adds empty columns).
    width = int(pl.Series(text.split("\n")).str.count_matches(sep, literal=True).max() or 0) + 1
    body = text.encode("utf-8")

    def parse(quote: str | None) -> pl.DataFrame:
        return pl.read_csv(
            io.BytesIO(body),
            has_header=False,
            separator=sep,
            schema={f"c{i}": pl.String for i in range(width)},
            missing_columns="insert",
            truncate_ragged_lines=True,
            quote_char=quote,
        )

    try:
        return Grid(None, parse('"'))
    except pl.exceptions.PolarsError:
        # An unterminated quote swallows the rest of the file: read the quotes as text
        # instead, so every line stays a row (the stray quote shows in its cell).
        return Grid(None, parse(None))


class _TableCells(html.parser.HTMLParser):
    """The cells of every <tr> of an HTML page, in order; colspan repeats an empty cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if not self.rows:
                self.rows.append([])
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() and 0 < int(span) < 1000 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1] += ["".join(self._cell).strip()] + [""] * (self._span - 1)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_html(data: bytes) -> Grid:
    """A web page's table rows as one grid (a page "saved as .xls" by a government system)."""
    head = data[:4096].decode("ascii", errors="ignore")
    declared = re.search(r"charset=[\"']?([A-Za-z0-9_-]+)", head)
    encoding = declared.group(1) if declared else detect_encoding(data)
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode(detect_encoding(data), errors="replace")
    parser = _TableCells()
    parser.feed(text)
    rows = [r for r in parser.rows if r]
    width = max((len(r) for r in rows), default=0)
    cells = pl.DataFrame(
        [r + [""] * (width - len(r)) for r in rows],
        orient="row",
        schema={f"c{i}": pl.String for i in range(width)},
    )
    # Empty strings are empty cells, as a spreadsheet reader returns them.
    return Grid(None, cells.with_columns(pl.all().replace("", None)) if width else cells)


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

        def numeric_mask(
            cols: list[int], _name: str = name, _width: int = cells.width
        ) -> pl.DataFrame:
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
    """All sheets of a workbook, or the single grid of a CSV or web page."""
    if file_format == "html":
        return [read_html(data)]
    if file_format == "csv":
        try:
            return [read_csv(data, encoding or "utf-8")]
        except UnreadableFile:
            raise
        except Exception as exc:
            # First line only, cut short: a parser's message may quote the file's cells.
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise UnreadableFile(f"the CSV cannot be parsed ({first})") from exc
    return _excel_sheets(data)
