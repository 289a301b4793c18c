"""A rerun rewrites only the 问题反馈 workbooks whose content changed (issue 10).

Writing 96 workbooks of thousands of rows each was most of the publish stage; a
corrected upload changes one city's, so every other city keeps its file byte for byte.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines import terms
from pipelines.publish import feedback, xlsx_stream
from pipelines.publish.restricted import EXPORTS, write_restricted_exports

CUTOFF = "2022-08-30"


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema restricted")
    con.execute("create schema intermediate")
    for export in EXPORTS:
        con.execute(f"create table {export.relation} (cutoff_date date, city_code varchar)")
    con.execute(
        f"""create table {feedback.FEEDBACK_RELATION} (
            cutoff_date date, city_code varchar, section varchar, issue_level varchar,
            reason_code varchar, file_path varchar, file_name varchar, sheet varchar,
            source_row integer, column_name varchar, value varchar, person_key varchar,
            subject varchar, reported_value double, computed_value double,
            id_number varchar, name varchar, phone varchar, detail varchar)"""
    )
    con.execute(
        f"""create table {feedback.FILES_RELATION} (
            cutoff_date date, city_code varchar, file_name varchar, file_path varchar,
            table_type varchar, received_at timestamp, is_late boolean, is_current boolean,
            is_superseded boolean, rows_read integer, rows_loaded integer,
            rows_quarantined integer)"""
    )
    for code, value in (("370100", "打零工"), ("370200", "种地")):
        con.execute(
            f"insert into {feedback.FEEDBACK_RELATION} (cutoff_date, city_code, section, "
            "issue_level, reason_code, file_name, source_row, column_name, value) "
            "values (?, ?, 'data_issue', 'cell', 'bad_enum', '台账.xlsx', 7, '就业方式', ?)",
            [dt.date.fromisoformat(CUTOFF), code, value],
        )
    return con


def _workbook(root: Path, code: str) -> Path:
    return root / CUTOFF / code / feedback.file_name(code, dt.date.fromisoformat(CUTOFF))


def _publish(con: duckdb.DuckDBPyConnection, root: Path):
    return write_restricted_exports(con, CUTOFF, root, log=lambda _m: None, campaign_name="暖心")


def test_a_rerun_keeps_unchanged_workbooks_and_rewrites_the_changed_city(tmp_path):
    con, root = _warehouse(), tmp_path / "restricted"
    first = _publish(con, root)
    assert sorted(first.feedback_rewritten) == sorted(terms.CITIES)  # nothing to keep yet
    before = {code: _workbook(root, code).read_bytes() for code in terms.CITIES}
    inode = {code: _workbook(root, code).stat().st_ino for code in terms.CITIES}

    con.execute(
        f"update {feedback.FEEDBACK_RELATION} set value = '摆摊' where city_code = '370200'"
    )
    again = _publish(con, root)

    assert again.feedback_rewritten == ["370200"]
    for code in terms.CITIES:
        path = _workbook(root, code)
        if code == "370200":
            assert path.read_bytes() != before[code]
            ws = openpyxl.load_workbook(path)["数据问题"]
            assert "摆摊" in [c for row in ws.iter_rows(values_only=True) for c in row]
        else:  # the very file of the first run, not a copy written again
            assert path.read_bytes() == before[code]
            assert path.stat().st_ino == inode[code]
    assert not list(root.glob(".*"))  # no staging debris


def test_an_unchanged_rerun_writes_no_workbook_and_gives_the_same_bytes(tmp_path):
    con, root = _warehouse(), tmp_path / "restricted"
    _publish(con, root)
    before = {p: p.read_bytes() for p in root.rglob("*.xlsx")}
    assert _publish(con, root).feedback_rewritten == []
    assert {p: p.read_bytes() for p in root.rglob("*.xlsx")} == before


def test_a_layout_change_or_a_workbook_not_written_by_us_is_rewritten(tmp_path, monkeypatch):
    con, root = _warehouse(), tmp_path / "restricted"
    _publish(con, root)
    foreign = _workbook(root, "370300")
    foreign.write_bytes(b"not a workbook")
    assert _publish(con, root).feedback_rewritten == ["370300"]
    assert feedback.stored_digest(foreign) is not None

    monkeypatch.setattr(feedback, "LAYOUT_KEY", "another layout")
    assert sorted(_publish(con, root).feedback_rewritten) == sorted(terms.CITIES)


@pytest.mark.parametrize("text", ["abc", "中文abc", "①②（）", "\u2e7f\u2e80", "😀x", ""])
def test_display_width_counts_wide_characters_twice(text):
    width = pl.select(xlsx_stream.display_width(pl.lit(text, dtype=pl.String))).item()
    assert width == sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def test_cities_written_in_parallel_give_the_bytes_written_one_at_a_time(tmp_path, monkeypatch):
    con = _warehouse()
    for i, code in enumerate(terms.CITIES):  # every city with items of its own
        con.execute(
            f"insert into {feedback.FEEDBACK_RELATION} (cutoff_date, city_code, section, "
            "issue_level, reason_code, file_name, source_row, column_name, value) "
            "values (?, ?, 'data_issue', 'cell', 'bad_enum', '台账.xlsx', ?, '就业方式', ?)",
            [dt.date.fromisoformat(CUTOFF), code, 8 + i, f"值{i}"],
        )
    cutoff = dt.date.fromisoformat(CUTOFF)
    monkeypatch.setattr(feedback, "FEEDBACK_THREADS", 1)
    alone = feedback.write_city_feedback(con, cutoff, tmp_path / "alone", "暖心")
    monkeypatch.setattr(feedback, "FEEDBACK_THREADS", 4)
    parallel = feedback.write_city_feedback(con, cutoff, tmp_path / "parallel", "暖心")
    assert parallel.rewritten == alone.rewritten == list(terms.CITIES)
    for code in terms.CITIES:
        assert parallel.paths[code].read_bytes() == alone.paths[code].read_bytes()


def test_an_unchanged_city_is_recognised_before_its_sheets_are_laid_out(tmp_path, monkeypatch):
    """The digest is taken from the city's items and files: a rerun lays out only the
    cities whose rows changed (at a province's size, laying out 96 workbooks only to find
    them unchanged took seconds)."""
    con, root = _warehouse(), tmp_path / "restricted"
    _publish(con, root)
    laid_out: list[str] = []
    build = feedback.build_sheets

    def counting(fb):
        laid_out.append(fb.city_code)
        return build(fb)

    monkeypatch.setattr(feedback, "build_sheets", counting)
    con.execute(
        f"update {feedback.FEEDBACK_RELATION} set source_row = 8 where city_code = '370100'"
    )
    assert _publish(con, root).feedback_rewritten == ["370100"]
    assert laid_out == ["370100"]


def test_the_same_items_in_another_order_keep_every_workbook(tmp_path):
    """A rebuilt table hands its rows back in another order; the workbooks sort them, so
    nothing is rewritten."""
    con, root = _warehouse(), tmp_path / "restricted"
    con.execute(
        f"insert into {feedback.FEEDBACK_RELATION} (cutoff_date, city_code, section, "
        "issue_level, reason_code, file_name, source_row, column_name, value) "
        "select cutoff_date, city_code, section, issue_level, reason_code, file_name, "
        f"source_row + 1, column_name, value || '2' from {feedback.FEEDBACK_RELATION}"
    )
    _publish(con, root)
    for order in ("desc", "asc"):
        con.execute(
            f"create or replace table {feedback.FEEDBACK_RELATION} as select * from "
            f"{feedback.FEEDBACK_RELATION} order by source_row {order}"
        )
        assert _publish(con, root).feedback_rewritten == []


def test_a_cut_off_whose_cities_are_all_unchanged_is_not_loaded(tmp_path, monkeypatch):
    """The cities' fingerprints are taken in DuckDB: a rerun loads a cut-off's items only
    when one of its cities changed (loading the six cut-offs of a province to find one
    city changed took more than a second)."""
    con, root = _warehouse(), tmp_path / "restricted"
    _publish(con, root)
    loaded: list[dt.date] = []
    load = feedback.load_items

    def counting(con, cutoff):
        loaded.append(cutoff)
        return load(con, cutoff)

    monkeypatch.setattr(feedback, "load_items", counting)
    assert _publish(con, root).feedback_rewritten == []
    assert loaded == []
    con.execute(
        f"update {feedback.FEEDBACK_RELATION} set value = '务农' where city_code = '370200'"
    )
    assert _publish(con, root).feedback_rewritten == ["370200"]
    assert loaded == [dt.date.fromisoformat(CUTOFF)]


def test_fingerprints_of_every_cut_off_at_once_equal_those_taken_one_cut_off_at_a_time():
    con = _warehouse()
    con.execute(
        f"insert into {feedback.FEEDBACK_RELATION} (cutoff_date, city_code, section, value) "
        "values ('2022-09-15', '370100', 'todo', 'x'), ('2022-09-15', null, 'todo', 'y')"
    )
    every = feedback.content_fingerprints(con)
    for day in (dt.date.fromisoformat(CUTOFF), dt.date(2022, 9, 15)):
        one = feedback.content_fingerprints(con, day)
        assert one == {k: v for k, v in every.items() if k[0] == day} != {}
    assert len(every) == 3  # two cities at 08-30, one at 09-15; a row without a city is no one's


def test_a_rerun_keeps_the_lists_of_unchanged_cities_and_rewrites_the_changed_one(tmp_path):
    con, root = _warehouse(), tmp_path / "restricted"
    relation = EXPORTS[0].relation
    for code in ("370100", "370200"):
        con.execute(f"insert into {relation} values (?, ?)", [dt.date.fromisoformat(CUTOFF), code])
    _publish(con, root)

    def lists() -> dict[str, int]:
        return {
            p.relative_to(root).as_posix(): p.stat().st_ino for p in root.glob(f"{CUTOFF}/*/*.csv")
        }

    before = lists()
    assert len(before) == 2
    con.execute(f"insert into {relation} values (?, '370200')", [dt.date.fromisoformat(CUTOFF)])
    _publish(con, root)
    after = lists()
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == [f"{CUTOFF}/370200/{EXPORTS[0].name}.csv"]
    rows = (root / changed[0]).read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 3  # the header and the city's two rows
