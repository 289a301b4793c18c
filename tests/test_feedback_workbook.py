"""The 问题反馈 workbook from hand-made items: wording, formula safety, adding a section."""

from __future__ import annotations

import datetime as dt

import fastexcel
import openpyxl
import polars as pl

from pipelines.publish import feedback

CUTOFF = dt.date(2022, 8, 30)
ITEM_SCHEMA = {
    "cutoff_date": pl.Date,
    "city_code": pl.String,
    "section": pl.String,
    "issue_level": pl.String,
    "reason_code": pl.String,
    "file_path": pl.String,
    "file_name": pl.String,
    "sheet": pl.String,
    "source_row": pl.Int32,
    "column_name": pl.String,
    "value": pl.String,
    "person_key": pl.String,
    "subject": pl.String,
    "reported_value": pl.Float64,
    "computed_value": pl.Float64,
    "id_number": pl.String,
    "name": pl.String,
    "phone": pl.String,
    "detail": pl.String,
}


def _item(**kw) -> dict:
    return {k: kw.get(k) for k in ITEM_SCHEMA} | {"cutoff_date": CUTOFF, "city_code": "370100"}


def _feedback(items: list[dict]) -> feedback.CityFeedback:
    files = pl.DataFrame(
        {
            "file_name": ["台账.xlsx"],
            "file_path": ["s/2022-08-30/370100/台账.xlsx"],
            "table_type": ["ledger"],
            "received_at": [dt.datetime(2022, 8, 31, 9, 0)],
            "is_late": [True],
            "is_current": [True],
            "is_superseded": [False],
            "rows_read": [12],
            "rows_loaded": [10],
            "rows_quarantined": [2],
        }
    )
    return feedback.CityFeedback(
        "2022年就业援助暖心活动", CUTOFF, "370100", pl.DataFrame(items, schema=ITEM_SCHEMA), files
    )


def _rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def test_each_kind_of_item_is_worded_for_the_city(tmp_path):
    fb = _feedback(
        [
            _item(
                section="data_issue",
                issue_level="cell",
                reason_code="bad_enum",
                file_name="台账.xlsx",
                source_row=7,
                column_name="就业方式",
                value="打零工",
            ),
            _item(
                section="data_issue",
                issue_level="person",
                reason_code="invalid_id_no_match",
                file_name="台账.xlsx",
                source_row=9,
                value="3.70102198E+17",
            ),
            _item(
                section="comparison",
                issue_level="comparison",
                reason_code="figure_difference",
                column_name="认定的援助对象人数",
                reported_value=21.0,
                computed_value=19.0,
            ),
            _item(
                section="comparison",
                issue_level="comparison",
                reason_code="multi_city_claim",
                name="张三",
                id_number="370102199001011234",
                detail="台账城市: 370100,370200; 归属: 370200",
            ),
            _item(
                section="todo",
                issue_level="todo",
                reason_code="referrals_below_minimum",
                name="李四",
                id_number="370102198505051237",
                phone="13800138000",
                reported_value=1.0,
            ),
            _item(
                section="timeliness",
                issue_level="timeliness",
                reason_code="late_upload",
                file_name="台账.xlsx",
                value="2022-08-31 09:00",
            ),
        ]
    )
    path = tmp_path / feedback.file_name("370100", CUTOFF)
    feedback.write_workbook(path, feedback.build_sheets(fb), dt.datetime(2022, 8, 30))
    wb = openpyxl.load_workbook(path)
    issues = _rows(wb["数据问题"])
    # Per file: unidentified people before cells (what stops a row before what only blanks a cell).
    assert issues[2][3:5] == ("身份证号", "3.70102198E+17") and "人员无法确认" in issues[2][6]
    assert (
        "台账.xlsx",
        None,
        7,
        "就业方式",
        "打零工",
        "不在规定选项内",
        "单元格已置空（该行已读入）",
        "「就业方式」中的“打零工”不是规定的选项",
    ) == issues[3][:8]
    comparison = _rows(wb["数据比对"])
    assert comparison[2][3:5] == ("认定的援助对象人数", "本市填报 21，省里计算 19")
    assert "济南市,青岛市" in comparison[3][5] and "370200" not in comparison[3][5]
    todo = _rows(wb["待办事项"])
    assert todo[2][:5] == (
        "推介岗位不足3个",
        "李四",
        "370102198505051237",
        "13800138000",
        "已推介 1 个岗位",
    )
    cover = "\n".join(str(r[0]) for r in _rows(wb["说明"]))
    assert "提醒：文件在截止日期之后才收到（台账.xlsx）" in cover
    assert "收到的文件" in wb.sheetnames and _rows(wb["收到的文件"])[2][3] == "逾期"


def test_what_a_city_typed_is_never_a_formula(tmp_path):
    fb = _feedback(
        [
            _item(
                section="data_issue",
                issue_level="row",
                reason_code="bad_date",
                file_name="台账.xlsx",
                source_row=3,
                column_name="认定日期",
                value='=HYPERLINK("http://x","点我")',
            )
        ]
    )
    path = tmp_path / "f.xlsx"
    feedback.write_workbook(path, feedback.build_sheets(fb), dt.datetime(2022, 8, 30))
    ws = openpyxl.load_workbook(path)["数据问题"]
    cells = [c for row in ws.iter_rows() for c in row if c.value and str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_new_section_is_one_builder_appended(tmp_path, monkeypatch):
    def contacts(fb: feedback.CityFeedback) -> feedback.Sheet:
        return feedback.Sheet(
            "联系人", ("姓名", "手机"), [], (10, 14), ["本市活动联系人"], "尚未报送"
        )

    monkeypatch.setattr(feedback, "SHEETS", [*feedback.SHEETS, contacts])
    path = tmp_path / "f.xlsx"
    feedback.write_workbook(path, feedback.build_sheets(_feedback([])), dt.datetime(2022, 8, 30))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == "联系人" and "本期未发现问题。" in [r[0] for r in _rows(wb["说明"])]


def test_same_items_give_the_same_bytes(tmp_path):
    items = [
        _item(
            section="todo",
            issue_level="todo",
            reason_code="never_visited",
            name="王五",
            id_number="370102197001011236",
        )
    ]
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        feedback.write_workbook(
            tmp_path / run / "f.xlsx",
            feedback.build_sheets(_feedback(items)),
            dt.datetime(2022, 8, 30),
        )
    assert (tmp_path / "a" / "f.xlsx").read_bytes() == (tmp_path / "b" / "f.xlsx").read_bytes()


def test_a_todo_row_shows_its_person_and_the_fix_worded_for_its_reason(tmp_path):
    # The to-do sheet selects its columns from each item: one it shows but no longer
    # selects, or selects under another header, would fail here.
    fb = _feedback(
        [
            _item(
                section="todo",
                issue_level="person",
                reason_code="referrals_below_minimum",
                reported_value=1.0,
                name="王五",
                id_number="370102199001011234",
                phone="13800138000",
            )
        ]
    )
    (todo,) = [s for s in feedback.build_sheets(fb) if s.name == "待办事项"]
    (row,) = todo.rows.rows()
    title, _cause, fix = feedback._explain("referrals_below_minimum", feedback.ID_HEADER, None)
    assert row == (title, "王五", "370102199001011234", "13800138000", "已推介 1 个岗位", fix)


def _issue(value: str, row: int) -> dict:
    return _item(
        section="data_issue",
        issue_level="cell",
        reason_code="bad_enum",
        file_name="台账.xlsx",
        source_row=row,
        column_name="就业方式",
        value=value,
    )


def test_a_row_grows_with_the_text_it_wraps(tmp_path):
    fb = _feedback([_issue("打零工", 3), _issue("打零工" * 30, 4)])
    path = tmp_path / "f.xlsx"
    feedback.write_workbook(path, feedback.build_sheets(fb), dt.datetime(2022, 8, 30))
    ws = openpyxl.load_workbook(path)["数据问题"]
    short, long = (ws.row_dimensions[r].height for r in (4, 5))
    assert ws.cell(5, 5).value == "打零工" * 30
    assert short < long and long >= 16 * 9  # 180 columns of text in a 22-wide column


def test_every_cell_of_every_sheet_reads_back_as_the_rows_built(tmp_path):
    fb = _feedback([_issue(f"值{i}", i) for i in range(3, 40)] + [_issue(None, 2)])
    sheets = feedback.build_sheets(fb)
    path = tmp_path / "f.xlsx"
    feedback.write_workbook(path, sheets, dt.datetime(2022, 8, 30))
    wb = openpyxl.load_workbook(path)
    book = fastexcel.read_excel(str(path))
    for sheet in sheets:
        top = len(sheet.intro) + 1
        expected = [tuple(None if v == "" else v for v in r) for r in sheet.rows.rows()]
        ws = wb[sheet.name]
        got = list(ws.iter_rows(min_row=top + 2, max_col=len(sheet.headers), values_only=True))
        if not expected:
            assert got[0][0] == sheet.empty_text
            continue
        assert got == expected, sheet.name
        read = book.load_sheet(sheet.name, header_row=top).to_polars()
        assert read.columns == list(sheet.headers)
        assert [tuple(r) for r in read.rows()] == [
            tuple(float(v) if isinstance(v, int) else v for v in r) for r in expected
        ], sheet.name
