"""End-to-end ingestion of real files written in the test: xlsx, xls, CSV, the statistics table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from fixtures.ingest_files import (
    LEDGER_HEADER,
    ledger_row,
    set_received,
    write_csv,
    write_stats_xlsx,
    write_xls,
    write_xlsx,
)

from pipelines import terms
from pipelines.campaign import load_campaign
from pipelines.ingest import IngestSummary, create_raw_tables, ingest_all
from pipelines.ingest.schema import FILES_DDL, LINEAGE_DDL, QUARANTINE_DDL, SQL_TYPE

CAMPAIGN = load_campaign("2022-warm-heart")
CUTOFF = "2022-08-15"
ID_A = "370102198001011234"  # not necessarily valid: ingestion never judges IDs


def city_dir(root: Path, city: str = "370100", cutoff: str = CUTOFF) -> Path:
    return root / "submissions" / CAMPAIGN.id / cutoff / city


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def run(con: duckdb.DuckDBPyConnection, root: Path) -> IngestSummary:
    return ingest_all(con, root, CAMPAIGN)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_xlsx_ledger_below_title_lines_loads_with_spreadsheet_row_numbers(con, tmp_path):
    write_xlsx(
        city_dir(tmp_path) / "济南市暖心活动台账0815.xlsx",
        LEDGER_HEADER,
        [ledger_row(1, "张三", ID_A), ledger_row(2, "李四", "37010219800101123X")],
        title_lines=["济南市就业援助对象台账", "填报单位：济南市人社局"],
    )
    run(con, tmp_path)
    assert rows(con, "select table_type, sheet, header_row, rows_read, status from raw.files") == [
        ("ledger", "Sheet1", 3, 2, "loaded")
    ]
    assert rows(
        con,
        "select _source_row, name, id_number, categories, identified_on from raw.ledger order by 1",
    ) == [
        (4, "张三", ID_A, ["长期失业人员"], dt.date(2022, 8, 5)),
        (5, "李四", "37010219800101123X", ["长期失业人员"], dt.date(2022, 8, 5)),
    ]


def test_xls_workbook_with_date_cells_loads(con, tmp_path):
    write_xls(
        city_dir(tmp_path) / "台账.xls",
        LEDGER_HEADER,
        [ledger_row(1, "张三", ID_A, identified_on=dt.date(2022, 8, 3))],
        title_lines=["台账"],
    )
    run(con, tmp_path)
    assert rows(con, "select file_format, rows_loaded from raw.files") == [("xls", 1)]
    assert rows(con, "select _source_row, identified_on, seq from raw.ledger") == [
        (3, dt.date(2022, 8, 3), 1)
    ]


def test_format_is_detected_from_content_not_from_the_extension(con, tmp_path):
    d = city_dir(tmp_path)
    write_xls(d / "really_xls.xlsx", LEDGER_HEADER, [ledger_row(1, "张三", ID_A)])
    write_xlsx(d / "really_xlsx.xls", LEDGER_HEADER, [ledger_row(1, "李四", ID_A)])
    write_csv(d / "really_csv.txt", ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]])
    run(con, tmp_path)
    assert rows(con, "select file_name, file_format, table_type from raw.files order by 1") == [
        ("really_csv.txt", "csv", "visits"),
        ("really_xls.xlsx", "xls", "ledger"),
        ("really_xlsx.xls", "xlsx", "ledger"),
    ]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("gb18030", "gb18030"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-8", "utf-8"),
        ("gbk", "gb18030"),
    ],
)
def test_csv_encoding_is_detected_from_the_bytes(con, tmp_path, encoding, expected):
    write_csv(
        city_dir(tmp_path) / "走访.csv",
        ["姓名", "身份证号", "走访日期", "走访方式", "走访人"],
        [["张三", ID_A, "2022年8月5日", "入户走访", "王社工"]],
        encoding=encoding,
    )
    run(con, tmp_path)
    assert rows(con, "select encoding from raw.files") == [(expected,)]
    assert rows(
        con, "select _source_row, name, visited_on, visit_method, visitor from raw.visits"
    ) == [(2, "张三", dt.date(2022, 8, 5), "入户走访", "王社工")]


def test_statistics_table_two_row_merged_header_maps_figures_in_attachment_order(con, tmp_path):
    values = [float(i * 10) for i in range(1, 17)] + [1234.5]
    write_stats_xlsx(city_dir(tmp_path) / "附件统计表.xlsx", "济南市", values)
    run(con, tmp_path)
    assert rows(con, "select header_row, rows_read, rows_blank, status from raw.files") == [
        (5, 1, 1, "loaded")
    ]
    got = con.execute(
        f"select unit, _source_row, {', '.join(terms.FIGURE_NAMES)} from raw.city_stats"
    ).fetchall()
    assert got == [("济南市", 6, *[int(v) for v in values[:-1]], 1234.5)]


def test_header_aliases_full_width_headers_and_units_are_recognised(con, tmp_path):
    header = [
        "发放流水号",
        "公民身份号码",
        "姓　名",
        "市代码",
        "救助类型",
        "发放时间",
        "发放金额（元）",
    ]
    write_csv(
        tmp_path / "registries" / "temp_relief" / "临时救助.csv",
        header,
        [["TR001", ID_A, "张 三", "371200", "生活救助", "2022.8.9", "1,500元"]],
    )
    header2 = [
        " 岗位编号* ",
        "用人单位名称",
        "岗位名称",
        "招聘人数（人）",
        "发布日期",
        "月薪下限(元)",
    ]
    write_xlsx(
        city_dir(tmp_path) / "岗位.xlsx",
        header2,
        [["Ｐ００１", "某公司", "焊工", "３", "2022/8/2", "3000"]],
    )
    run(con, tmp_path)
    assert rows(
        con,
        "select payment_id, id_number, name, city_code, paid_on, amount_yuan "
        "from raw.reg_temp_relief",
    ) == [("TR001", ID_A, "张 三", "371200", dt.date(2022, 8, 9), 1500.0)]
    assert rows(con, "select post_id, openings, published_on, salary_min from raw.job_posts") == [
        ("P001", 3, dt.date(2022, 8, 2), 3000.0)
    ]


def test_numeric_id_cells_keep_15_digits_and_mark_18_digit_numbers_as_lost(con, tmp_path):
    write_xlsx(
        city_dir(tmp_path) / "台账.xlsx",
        LEDGER_HEADER,
        [
            ledger_row(1, "十五位", 370102800101123),
            ledger_row(2, "十八位", 370102198001011234),
            ledger_row(3, "文本", ID_A),
            ledger_row(4, "全角", "３７０１０２１９８００１０１１２３ｘ"),
        ],
    )
    run(con, tmp_path)
    assert rows(con, "select name, id_number from raw.ledger order by seq") == [
        ("十五位", "370102800101123"),
        ("十八位", "3.70102198E+17"),
        ("文本", ID_A),
        ("全角", "37010219800101123x"),
    ]


def test_reingesting_the_same_files_adds_nothing_and_a_changed_file_adds_only_itself(con, tmp_path):
    d = city_dir(tmp_path)
    write_xlsx(d / "台账.xlsx", LEDGER_HEADER, [ledger_row(1, "张三", ID_A)])
    write_csv(d / "走访.csv", ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]])
    first = run(con, tmp_path)
    assert (first.files_loaded, first.total_rows_loaded) == (2, 2)
    second = run(con, tmp_path)
    assert (second.files_loaded, second.files_skipped, second.total_rows_loaded) == (0, 2, 0)
    assert rows(con, "select count(*) from raw.files") == [(2,)]
    # A correction at the same path: a new upload beside the old one, nothing else re-read.
    write_xlsx(
        d / "台账.xlsx", LEDGER_HEADER, [ledger_row(1, "张三", ID_A), ledger_row(2, "李四", ID_A)]
    )
    third = run(con, tmp_path)
    assert (third.files_loaded, third.files_skipped) == (1, 1)
    assert rows(con, "select count(*), count(distinct _file_sha256) from raw.ledger") == [(3, 2)]
    assert rows(con, "select count(*) from raw.visits") == [(1,)]


def test_corrupt_empty_and_unknown_files_are_quarantined_while_the_rest_of_the_folder_loads(
    con, tmp_path
):
    d = city_dir(tmp_path)
    write_xlsx(d / "台账.xlsx", LEDGER_HEADER, [ledger_row(1, "张三", ID_A)])
    write_csv(d / "推介.csv", ["身份证号", "岗位编号", "推介日期"], [[ID_A, "P001", "20220806"]])
    (d / "损坏.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    (d / "坏的.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    (d / "空.csv").write_bytes(b"")
    write_xlsx(d / "工作总结.xlsx", ["工作内容", "完成情况"], [["走访", "完成"]])
    summary = run(con, tmp_path)
    assert summary.files_loaded == 2 and summary.files_quarantined == 4
    assert rows(
        con, "select count(*) from raw.ledger union all select count(*) from raw.referrals"
    ) == [(1,), (1,)]
    got = {
        r[0]: (r[1], r[2])
        for r in rows(con, "select file_path, reason_code, reason from raw.quarantine")
    }
    prefix = f"submissions/{CAMPAIGN.id}/{CUTOFF}/370100/"
    assert {k.removeprefix(prefix): v[0] for k, v in got.items()} == {
        "损坏.xlsx": "unreadable_file",
        "坏的.xls": "unreadable_file",
        "空.csv": "empty_file",
        "工作总结.xlsx": "unknown_table",
    }
    for path, (_, reason) in got.items():
        assert path in reason  # the operator sees which file
    assert rows(
        con, "select count(*) from raw.files where status = 'quarantined' and error is not null"
    ) == [(4,)]


def test_required_failures_quarantine_the_row_and_optional_garbage_only_nulls_the_cell(
    con, tmp_path
):
    write_xlsx(
        city_dir(tmp_path) / "台账.xlsx",
        LEDGER_HEADER,
        [
            ledger_row(1, "好", ID_A, graduated_on="去年夏天"),
            ledger_row(2, "缺号", None),
            ledger_row(3, "坏日期", ID_A, identified_on="2022-02-30"),
            ledger_row(4, "坏状态", ID_A, status="在岗"),
            ledger_row(5, "坏类别", ID_A, categories="困难人员"),
            ledger_row(6, "部分类别", ID_A, categories="长期失业人员、外星人"),
        ],
        title_lines=["台账"],
    )
    run(con, tmp_path)
    assert rows(con, "select name, graduated_on, categories from raw.ledger order by seq") == [
        ("好", None, ["长期失业人员"]),
        ("部分类别", None, ["长期失业人员"]),
    ]
    q = rows(
        con,
        "select source_row, column_name, value, reason_code, reason, row_json "
        "from raw.quarantine order by source_row",
    )
    assert [(r[0], r[1], r[2], r[3]) for r in q] == [
        (4, "身份证号", None, "missing_required"),
        (5, "认定日期", "2022-02-30", "bad_date"),
        (6, "就业状态", "在岗", "bad_enum"),
        (7, "人员类别", "困难人员", "bad_enum"),
    ]
    assert "row 5" in q[1][4] and "认定日期" in q[1][4] and "台账.xlsx" in q[1][4]
    assert json.loads(q[0][5])["姓名"] == "缺号"
    issues = rows(
        con, "select source_row, column_name, value, reason_code from raw.cell_issues order by 1"
    )
    assert issues == [
        (3, "毕业日期", "去年夏天", "bad_date"),
        (8, "人员类别", "长期失业人员、外星人", "bad_enum"),
    ]


def test_every_file_accounts_for_its_rows(con, tmp_path):
    d = city_dir(tmp_path)
    write_xlsx(
        d / "台账.xlsx",
        LEDGER_HEADER,
        [ledger_row(1, "张三", ID_A), [None] * len(LEDGER_HEADER), ledger_row(3, "李四", None)],
    )
    write_csv(
        d / "活动.csv",
        ["活动编号", "活动名称", "举办日期", "活动形式", "是否专场"],
        [
            ["E1", "专场", "2022-08-10", "现场招聘会", "是"],
            [None] * 5,
            ["E2", "x", "bad", "云招聘", "是"],
        ],
    )
    write_stats_xlsx(d / "统计.xlsx", "济南市", [1.0] * 17)
    (d / "空.csv").write_bytes(b"")
    run(con, tmp_path)
    got = rows(
        con,
        "select file_name, rows_read, rows_loaded, rows_quarantined, rows_blank from raw.files order by 1",
    )
    assert all(r[1] == r[2] + r[3] for r in got)
    assert {r[0]: r[1:] for r in got}["活动.csv"] == (2, 1, 1, 1)
    per_file = rows(
        con,
        """
        select f.file_path, f.rows_loaded, f.rows_quarantined,
               (select count(*) from raw.ledger l where l._file_sha256 = f.file_sha256)
             + (select count(*) from raw.events e where e._file_sha256 = f.file_sha256)
             + (select count(*) from raw.city_stats s where s._file_sha256 = f.file_sha256),
               (select count(*) from raw.quarantine q where q.file_sha256 = f.file_sha256
                                                      and q.source_row is not null)
        from raw.files f""",
    )
    assert all(r[1] == r[3] and r[2] == r[4] for r in per_file)


def test_received_at_is_china_time_and_files_after_cutoff_day_are_late(con, tmp_path):
    d = city_dir(tmp_path)
    on_time = write_csv(d / "a.csv", ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]])
    late = write_csv(
        d / "b.csv", ["身份证号", "岗位编号", "推介日期"], [[ID_A, "P1", "2022-08-03"]]
    )
    set_received(on_time, dt.datetime(2022, 8, 15, 23, 59, 0))
    set_received(late, dt.datetime(2022, 8, 16, 0, 1, 0))
    summary = run(con, tmp_path)
    assert rows(con, "select file_name, received_at, is_late from raw.files order by 1") == [
        ("a.csv", dt.datetime(2022, 8, 15, 23, 59), False),
        ("b.csv", dt.datetime(2022, 8, 16, 0, 1), True),
    ]
    assert summary.late_files == [late.relative_to(tmp_path).as_posix()]
    assert rows(con, "select _received_at from raw.referrals") == [
        (dt.datetime(2022, 8, 16, 0, 1),)
    ]


def test_files_in_the_wrong_place_are_quarantined_as_bad_location(con, tmp_path):
    header, row = ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]]
    write_csv(tmp_path / "stray.csv", header, row)
    write_csv(city_dir(tmp_path, city="379999") / "a.csv", header, row)
    write_csv(city_dir(tmp_path, cutoff="2022-08-16") / "a.csv", header, row)
    write_csv(tmp_path / "registries" / "unknown_source" / "a.csv", header, row)
    write_csv(city_dir(tmp_path, city="371200") / "莱芜.csv", header, row)  # merged city: fine
    (tmp_path / "submissions" / ".DS_Store").write_bytes(b"\x00")
    run(con, tmp_path)
    assert rows(con, "select count(*) from raw.quarantine where reason_code = 'bad_location'") == [
        (4,)
    ]
    assert rows(
        con,
        "select city_code, city_code_raw, _city_code from raw.files "
        "join raw.visits on _file_path = file_path",
    ) == [("370100", "371200", "370100")]


def test_every_raw_table_exists_with_the_documented_columns_before_any_file(con):
    create_raw_tables(con)
    described = {
        (t, c, ty)
        for t, c, ty in rows(
            con,
            "select table_name, column_name, data_type "
            "from information_schema.columns where table_schema = 'raw'",
        )
    }
    expected = {("files", c, t) for c, t in FILES_DDL} | {
        ("quarantine", c, t) for c, t in QUARANTINE_DDL
    }
    for table in terms.ALL_TABLES:
        expected |= {(table.name, c, t) for c, t in LINEAGE_DDL}
        expected |= {(table.name, c.name, SQL_TYPE.get(c.kind, "VARCHAR")) for c in table.columns}
    assert expected <= described
    assert ingest_all(con, Path("/nonexistent"), CAMPAIGN).files_seen == 0


def test_a_failure_inside_one_file_never_stops_the_others(con, tmp_path, monkeypatch):
    import pipelines.ingest.run as run_mod

    real = run_mod.parse_grid

    def flaky(grid, match, file_path):
        if "boom" in file_path:
            raise RuntimeError("simulated parser bug")
        return real(grid, match, file_path)

    monkeypatch.setattr(run_mod, "parse_grid", flaky)
    monkeypatch.setenv("WARMHEART_PARSE_ISOLATION", "inline")  # the patch lives in this process
    d = city_dir(tmp_path)
    write_csv(d / "boom.csv", ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]])
    write_csv(d / "fine.csv", ["身份证号", "走访日期"], [[ID_A, "2022-08-04"]])
    summary = run(con, tmp_path)
    assert (summary.files_loaded, summary.files_quarantined) == (1, 1)
    assert rows(con, "select reason_code from raw.quarantine") == [("unreadable_file",)]


def test_the_table_is_read_from_whichever_sheet_carries_a_recognisable_header(con, tmp_path):
    write_xlsx(
        city_dir(tmp_path) / "台账.xlsx",
        LEDGER_HEADER,
        [ledger_row(1, "张三", ID_A)],
        sheet="台账",
        extra_sheets=["填表说明"],
    )
    run(con, tmp_path)
    assert rows(con, "select sheet, header_row, rows_loaded from raw.files") == [("台账", 1, 1)]
    assert rows(con, "select _sheet, _source_row from raw.ledger") == [("台账", 2)]


def test_a_file_whose_rows_cannot_be_written_is_registered_as_quarantined(
    con, tmp_path, monkeypatch
):
    import pipelines.ingest.run as run_mod

    real = run_mod._insert

    def failing_insert(con_, table, df):
        if table == "visits":
            raise RuntimeError("simulated write failure")
        return real(con_, table, df)

    monkeypatch.setattr(run_mod, "_insert", failing_insert)
    d = city_dir(tmp_path)
    write_csv(d / "走访.csv", ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]])
    write_csv(d / "推介.csv", ["身份证号", "岗位编号", "推介日期"], [[ID_A, "P1", "2022-08-03"]])
    summary = run(con, tmp_path)
    assert (summary.files_loaded, summary.files_quarantined) == (1, 1)
    assert rows(con, "select file_name, status, rows_read from raw.files order by 1") == [
        ("推介.csv", "loaded", 1),
        ("走访.csv", "quarantined", 0),
    ]
    assert rows(con, "select count(*) from raw.visits") == [(0,)]


class _CountingConnection:
    """A DuckDB connection that counts the transactions committed through it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con, self.commits = con, 0

    def execute(self, sql: str, *args):
        self.commits += sql.strip().lower() == "commit"
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def test_files_are_written_in_batches_not_one_transaction_each(con, tmp_path, monkeypatch):
    import pipelines.ingest.run as run_mod

    monkeypatch.setattr(run_mod, "BATCH_FILES", 4)
    for city in ("370100", "370200", "370300", "370400", "370500"):
        d = city_dir(tmp_path, city)
        write_csv(d / "走访.csv", ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]])
        write_csv(
            d / "推介.csv", ["身份证号", "岗位编号", "推介日期"], [[ID_A, "P1", "2022-08-03"]]
        )
    counting = _CountingConnection(con)
    summary = ingest_all(counting, tmp_path, CAMPAIGN)  # type: ignore[arg-type]
    assert summary.files_loaded == 10
    assert counting.commits == 3  # 4 + 4 + 2 files, not 10 transactions
    assert rows(con, "select count(*), count(distinct _file_path) from raw.visits") == [(5, 5)]
    assert rows(con, "select count(*) from raw.files") == [(10,)]
