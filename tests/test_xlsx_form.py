"""The official xlsx form: read back with openpyxl, headers, order, merged cells, totals."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines import terms
from pipelines.publish.xlsx_form import FIRST_HEADER_ROW, NOTE, header_spans, write_official_xlsx

CUTOFF = dt.date(2022, 8, 15)


@dataclass(frozen=True)
class FakeCampaign:
    name: str = '2022年就业援助"暖心活动"'


def stats_frame(cutoff: dt.date = CUTOFF) -> pl.DataFrame:
    rows = []
    for i, (code, name) in enumerate(terms.CITIES.items(), start=1):
        row = {"cutoff_date": cutoff, "city_code": code, "city_name": name}
        for k, f in enumerate(terms.FIGURES):
            row[f.name] = round(i * 10.25 + k, 2) if f.money else i * 100 + k
        rows.append(row)
    df = pl.DataFrame(rows)
    sums = df.select(pl.exclude("cutoff_date", "city_code", "city_name").sum())
    province = pl.DataFrame(
        {
            "cutoff_date": [cutoff],
            "city_code": [terms.PROVINCE_CODE],
            "city_name": [terms.PROVINCE_NAME],
        }
    ).hstack(sums)
    return pl.concat([df, province])


@pytest.fixture
def sheet(tmp_path: Path):
    path = tmp_path / "form.xlsx"
    write_official_xlsx(stats_frame(), CUTOFF, path, FakeCampaign())
    return openpyxl.load_workbook(path).active


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def col(k: int) -> str:
    return openpyxl.utils.get_column_letter(k)


def test_title_unit_and_date(sheet) -> None:
    assert sheet["A1"].value == f"{FakeCampaign().name}统计表"
    assert sheet["A2"].value == "填报单位：山东省"
    texts = [c.value for c in sheet[2] if c.value]
    assert any(t == "填报时间：2022年8月15日" for t in texts)
    assert f"A1:{col(1 + len(terms.FIGURES))}1" in merged(sheet)


def test_two_row_header_in_figure_order(sheet) -> None:
    top, sub = FIRST_HEADER_ROW + 1, FIRST_HEADER_ROW + 2  # 1-based rows
    assert sheet.cell(top, 1).value == "城市"
    assert f"A{top}:A{sub}" in merged(sheet)
    seen = []
    for k, f in enumerate(terms.FIGURES, start=2):
        if f.group is None:
            assert sheet.cell(top, k).value == f.header
            assert f"{col(k)}{top}:{col(k)}{sub}" in merged(sheet)
        else:
            assert sheet.cell(sub, k).value == f.header
        seen.append(f.header if f.group is None else sheet.cell(sub, k).value)
    assert seen == [f.header for f in terms.FIGURES]
    # 其中 merged over exactly its sub-columns: 4 categories and 3 employment channels.
    groups = [(first, last) for text, first, last in header_spans() if text == "其中"]
    assert [(last - first + 1) for first, last in groups] == [4, 3]
    for first, last in groups:
        assert sheet.cell(top, first + 2).value == "其中"
        assert f"{col(first + 2)}{top}:{col(last + 2)}{top}" in merged(sheet)


def test_city_rows_and_total(sheet) -> None:
    first = FIRST_HEADER_ROW + 3
    names = [sheet.cell(first + i, 1).value for i in range(len(terms.CITIES) + 1)]
    assert names == [*terms.CITIES.values(), terms.TOTAL_ROW_LABEL]
    total_row = first + len(terms.CITIES)
    for k in range(2, 2 + len(terms.FIGURES)):
        cities = sum(sheet.cell(first + i, k).value for i in range(len(terms.CITIES)))
        assert sheet.cell(total_row, k).value == pytest.approx(cities)
    assert sheet.cell(first, 2).value == 100  # 济南 targets
    assert sheet.cell(first, 1 + len(terms.FIGURES)).number_format == "#,##0.00"


def test_footer_and_note(sheet) -> None:
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "单位负责人：" in values and "填表人：" in values
    assert values[-1] == NOTE


def test_bytes_are_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_official_xlsx(stats_frame(), CUTOFF, a, FakeCampaign())
    write_official_xlsx(stats_frame(), CUTOFF, b, FakeCampaign())
    assert a.read_bytes() == b.read_bytes()


def test_missing_city_is_refused(tmp_path: Path) -> None:
    df = stats_frame().filter(pl.col("city_code") != "370500")
    with pytest.raises(ValueError, match="370500"):
        write_official_xlsx(df, CUTOFF, tmp_path / "x.xlsx", FakeCampaign())


def test_prints_on_one_landscape_a4_page_with_the_header_repeated(sheet) -> None:
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # xlsxwriter leaves out the default 1; fit_to_pages(1, 0) would write fitToHeight="0".
    assert (int(setup.fitToWidth or 1), int(setup.fitToHeight or 1)) == (1, 1)
    first, second = FIRST_HEADER_ROW + 1, FIRST_HEADER_ROW + 2  # 1-based rows of the header
    assert sheet.print_title_rows == f"${first}:${second}"
    assert sheet.freeze_panes == f"B{second + 1}"
    assert str(sheet.print_area).startswith("'统计表'!$A$1:")  # the title row is on the page


def test_counts_and_the_amount_have_thousands_separators(sheet) -> None:
    row = FIRST_HEADER_ROW + 3  # first city row, 1-based
    money_col = 1 + next(k for k, f in enumerate(terms.FIGURES, start=1) if f.money)
    assert sheet.cell(row, money_col).number_format == "#,##0.00"
    assert sheet.cell(row, 2).number_format == "#,##0"


def test_libreoffice_prints_the_form_on_one_page(tmp_path: Path) -> None:
    """The print setup as a real office suite applies it (CI installs libreoffice-calc-nogui)."""
    import subprocess

    path = tmp_path / "form.xlsx"
    write_official_xlsx(stats_frame(), CUTOFF, path, FakeCampaign())
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "form.pdf")], check=True, capture_output=True, text=True
    ).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(v) for v in re.findall(r"[\d.]+", size)[:2])
    assert pages == 1, info
    assert width > height, size  # landscape
