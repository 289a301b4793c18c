"""Dagster's SQLite event log without a disk flush per event.

Dagster opens, commits and closes a SQLite connection for every event it stores (one
row in the run's database, another in the cross-run index), about 2,000 per run of this
project (a materialisation per model, a check result per dbt test). Each commit and
each close (SQLite checkpoints the write-ahead log when its last connection closes)
waits for the disk: measured here at about 16 ms an event, more than the dbt models of
a small campaign take.

`synchronous=OFF` lets the operating system write the pages when it likes. A crash of
this process, or of Dagster, loses nothing (the pages are already handed to the OS);
only a power cut or kernel crash in the middle of a run could lose that run's last
events, or in the worst case damage the history database, which `dagster` then
reports when it opens it (the warehouse and the published marts are separate files
and are never affected). See docs/decisions.md. Set WARMHEART_DAGSTER_FSYNC=1 to keep
SQLite's default.

`reuse_event_log_connections` keeps one engine and connection per shard instead of one
per event, and remembers which tables the index database has.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

_INSTALLED = False


def _no_flush(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        try:
            cur.execute("PRAGMA synchronous=OFF")
        finally:
            cur.close()


def unflushed_sqlite_event_log() -> bool:
    """Install the pragma for every SQLite connection this process opens (once);
    whether it is installed."""
    global _INSTALLED
    if os.environ.get("WARMHEART_DAGSTER_FSYNC") == "1":
        return False
    if not _INSTALLED:
        event.listen(Engine, "connect", _no_flush)
        _INSTALLED = True
    return True


def reuse_event_log_connections() -> None:
    """One SQLAlchemy engine and one connection per shard for the life of the storage.

    Dagster builds a new engine for every event it stores and disposes of it after, so
    each event also opened a connection and recompiled its INSERT (the compiled-statement
    cache lives on the engine): 2.3 s of a run's start went to storing the ≈ 360
    "planned" events alone, 0.9 s after. Each event is still its own committed
    transaction, so another process (the UI) sees it at once.
    """
    from dagster._core.storage.event_log.sqlite import sqlite_event_log as sel

    @contextmanager
    def connect(self: sel.SqliteEventLogStorage, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            # Per storage object: its lock is what keeps two threads off one connection.
            engines: dict[str, Engine] = self.__dict__.setdefault("_warmheart_engines", {})
            conn_string = self.conn_string_for_shard(shard)
            engine = engines.get(conn_string)
            if engine is None:
                engine = engines[conn_string] = sel.create_engine(
                    conn_string,
                    poolclass=StaticPool,
                    connect_args={
                        "timeout": sel.SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    has_table = sel.SqliteEventLogStorage.has_table

    def has_table_known(self: sel.SqliteEventLogStorage, table_name: str) -> bool:
        # Dagster asks before storing each materialisation and check result (twice), and
        # answered each time with a new engine and connection: 1.4 s sampled in a corrected
        # ledger's run here. A table, once there, stays: only a yes is remembered.
        known: set[str] = self.__dict__.setdefault("_warmheart_tables", set())
        if table_name in known:
            return True
        if has_table(self, table_name):
            known.add(table_name)
            return True
        return False

    if not getattr(sel.SqliteEventLogStorage._connect, "warmheart", False):
        connect.warmheart = True  # type: ignore[attr-defined]
        sel.SqliteEventLogStorage._connect = connect
        sel.SqliteEventLogStorage.has_table = has_table_known
