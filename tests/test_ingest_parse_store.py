"""The parse store (pipelines/ingest/cache.py): a file's bytes are parsed once, whatever
warehouse or path they arrive in, and a stored parse loads exactly what parsing would."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from fixtures.ingest_files import LEDGER_HEADER, ledger_row, write_csv, write_xlsx

from pipelines.campaign import load_campaign
from pipelines.ingest import ingest_all, run

CAMPAIGN = load_campaign("2022-warm-heart")
TABLES = ("files", "ledger", "quarantine", "cell_issues")


def city_dir(root: Path, city: str = "370100", cutoff: str = "2022-08-15") -> Path:
    return root / "submissions" / CAMPAIGN.id / cutoff / city


def campaign_files(root: Path) -> None:
    # One clean ledger, one with a missing 认定日期 (quarantined) and a bad optional date (cell issue).
    write_xlsx(
        city_dir(root) / "台账.xlsx",
        LEDGER_HEADER,
        [ledger_row(1, "张三", "370102198001011234"), ledger_row(2, "李四", "37010219800101123X")],
    )
    bad = ledger_row(2, "王五", "370102198001011250", identified_on="")
    write_csv(
        city_dir(root, "370200") / "台账.csv",
        LEDGER_HEADER,
        [ledger_row(1, "赵六", "370102198001011269"), bad],
        encoding="gb18030",
    )


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    out = {}
    for t in TABLES:
        cols = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
                "and column_name <> 'ingested_at' order by ordinal_position",
                [t],
            ).fetchall()
        ]
        out[t] = sorted(map(repr, con.execute(f"select {', '.join(cols)} from raw.{t}").fetchall()))
    return out


def test_a_rebuilt_warehouse_loads_the_same_rows_without_parsing_again(tmp_path, monkeypatch):
    campaign_files(tmp_path / "raw")
    store = tmp_path / "store"
    first = duckdb.connect()
    summary = ingest_all(first, tmp_path / "raw", CAMPAIGN, cache_dir=store)
    assert summary.files_loaded == 2 and summary.files_reused == 0
    assert len(list(store.glob("*/*/meta.json"))) == 2

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(run.ParseWorker, "submit", no_parsing)
    second = duckdb.connect()
    summary = ingest_all(second, tmp_path / "raw", CAMPAIGN, cache_dir=store)
    assert summary.files_reused == 2 and summary.files_quarantined == 0
    assert snapshot(second) == snapshot(first)
    assert second.execute("select count(*) from raw.quarantine").fetchone()[0] == 1


def test_the_same_bytes_under_another_name_reuse_the_parse_and_name_the_new_file(
    tmp_path, monkeypatch
):
    campaign_files(tmp_path / "raw")
    store = tmp_path / "store"
    ingest_all(duckdb.connect(), tmp_path / "raw", CAMPAIGN, cache_dir=store)
    moved = tmp_path / "moved"
    shutil.copytree(tmp_path / "raw", moved)
    (city_dir(moved, "370200") / "台账.csv").rename(city_dir(moved, "370200") / "更正-台账.csv")
    monkeypatch.setattr(run.ParseWorker, "submit", lambda *_a: pytest.fail("parsed again"))
    con = duckdb.connect()
    assert ingest_all(con, moved, CAMPAIGN, cache_dir=store).files_reused == 2
    (reason,) = con.execute("select reason from raw.quarantine").fetchone()
    assert "370200/更正-台账.csv: row 3" in reason and "/台账.csv" not in reason.replace(
        "更正-台账", ""
    )


def test_a_changed_file_is_parsed_and_a_misplaced_one_is_never_stored(tmp_path):
    campaign_files(tmp_path / "raw")
    store = tmp_path / "store"
    misplaced = tmp_path / "raw" / "submissions" / CAMPAIGN.id / "2022-08-16" / "370100"
    write_csv(misplaced / "台账.csv", LEDGER_HEADER, [ledger_row(1, "孙七", "370102198001011277")])
    summary = ingest_all(duckdb.connect(), tmp_path / "raw", CAMPAIGN, cache_dir=store)
    assert summary.files_quarantined == 1  # not a cut-off folder: a location problem
    assert len(list(store.glob("*/*/meta.json"))) == 2
    write_csv(
        city_dir(tmp_path / "raw", "370200") / "台账.csv",
        LEDGER_HEADER,
        [ledger_row(1, "赵六", "370102198001011269")],
        encoding="gb18030",
    )
    summary = ingest_all(duckdb.connect(), tmp_path / "raw", CAMPAIGN, cache_dir=store)
    assert summary.files_reused == 1 and summary.files_loaded == 2
    assert len(list(store.glob("*/*/meta.json"))) == 3


def test_the_gate_is_told_once_when_a_new_file_arrives_and_not_on_a_rerun(tmp_path):
    campaign_files(tmp_path / "raw")
    con = duckdb.connect()
    told = []
    ingest_all(con, tmp_path / "raw", CAMPAIGN, on_new_file=lambda: told.append(1))
    assert told == [1]  # two new files, one call
    ingest_all(con, tmp_path / "raw", CAMPAIGN, on_new_file=lambda: told.append(2))
    assert told == [1]  # nothing new
