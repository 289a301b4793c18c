"""dagster-dbt's per-build target folders do not pile up (pipelines/dbt_project.py)."""

from __future__ import annotations

import os
import re
import shutil

from pipelines import settings
from pipelines.dbt_child import FILE_LOG_LEVEL_ENV, SKIP_MANIFEST_ENV
from pipelines.dbt_project import PARTIAL_PARSE, RUN_DIR_PREFIX, prune_run_dirs
from tools.fixtures.raw_builder import run_dbt


def test_only_the_newest_build_folders_are_kept(tmp_path):
    for i in range(6):
        run = tmp_path / f"warehouse_models-run{i}-abc"
        run.mkdir()
        (run / "dbt.log").write_text("log")
        os.utime(run, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "manifest.json").write_text("{}")  # dbt parse's own output stays
    removed = prune_run_dirs(tmp_path, keep=3)
    assert sorted(p.name for p in removed) == [f"warehouse_models-run{i}-abc" for i in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "warehouse_models-run3-abc",
        "warehouse_models-run4-abc",
        "warehouse_models-run5-abc",
    ]


def test_the_runs_dbt_writes_its_results_and_log_but_no_manifest(tmp_path):
    """The pipeline's dbt skips writing its manifest (0.5 s of every run): nothing reads it
    in the build folder; run_results.json (the step's summary) and dbt.log are written."""
    target = tmp_path / "dbt_target"
    target.mkdir()
    partial = settings.DBT_PROJECT_DIR / "target" / PARTIAL_PARSE
    if partial.exists():  # as the pipeline's parse does: seconds of parsing saved
        shutil.copy2(partial, target / PARTIAL_PARSE)
    result = run_dbt(
        tmp_path / "warehouse.duckdb", "seed", select="ref_cities", env={SKIP_MANIFEST_ENV: "1"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (target / "run_results.json").is_file()
    assert not (target / "manifest.json").exists()


def test_the_runs_dbt_log_keeps_no_line_per_sql_statement(tmp_path, demo_run):
    """At the level the pipeline's step sets (info), dbt.log names what was built and kept
    but writes no line per SQL statement: writing them was a tenth of a corrected ledger's
    dbt build. dbt's default (debug) writes them: the control that the lines are looked
    for where they would be."""
    logs = {}
    for level in ("debug", "info"):
        warehouse = tmp_path / level / "warehouse.duckdb"
        warehouse.parent.mkdir()
        result = run_dbt(warehouse, "seed", select="ref_cities", env={FILE_LOG_LEVEL_ENV: level})
        assert result.returncode == 0, result.stdout + result.stderr
        logs[level] = (warehouse.parent / "dbt_logs" / "dbt.log").read_text(encoding="utf-8")
    assert "insert into" in logs["debug"].lower()
    assert "insert into" not in logs["info"].lower()
    assert "ref_cities" in logs["info"]
    # The pipeline's step sets that level: the session's demo run's build folder
    # (dagster-dbt names it after the run id, which the run's log file name shows).
    run_id = re.search(r"run-\d{8}-\d{6}-([0-9a-f]{8})\.log", demo_run.stdout).group(1)
    target = settings.DBT_PROJECT_DIR / "target"
    (log,) = target.glob(f"{RUN_DIR_PREFIX}{run_id[:7]}-*/dbt.log")
    text = log.read_text(encoding="utf-8", errors="replace")
    assert '"LogModelResult"' in text
    assert '"SQLQuery"' not in text
