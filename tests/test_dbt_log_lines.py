"""warmheart-dbt builds a log line only for a logger that writes it (pipelines/dbt_child.py
skip_unlogged_lines, skip_unread_events): dbt writes the same lines, and builds none it
would drop."""

from __future__ import annotations

import io
import json
import logging

from dbt_common.events import logger as dbt_logger
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.logger import LineFormat, LoggerConfig
from dbt_common.events.types import Note

from pipelines.dbt_child import skip_unlogged_lines, skip_unread_events


def _log(name: str) -> tuple[list[tuple[str, str]], int]:
    """Fire a debug, an info and a warn event at a JSON logger at info; the lines written
    (level, message) and how many lines were built."""
    built = 0
    create_line = dbt_logger._JsonLogger.create_line

    def counting(self, msg):
        nonlocal built
        built += 1
        return create_line(self, msg)

    dbt_logger._JsonLogger.create_line = counting
    try:
        out = io.StringIO()
        manager = EventManager()
        manager.add_logger(
            LoggerConfig(
                name=name, line_format=LineFormat.Json, level=EventLevel.INFO, output_stream=out
            )
        )
        for level in (EventLevel.DEBUG, EventLevel.INFO, EventLevel.WARN):
            manager.fire_event(Note(msg=f"a {level.value} note"), level=level)
    finally:
        dbt_logger._JsonLogger.create_line = create_line
        logging.getLogger(name).handlers.clear()
    lines = [json.loads(line)["info"] for line in out.getvalue().splitlines()]
    return [(line["level"], line["msg"]) for line in lines], built


def test_the_same_lines_are_written_and_none_is_built_for_nothing(monkeypatch):
    monkeypatch.setattr(dbt_logger._Logger, "write_line", dbt_logger._Logger.write_line)
    before, built_before = _log("warmheart-test-before")
    skip_unlogged_lines()
    skip_unlogged_lines()  # a second call in the same process changes nothing
    after, built_after = _log("warmheart-test-after")
    assert before == after == [("info", "a info note"), ("warn", "a warn note")]
    assert (built_before, built_after) == (3, 2)


def _fire_sql(name: str, level: EventLevel, callbacks: list | None = None):
    """Fire one debug event (dbt-adapters' SQLQuery) and one info note at a JSON logger at
    `level`; the event, and the lines written (name, level, message)."""
    from dbt.adapters.events.types import SQLQuery
    from dbt.tracking import track_behavior_change_warn

    out = io.StringIO()
    manager = EventManager()
    manager.add_logger(
        LoggerConfig(name=name, line_format=LineFormat.Json, level=level, output_stream=out)
    )
    for callback in [track_behavior_change_warn, *(callbacks or [])]:  # dbt's own first
        manager.add_callback(callback)
    event = SQLQuery(conn_name="c", sql="select 42", node_info={})
    try:
        manager.fire_event(event)
        manager.fire_event(Note(msg="an info note"))
    finally:
        logging.getLogger(name).handlers.clear()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return event, [(x["info"]["name"], x["info"]["level"], x["info"]["msg"]) for x in lines]


def _unread_events_skipped(monkeypatch) -> None:
    from dbt_common.events import base_types

    for name in ("__init__", "__getattr__", "__setattr__"):
        monkeypatch.setattr(base_types.BaseEvent, name, base_types.BaseEvent.__dict__[name])
    monkeypatch.setattr(EventManager, "fire_event", EventManager.fire_event)
    skip_unread_events()
    skip_unread_events()  # a second call in the same process changes nothing


def test_a_debug_event_nothing_reads_is_never_built(monkeypatch):
    _, before = _fire_sql("warmheart-test-sql-before", EventLevel.INFO)
    _unread_events_skipped(monkeypatch)
    event, after = _fire_sql("warmheart-test-sql-after", EventLevel.INFO)
    assert before == after == [("Note", "info", "an info note")]
    assert "_warmheart_pending" in event.__dict__  # its message was never made
    assert "pb_msg" not in event.__dict__


def test_a_debug_event_is_built_and_written_when_a_logger_writes_debug(monkeypatch):
    _, before = _fire_sql("warmheart-test-debug-before", EventLevel.DEBUG)
    _unread_events_skipped(monkeypatch)
    event, after = _fire_sql("warmheart-test-debug-after", EventLevel.DEBUG)
    assert before == after
    assert after[0][:2] == ("SQLQuery", "debug") and "select 42" in after[0][2]
    assert event.sql == "select 42" and event.conn_name == "c"


def test_a_callback_still_receives_every_debug_event(monkeypatch):
    _unread_events_skipped(monkeypatch)
    seen = []
    _fire_sql("warmheart-test-callback", EventLevel.INFO, [lambda msg: seen.append(msg)])
    assert [(m.info.name, m.data.sql if m.info.name == "SQLQuery" else "") for m in seen] == [
        ("SQLQuery", "select 42"),
        ("Note", ""),
    ]
