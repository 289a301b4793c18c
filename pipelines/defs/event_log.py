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
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

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
