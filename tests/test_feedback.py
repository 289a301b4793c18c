"""问题反馈 (contract §9) and what `make run` prints, read back from one end-to-end demo run.

The demo campaign carries typed dates like "8月上旬", empty required cells and broken IDs;
every one of those rows must reach its own city's workbook, with Chinese 原因 and 如何修改,
and nothing of another city's.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import openpyxl
import pytest

from pipelines import reason_codes, terms
from pipelines.campaign import load_campaign
from pipelines.publish import feedback

pytestmark = pytest.mark.slow

SHEETS = ["说明", "收到的文件", "数据问题", "数据比对", "待办事项"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def _table(ws) -> tuple[list[str], list[dict[str, object]]]:
    """The sheet's header row (the first row whose first cell is a known header) and rows under it."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] in ("类别", "文件名", "问题类型", "事项"))
    headers = [h for h in rows[at] if h]
    # A sheet with nothing to list says so in one cell under the header: not a row.
    body = [
        dict(zip(headers, r, strict=False))
        for r in rows[at + 1 :]
        if sum(v is not None for v in r) > 1
    ]
    return headers, body


@pytest.fixture(scope="module")
def workbooks(demo_run):
    root = demo_run.root
    books = {}
    for cutoff in load_campaign().cutoffs:
        for code in terms.CITIES:
            path = (
                root / "restricted" / cutoff.isoformat() / code / feedback.file_name(code, cutoff)
            )
            assert path.exists(), path
            books[(cutoff, code)] = openpyxl.load_workbook(path)
    return books


@pytest.fixture(scope="module")
def warehouse(demo_run):
    con = duckdb.connect(str(demo_run.root / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def test_every_city_and_cutoff_gets_a_chinese_workbook_with_the_five_sheets(workbooks):
    assert len(workbooks) == len(terms.CITIES) * len(load_campaign().cutoffs)
    for (cutoff, code), wb in workbooks.items():
        assert wb.sheetnames == SHEETS
        cover = [c for c in wb["说明"]["A"][:3] if c.value]
        assert terms.CITIES[code] in cover[1].value and f"{cutoff:%Y年%m月%d日}" in cover[1].value
        for name in SHEETS:
            headers, _ = _table(wb[name])
            assert headers and all(HAN.search(h) for h in headers), (name, headers)


def test_every_quarantined_row_of_the_campaign_is_in_its_citys_workbook(workbooks, warehouse):
    expected = warehouse.sql("""
        select q.cutoff_date, q.city_code, f.file_name, q.source_row, q.reason_code
        from raw.quarantine q join raw.files f using (file_sha256, file_path)
        join intermediate.int_submissions s using (file_sha256, file_path)
        where q.city_code is not null and q.source_row is not null and s.is_current
        union all
        select cutoff_date, city_code, regexp_extract(file_path, '[^/]+$'), source_row, reason_code
        from intermediate.int_person_quarantine
        where is_current_file and cutoff_date is not null and table_type not like 'reg%'
    """).fetchall()
    assert len(expected) > 20  # the demo's noise really produced quarantined rows
    kinds = {r[4] for r in expected}
    assert {"bad_date", "missing_required"} <= kinds and any(
        k.startswith("invalid_id") for k in kinds
    )
    for cutoff, code, file_name, row, reason in expected:
        _, body = _table(workbooks[(cutoff, code)]["数据问题"])
        title = reason_codes.explain(reason).title
        match = [
            r
            for r in body
            if r["文件名"] == file_name and r["行号"] == row and r["问题类型"] == title
        ]
        assert match, (cutoff, code, file_name, row, reason)
        assert HAN.search(str(match[0]["原因"])) and HAN.search(str(match[0]["如何修改"]))


def test_a_bad_date_names_the_column_and_the_value_as_written(workbooks, warehouse):
    column, value, cutoff, code = warehouse.sql("""
        select column_name, value, cutoff_date, city_code from raw.quarantine
        where reason_code = 'bad_date' and city_code is not null order by all limit 1""").fetchall()[0]
    _, body = _table(workbooks[(cutoff, code)]["数据问题"])
    row = next(r for r in body if r["填写的内容"] == value and r["列名"] == column)
    assert row["原因"] == f"「{column}」中的“{value}”不是有效日期"


def test_a_workbook_holds_nothing_of_another_city(workbooks, warehouse):
    files = warehouse.sql(
        "select cutoff_date, city_code, file_name from raw.files where city_code is not null"
    ).fetchall()
    own_files = {(c, k, f) for c, k, f in files}
    targets = warehouse.sql("""
        select t.cutoff_date, t.city_code, p.person_id from marts.fct_target_progress t
        join restricted.dim_person p using (person_key)""").fetchall()
    own_targets = {(c, k, i) for c, k, i in targets}
    for (cutoff, code), wb in workbooks.items():
        for sheet in ("收到的文件", "数据问题"):
            for r in _table(wb[sheet])[1]:
                assert (cutoff, code, r["文件名"]) in own_files, (cutoff, code, sheet, r)
        for r in _table(wb["待办事项"])[1]:
            assert (cutoff, code, r["身份证号"]) in own_targets, (cutoff, code, r)


def test_the_province_mart_counts_what_the_workbooks_list(workbooks, demo_run):
    import polars as pl

    counts = pl.read_parquet(demo_run.root / "marts" / "rpt_city_findings.parquet")
    assert not {"id_number", "name", "phone"} & set(counts.columns)
    for (cutoff, code), wb in workbooks.items():
        mine = counts.filter((pl.col("cutoff_date") == cutoff) & (pl.col("city_code") == code))
        todo = mine.filter(pl.col("section") == "todo")["findings"].sum()
        issues = mine.filter(pl.col("section") == "data_issue")["findings"].sum()
        assert todo == len(_table(wb["待办事项"])[1])
        assert issues == len(_table(wb["数据问题"])[1])


def test_no_cell_of_a_workbook_is_a_formula(workbooks):
    for wb in list(workbooks.values())[:16]:
        for ws in wb:
            assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_make_run_prints_fewer_than_60_lines_ending_with_the_summary(demo_run):
    root, stdout, stderr = demo_run.root, demo_run.stdout, demo_run.stderr
    lines = (stdout + stderr).splitlines()
    assert len(lines) < 60, "\n".join(lines)
    text = "\n".join(lines)
    assert "── 运行结果 Summary" in text and "质量检查 Quality gate : 通过 passed" in text
    assert str(root / "marts" / "rpt_campaign_stats.parquet") in text
    assert str(root / "restricted") in text
    for name in terms.CITIES.values():
        assert re.search(rf"^{name}\s", text, re.M), name
    assert lines[-1].startswith("用时 Elapsed")
    # Dagster's event stream went to the log file, which names every step.
    [log] = (root / "logs").glob("run-*.log")
    assert "STEP_SUCCESS" in log.read_text(encoding="utf-8") and "STEP_SUCCESS" not in text


def test_feedback_file_name_says_city_and_cutoff():
    assert feedback.file_name("370100", dt.date(2022, 8, 15)) == "问题反馈_济南市_2022-08-15.xlsx"
