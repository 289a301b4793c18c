"""The final summary's workbook and page show the cities' texts as written and never
evaluate them, and the same summary gives the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import polars as pl

from pipelines.campaign import load_campaign
from pipelines.publish.summary_data import CityText, Scope, Section, Summary
from pipelines.publish.summary_page import render_summary_html
from pipelines.publish.summary_xlsx import write_summary_xlsx

FORMULA = '=HYPERLINK("http://example.com","点我")'
MARKUP = "<script>alert(1)</script>\n第二行  两个空格"


def summary() -> Summary:
    section = Section(
        "一、完成情况", pl.DataFrame({"完成指标": ["援助对象就业率"], "数值": ["50.0%"]}), "说明"
    )
    province = Scope("370000", "山东省", [section])
    city = Scope(
        "370100",
        "济南市",
        [section],
        [
            CityText("典型案例", FORMULA, MARKUP, 3),
            CityText("意见建议", None, "+1 建议", None),
        ],
    )
    return Summary(load_campaign(), dt.date(2022, 10, 31), [province, city])


def test_workbook_cells_hold_the_texts_as_strings_never_formulas(tmp_path):
    path = write_summary_xlsx(summary(), tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["全省", "济南市"]
    cells = [c for row in wb["济南市"].iter_rows() for c in row if c.value is not None]
    by_value = {c.value: c for c in cells}
    assert MARKUP in by_value and by_value[MARKUP].data_type == "s"
    assert f"1. {FORMULA}" in by_value and by_value[f"1. {FORMULA}"].data_type == "s"
    assert "1." in by_value and "+1 建议" in by_value and by_value["+1 建议"].data_type == "s"
    assert not any(c.data_type == "f" for c in cells)


def test_the_page_escapes_the_texts_and_keeps_their_line_breaks(tmp_path):
    page = render_summary_html(summary())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n第二行  两个空格" in page
    assert "HYPERLINK(&quot;http://example.com&quot;" in page
    assert "white-space: pre-wrap" in page and "@page" in page and 'lang="zh-CN"' in page


def test_same_summary_same_bytes(tmp_path):
    a = write_summary_xlsx(summary(), tmp_path / "a.xlsx").read_bytes()
    b = write_summary_xlsx(summary(), tmp_path / "b.xlsx").read_bytes()
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
