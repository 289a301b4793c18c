"""`python -m pipelines ...`: the operator's entry points (run, ui, parse)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines import settings

if TYPE_CHECKING:
    from dagster import ExecuteInProcessResult

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
    from dagster import DagsterInstance

    dagster_home()
    raw = settings.raw_dir()
    note = ' (WARMHEART_RAW_DIR)' if settings.raw_dir_overridden() else ''
    print(f"reading uploads from {raw}{note}")
    from pipelines.dbt_project import parse_dbt_project

    parse_dbt_project()
    from pipelines.defs import ALL_JOB_NAME, defs
    from pipelines.defs.partitions import all_cutoffs_run_tags

    print(f"warehouse: {settings.warehouse_path()}")
    job = defs.resolve_job_def(ALL_JOB_NAME)
    with DagsterInstance.get() as instance:
        # One run, every cut-off: the per-cut-off assets see all partition keys at once.
        result = job.execute_in_process(instance=instance, raise_on_error=False,
                                        tags=all_cutoffs_run_tags())
    gate_md = record_gate_outcome(result)
    if not result.success:
        print_failure(result, gate_md)
        return 1
    marts = settings.marts_dir()
    print("\nrun succeeded")
    print(f"  report:    {marts / 'rpt_campaign_stats.parquet'} (and .csv)")
    print(f"  marts:     {marts}")
    print(f"  warehouse: {settings.warehouse_path()} (the pipeline's file; analysts read the marts folder)")
    print(f"  gate:      {gate_md}")
    return 0


def record_gate_outcome(result: ExecuteInProcessResult) -> Path:
    """Add the run's dbt tests (and, for a failed run, 'not published') to its gate report."""
    from pipelines.checks import report as gate_report
    from pipelines.defs.checks import dbt_test_rows

    run_id = result.run_id
    gate_report.record_extra(run_id, "dbt_tests", dbt_test_rows(result.get_asset_check_evaluations()))
    if not result.success:
        current = gate_report.load_report(run_id).get("publication") or {}
        if current.get("status") not in ("refused", "published"):
            gate_report.record_extra(run_id, "publication", {
                "status": "not published",
                "detail": "the run failed before publication; the previous marts are unchanged"})
    return gate_report.report_dir(run_id) / "report.md"


def print_failure(result: ExecuteInProcessResult, gate_md: Path) -> None:
    """Say which check failed on which table and rows, blocking failures first."""
    from dagster import AssetCheckSeverity

    err = sys.stderr
    published = any(e.asset_key is not None and e.asset_key.path == ["published", "marts"]
                    for e in result.get_asset_materialization_events())
    if published:
        print("\nRUN FAILED after publication — the gate passed and the marts were published; "
              "a later step failed:", file=err)
    else:
        print("\nRUN FAILED — nothing new was published; the previous marts are untouched.", file=err)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
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
            message = event.event_specific_data.error.message.strip().splitlines()
            print(f"  step {event.step_key} failed: {message[0] if message else ''}", file=err)
    print(f"  gate report: {gate_md} (and report.json)", file=err)


def cmd_ui(args: argparse.Namespace) -> int:
    home = dagster_home()
    from pipelines.dbt_project import parse_dbt_project

    parse_dbt_project()
    print(f"DAGSTER_HOME={home}; open http://127.0.0.1:{args.port}")
    exe = Path(sys.executable).with_name("dagster")
    return subprocess.call([str(exe), "dev", "-m", "pipelines.defs", "-h", "127.0.0.1", "-p", str(args.port)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="materialise every asset (make run first fills an empty data/raw/ with a demo)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("ui", help="start the Dagster webserver and daemon (schedules and sensors fire)")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)
    p = sub.add_parser("parse", help="parse the dbt project (writes dbt_project/target/manifest.json)")
    p.set_defaults(func=cmd_parse)
    args = parser.parse_args(argv)
    # dbt (profiles.yml) and Dagster's processes read the warehouse path from the
    # environment; make it absolute here, at the entry point, so every process agrees.
    os.environ["WARMHEART_WAREHOUSE"] = str(settings.warehouse_path())
    return args.func(args)
