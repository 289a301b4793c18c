"""The four further city tables of contract §3 (援助基地, 结对帮扶, 联系人, 典型案例/意见建议)
go through the same ingestion: recognised by their headers whatever the file name,
lineage kept, rows failing a required (or conditionally required) cell quarantined
with file, row and column named, and free text kept exactly as written.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from fixtures.ingest_files import write_csv, write_xlsx

from pipelines import terms
from pipelines.campaign import load_campaign
from pipelines.ingest import ingest_all

CAMPAIGN = load_campaign("2022-warm-heart")
CITY_DIR = ("submissions", CAMPAIGN.id, "2022-08-15", "370100")


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def folder(root: Path) -> Path:
    return root.joinpath(*CITY_DIR)


def test_each_new_table_is_recognised_from_its_header_row(con, tmp_path):
    d = folder(tmp_path)
    write_xlsx(
        d / "附件1.xlsx",
        [
            "序号",
            "基地编号",
            "基地名称",
            "基地类型",
            "运营单位（全称）",
            "统一社会信用代码",
            "认定日期",
            "提供岗位数",
            "联系人",
            "联系电话",
        ],
        [
            [
                1,
                "JD01",
                "暖心基地",
                "就业援助基地",
                "某公司",
                "91370100MA3C000010",
                dt.date(2022, 8, 1),
                20,
                "王五",
                "0531-1234567",
            ]
        ],
        title_lines=["济南市就业援助基地名单"],
    )
    write_csv(
        d / "附件2.csv",
        [
            "结对编号",
            "结对类型",
            "帮扶方",
            "帮扶方统一社会信用代码",
            "援助对象姓名",
            "援助对象身份证号",
            "结对社区",
            "结对日期",
            "解除日期",
        ],
        [["JD1", "干部结对援助对象", "赵六", "", "张三", "370102198001011234", "", "2022/8/5", ""]],
    )
    write_csv(
        d / "附件3.csv",
        ["姓名", "单位", "职务", "办公电话", "手机", "电子邮箱"],
        [["钱七", "济南市人社局", "科长", "0531-7654321", "138 0013 8000", "a@b.cn"]],
        encoding="gb18030",
    )
    write_csv(d / "附件4.csv", ["标题", "内容", "涉及人数"], [["案例一", "内容", "3"]])
    write_csv(d / "附件5.csv", ["序号", "内容"], [["1", "建议"]])
    ingest_all(con, tmp_path, CAMPAIGN)
    got = dict(con.execute("select file_name, table_type from raw.files").fetchall())
    assert got == {
        "附件1.xlsx": "bases",
        "附件2.csv": "pairings",
        "附件3.csv": "contacts",
        "附件4.csv": "cases",
        "附件5.csv": "suggestions",
    }
    assert con.execute(
        "select _source_row, _file_path, base_type, recognised_on from raw.bases"
    ).fetchall() == [(3, "/".join((*CITY_DIR, "附件1.xlsx")), "就业援助基地", dt.date(2022, 8, 1))]
    assert con.execute("select mobile from raw.contacts").fetchall() == [("138 0013 8000",)]


def test_free_text_is_kept_exactly_as_written(con, tmp_path):
    text = '=HYPERLINK("http://x")，全角（括号）\n第二段  两个空格'
    write_xlsx(folder(tmp_path) / "cases.xlsx", ["标题", "内容"], [["  ＡＢ标题", text]])
    write_csv(folder(tmp_path) / "s.csv", ["内容"], [["+1+1 建议，　全角空格"]])
    ingest_all(con, tmp_path, CAMPAIGN)
    assert con.execute("select title, content from raw.cases").fetchall() == [("  ＡＢ标题", text)]
    assert con.execute("select content from raw.suggestions").fetchall() == [
        ("+1+1 建议，　全角空格",)
    ]


def test_a_pairing_missing_what_its_type_requires_is_quarantined_with_the_reason(con, tmp_path):
    header = [
        "结对编号",
        "结对类型",
        "帮扶方",
        "援助对象姓名",
        "援助对象身份证号",
        "结对社区",
        "结对日期",
    ]
    write_csv(
        folder(tmp_path) / "p.csv",
        header,
        [
            ["P1", terms.PAIRING_CADRE_TARGET, "赵六", "张三", "", "", "2022-08-05"],  # no ID
            [
                "P2",
                terms.PAIRING_ENTERPRISE_COMMUNITY,
                "某公司",
                "",
                "",
                "",
                "2022-08-05",
            ],  # no community
            ["P3", terms.PAIRING_ENTERPRISE_COMMUNITY, "某公司", "", "", "幸福社区", "2022-08-05"],
            [
                "P4",
                terms.PAIRING_CADRE_TARGET,
                "赵六",
                "张三",
                "370102198001011234",
                "",
                "2022-08-05",
            ],
        ],
    )
    ingest_all(con, tmp_path, CAMPAIGN)
    assert con.execute("select pairing_id from raw.pairings order by 1").fetchall() == [
        ("P3",),
        ("P4",),
    ]
    got = con.execute(
        "select source_row, column_name, reason_code, reason, row_json "
        "from raw.quarantine order by source_row"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in got] == [
        (2, "援助对象身份证号", "missing_required"),
        (3, "结对社区", "missing_required"),
    ]
    assert "p.csv: row 2, column 援助对象身份证号" in got[0][3]
    assert json.loads(got[1][4])["结对编号"] == "P2"


def test_a_contact_without_a_mobile_is_quarantined(con, tmp_path):
    write_csv(folder(tmp_path) / "c.csv", ["姓名", "手机"], [["钱七", ""], ["孙八", "13800138000"]])
    ingest_all(con, tmp_path, CAMPAIGN)
    assert con.execute("select name from raw.contacts").fetchall() == [("孙八",)]
    assert con.execute("select column_name, reason_code from raw.quarantine").fetchall() == [
        ("手机", "missing_required")
    ]
