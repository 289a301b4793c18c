"""Publication is all or nothing: a failure anywhere leaves the previous marts byte-for-byte."""

import hashlib
import json
import os
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.checks import report as gate_report
from pipelines.checks.outcomes import CheckOutcome
from pipelines.publish import files, publisher


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("create schema marts")
    c.execute("create table marts.rpt_campaign_stats as select 1 as a, '济南市' as city_name")
    c.execute("create table marts.rpt_other as select 2 as b")
    yield c
    c.close()


@pytest.fixture
def published(con, tmp_path: Path) -> Path:
    marts = tmp_path / "marts"
    marts.mkdir()
    (marts / ".gitkeep").write_text("")
    (marts / "by_cutoff" / "2022-08-15").mkdir(parents=True)
    (marts / "by_cutoff" / "2022-08-15" / "rpt_campaign_stats.csv").write_text("old slice")
    (marts / "rpt_dropped.parquet").write_bytes(b"a mart no longer built")
    publisher.publish_marts(con, marts)
    return marts


def test_publication_swaps_in_a_complete_version_and_keeps_what_later_steps_wrote(published: Path):
    names = {p.name for p in published.iterdir()}
    assert {
        "rpt_campaign_stats.parquet",
        "rpt_campaign_stats.csv",
        "rpt_other.csv",
        ".gitkeep",
        "by_cutoff",
    } <= names
    assert "rpt_dropped.parquet" not in names  # publication owns top-level mart files
    assert (
        published / "by_cutoff" / "2022-08-15" / "rpt_campaign_stats.csv"
    ).read_text() == "old slice"
    assert (published / "rpt_campaign_stats.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert [p.name for p in published.parent.iterdir() if p.name.startswith(".")] == []


def test_writer_failing_mid_way_leaves_previous_publication_byte_for_byte(con, published: Path):
    before = snapshot(published)
    con.execute("create or replace table marts.rpt_campaign_stats as select 99 as a")

    def half_then_crash(_con, folder: Path) -> list[Path]:
        (folder / "official.xlsx").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        publisher.publish_marts(con, published, [half_then_crash])
    assert snapshot(published) == before
    assert [p.name for p in published.parent.iterdir() if p.name.startswith(".")] == []


def test_failure_during_the_swap_puts_the_previous_folder_back(con, published: Path, monkeypatch):
    before = snapshot(published)
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append((src, dst))
        if Path(dst) == published and ".building-" in str(src):  # the new version moving into place
            raise OSError("rename failed")
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", flaky_replace)
    with pytest.raises(OSError, match="rename failed"):
        publisher.publish_marts(con, published)
    monkeypatch.undo()
    assert snapshot(published) == before


def test_first_publication_creates_the_folder(con, tmp_path: Path):
    pub = publisher.publish_marts(con, tmp_path / "new" / "marts")
    assert pub.rows == {"rpt_campaign_stats": 1, "rpt_other": 1}
    assert all(p.exists() for p in pub.files)


def test_a_republication_keeps_the_files_of_unchanged_marts_and_rewrites_the_rest(
    con, published: Path
):
    """A correction changes a few marts: the others keep their files (the same inode, so
    the same bytes) instead of being read and written again."""
    inode = {p.name: p.stat().st_ino for p in published.glob("rpt_*.*")}
    con.execute("insert into marts.rpt_other values (3)")
    pub = publisher.publish_marts(con, published)
    now = {p.name: p.stat().st_ino for p in published.glob("rpt_*.*")}
    kept = {name for name in now if now[name] == inode.get(name)}
    assert kept == {"rpt_campaign_stats.parquet", "rpt_campaign_stats.csv"}
    assert pub.rows == {"rpt_campaign_stats": 1, "rpt_other": 2}
    assert (published / "rpt_other.csv").read_text(encoding="utf-8-sig") == "b\n2\n3\n"


def test_a_published_file_edited_by_hand_is_written_again(con, published: Path):
    csv = published / "rpt_campaign_stats.csv"
    original = csv.read_bytes()
    csv.write_bytes(original.replace(b"1", b"9"))  # an analyst saved it from Excel
    publisher.publish_marts(con, published)
    assert csv.read_bytes() == original


def test_gate_report_lists_checks_with_counts_and_examples(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WARMHEART_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    bad = CheckOutcome(
        "expect_column_values_to_be_between",
        "raw.reg_temp_relief",
        "raw.reg_temp_relief",
        "blocking",
        False,
        "amounts are not negative",
        "amount_yuan",
        1,
        5,
        [{"_file_path": "registries/temp_relief/a.csv", "_source_row": 5, "amount_yuan": -1.0}],
    )
    warn = CheckOutcome(
        "expect_column_pair_values_a_to_be_greater_than_b",
        "raw.city_stats",
        "raw.city_stats",
        "warning",
        False,
        "parts ≤ total",
        "targets_identified, long_term_unemployed",
        1,
        1,
    )
    ok = CheckOutcome(
        "expect_column_values_to_not_be_null",
        "raw.ledger",
        "raw.ledger",
        "blocking",
        True,
        "required",
        "id_number",
        0,
        10,
    )
    gate_report.record_section("run-1", "raw.reg_temp_relief", [bad, ok])
    md_path = gate_report.record_section("run-1", "raw.city_stats", [warn])
    assert md_path == tmp_path / "gate_reports" / "run-1" / "report.md"
    report = json.loads((md_path.parent / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "failed"
    assert report["counts"] == {
        "checks": 3,
        "passed": 1,
        "failed_blocking": 1,
        "failed_warnings": 1,
        "dbt_tests": 0,
        "dbt_tests_failed": 0,
    }
    md = md_path.read_text(encoding="utf-8")
    assert "⛔ FAIL" in md and "⚠️ warn" in md and "registries/temp_relief/a.csv" in md
    assert "not published" in md


@pytest.fixture
def progress_con():
    """A mart published per cut-off (publisher.MARTS_BY_CUTOFF) beside an ordinary one."""
    c = duckdb.connect()
    c.execute("create schema marts")
    c.execute("create table marts.rpt_other as select 2 as b")
    c.execute(
        "create table marts.fct_target_progress as select * from (values "
        "('2022-08-15'::date, '370100', 'k1', true), ('2022-08-15'::date, '370200', 'k2', false),"
        "('2022-08-30'::date, '370100', 'k1', false), ('2022-08-30'::date, '370200', 'k3', true)"
        ") v(cutoff_date, city_code, person_key, is_visited)"
    )
    yield c
    c.close()


def _progress_files(marts: Path) -> dict[str, int]:
    return {
        p.relative_to(marts).as_posix(): p.stat().st_ino
        for p in sorted((marts / "fct_target_progress").iterdir())
    }


def test_a_mart_by_cutoff_is_published_as_one_pair_of_files_per_cutoff(progress_con, tmp_path):
    """fct_target_progress (1.4 M rows at province scale) does not fit one Excel sheet: each
    cut-off's rows are a file pair of their own, and no file holds the whole table."""
    assert "fct_target_progress" in publisher.MARTS_BY_CUTOFF
    marts = tmp_path / "marts"
    pub = publisher.publish_marts(progress_con, marts)
    assert list(_progress_files(marts)) == [
        "fct_target_progress/fct_target_progress_2022-08-15.csv",
        "fct_target_progress/fct_target_progress_2022-08-15.parquet",
        "fct_target_progress/fct_target_progress_2022-08-30.csv",
        "fct_target_progress/fct_target_progress_2022-08-30.parquet",
    ]
    assert not list(marts.glob("fct_target_progress.*"))
    assert pub.rows == {"rpt_other": 1, "fct_target_progress": 4}
    first = marts / "fct_target_progress" / "fct_target_progress_2022-08-15.csv"
    assert first.read_text(encoding="utf-8-sig").splitlines() == [
        "cutoff_date,city_code,person_key,is_visited",
        "2022-08-15,370100,k1,true",
        "2022-08-15,370200,k2,false",
    ]
    whole = pl.read_parquet(marts / "fct_target_progress" / "*.parquet")
    assert whole.height == 4 and whole["person_key"].to_list() == ["k1", "k2", "k1", "k3"]
    assert oct((marts / "fct_target_progress").stat().st_mode & 0o777) == oct(files.SHARED.folder)


def test_a_change_in_one_cutoff_rewrites_that_cutoffs_files_only(progress_con, tmp_path):
    marts = tmp_path / "marts"
    publisher.publish_marts(progress_con, marts)
    before = _progress_files(marts)
    progress_con.execute(
        "update marts.fct_target_progress set is_visited = true where person_key = 'k2'"
    )
    publisher.publish_marts(progress_con, marts)
    after = _progress_files(marts)
    kept = {name for name in after if after[name] == before.get(name)}
    assert kept == {
        "fct_target_progress/fct_target_progress_2022-08-30.csv",
        "fct_target_progress/fct_target_progress_2022-08-30.parquet",
    }
    changed = marts / "fct_target_progress" / "fct_target_progress_2022-08-15.csv"
    assert "2022-08-15,370200,k2,true" in changed.read_text(encoding="utf-8-sig")


def test_a_cutoff_no_longer_in_the_mart_loses_its_files(progress_con, tmp_path):
    """The publication owns the mart's folder: it is not carried over like by_cutoff/."""
    marts = tmp_path / "marts"
    publisher.publish_marts(progress_con, marts)
    progress_con.execute("delete from marts.fct_target_progress where cutoff_date = '2022-08-30'")
    pub = publisher.publish_marts(progress_con, marts)
    assert list(_progress_files(marts)) == [
        "fct_target_progress/fct_target_progress_2022-08-15.csv",
        "fct_target_progress/fct_target_progress_2022-08-15.parquet",
    ]
    assert pub.rows["fct_target_progress"] == 2
    progress_con.execute("delete from marts.fct_target_progress")
    publisher.publish_marts(progress_con, marts)
    assert not (marts / "fct_target_progress").exists()  # not the previous version's files


def test_a_database_attached_beside_does_not_list_its_marts_twice(progress_con, tmp_path):
    """The analysts' copy is built on another cursor while the mart files are written, and
    attaches a file with the same schema and tables: each mart is still published once."""
    progress_con.execute(f"attach '{tmp_path / 'copy.duckdb'}' as copy")
    progress_con.execute(
        "create schema copy.marts; "
        "create table copy.marts.fct_target_progress as from marts.fct_target_progress"
    )
    assert publisher.mart_tables(progress_con) == ["fct_target_progress", "rpt_other"]
    marts = tmp_path / "marts"
    publisher.publish_marts(progress_con, marts)
    pub = publisher.publish_marts(progress_con, marts)  # the second keeps every file
    assert pub.rows == {"rpt_other": 1, "fct_target_progress": 4}
