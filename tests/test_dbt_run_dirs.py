"""dagster-dbt's per-build target folders do not pile up (pipelines/dbt_project.py)."""

from __future__ import annotations

import os

from pipelines.dbt_project import prune_run_dirs


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
