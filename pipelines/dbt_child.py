"""`warmheart-dbt`: dbt, started so that it dies with the run that started it.

A run's `dbt build` is a child process holding the warehouse open. If the run's main
process is killed alone (an operator's `kill`, the OOM killer), a plain child would
keep running and keep the warehouse locked, and the next run would fail. This wrapper
asks the kernel to SIGKILL it when its parent dies (prctl PR_SET_PDEATHSIG), then
runs dbt in this process with the node memo installed
(pipelines/dbt_node_memo.py).

`make run` starts one ahead of its model step (`--warm`, pipelines/dbt_warm.py): that one
imports dbt while the run ingests, then runs the command of the `warmheart-dbt` that
dagster-dbt starts, which finds it through WARMHEART_DBT_WARM and hands its command over.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from typing import Any

from pipelines import dbt_warm

PR_SET_PDEATHSIG = 1
# Set by the pipeline's dbt step (pipelines/defs/assets_dbt.py).
SKIP_MANIFEST_ENV = "WARMHEART_DBT_SKIP_MANIFEST"
# dbt's own variable for dbt.log's level (debug unless set); the pipeline's step sets info.
FILE_LOG_LEVEL_ENV = "DBT_LOG_LEVEL_FILE"


def _maps_only(manifest: Any, *_args: object, **_kwargs: object) -> None:
    # What writing the manifest does to it besides writing: its parent, child and group
    # maps are built (as dbt.contracts.graph.manifest.Manifest.writable_manifest does).
    manifest.build_parent_and_child_maps()
    manifest.build_group_map()


def skip_manifest_writes() -> None:
    """`dbt build` writes its whole manifest (2 MB of JSON) into the build folder twice,
    after parsing and at the end: 0.5 s of every run. The pipeline's builds do not read it
    (the Dagster definitions use the parsed manifest of `dbt parse`, the step summary
    run_results.json); the build folder keeps run_results.json, the compiled SQL and
    dbt.log."""
    import dbt.parser.manifest
    import dbt.task.runnable

    dbt.parser.manifest.write_manifest = _maps_only
    dbt.task.runnable.write_manifest = _maps_only


def skip_unlogged_lines() -> None:
    """dbt builds every event's log line (a protobuf message made a dict, scrubbed of
    secrets, serialised to JSON) for its stdout and for dbt.log before the logger's level
    drops it: with dbt.log at info, building lines was still 4.0 s of the 61 s sampled in
    a corrected ledger's dbt, 1.2 s after this. A line goes on only to a logger that would
    write it (dbt's own level map, as send_to_logger uses it), so what dbt writes is
    unchanged."""
    from dbt_common.events import logger as dbt_logger

    write_line = dbt_logger._Logger.write_line
    if write_line.__name__ == "write_if_logged":  # already in place
        return

    def write_if_logged(self: Any, msg: Any) -> None:
        python_logger = self._python_logger
        level = "error" if dbt_logger._is_print_event(msg) else msg.info.level
        if python_logger is None or not python_logger.isEnabledFor(
            dbt_logger._log_level_map[level]
        ):
            return
        write_line(self, msg)

    dbt_logger._Logger.write_line = write_if_logged


def _writes_debug(manager: Any) -> bool:
    return any(
        logger._python_logger is not None and logger._python_logger.isEnabledFor(logging.DEBUG)
        for logger in manager.loggers
    )


def skip_unread_events() -> None:
    """dbt makes every event a protobuf message twice (when it is made, and again with its
    header when fired) and words its message, then drops the line when no logger is at its
    level: most are debug events, four for each of a build's ~900 SQL statements. A debug
    event's message is now built only when something reads it (any attribute), and firing
    one is skipped when no logger writes debug lines and no callback listens (dbt's own
    listens for one warning only), so what dbt writes is unchanged; with
    DBT_LOG_LEVEL_FILE=debug every line is built as before."""
    from dbt_common.events import base_types
    from dbt_common.events.event_manager import EventManager

    if getattr(EventManager.fire_event, "warmheart", False):  # already in place
        return
    fire = EventManager.fire_event
    init = base_types.BaseEvent.__init__
    get = base_types.BaseEvent.__getattr__
    put = base_types.BaseEvent.__setattr__
    debug = base_types.EventLevel.DEBUG
    # dbt always listens with this one, for BehaviorChangeEvent (a warning) alone.
    from dbt.tracking import track_behavior_change_warn as track_warn

    def fire_if_read(
        self: Any,
        e: Any,
        level: Any = None,
        node: Any = None,
        force_warn_or_error_handling: bool = False,
    ) -> None:
        if (
            not force_warn_or_error_handling
            and not any(c is not track_warn for c in self.callbacks)
            and (level or e.level_tag()) == debug
            and not _writes_debug(self)
        ):
            return
        fire(
            self,
            e,
            level=level,
            node=node,
            force_warn_or_error_handling=force_warn_or_error_handling,
        )

    def init_when_read(self: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(self, base_types.DebugLevel) and not args:
            object.__setattr__(self, "_warmheart_pending", kwargs)
        else:
            init(self, *args, **kwargs)

    def _built(self: Any) -> None:
        pending = self.__dict__.pop("_warmheart_pending", None)
        if pending is not None:
            init(self, **pending)

    def get_built(self: Any, key: str) -> Any:
        _built(self)
        return get(self, key)

    def put_built(self: Any, key: str, value: Any) -> None:
        _built(self)
        put(self, key, value)

    fire_if_read.warmheart = True  # type: ignore[attr-defined]
    EventManager.fire_event = fire_if_read
    base_types.BaseEvent.__init__ = init_when_read
    base_types.BaseEvent.__getattr__ = get_built
    base_types.BaseEvent.__setattr__ = put_built


def main() -> None:
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: run dbt plainly
        pass
    if parent == 1 or os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(1)
    if sys.argv[1:2] == ["--warm"]:  # started ahead by the run (pipelines/dbt_warm.py)
        from dbt.cli.main import cli  # the imports it is started ahead for

        import pipelines.dbt_node_memo  # noqa: F401

        dbt_warm.serve(int(sys.argv[2]), run=lambda: run_dbt(cli))
    # dbt runs without it, either way: the variable is no input of dbt's (node memo keys).
    if warm := os.environ.pop(dbt_warm.WARM_ENV, None):
        code = dbt_warm.run_client(warm)
        if code is not None:
            sys.exit(code)
    from dbt.cli.main import cli

    sys.exit(run_dbt(cli))


def run_dbt(cli: Any) -> Any:
    """dbt's command line on this process's arguments and environment, with the node memo
    and the compiled-template cache (pipelines/jinja_code_cache.py) installed (and the
    manifest writes skipped when the step asks)."""
    from pipelines import jinja_code_cache
    from pipelines.dbt_node_memo import install

    install()
    jinja_code_cache.install()
    skip_unlogged_lines()
    skip_unread_events()
    if os.environ.get(SKIP_MANIFEST_ENV) == "1":
        skip_manifest_writes()
    sys.argv[0] = "dbt"
    try:
        return cli()
    finally:
        close_duckdb()


def close_duckdb() -> None:
    """Close dbt-duckdb's database now, as its environment's finaliser would at exit (DuckDB
    checkpoints its WAL into the file on close): the warm process ends without the
    interpreter's teardown, where that finaliser runs."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another engine's adapter only
        return
    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()


if __name__ == "__main__":
    main()
