"""docs/raw_layer.md promises not held elsewhere: unreadable numbers, Office lock files, a
required column missing from the header, and folders of other campaigns."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from fixtures.ingest_files import write_csv

from pipelines.campaign import load_campaign
from pipelines.ingest import ingest_all

CAMPAIGN = load_campaign("2022-warm-heart")
ID_A = "370102198001011234"


def city_dir(
    root: Path, campaign: str = CAMPAIGN.id, cutoff: str = "2022-08-15", city: str = "370100"
) -> Path:
    return root / "submissions" / campaign / cutoff / city


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def test_an_unreadable_required_number_quarantines_the_row_and_an_optional_one_only_nulls_the_cell(
    con, tmp_path
):
    header = ["岗位编号", "用人单位", "岗位名称", "招聘人数", "月薪下限", "发布日期"]
    write_csv(
        city_dir(tmp_path) / "岗位.csv",
        header,
        [
            ["P1", "甲公司", "焊工", "很多", "4000", "2022-08-03"],
            ["P2", "乙公司", "电工", "3", "面议", "2022-08-04"],
        ],
    )
    ingest_all(con, tmp_path, CAMPAIGN)
    assert con.execute("select post_id, openings, salary_min from raw.job_posts").fetchall() == [
        ("P2", 3, None)
    ]
    assert con.execute(
        "select source_row, column_name, value, reason_code from raw.quarantine"
    ).fetchall() == [(2, "招聘人数", "很多", "bad_number")]
    assert con.execute(
        "select source_row, column_name, value, reason_code from raw.cell_issues"
    ).fetchall() == [(3, "月薪下限", "面议", "bad_number")]


def test_office_lock_files_are_recorded_as_not_an_upload_and_never_loaded(con, tmp_path):
    folder = city_dir(tmp_path)
    write_csv(folder / "走访.csv", ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]])
    (folder / "~$走访.xlsx").write_bytes(b"\x00lock")
    (folder / ".~lock.走访.csv#").write_bytes(b"lock")
    ingest_all(con, tmp_path, CAMPAIGN)
    files = con.execute(
        "select file_name, status, rows_loaded from raw.files order by file_name"
    ).fetchall()
    by_name = {name: (status, rows) for name, status, rows in files}
    assert set(by_name) == {"走访.csv", "~$走访.xlsx", ".~lock.走访.csv#"}
    assert by_name["走访.csv"][1] == 1
    for lock in ("~$走访.xlsx", ".~lock.走访.csv#"):
        assert by_name[lock][1] in (0, None)
        assert by_name[lock][0] != by_name["走访.csv"][0]
    assert con.execute("select count(*) from raw.visits").fetchone() == (1,)
    # Recorded so an operator knows they were seen, with the reason; no data row is lost.
    assert con.execute(
        "select distinct reason_code from raw.quarantine where file_path like '%lock%'"
        " or file_path like '%~$%'"
    ).fetchall() == [("not_an_upload",)]


def test_a_required_column_missing_from_the_header_quarantines_every_row(con, tmp_path):
    # 发布日期 is required for job postings; the file is otherwise recognisable.
    write_csv(
        city_dir(tmp_path) / "岗位.csv",
        ["岗位编号", "用人单位", "岗位名称", "招聘人数"],
        [["P1", "甲公司", "焊工", "2"], ["P2", "乙公司", "电工", "3"]],
    )
    ingest_all(con, tmp_path, CAMPAIGN)
    assert con.execute("select count(*) from raw.job_posts").fetchone() == (0,)
    quarantined = con.execute(
        "select source_row, column_name, reason_code, reason from raw.quarantine "
        "order by source_row"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in quarantined] == [
        (2, "发布日期", "missing_required"),
        (3, "发布日期", "missing_required"),
    ]
    assert all("missing from the header" in r[3] for r in quarantined)
    assert con.execute(
        "select rows_read, rows_loaded, rows_quarantined from raw.files"
    ).fetchall() == [(2, 0, 2)]


def test_folders_of_other_campaigns_are_loaded_as_they_are(con, tmp_path):
    header, row = ["身份证号", "走访日期"], [[ID_A, "2022-08-03"]]
    write_csv(city_dir(tmp_path) / "走访.csv", header, row)
    # Another campaign's cut-off dates are not this campaign's: still loaded, not bad_location.
    write_csv(
        city_dir(tmp_path, campaign="2023-winter", cutoff="2023-01-15") / "走访.csv", header, row
    )
    ingest_all(con, tmp_path, CAMPAIGN)
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)
    assert sorted(
        con.execute("select _campaign_id, _cutoff_date::varchar from raw.visits").fetchall()
    ) == [("2022-warm-heart", "2022-08-15"), ("2023-winter", "2023-01-15")]
