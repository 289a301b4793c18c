"""dbt data tests whose inputs did not change are not run again (DuckDB builds only).

A dbt test is a query over the relations it reads, so its result is decided by its
definition (the project's files and the settings dbt reads: the parse key of
pipelines/dbt_parse_key.py, with the adapter's version and the command's --vars), the
versions of dbt and DuckDB, the person_key pads, and the content of those relations. The build memo
(macros/build_memo.sql) already keeps a fingerprint of every table model, source and
seed as it is now in `main.warmheart_build_memo_v<version>`. A test whose key over
all of these is the key its stored result was computed with returns that result
without being compiled, and without its query, its materialization or their Jinja; any
other test runs as before and its result is stored.

Why: on a corrected upload most models are kept, and every test on them used to run
again for the same answer. At 20,000 persons per city a visits correction ran 266
tests, 205 of them on kept tables only: dbt spent about 27 ms on each, its Jinja more
than its query (docs/decisions.md, "Remembered test results").

A test reading a view, or a relation with no fingerprint, always runs. Failing tests
are remembered like passing ones: the same inputs fail the same way, and dbt skips what
depends on them as before. `dbt build --full-refresh`, or WARMHEART_DBT_MEMO=0 in dbt's
environment, runs every test (results are still stored).

Installed into dbt's build task by `install()`, which `warmheart-dbt` calls before it
starts dbt (pipelines/dbt_child.py). dbt's `BuildTask.RUNNER_MAP` is the extension point:
only data tests get another runner, and that runner overrides two methods: `compile`
(looks the result up; a remembered test is not compiled) and `execute_data_test`
(returns it, or runs the test and stores its result).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import threading
from pathlib import Path
from typing import Any

import duckdb
from dbt.contracts.graph.nodes import GenericTestNode, SingularTestNode
from dbt.flags import get_flags
from dbt.node_types import NodeType
from dbt.task.build import BuildTask
from dbt.task.test import TestResultData, TestRunner
from dbt.version import __version__ as dbt_version
from dbt_common.events.base_types import EventLevel
from dbt_common.events.functions import fire_event
from dbt_common.events.types import Note

from pipelines import settings
from pipelines.dbt_parse_key import parse_key
from pipelines.memo_terms import BUILD_MEMO_TABLE, REMEMBERED_TEST_NOTE, TEST_REMEMBERED
from pipelines.person_key import IPAD_ENV, OPAD_ENV

# Bump when the key's parts or the table's columns change: a new table, every test run once.
TEST_MEMO_VERSION = "1"
TEST_MEMO_TABLE = f"main.warmheart_test_memo_v{TEST_MEMO_VERSION}"
OUTPUT_LOCATIONS = {"DBT_TARGET_PATH", "DBT_LOG_PATH"}

_created = False
_code_key: str | None = None
_lock = threading.Lock()


def enabled() -> bool:
    return not get_flags().FULL_REFRESH and os.environ.get("WARMHEART_DBT_MEMO", "1") != "0"


def code_key() -> str:
    """What every test's SQL is compiled from, for this process (computed once)."""
    global _code_key
    with _lock:
        if _code_key is None:
            flags = get_flags()
            project_dir = Path(getattr(flags, "PROJECT_DIR", None) or settings.DBT_PROJECT_DIR)
            # Where this invocation writes (dagster-dbt gives each its own folder) decides
            # no SQL text.
            inputs_env = {k: v for k, v in os.environ.items() if k not in OUTPUT_LOCATIONS}
            _code_key = "|".join(
                (
                    parse_key(project_dir, inputs_env),
                    importlib.metadata.version("dbt-duckdb"),
                    json.dumps(getattr(flags, "VARS", None) or {}, sort_keys=True, default=str),
                    str(getattr(flags, "TARGET", None)),
                )
            )
        return _code_key


def test_key(node_id: str, config: dict[str, Any], inputs: str) -> str:
    """The key of a test's result: what decides it, `inputs` being its relations'
    fingerprints as `node_id=fingerprint` in node_id order."""
    h = hashlib.sha256()
    for part in (
        TEST_MEMO_VERSION,
        dbt_version,
        duckdb.__version__,
        code_key(),
        os.environ.get(IPAD_ENV, ""),
        os.environ.get(OPAD_ENV, ""),
        node_id,
        json.dumps(config, sort_keys=True, default=str),
        inputs,
    ):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


class RememberingTestRunner(TestRunner):
    """dbt's test runner, returning a data test's stored result when its key is unchanged."""

    _key: str | None = None
    _remembered: TestResultData | None = None

    def compile(self, manifest: Any) -> Any:
        node = self.node
        if self.adapter.type() == "duckdb" and isinstance(node, GenericTestNode | SingularTestNode):
            cursor = self.adapter.connections.get_thread_connection().handle.cursor()
            self._key, stored = self._lookup(cursor, node, manifest)
            if stored is not None and enabled():
                self._remembered = stored
                return node
        return super().compile(manifest)

    def execute_data_test(self, data_test: Any, manifest: Any) -> TestResultData:
        if self._remembered is not None:
            fire_event(
                Note(msg=REMEMBERED_TEST_NOTE.format(data_test.name)), level=EventLevel.DEBUG
            )
            return self._remembered
        result = super().execute_data_test(data_test, manifest)
        if self._key is not None:
            cursor = self.adapter.connections.get_thread_connection().handle.cursor()
            self._store(cursor, data_test.unique_id, self._key, result)
        return result

    def _lookup(
        self, cursor: Any, test: Any, manifest: Any
    ) -> tuple[str | None, TestResultData | None]:
        """(the test's key, or None when a relation it reads has no fingerprint; the
        result stored under that key, or None)."""
        parents = sorted(set(test.depends_on.nodes))
        # A model built as anything but a table (a view) has no fingerprint of its own; a
        # row left from when it was a table would describe other rows.
        if any(
            p.startswith("model.") and manifest.nodes[p].config.materialized != "table"
            for p in parents
        ):
            return None, None
        _create_table(cursor)
        row = cursor.execute(
            f"""
            select
                (select count(*) from {BUILD_MEMO_TABLE}
                 where output_fp is not null and list_contains($parents, node_id)),
                (select string_agg(node_id || '=' || output_fp, ',' order by node_id)
                 from {BUILD_MEMO_TABLE}
                 where output_fp is not null and list_contains($parents, node_id)),
                t.input_key, t.failures, t.should_warn, t.should_error
            from (select 1) as one
            left join {TEST_MEMO_TABLE} as t on t.node_id = $node_id
            """,
            {"parents": parents, "node_id": test.unique_id},
        ).fetchone()
        found, inputs, stored_key, failures, should_warn, should_error = row
        if not parents or found != len(parents):
            return None, None
        key = test_key(test.unique_id, test.config.to_dict(), inputs)
        if stored_key != key:
            return key, None
        return key, TestResultData(
            failures=failures,
            should_warn=should_warn,
            should_error=should_error,
            adapter_response={"_message": TEST_REMEMBERED},
        )

    def _store(self, cursor: Any, node_id: str, key: str, result: TestResultData) -> None:
        # The test's own query may have opened dbt's transaction on this cursor: commit
        # it (it wrote nothing), so the stored row outlives the connection's release.
        self.adapter.connections.commit_if_has_connection()
        cursor.execute(f"delete from {TEST_MEMO_TABLE} where node_id = ?", [node_id])
        cursor.execute(
            f"insert into {TEST_MEMO_TABLE} values (?, ?, ?, ?, ?)",
            [node_id, key, result.failures, result.should_warn, result.should_error],
        )


def _create_table(cursor: Any) -> None:
    global _created
    with _lock:
        if not _created:
            cursor.execute(
                f"create table if not exists {TEST_MEMO_TABLE} (node_id varchar, "
                "input_key varchar, failures bigint, should_warn boolean, should_error boolean)"
            )
            _created = True


def install() -> None:
    """Run data tests of `dbt build` with RememberingTestRunner (this process only)."""
    BuildTask.RUNNER_MAP[NodeType.Test] = RememberingTestRunner
