"""Table rows written as sheet XML by Polars (pipelines/publish/xlsx_stream.py): what a
spreadsheet reads back is what the frame held, as xlsxwriter would have written it."""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile

import fastexcel
import openpyxl
import polars as pl
import pytest

from pipelines.publish import xlsx_stream
from pipelines.publish.files import safe_workbook

TRICKY_TEXTS = [
    '=HYPERLINK("http://x","点我")',
    "+1",
    "@SUM(A1)",
    "a & b < c > d",
    "  前后有空格  ",
    "控制\x01字符\x1f",
    "文字_x0041_照写",
    "换行\n与\t制表",
    "\ufffe",
    "普通中文",
]


def _write(path, frame: pl.DataFrame, heights: pl.Series | None = None) -> None:
    """`frame` under a one-line header, the way the feedback workbooks are written."""
    wb = safe_workbook(path, created=dt.date(2022, 8, 30))
    cell = wb.add_format({"border": 1, "text_wrap": True})
    cell._get_xf_index()
    ws = wb.add_worksheet("表")
    for j, header in enumerate(frame.columns):
        ws.write_string(0, j, header)
    wb.close()
    rows = xlsx_stream.rows_xml(frame, 1, cell.xf_index, heights)
    path.write_bytes(xlsx_stream.splice_rows(path.read_bytes(), {1: rows}))


def _calamine_reads(path, skip: int = 0) -> list:
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, skip_rows=skip)
    return sheet.to_polars().to_series(0).to_list()


def test_every_text_reads_back_as_the_safe_writer_wrote_it_never_a_formula(tmp_path):
    frame = pl.DataFrame({"文字": TRICKY_TEXTS})
    _write(tmp_path / "new.xlsx", frame)
    old = safe_workbook(tmp_path / "old.xlsx", created=dt.date(2022, 8, 30))
    ws = old.add_worksheet("表")
    for i, text in enumerate(TRICKY_TEXTS):
        ws.write_string(i, 0, text)
    old.close()
    # calamine, like Excel and LibreOffice, decodes the _xHHHH_ escapes of both.
    assert _calamine_reads(tmp_path / "new.xlsx", skip=1) == _calamine_reads(tmp_path / "old.xlsx")
    assert _calamine_reads(tmp_path / "new.xlsx", skip=1)[:8] == TRICKY_TEXTS[:8]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl warns about what it cannot read
        ws = openpyxl.load_workbook(tmp_path / "new.xlsx").active
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells][:5] == TRICKY_TEXTS[:5]  # kept exactly, spaces included


def test_openpyxl_and_calamine_read_back_every_cell_of_the_frame(tmp_path):
    frame = pl.DataFrame(
        {
            "姓名": ["张三", None, "", "李四"],
            "行号": [7, None, 1069, 0],
            "说明": ["a & b", "如何修改：请改正", "x", None],
        },
        schema={"姓名": pl.String, "行号": pl.Int32, "说明": pl.String},
    )
    _write(tmp_path / "f.xlsx", frame)
    expected = [tuple(None if v == "" else v for v in row) for row in frame.rows()]
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    assert list(ws.iter_rows(min_row=2, values_only=True)) == expected
    assert isinstance(ws["B2"].value, int)  # a number is a number cell, not text
    read = fastexcel.read_excel(str(tmp_path / "f.xlsx")).load_sheet(0).to_polars()
    assert read.columns == frame.columns
    assert read["姓名"].to_list() == ["张三", None, None, "李四"]
    assert read["行号"].to_list() == [7, None, 1069, 0]
    assert read["说明"].to_list() == ["a & b", "如何修改：请改正", "x", None]


def test_the_sheet_dimension_covers_the_spliced_rows(tmp_path):
    frame = pl.DataFrame({f"c{j}": [str(i) for i in range(30)] for j in range(28)})
    _write(tmp_path / "f.xlsx", frame)
    with zipfile.ZipFile(tmp_path / "f.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<dimension ref="A1:AB31"/>', xml)


def test_row_heights_are_written_as_given_and_rounded_like_xlsxwriter(tmp_path):
    frame = pl.DataFrame({"文字": ["短", "长" * 40]})
    heights = pl.Series([xlsx_stream.row_height(19), xlsx_stream.row_height(35)])
    _write(tmp_path / "f.xlsx", frame, heights)
    dims = openpyxl.load_workbook(tmp_path / "f.xlsx").active.row_dimensions
    assert (dims[2].height, dims[3].height) == (18.75, 35.25)


@pytest.mark.parametrize("widths", [(4,), (10,), (40,)])
def test_wrapped_lines_count_wide_characters_twice(widths):
    frame = pl.DataFrame({"文字": ["", "abc", "中文中文中文", "x" * 30, None]})
    per_line = max(widths[0] - 1, 1)
    expected = [1, -(-3 // per_line), -(-12 // per_line), -(-30 // per_line), 1]
    assert xlsx_stream.wrapped_lines(frame, widths).to_list() == [max(n, 1) for n in expected]


def test_column_letters_run_past_z():
    assert [xlsx_stream.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_the_zip_is_valid_and_its_members_carry_a_fixed_time(tmp_path):
    _write(tmp_path / "f.xlsx", pl.DataFrame({"文字": ["一", "二"] * 500}))
    with zipfile.ZipFile(tmp_path / "f.xlsx") as z:
        assert z.testzip() is None  # every member inflates to its CRC
        assert {i.date_time for i in z.infolist()} == {xlsx_stream.ZIP_TIME}
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
        assert z.namelist()[0] == "[Content_Types].xml"


def test_a_text_shaped_like_rich_text_xml_stays_text(tmp_path):
    # xlsxwriter passes a string "<r>…</r>" through as rich-text XML; here it is escaped.
    texts = ["<r><t>x</t></r>", "<r>bad</r>"]
    _write(tmp_path / "f.xlsx", pl.DataFrame({"文字": texts}))
    assert _calamine_reads(tmp_path / "f.xlsx", skip=1) == texts
