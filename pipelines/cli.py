"""`python -m pipelines ...`: the operator's entry points (run, ui, parse)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines import dbt_warm, settings

if TYPE_CHECKING:
    from dagster import ExecuteInProcessResult
    from dagster._utils.error import SerializableErrorInfo


WARM_NOTE = "dbt started ahead (pipelines/dbt_warm.py):"


def dagster_home() -> Path:
    """A project-local DAGSTER_HOME holding the project's dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.PROJECT_ROOT / "data" / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def cmd_parse(_: argparse.Namespace) -> int:
    from pipelines.dbt_project import parse_dbt_project

    print(f"dbt manifest: {parse_dbt_project()}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.runlock import RunLockHeld, run_lock

    try:
        with run_lock(settings.warehouse_path(), command="python -m pipelines run"):
            return _run(args)
    except RunLockHeld as exc:
        print(f"\n未启动：另一个运行正在使用数据仓库。RUN NOT STARTED — {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later


def set_aside_damaged_warehouse() -> None:
    """A warehouse file that no longer opens is moved aside: the raw files rebuild it."""
    import datetime as dt

    import duckdb

    path = settings.warehouse_path()
    if not path.exists():
        print(f"warehouse {path} does not exist: building it from the raw files")
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as exc:
        if "not a valid DuckDB database" not in str(exc) and "Could not read" not in str(exc):
            raise
        aside = path.with_name(f"{path.name}.damaged-{dt.datetime.now():%Y%m%dT%H%M%S}")
        path.rename(aside)
        print(
            f"warehouse {path} is damaged ({str(exc).splitlines()[0]}); moved to {aside.name}, "
            "rebuilding it from the raw files"
        )


def _run(args: argparse.Namespace) -> int:
    # dbt imports on the second core while this process imports Dagster and ingests.
    warm = dbt_warm.start()
    try:
        return _run_with(args, warm)
    finally:
        os.environ.pop(dbt_warm.WARM_ENV, None)
        if warm is not None:
            warm.stop()


def _run_with(args: argparse.Namespace, warm: dbt_warm.WarmDbt | None) -> int:
    import gc
    import time
    import uuid

    from dagster import DagsterInstance

    from pipelines import console
    from pipelines.campaign import load_campaign

    started = time.monotonic()
    dagster_home()
    set_aside_damaged_warehouse()
    raw = settings.raw_dir()
    note = " (WARMHEART_RAW_DIR)" if settings.raw_dir_overridden() else ""
    print(f"读取 reading uploads from {raw}{note}")
    print(f"数据仓库 warehouse: {settings.warehouse_path()}")
    run_id = str(uuid.uuid4())
    log_path = console.log_dir() / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}-{run_id[:8]}.log"
    if not args.verbose:
        print(f"运行日志 run log: {log_path}  (--verbose shows it here)")
    sys.stdout.flush()
    with contextlib.ExitStack() as stack:
        terminal = None if args.verbose else stack.enter_context(console.quiet_output(log_path))
        progress = console.Progress(terminal, run_id) if terminal is not None else None
        if progress is not None:
            progress.note("解析 dbt 项目、加载定义 / parsing the dbt project, loading definitions")
        from pipelines.dbt_project import parse_dbt_project

        parse_dbt_project()
        # The model step's dbt hands its command to the warm process (not the parse above).
        if warm is not None:
            os.environ[dbt_warm.WARM_ENV] = str(warm.path)
        from pipelines.defs import ALL_JOB_NAME, defs
        from pipelines.defs.partitions import all_cutoffs_run_tags

        job = defs.resolve_job_def(ALL_JOB_NAME)
        # The definitions and their imports live for the whole run: moved out of the
        # collector's reach, its passes during the run stop re-walking them.
        gc.freeze()
        with DagsterInstance.get() as instance:
            if progress is not None:
                progress.start(instance)
            try:
                # One run, every cut-off: the per-cut-off assets see all partition keys at once.
                result = job.execute_in_process(
                    instance=instance,
                    raise_on_error=False,
                    run_id=run_id,
                    tags=all_cutoffs_run_tags(),
                )
            finally:
                if progress is not None:
                    progress.stop()
        gate_md = record_gate_outcome(result)
        # In the run log (the terminal with --verbose): whether the model step's dbt ran in
        # the process started ahead of it.
        used = warm is not None and warm.served()
        print(f"{WARM_NOTE} {'ran the model step' if used else 'was not used'}")
    campaign = load_campaign()
    blocking, warnings = failed_checks(result)
    published = any(
        e.asset_key is not None and e.asset_key.path == ["published", "marts"]
        for e in result.get_asset_materialization_events()
    )
    lines = console.summary_lines(
        success=result.success,
        published=published,
        blocking=blocking,
        warnings=warnings,
        report=settings.marts_dir() / "rpt_campaign_stats.parquet",
        feedback_dir=settings.restricted_dir(),
        cutoffs=campaign.cutoff_keys,
        cities=console.city_lines(settings.warehouse_path(), campaign.id),
        log_path=log_path if not args.verbose else Path("(terminal)"),
        gate_report=gate_md,
        seconds=time.monotonic() - started,
    )
    print("\n".join(lines), file=sys.stdout if result.success else sys.stderr)
    if not result.success:
        # The English detail an operator greps for: check, table, file, row, value.
        print_failure(result, gate_md, warnings=args.verbose)
    return 0 if result.success else 1


def failed_checks(result: ExecuteInProcessResult) -> tuple[list[tuple[str, str]], int]:
    """Blocking failures as (reason code, table), and the number of failed warning checks."""
    from dagster import AssetCheckSeverity

    from pipelines.checks.outcomes import CheckOutcome

    blocking: list[tuple[str, str]] = []
    warnings = 0
    for e in result.get_asset_check_evaluations():
        if e.passed:
            continue
        if e.severity != AssetCheckSeverity.ERROR:
            warnings += 1
            continue
        where = e.asset_key.to_user_string()
        meta = e.metadata.get("outcomes")
        outcomes = getattr(meta, "value", None) if meta is not None else None
        failed = [CheckOutcome(**o) for o in outcomes or [] if not o.get("success")]
        blocking += [(o.name, o.table) for o in failed] if failed else [(e.check_name, where)]
    return blocking, warnings


def record_gate_outcome(result: ExecuteInProcessResult) -> Path:
    """Add the run's dbt tests (and, for a failed run, 'not published') to its gate report."""
    from pipelines.checks import report as gate_report
    from pipelines.defs.checks import dbt_test_rows

    run_id = result.run_id
    gate_report.record_extra(
        run_id, "dbt_tests", dbt_test_rows(result.get_asset_check_evaluations())
    )
    if not result.success:
        current = gate_report.load_report(run_id).get("publication") or {}
        if current.get("status") not in ("refused", "published"):
            gate_report.record_extra(
                run_id,
                "publication",
                {
                    "status": "not published",
                    "detail": "the run failed before publication; the previous marts are unchanged",
                },
            )
    return gate_report.report_dir(run_id) / "report.md"


def print_failure(result: ExecuteInProcessResult, gate_md: Path, warnings: bool = True) -> None:
    """Say which check failed on which table and rows, blocking failures first (warnings
    only when asked: the summary counts them and the gate report lists them)."""
    from dagster import AssetCheckSeverity

    err = sys.stderr
    published = any(
        e.asset_key is not None and e.asset_key.path == ["published", "marts"]
        for e in result.get_asset_materialization_events()
    )
    if published:
        print(
            "\nRUN FAILED after publication — the gate passed and the marts were published; "
            "a later step failed:",
            file=err,
        )
    else:
        print(
            "\nRUN FAILED — nothing new was published; the previous marts are untouched.", file=err
        )
    failed = [
        e
        for e in result.get_asset_check_evaluations()
        if not e.passed and (warnings or e.severity == AssetCheckSeverity.ERROR)
    ]
    failed.sort(key=lambda e: e.severity != AssetCheckSeverity.ERROR)
    for e in failed:
        kind = "BLOCKING" if e.severity == AssetCheckSeverity.ERROR else "warning"
        print(f"  [{kind}] check {e.check_name} on {e.asset_key.to_user_string()} failed", file=err)
        summary = e.metadata.get("summary")
        text = getattr(summary, "value", None) if summary is not None else None
        if text:
            for line in str(text).splitlines():
                print(f"      {line}", file=err)
        elif e.description:
            print(f"      {e.description}", file=err)
    for event in result.all_events:
        if event.is_step_failure:
            message = root_cause_message(event.event_specific_data.error).splitlines()
            print(
                f"  step {event.step_key} failed: {message[0] if message else ''} "
                "(full error in the run log; fix it and run again)",
                file=err,
            )
            for line in message[1:]:
                print(f"      {line}", file=err)
    print(f"  gate report: {gate_md} (and report.json)", file=err)


def root_cause_message(error: SerializableErrorInfo) -> str:
    """What the operator needs from a failed step: the innermost error's own words.

    Dagster wraps an asset's exception ("Error occurred while executing op …"); the cause
    chain ends at the exception the asset raised, whose message says what to do."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    text = (error.message or "").strip()
    # "pkg.module.ErrorClass: message" → the message alone.
    head, sep, rest = text.partition(": ")
    return rest if sep and "." in head and " " not in head else text


def cmd_ui(args: argparse.Namespace) -> int:
    home = dagster_home()
    from pipelines.dbt_project import parse_dbt_project

    parse_dbt_project()
    print(f"DAGSTER_HOME={home}; open http://127.0.0.1:{args.port}")
    exe = Path(sys.executable).with_name("dagster")
    return subprocess.call(
        [str(exe), "dev", "-m", "pipelines.defs", "-h", "127.0.0.1", "-p", str(args.port)]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "run", help="materialise every asset (make run first fills an empty data/raw/ with a demo)"
    )
    p.add_argument(
        "--verbose",
        action="store_true",
        help="show Dagster's event stream in the terminal instead of the progress display",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "ui", help="start the Dagster webserver and daemon (schedules and sensors fire)"
    )
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)
    p = sub.add_parser(
        "parse", help="parse the dbt project (writes dbt_project/target/manifest.json)"
    )
    p.set_defaults(func=cmd_parse)
    args = parser.parse_args(argv)
    # dbt (profiles.yml) and Dagster's processes read the warehouse path from the
    # environment; make it absolute here, at the entry point, so every process agrees.
    os.environ["WARMHEART_WAREHOUSE"] = str(settings.warehouse_path())
    return args.func(args)
