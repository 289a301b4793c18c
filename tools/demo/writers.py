"""Deterministic writers for the three file formats the cities send (csv, xlsx, xls).

Same input → same bytes: xlsx gets a fixed creation date (its zip entries already
carry xlsxwriter's fixed 1980 timestamp), xls and csv hold no time at all.
Each writer returns the 1-based row number of the (last) header row, so the
caller can give every data row its `source_row` (header row + 1 + index).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
import xlwt

FIXED_CREATED = dt.datetime(2022, 7, 28, 9, 0, 0)  # the policy's date; never "now"


@dataclass(frozen=True, slots=True)
class NumericId:
    """An ID number a spreadsheet stored as a number (precision beyond 15 digits lost)."""

    value: float


Cell = str | int | float | dt.date | NumericId | None


def _csv_value(v: Cell) -> str:
    if v is None:
        return ""
    if isinstance(v, NumericId):  # should have been turned into text by the caller
        raise TypeError("NumericId in a CSV: write the spreadsheet's text instead")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def write_csv(
    path: Path,
    encoding: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    title_lines: Sequence[str] = (),
) -> int:
    # Windows exports (GB18030) end lines with CRLF; values never contain newlines,
    # so a line number is a row number.
    newline = "\r\n" if encoding == "gb18030" else "\n"
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator=newline)
        for t in title_lines:
            w.writerow([t])
        w.writerow(header)
        w.writerows([[_csv_value(v) for v in r] for r in rows])
    return len(title_lines) + 1


def _xlsx_workbook(path: Path, big: bool) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(
        str(path),
        {
            # Small files in memory (no temp files: far faster); big ones row by row.
            "constant_memory": big,
            "in_memory": not big,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties({"created": FIXED_CREATED, "author": "暖心活动", "title": path.stem})
    return wb


def write_xlsx(
    path: Path,
    sheet_name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    title_lines: Sequence[str] = (),
) -> int:
    wb = _xlsx_workbook(path, big=len(rows) > 2000)
    ws = wb.add_worksheet(sheet_name)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    r = 0
    for t in title_lines:
        ws.write_string(r, 0, t, bold)
        r += 1
    for c, h in enumerate(header):
        ws.write_string(r, c, h, bold)
    header_row = r + 1
    for row in rows:
        r += 1
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, NumericId):
                ws.write_number(r, c, v.value)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
            else:
                ws.write_number(r, c, v)
    wb.close()
    return header_row


def _xls_styles() -> tuple[xlwt.XFStyle, xlwt.XFStyle]:
    date_style = xlwt.XFStyle()
    date_style.num_format_str = "YYYY-MM-DD"
    bold = xlwt.easyxf("font: bold on")
    return date_style, bold


def write_xls(
    path: Path,
    sheet_name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    title_lines: Sequence[str] = (),
) -> int:
    if len(rows) + len(title_lines) + 1 > 65536:
        raise ValueError(f"{path}: too many rows for .xls")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet_name)
    date_style, bold = _xls_styles()
    r = 0
    for t in title_lines:
        ws.write(r, 0, t, bold)
        r += 1
    for c, h in enumerate(header):
        ws.write(r, c, h, bold)
    header_row = r + 1
    for row in rows:
        r += 1
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, NumericId):
                ws.write(r, c, v.value)
            elif isinstance(v, dt.date):
                ws.write(r, c, dt.datetime(v.year, v.month, v.day), date_style)
            else:
                ws.write(r, c, v)
    wb.save(str(path))
    return header_row


@dataclass(frozen=True)
class StatsLayout:
    """The policy attachment: title, 填报单位, 填报时间, two-row header, data row, footer."""

    title: str
    unit_line: str
    date_line: str
    first_header: str  # 城市
    figures: Sequence[tuple[str, str | None]]  # (header, group) in order
    values: Sequence[Cell]  # the city name, then the figures
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


STATS_DATA_ROW = 6  # 1-based: title, unit, date, header, header, data


def write_stats_xlsx(path: Path, layout: StatsLayout) -> int:
    wb = _xlsx_workbook(path, big=False)
    ws = wb.add_worksheet("统计表")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                          "text_wrap": True})
    cell = wb.add_format({"border": 1})
    last = layout.ncols - 1
    ws.merge_range(0, 0, 0, last, layout.title, title)
    ws.merge_range(1, 0, 1, last, layout.unit_line)
    ws.merge_range(2, 0, 2, last, layout.date_line)
    merges, plain = layout.header_cells()
    for r1, c1, r2, c2, text in merges:
        ws.merge_range(r1, c1, r2, c2, text, head)
    for c, text in plain:
        ws.write_string(4, c, text, head)
    for c, v in enumerate(layout.values):
        if isinstance(v, str):
            ws.write_string(5, c, v, cell)
        elif v is not None:
            ws.write_number(5, c, v, cell)  # type: ignore[arg-type]
    # A blank row, then the signatures (not a data row: see README, "statistics table").
    ws.write_string(7, 0, layout.footer)
    wb.close()
    return STATS_DATA_ROW


def write_stats_xls(path: Path, layout: StatsLayout) -> int:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("统计表")
    bold = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on")
    last = layout.ncols - 1
    ws.write_merge(0, 0, 0, last, layout.title, bold)
    ws.write_merge(1, 1, 0, last, layout.unit_line)
    ws.write_merge(2, 2, 0, last, layout.date_line)
    merges, plain = layout.header_cells()
    for r1, c1, r2, c2, text in merges:
        ws.write_merge(r1, r2, c1, c2, text, bold)
    for c, text in plain:
        ws.write(4, c, text, bold)
    for c, v in enumerate(layout.values):
        if v is not None:
            ws.write(5, c, v)
    ws.write(7, 0, layout.footer)
    wb.save(str(path))
    return STATS_DATA_ROW
