"""Deterministic writers for the three file formats the cities send (csv, xlsx, xls).

Same input → same bytes: xlsx parts carry fixed zip timestamps and a fixed creation
date, xls and csv hold no time at all. Each writer returns the 1-based row number of
the (last) header row, so every data row's `source_row` is header row + 1 + index.

A table arrives as a `Sheet`: one text column per table column, plus the cells that a
spreadsheet stores as numbers or dates. Data rows are rendered column-wise with
polars (the campaign has millions of cells); only the small .xls files go cell by cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import polars as pl
import xlsxwriter
import xlwt

FIXED_CREATED = dt.datetime(2022, 7, 28, 9, 0, 0)  # the policy's date; never "now"
EXCEL_EPOCH = dt.date(1899, 12, 30)

# Cell types of a Sheet column (a constant for the column, or a UInt8 Series per row).
TEXT, NUMBER, DATE = 0, 1, 2


@dataclass
class Sheet:
    """The cells of one table as written: `text` holds every cell as text (dates of
    DATE cells as ISO text, NUMBER cells as their number); `types` marks, per column,
    which cells a spreadsheet stores as numbers or dates (absent: all text)."""

    header: list[str]
    text: pl.DataFrame
    types: dict[str, int | pl.Series] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return self.text.height

    def filter(self, keep: pl.Series) -> Sheet:
        types = {
            k: (v.filter(keep) if isinstance(v, pl.Series) else v) for k, v in self.types.items()
        }
        return Sheet(self.header, self.text.filter(keep), types)

    def type_of(self, col: str) -> pl.Expr:
        t = self.types.get(col, TEXT)
        return pl.lit(t, pl.UInt8) if isinstance(t, int) else pl.lit(t)


# ---------------------------------------------------------------------------- csv


def write_csv(path: Path, encoding: str, sheet: Sheet, title_lines: Sequence[str] = ()) -> int:
    # Windows exports (GB18030) end lines with CRLF; values never contain newlines,
    # so a line number is a row number.
    newline = "\r\n" if encoding == "gb18030" else "\n"
    head = io.StringIO()
    w = csv.writer(head, lineterminator=newline)
    for t in title_lines:
        w.writerow([t])
    w.writerow(sheet.header)
    body = sheet.text.write_csv(
        include_header=False, line_terminator=newline, quote_style="necessary"
    )
    with open(path, "wb") as fh:
        fh.write((head.getvalue() + body).encode(encoding))
    return len(title_lines) + 1


# ---------------------------------------------------------------------------- xlsx

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Style 0: plain; 1: date (yyyy-mm-dd); 2: bold (titles and headers).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _col_letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_esc(text)}</t></is></c>'


def _data_rows_xml(sheet: Sheet, first_row: int) -> pl.Series:
    """`<row>` elements of the data rows, one string per row, built column-wise."""
    n = sheet.height
    df = sheet.text.with_columns(
        _r=pl.int_range(first_row, first_row + n, dtype=pl.Int64, eager=True).cast(pl.String)
    )
    cells = []
    for j, col in enumerate(sheet.text.columns):
        ref = pl.lit(_col_letter(j)) + pl.col("_r")
        t = pl.col(col)
        kind = sheet.type_of(col)
        esc = (
            t.str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
        )
        space = (
            pl.when(t.str.contains(r"^\s|\s$"))
            .then(pl.lit(' xml:space="preserve"'))
            .otherwise(pl.lit(""))
        )
        serial = (
            (t.str.to_date("%Y-%m-%d", strict=False) - pl.lit(EXCEL_EPOCH))
            .dt.total_days()
            .cast(pl.String)
        )
        cell = (
            pl.when(t.is_null())
            .then(pl.lit(""))
            .when(kind == NUMBER)
            .then(pl.concat_str([pl.lit('<c r="'), ref, pl.lit('"><v>'), t, pl.lit("</v></c>")]))
            .when(kind == DATE)
            .then(
                pl.concat_str(
                    [pl.lit('<c r="'), ref, pl.lit('" s="1"><v>'), serial, pl.lit("</v></c>")]
                )
            )
            .otherwise(
                pl.concat_str(
                    [
                        pl.lit('<c r="'),
                        ref,
                        pl.lit('" t="inlineStr"><is><t'),
                        space,
                        pl.lit(">"),
                        esc,
                        pl.lit("</t></is></c>"),
                    ]
                )
            )
        )
        cells.append(cell)
    row = pl.concat_str([pl.lit('<row r="'), pl.col("_r"), pl.lit('">'), *cells, pl.lit("</row>")])
    return df.select(row.alias("xml")).to_series()


def write_xlsx(path: Path, sheet_name: str, sheet: Sheet, title_lines: Sequence[str] = ()) -> int:
    rows: list[str] = []
    r = 0
    for t in title_lines:
        r += 1
        rows.append(f'<row r="{r}">{_text_cell(f"A{r}", t, 2)}</row>')
    r += 1
    header_row = r
    rows.append(
        f'<row r="{r}">'
        + "".join(_text_cell(f"{_col_letter(j)}{r}", h, 2) for j, h in enumerate(sheet.header))
        + "</row>"
    )
    data = _data_rows_xml(sheet, r + 1).str.join("").item() if sheet.height else ""
    last = f"{_col_letter(max(len(sheet.header), 1) - 1)}{r + sheet.height}"
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<dimension ref="A1:{last}"/><sheetData>'
        + "".join(rows)
        + data
        + "</sheetData></worksheet>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{_esc(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    created = FIXED_CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_esc(path.stem)}</dc:title><dc:creator>暖心活动</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created></cp:coreProperties>'
    )
    parts = (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", xml),
    )
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content.encode("utf-8"), compresslevel=1)
    return header_row


# ---------------------------------------------------------------------------- xls

XLS_MAX_ROWS = 65_536


def _xls_styles() -> tuple[xlwt.XFStyle, xlwt.XFStyle]:
    date_style = xlwt.XFStyle()
    date_style.num_format_str = "YYYY-MM-DD"
    bold = xlwt.easyxf("font: bold on")
    return date_style, bold


def write_xls(path: Path, sheet_name: str, sheet: Sheet, title_lines: Sequence[str] = ()) -> int:
    if sheet.height + len(title_lines) + 1 > XLS_MAX_ROWS:
        raise ValueError(f"{path}: too many rows for .xls")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet_name)
    date_style, bold = _xls_styles()
    r = 0
    for t in title_lines:
        ws.write(r, 0, t, bold)
        r += 1
    for c, h in enumerate(sheet.header):
        ws.write(r, c, h, bold)
    header_row = r + 1
    types = sheet.text.select(sheet.type_of(c).alias(c) for c in sheet.text.columns)
    for row, kinds in zip(sheet.text.iter_rows(), types.iter_rows(), strict=True):
        r += 1
        for c, (v, k) in enumerate(zip(row, kinds, strict=True)):
            if v is None:
                continue
            if k == NUMBER:
                ws.write(r, c, float(v))
            elif k == DATE:
                ws.write(r, c, dt.datetime.fromisoformat(v), date_style)
            else:
                ws.write(r, c, v)
    wb.save(str(path))
    return header_row


# ---------------------------------------------------------------------------- statistics table


def _xlsx_workbook(path: Path) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties({"created": FIXED_CREATED, "author": "暖心活动", "title": path.stem})
    return wb


@dataclass(frozen=True)
class StatsLayout:
    """The policy attachment: title, 填报单位, 填报时间, two-row header, data row, footer."""

    title: str
    unit_line: str
    date_line: str
    first_header: str  # 城市
    figures: Sequence[tuple[str, str | None]]  # (header, group) in order
    values: Sequence[str | int | float | None]  # the city name, then the figures
    footer: str

    @property
    def ncols(self) -> int:
        return 1 + len(self.figures)

    def header_cells(self) -> tuple[list[tuple[int, int, int, int, str]], list[tuple[int, str]]]:
        """Merged ranges (r1, c1, r2, c2, text) of the two header rows (rows 3 and 4, 0-based),
        and the plain cells of the second header row (sub-columns under a group)."""
        merges: list[tuple[int, int, int, int, str]] = [(3, 0, 4, 0, self.first_header)]
        plain: list[tuple[int, str]] = []
        c = 1
        figs = list(self.figures)
        i = 0
        while i < len(figs):
            header, group = figs[i]
            if group is None:
                merges.append((3, c, 4, c, header))
                c += 1
                i += 1
                continue
            j = i
            while j < len(figs) and figs[j][1] == group:
                plain.append((c + (j - i), figs[j][0]))
                j += 1
            merges.append((3, c, 3, c + (j - i) - 1, group))
            c += j - i
            i = j
        return merges, plain

    def cells(self) -> Iterator[FormCell]:
        """Every cell of the form in writing order."""
        last = self.ncols - 1
        yield FormCell(0, 0, 0, last, self.title, "title", merged=True)
        yield FormCell(1, 0, 1, last, self.unit_line, "line", merged=True)
        yield FormCell(2, 0, 2, last, self.date_line, "line", merged=True)
        merges, plain = self.header_cells()
        for r1, c1, r2, c2, text in merges:
            yield FormCell(r1, c1, r2, c2, text, "head", merged=True)
        for c, text in plain:
            yield FormCell(4, c, 4, c, text, "head")
        for c, v in enumerate(self.values):
            if v is not None:
                yield FormCell(5, c, 5, c, v, "value")
        # A blank row, then the signatures (not a data row: see README, "statistics table").
        yield FormCell(7, 0, 7, 0, self.footer, "footer")


class FormCell(NamedTuple):
    """A cell (or merged range) of the statistics form; `role` picks its format."""

    row: int
    col: int
    last_row: int
    last_col: int
    value: str | int | float
    role: str  # title, line, head, value, footer
    merged: bool = False


STATS_DATA_ROW = 6  # 1-based: title, unit, date, header, header, data


def write_stats_xlsx(path: Path, layout: StatsLayout) -> int:
    wb = _xlsx_workbook(path)
    ws = wb.add_worksheet("统计表")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    cell = wb.add_format({"border": 1})
    formats = {"title": title, "head": head, "value": cell}
    for c in layout.cells():
        fmt = formats.get(c.role)
        if c.merged:
            ws.merge_range(c.row, c.col, c.last_row, c.last_col, c.value, fmt)
        elif isinstance(c.value, str):
            ws.write_string(c.row, c.col, c.value, fmt)
        else:
            ws.write_number(c.row, c.col, c.value, fmt)
    wb.close()
    return STATS_DATA_ROW


def write_stats_xls(path: Path, layout: StatsLayout) -> int:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("统计表")
    bold = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on")
    styles = {"title": bold, "head": bold}
    for c in layout.cells():
        style = styles.get(c.role, xlwt.Style.default_style)
        if c.merged:
            ws.write_merge(c.row, c.last_row, c.col, c.last_col, c.value, style)
        else:
            ws.write(c.row, c.col, c.value, style)
    wb.save(str(path))
    return STATS_DATA_ROW
