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
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

MAX_TEXT = 32767  # Excel's limit on a cell's text; xlsxwriter cuts there too
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# CJK and beyond are two columns wide (the same range as feedback._display_width).
WIDE_PATTERN = "[\u2e80-\U0010ffff]"
# What xlsxwriter escapes in a string: a literal _xHHHH_ (its underscore becomes _x005F_),
# control characters other than tab and newline, and the two non-characters.
_NEEDS_EXCEL_ESCAPE = r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]"
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f\ufffe\uffff])")


def column_letter(index: int) -> str:
    """'A' for 0, 'Z' for 25, 'AA' for 26."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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


def _widths(text: pl.Series) -> pl.Series:
    """`display_width` of each value of `text`, scanning each distinct value once where
    values repeat (a sheet's 原因 and 如何修改 take a few wordings over thousands of rows)."""
    frame = text.to_frame()
    if not text.str.contains(r"[^\x00-\x7f]").any():
        return frame.select(pl.col(text.name).str.len_bytes()).to_series()
    distinct = text.unique()
    if len(distinct) * 4 > len(text):
        return frame.select(display_width(pl.col(text.name))).to_series()
    widths = distinct.to_frame().with_columns(display_width(pl.col(text.name)).alias("_width"))
    return frame.join(widths, on=text.name, how="left", nulls_equal=True, maintain_order="left")[
        "_width"
    ]


def wrapped_lines(frame: pl.DataFrame, widths: Sequence[int]) -> pl.Series:
    """Lines of the tallest cell of each row once wrapped to the column widths (at least 1)."""
    parts = []
    for name, width in zip(frame.columns, widths, strict=False):
        text = frame.select(as_text(pl.col(name), frame.schema[name])).to_series()
        per_line = max(width - 1, 1)
        parts.append(((_widths(text).fill_null(0) + per_line - 1) // per_line).alias(name))
    if not parts:
        return pl.Series("lines", [1] * frame.height, dtype=pl.Int64)
    lines = pl.DataFrame(parts).select(pl.max_horizontal(pl.all()).clip(lower_bound=1))
    return lines.to_series().cast(pl.Int64).alias("lines")


def _xml_text(text: pl.Series) -> pl.Expr:
    """`text` escaped for XML as xlsxwriter does; each step only for a column that needs it
    (a scan is cheaper than a rewrite of every cell)."""
    expr = pl.col(text.name)
    if (text.str.len_chars().max() or 0) > MAX_TEXT:
        expr = expr.str.slice(0, MAX_TEXT)
    if text.str.contains(_NEEDS_EXCEL_ESCAPE).any():
        expr = expr.map_elements(excel_escape, return_dtype=pl.String)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if text.str.contains(char, literal=True).any():
            expr = expr.str.replace_all(char, entity, literal=True)
    return expr


def _number_text(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_float():  # xlsxwriter's number format
        return expr.map_elements(lambda v: f"{v:.16G}", return_dtype=pl.String)
    return expr.cast(pl.String)


def _cell_body(values: pl.Series) -> pl.Expr:
    """What follows `<c r=".." s=".."` for each value of `values`."""
    col = pl.col(values.name)
    if values.dtype.is_numeric():
        full = pl.concat_str([pl.lit("><v>"), _number_text(col, values.dtype), pl.lit("</v></c>")])
        empty = col.is_null()
    else:
        text = values
        parts = [pl.lit(' t="inlineStr"><is><t')]
        if text.str.contains(r"^\s|\s$").any():
            parts.append(
                pl.when(pl.col(text.name).str.contains(r"^\s|\s$"))
                .then(pl.lit(' xml:space="preserve"'))
                .otherwise(pl.lit(""))
            )
        full = pl.concat_str([*parts, pl.lit(">"), _xml_text(text), pl.lit("</t></is></c>")])
        empty = col.is_null() | (col == "")
        if text.null_count() == 0 and not (text == "").any():
            return full
    return pl.when(empty).then(pl.lit("/>")).otherwise(full)


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
    cells = []
    for j, name in enumerate(columns):
        cells += [
            pl.lit(f'<c r="{column_letter(j)}'),
            row,
            pl.lit(f'" s="{style}"'),
            _cell_body(frame[name]),
        ]
    xml = (
        frame.lazy()
        .with_columns(
            pl.int_range(first_row + 1, first_row + 1 + pl.len()).cast(pl.String).alias(_ROW)
        )
        .select(pl.concat_str([*open_row, pl.lit(">"), *cells, pl.lit("</row>")]).str.join(""))
        .collect()
        .item()
    )
    return SheetRows(xml.encode("utf-8"), first_row + frame.height, n_cols)


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


def splice_rows(xlsx: bytes, sheets: Mapping[int, SheetRows], level: int = 1) -> bytes:
    """The workbook `xlsx` with each `sheets[i]`'s rows appended to its i-th sheet (1-based).

    The members keep their order and get a fixed time, so equal input gives equal bytes.
    Deflate level 1: the XML repeats itself, level 6 costs several times the CPU for a few
    per cent of size.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and int(m.group(1)) in sheets:
                data = _spliced_sheet(data, sheets[int(m.group(1))])
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            dst.writestr(member, data, compresslevel=level)
    return out.getvalue()
