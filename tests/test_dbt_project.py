"""The dbt project's own settings, as every dbt command sees them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pipelines import settings
from pipelines.dbt_project import dbt_executable


def test_dbt_commands_send_no_anonymous_usage_statistics(tmp_path: Path):
    # No environment switch: dbt_project.yml alone must turn the statistics off, so that
    # `dbt build` under Dagster and a dbt command typed by hand send nothing either.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env["WARMHEART_WAREHOUSE"] = str(tmp_path / "wh.duckdb")
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
    proc = subprocess.run([dbt_executable(), "parse", "--no-partial-parse", "--project-dir", ".",
                           "--profiles-dir", "."], cwd=settings.DBT_PROJECT_DIR, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
