"""Large xlsx tables written as XML by Polars, spliced into a workbook xlsxwriter laid out.

xlsxwriter writes a cell per Python call (about 20 k rows/s here); the cities' feedback
workbooks hold millions of rows. Here a whole table becomes the `<row>` elements of its
sheet in a few vectorised string expressions, and `splice_rows` puts them into the
sheet xlsxwriter wrote (its intro, header, widths, panes, filter, print setup, styles and
properties), so a workbook looks exactly as before. Its promises match the safe writer's
(pipelines/publish/files.py):

- text is always an inline string cell, never a formula; XML-special characters are
  escaped and control characters become Excel's _xHHHH_ escapes, as xlsxwriter does;
- numbers are number cells, an empty or missing value a blank cell with the style;
- the same frame gives the same bytes (fixed zip member times, members in order).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl
from xlsxwriter.utility import xl_col_to_name

try:  # a declared dependency; zlib only keeps a venv made before it was added working
    import isal
    from isal import isal_zlib as deflate

    COMPRESSOR = f"isal {isal.__version__}"
except ImportError:  # pragma: no cover - same files, zlib's bytes, about 4x the CPU
    import zlib as deflate

    COMPRESSOR = f"zlib {deflate.ZLIB_RUNTIME_VERSION}"

MAX_TEXT = 32767  # Excel's limit on a cell's text; xlsxwriter cuts there too
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# CJK and beyond are two columns wide on screen.
WIDE_PATTERN = "[\u2e80-\U0010ffff]"
# What xlsxwriter escapes in a string: a literal _xHHHH_ (its underscore becomes _x005F_),
# control characters other than tab and newline, and the two non-characters.
_NEEDS_EXCEL_ESCAPE = r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]"
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f\ufffe\uffff])")


def column_letter(index: int) -> str:
    """'A' for 0, 'Z' for 25, 'AA' for 26 (xlsxwriter's own naming)."""
    return xl_col_to_name(index)


def excel_escape(text: str) -> str:
    """Control characters as Excel's _xHHHH_ escapes (what xlsxwriter writes)."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)


def display_width(text: pl.Expr) -> pl.Expr:
    """Columns a text takes on screen: its characters, wide ones counted twice."""
    return text.str.len_chars() + text.str.count_matches(WIDE_PATTERN)


def as_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A column as the text `str()` gives for its values (null stays null)."""
    if dtype == pl.String:
        return expr
    if dtype.is_float():
        return expr.map_elements(str, return_dtype=pl.String)
    if dtype == pl.Boolean:
        return pl.when(expr).then(pl.lit("True")).when(expr.not_()).then(pl.lit("False"))
    return expr.cast(pl.String)


def _any(frame: pl.DataFrame, checks: Mapping[str, pl.Expr]) -> dict[str, bool]:
    """Which `checks` (per-row booleans) hold on some row: one pass over the frame for all,
    since each small Polars call costs more than the scan on a few thousand rows."""
    if not checks or frame.height == 0:
        return dict.fromkeys(checks, False)
    found = frame.select(e.any().fill_null(False).alias(k) for k, e in checks.items())
    return found.row(0, named=True)


_NON_ASCII = r"[^\x00-\x7f]"
_EDGE_SPACE = r"^\s|\s$"


def wrapped_lines(frame: pl.DataFrame, widths: Sequence[int]) -> pl.Series:
    """Lines of the tallest cell of each row once wrapped to the column widths (at least 1)."""
    columns = list(zip(frame.columns, widths, strict=False))
    if not columns:
        return pl.Series("lines", [1] * frame.height, dtype=pl.Int64)
    texts = {name: as_text(pl.col(name), frame.schema[name]) for name, _ in columns}
    wide = _any(frame, {name: text.str.contains(_NON_ASCII) for name, text in texts.items()})
    parts = []
    for name, width in columns:
        text = texts[name]
        chars = display_width(text) if wide[name] else text.str.len_bytes()  # ASCII: 1 each
        per_line = max(width - 1, 1)
        parts.append((chars.fill_null(0) + per_line - 1) // per_line)
    lines = frame.select(pl.max_horizontal(parts).clip(lower_bound=1).cast(pl.Int64))
    return lines.to_series().alias("lines")


def _text_checks(name: str) -> dict[str, pl.Expr]:
    col = pl.col(name)
    return {
        f"{name}\x00long": col.str.len_chars() > MAX_TEXT,
        f"{name}\x00excel": col.str.contains(_NEEDS_EXCEL_ESCAPE),
        f"{name}\x00&": col.str.contains("&", literal=True),
        f"{name}\x00<": col.str.contains("<", literal=True),
        f"{name}\x00>": col.str.contains(">", literal=True),
        f"{name}\x00space": col.str.contains(_EDGE_SPACE),
        f"{name}\x00blank": col.is_null() | (col == ""),
    }


def _xml_text(name: str, found: Mapping[str, bool]) -> pl.Expr:
    """Column `name` escaped for XML as xlsxwriter does; each step only for a column that
    needs it (`found`: the column's `_text_checks`)."""
    expr = pl.col(name)
    if found[f"{name}\x00long"]:
        expr = expr.str.slice(0, MAX_TEXT)
    if found[f"{name}\x00excel"]:
        expr = expr.map_elements(excel_escape, return_dtype=pl.String)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if found[f"{name}\x00{char}"]:
            expr = expr.str.replace_all(char, entity, literal=True)
    return expr


def _number_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_float():  # xlsxwriter's number format
        return expr.map_elements(lambda v: f"{v:.16G}", return_dtype=pl.String)
    return expr.cast(pl.String)


def _cell_body(name: str, dtype: pl.DataType, found: Mapping[str, bool]) -> pl.Expr:
    """What follows `<c r=".." s=".."` for each value of column `name`."""
    col = pl.col(name)
    if dtype.is_numeric():
        full = pl.concat_str([pl.lit("><v>"), _number_text(col, dtype), pl.lit("</v></c>")])
        return pl.when(col.is_null()).then(pl.lit("/>")).otherwise(full)
    parts = [pl.lit(' t="inlineStr"><is><t')]
    if found[f"{name}\x00space"]:
        parts.append(
            pl.when(col.str.contains(_EDGE_SPACE))
            .then(pl.lit(' xml:space="preserve"'))
            .otherwise(pl.lit(""))
        )
    full = pl.concat_str([*parts, pl.lit(">"), _xml_text(name, found), pl.lit("</t></is></c>")])
    if not found[f"{name}\x00blank"]:
        return full
    return pl.when(col.is_null() | (col == "")).then(pl.lit("/>")).otherwise(full)


def row_height(points: float) -> str:
    """A row height as xlsxwriter writes it (rounded to whole pixels)."""
    return f"{int(points * 4.0 / 3.0 + 0.5) * 0.75:.16g}"


# Helper columns while a frame's XML is built (names no header can have).
_ROW, _HEIGHT = "\x00row", "\x00height"


@dataclass(frozen=True)
class SheetRows:
    """The `<row>` elements of a table and the last cell they reach (1-based row)."""

    xml: bytes
    last_row: int
    last_col: int


def rows_xml(
    frame: pl.DataFrame, first_row: int, style: int, heights: pl.Series | None = None
) -> SheetRows:
    """`frame`'s rows as sheet XML from 0-based row `first_row`, every cell in `style`.

    `heights`: each row's height as text (see `row_height`), or None for the default.
    """
    n_cols = frame.width
    if frame.height == 0:
        return SheetRows(b"", first_row, n_cols)
    columns = frame.columns
    if heights is not None:
        frame = frame.with_columns(heights.alias(_HEIGHT))  # before any column is recast
    frame = frame.with_columns(
        pl.col(name).map_elements(str, return_dtype=pl.String)
        for name, dtype in frame.schema.items()
        if not (dtype.is_numeric() or dtype == pl.String)
    )
    row = pl.col(_ROW)
    open_row = [pl.lit('<row r="'), row, pl.lit(f'" spans="1:{n_cols}"')]
    if heights is not None:
        open_row += [pl.lit(' ht="'), pl.col(_HEIGHT), pl.lit('" customHeight="1"')]
    texts = [n for n in columns if not frame.schema[n].is_numeric()]
    found = _any(frame, {k: e for n in texts for k, e in _text_checks(n).items()})
    cells = []
    for j, name in enumerate(columns):
        cells += [
            pl.lit(f'<c r="{column_letter(j)}'),
            row,
            pl.lit(f'" s="{style}"'),
            _cell_body(name, frame.schema[name], found),
        ]
    xml = (
        frame.lazy()
        .with_columns(
            pl.int_range(first_row + 1, first_row + 1 + pl.len()).cast(pl.String).alias(_ROW)
        )
        .select(
            pl.concat_str([*open_row, pl.lit(">"), *cells, pl.lit("</row>")])
            .str.join("")
            .cast(pl.Binary)  # UTF-8 bytes as they are, no round trip through a Python str
        )
        .collect()
        .item()
    )
    return SheetRows(xml, first_row + frame.height, n_cols)


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')


def _spliced_sheet(xml: bytes, rows: SheetRows) -> bytes:
    if b"<sheetData/>" in xml:
        xml = xml.replace(b"<sheetData/>", b"<sheetData>" + rows.xml + b"</sheetData>", 1)
    else:
        xml = xml.replace(b"</sheetData>", rows.xml + b"</sheetData>", 1)
    data_col = column_letter(rows.last_col - 1).encode()

    def widen(m: re.Match[bytes]) -> bytes:
        end_col = max(m.group(3) or m.group(1), data_col, key=lambda c: (len(c), c))
        end_row = max(int(m.group(4) or m.group(2)), rows.last_row)
        return b'<dimension ref="A1:' + end_col + str(end_row).encode() + b'"/>'

    return _DIMENSION.sub(widen, xml, count=1)


def _zip(members: Sequence[tuple[str, bytes, int]]) -> bytes:
    """A zip of (name, data, external attributes), deflated by ISA-L at level 1.

    ISA-L deflates this XML about 4× faster than zlib at its fastest level, with smaller
    output; zipfile cannot take data already deflated, so the container is written here
    (no zip64: a sheet's XML stays far below 4 GiB). Every member gets ZIP_TIME.
    """
    time = (ZIP_TIME[3] << 11) | (ZIP_TIME[4] << 5) | (ZIP_TIME[5] // 2)
    date = ((ZIP_TIME[0] - 1980) << 9) | (ZIP_TIME[1] << 5) | ZIP_TIME[2]
    out = io.BytesIO()
    central = io.BytesIO()
    for name, data, attributes in members:
        packed = deflate.compress(data, 1, wbits=-15)  # raw deflate, as zip stores it
        crc = deflate.crc32(data)
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800  # bit 11: the name is UTF-8
        if max(len(data), len(packed), out.tell()) >= 0xFFFFFFFF:
            raise ValueError(f"{name}: too large for a zip without zip64")
        common = struct.pack("<HHHHHIII", 20, flags, 8, time, date, crc, len(packed), len(data))
        central.write(
            b"PK\x01\x02"
            + struct.pack("<H", (3 << 8) | 20)  # made by: Unix, zip 2.0
            + common
            + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, attributes, out.tell())
            + encoded
        )
        out.write(b"PK\x03\x04" + common + struct.pack("<HH", len(encoded), 0) + encoded)
        out.write(packed)
    start = out.tell()
    out.write(central.getvalue())
    size = out.tell() - start
    n = len(members)
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, n, n, size, start, 0))
    return out.getvalue()


def splice_rows(xlsx: bytes, sheets: Mapping[int, SheetRows]) -> bytes:
    """The workbook `xlsx` with each `sheets[i]`'s rows appended to its i-th sheet (1-based).

    The members keep their order and get a fixed time, so equal input gives equal bytes.
    """
    members = []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src:
        for info in src.infolist():
            data = src.read(info)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and int(m.group(1)) in sheets:
                data = _spliced_sheet(data, sheets[int(m.group(1))])
            members.append((info.filename, data, info.external_attr))
    return _zip(members)
