"""The dbt project's own settings, as every dbt command sees them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from pipelines import settings
from pipelines.dbt_project import dbt_env, dbt_executable, dbt_project


def test_dbt_commands_send_no_anonymous_usage_statistics(tmp_path: Path):
    # dbt_project.yml alone turns the statistics off, so `dbt build` under Dagster and a dbt
    # command typed by hand send nothing either: no environment switch is involved.
    config = yaml.safe_load(
        (settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    )
    assert config["flags"]["send_anonymous_usage_stats"] is False
    assert "DBT_SEND_ANONYMOUS_USAGE_STATS" not in dbt_env()
    # A parse with the variable removed (conftest) records what dbt read: the project's flag.
    target = tmp_path / "target"
    subprocess.run(
        [
            dbt_executable(),
            "--quiet",
            "parse",
            "--project-dir",
            str(dbt_project.project_dir),
            "--profiles-dir",
            str(dbt_project.profiles_dir),
            "--target-path",
            str(target),
        ],
        env={**dbt_env(), "WARMHEART_WAREHOUSE": str(tmp_path / "w.duckdb")},
        check=True,
        capture_output=True,
    )
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
