"""dbt nodes whose inputs did not change are not compiled or run again (DuckDB builds only).

The build memo (macros/build_memo.sql) keeps a table model whose key (its compiled SQL,
configuration, versions, person_key pads and the fingerprints of what it reads) is the
one its table was built with, and records a fingerprint of every table model, source
and seed in `main.warmheart_build_memo_v<version>`. It decides inside the model's
materialization, so a kept model still cost dbt its compilation, its materialization's
Jinja and two queries: about 23 ms each at any size. A data test still ran its query.

This module answers both before dbt compiles the node. A node's key here is its
definition (the project's files and the settings dbt reads: the parse key of
pipelines/dbt_parse_key.py, with the adapter's version and the command's --vars), its
configuration, the versions of dbt and DuckDB, the person_key pads, and the build
memo's fingerprints of the relations it reads. Stored per node in
`main.warmheart_node_memo_v<version>`:

- a table model (or a seed) whose key is the stored one, whose table is still the one
  stored with it (same fingerprint) and exists, is kept: no compilation, no
  materialization (a seed's file is a project file, so part of the key);
- a data test whose key is the stored one returns the stored result (status and number
  of failing rows): no compilation, no query;
- anything else runs as dbt runs it (the model's materialization still applies the
  build memo) and its outcome is stored.

Why: on a corrected upload most nodes are unchanged. At 20,000 persons per city a
visits correction kept 63 of 90 models and ran 266 tests, 233 of them on unchanged
tables only (docs/decisions.md, "Remembered nodes").

A node reading a view, or a relation with no fingerprint, always runs. Failing tests are
remembered like passing ones: the same inputs fail the same way, and dbt skips what
depends on them as before. `dbt build --full-refresh`, or WARMHEART_DBT_MEMO=0 in dbt's
environment, runs every node (outcomes are still stored).

Installed into dbt's build task by `install()`, which `warmheart-dbt` calls before it
starts dbt (pipelines/dbt_child.py). dbt's `BuildTask.RUNNER_MAP` is the extension point:
models, seeds and data tests get runners that override `compile` (look the node up; a
remembered node is not compiled) and `execute` / `execute_data_test` (answer from the
memo, or run and store).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from dbt.artifacts.schemas.results import RunStatus
from dbt.artifacts.schemas.run import RunResult
from dbt.contracts.graph.nodes import GenericTestNode, SingularTestNode
from dbt.flags import get_flags
from dbt.node_types import NodeType
from dbt.task.build import BuildTask
from dbt.task.run import ModelRunner
from dbt.task.seed import SeedRunner
from dbt.task.test import TestResultData, TestRunner
from dbt.version import __version__ as dbt_version
from dbt_common.events.base_types import EventLevel
from dbt_common.events.functions import fire_event
from dbt_common.events.types import Note

from pipelines import settings
from pipelines.dbt_parse_key import parse_key
from pipelines.memo_terms import (
    BUILD_MEMO_TABLE,
    KEPT_MODEL_NOTE,
    MODEL_KEPT,
    REMEMBERED_TEST_NOTE,
    TEST_REMEMBERED,
)
from pipelines.person_key import IPAD_ENV, OPAD_ENV

# Bump when the key's parts or the table's columns change: a new table, every node run once.
NODE_MEMO_VERSION = "1"
NODE_MEMO_TABLE = f"main.warmheart_node_memo_v{NODE_MEMO_VERSION}"
# Where an invocation writes (dagster-dbt gives each its own folder) and what it logs
# decide no SQL text: turning dbt.log's debug lines on to diagnose a run keeps the memo.
NOT_INPUTS_ENV = {
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "DBT_LOG_LEVEL",
    "DBT_LOG_LEVEL_FILE",
    "DBT_LOG_FORMAT",
    "DBT_LOG_FORMAT_FILE",
}


@dataclass(frozen=True)
class Stored:
    input_key: str
    output_fp: str | None  # models: the table's fingerprint when stored
    failures: int | None  # tests: the stored result
    should_warn: bool | None
    should_error: bool | None


class _Process:
    """The memo's state in this dbt process: the code key and the stored rows, read once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.code_key: str | None = None
        self.stored: dict[str, Stored] | None = None


_state = _Process()


def enabled() -> bool:
    return not get_flags().FULL_REFRESH and os.environ.get("WARMHEART_DBT_MEMO", "1") != "0"


def code_key() -> str:
    """What every node's SQL is compiled from, for this process (computed once)."""
    with _state.lock:
        if _state.code_key is None:
            flags = get_flags()
            project_dir = Path(getattr(flags, "PROJECT_DIR", None) or settings.DBT_PROJECT_DIR)
            inputs_env = {k: v for k, v in os.environ.items() if k not in NOT_INPUTS_ENV}
            _state.code_key = "|".join(
                (
                    parse_key(project_dir, inputs_env),
                    importlib.metadata.version("dbt-duckdb"),
                    json.dumps(getattr(flags, "VARS", None) or {}, sort_keys=True, default=str),
                    str(getattr(flags, "TARGET", None)),
                )
            )
        return _state.code_key


def node_key(node_id: str, config: dict[str, Any], inputs: str) -> str:
    """The key of a node's outcome: what decides it, `inputs` being the fingerprints of
    the relations it reads as `node_id=fingerprint` in node_id order."""
    h = hashlib.sha256()
    for part in (
        NODE_MEMO_VERSION,
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


def _cursor(adapter: Any) -> Any:
    return adapter.connections.get_thread_connection().handle.cursor()


def _stored(cursor: Any) -> dict[str, Stored]:
    with _state.lock:
        if _state.stored is None:
            cursor.execute(
                f"create table if not exists {NODE_MEMO_TABLE} (node_id varchar, "
                "input_key varchar, output_fp varchar, failures bigint, should_warn boolean, "
                "should_error boolean)"
            )
            rows = cursor.execute(f"select * from {NODE_MEMO_TABLE}").fetchall()
            _state.stored = {r[0]: Stored(*r[1:]) for r in rows}
        return _state.stored


def _fingerprints(cursor: Any, node_ids: list[str]) -> dict[str, str]:
    rows = cursor.execute(
        f"select node_id, output_fp from {BUILD_MEMO_TABLE} "
        "where output_fp is not null and list_contains(?, node_id)",
        [node_ids],
    ).fetchall()
    return dict(rows)


def _key_of(
    cursor: Any, node: Any, manifest: Any, extra: tuple[str, ...] = ()
) -> tuple[str | None, dict[str, str]]:
    """(the node's key, or None when a relation it reads has no fingerprint of its own;
    the fingerprints read, with those of `extra`)."""
    parents = sorted(set(getattr(node.depends_on, "nodes", [])))  # a seed depends on none
    # A model built as anything but a table (a view) has no fingerprint of its own; a row
    # left from when it was a table would describe other rows.
    if any(
        p.startswith("model.") and manifest.nodes[p].config.materialized != "table" for p in parents
    ):
        return None, {}
    fps = _fingerprints(cursor, [*parents, *extra])
    if not all(p in fps for p in parents):
        return None, fps
    inputs = ",".join(f"{p}={fps[p]}" for p in parents)
    return node_key(node.unique_id, node.config.to_dict(), inputs), fps


def _store(adapter: Any, cursor: Any, node_id: str, stored: Stored) -> None:
    # The node's own queries may have left dbt's transaction open on this cursor: commit
    # it first, so the stored row outlives the connection's release.
    if adapter.connections.get_thread_connection().transaction_open:
        adapter.connections.commit()
    cursor.execute(f"delete from {NODE_MEMO_TABLE} where node_id = ?", [node_id])
    cursor.execute(
        f"insert into {NODE_MEMO_TABLE} values (?, ?, ?, ?, ?, ?)",
        [
            node_id,
            stored.input_key,
            stored.output_fp,
            stored.failures,
            stored.should_warn,
            stored.should_error,
        ],
    )
    with _state.lock:
        if _state.stored is not None:
            _state.stored[node_id] = stored


class _KeepsUnchangedTables(ModelRunner):
    """A runner for nodes that build a table (models, seeds), keeping the table when the
    node's key and the table's fingerprint are those stored."""

    _key: str | None = None
    _kept = False
    _kept_note = KEPT_MODEL_NOTE

    def _builds_a_table(self, node: Any) -> bool:
        return node.config.materialized == "table" and node.language == "sql"

    def compile(self, manifest: Any) -> Any:
        node = self.node
        if self.adapter.type() == "duckdb" and self._builds_a_table(node):
            cursor = _cursor(self.adapter)
            stored = _stored(cursor).get(node.unique_id)
            self._key, fps = _key_of(cursor, node, manifest, extra=(node.unique_id,))
            if (
                enabled()
                and self._key is not None
                and stored is not None
                and stored.input_key == self._key
                and stored.output_fp is not None
                and fps.get(node.unique_id) == stored.output_fp
                and self.adapter.get_relation(node.database, node.schema, node.alias) is not None
            ):
                self._kept = True
                return node
        return super().compile(manifest)

    def execute(self, model: Any, manifest: Any) -> RunResult:
        if self._kept:
            fire_event(Note(msg=self._kept_note.format(model.name)), level=EventLevel.INFO)
            return RunResult(
                node=model,
                status=RunStatus.Success,
                timing=[],
                thread_id=threading.current_thread().name,
                execution_time=0,
                message=MODEL_KEPT,
                adapter_response={"_message": MODEL_KEPT},
                failures=None,
                batch_results=None,
            )
        result = super().execute(model, manifest)
        if self._key is not None:
            cursor = _cursor(self.adapter)
            built = _fingerprints(cursor, [model.unique_id]).get(model.unique_id)
            if built is not None:
                _store(
                    self.adapter,
                    cursor,
                    model.unique_id,
                    Stored(self._key, built, None, None, None),
                )
        return result


class RememberingTestRunner(TestRunner):
    """dbt's test runner, returning a data test's stored result when its key is unchanged."""

    _key: str | None = None
    _remembered: TestResultData | None = None

    def compile(self, manifest: Any) -> Any:
        node = self.node
        if self.adapter.type() == "duckdb" and isinstance(node, GenericTestNode | SingularTestNode):
            cursor = _cursor(self.adapter)
            stored = _stored(cursor).get(node.unique_id)
            self._key, _ = _key_of(cursor, node, manifest)
            if enabled() and self._key is not None and stored and stored.input_key == self._key:
                self._remembered = TestResultData(
                    failures=stored.failures,
                    should_warn=stored.should_warn,
                    should_error=stored.should_error,
                    adapter_response={"_message": TEST_REMEMBERED},
                )
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
            stored = Stored(
                self._key, None, result.failures, result.should_warn, result.should_error
            )
            _store(self.adapter, _cursor(self.adapter), data_test.unique_id, stored)
        return result


class RememberingModelRunner(_KeepsUnchangedTables):
    """dbt's model runner, keeping a table model whose key and table are unchanged."""


class RememberingSeedRunner(_KeepsUnchangedTables, SeedRunner):
    """dbt's seed runner, not loading a seed whose file (part of the parse key) and table
    are unchanged: its rows are the file's."""

    _kept_note = "node memo: seed {} unchanged; not loaded again"

    def _builds_a_table(self, node: Any) -> bool:
        return True


def install() -> None:
    """Run `dbt build`'s models, seeds and data tests with the remembering runners (this
    process)."""
    BuildTask.RUNNER_MAP[NodeType.Model] = RememberingModelRunner
    BuildTask.RUNNER_MAP[NodeType.Seed] = RememberingSeedRunner
    BuildTask.RUNNER_MAP[NodeType.Test] = RememberingTestRunner
