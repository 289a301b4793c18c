"""Dagster's SQLite event log is written without a disk flush per event (event_log.py)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys

import dagster as dg
import sqlalchemy as sa

import pipelines.defs  # noqa: F401  (loading the definitions installs the pragma)
from pipelines.defs.event_log import unflushed_sqlite_event_log

SYNCHRONOUS_OFF = 0


def test_the_dagster_event_log_of_a_run_is_not_flushed_per_event(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        storage = instance.event_log_storage
        with storage.run_connection("some-run") as conn:
            level = conn.execute(sa.text("PRAGMA synchronous")).scalar()
        with storage.index_connection() as conn:
            index_level = conn.execute(sa.text("PRAGMA synchronous")).scalar()
    assert (level, index_level) == (SYNCHRONOUS_OFF, SYNCHRONOUS_OFF)


def test_an_operator_can_keep_sqlites_flush_per_commit(tmp_path):
    code = (
        "import sqlalchemy as sa, pipelines.defs\n"
        f"e = sa.create_engine('sqlite:///{tmp_path / 'x.db'}')\n"
        "with e.connect() as c: print(c.execute(sa.text('PRAGMA synchronous')).scalar())\n"
    )
    env = {**os.environ, "WARMHEART_DAGSTER_FSYNC": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2"  # SQLite's default, FULL
    assert unflushed_sqlite_event_log() is True  # this process: installed once, still on


def test_the_event_log_stores_every_event_through_one_connection_per_database(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        storage = instance.event_log_storage
        seen = []  # the objects themselves: a freed connection's id could be reused
        for _ in range(3):
            with storage.run_connection("some-run") as conn:
                seen.append(conn.connection.dbapi_connection)
                conn.execute(sa.text("create table if not exists t (x int)"))
                conn.execute(sa.text("insert into t values (1)"))
        # Each use is its own committed transaction: another connection (the UI's) sees it.
        shard = storage.conn_string_for_shard("some-run").removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(shard)) as other:
            rows = other.execute("select count(*) from t").fetchone()[0]
        seen_index = []
        for _ in range(2):
            with storage.index_connection() as conn:
                seen_index.append(conn.connection.dbapi_connection)
    distinct = (len({id(c) for c in seen}), len({id(c) for c in seen_index}))
    assert (distinct, rows) == ((1, 1), 3)


def test_the_event_log_asks_sqlite_for_a_present_table_once(tmp_path, monkeypatch):
    from dagster._core.storage.event_log.sqlite import sqlite_event_log as sel

    connects = []
    monkeypatch.setattr(
        sel, "create_engine", lambda *a, **k: connects.append(a) or sa.create_engine(*a, **k)
    )
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        storage = instance.event_log_storage
        before = len(connects)
        answers = [storage.has_table("asset_check_executions") for _ in range(3)]
        answers.append(storage.has_table("no_such_table"))
        answers.append(storage.has_table("no_such_table"))
        asked = len(connects) - before
    # One question for the present table, one for each ask of the missing one.
    assert (answers, asked) == ([True, True, True, False, False], 3)
