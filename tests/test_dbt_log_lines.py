"""warmheart-dbt builds a log line only for a logger that writes it (pipelines/dbt_child.py
skip_unlogged_lines): dbt writes the same lines, and builds none it would drop."""

from __future__ import annotations

import io
import json
import logging

from dbt_common.events import logger as dbt_logger
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.logger import LineFormat, LoggerConfig
from dbt_common.events.types import Note

from pipelines.dbt_child import skip_unlogged_lines


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
