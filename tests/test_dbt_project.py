"""The dbt project's own settings, as every dbt command sees them."""

from __future__ import annotations

import json

import yaml
from conftest import DemoRun

from pipelines import settings
from pipelines.dbt_project import dbt_env, dbt_project


def test_dbt_commands_send_no_anonymous_usage_statistics(demo_run: DemoRun):
    # dbt_project.yml alone turns the statistics off, so `dbt build` under Dagster and a dbt
    # command typed by hand send nothing either: no environment switch is involved.
    config = yaml.safe_load(
        (settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    )
    assert config["flags"]["send_anonymous_usage_stats"] is False
    assert "DBT_SEND_ANONYMOUS_USAGE_STATS" not in dbt_env()
    # The session's run parsed the project (conftest removes the variable): dbt read the flag.
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
