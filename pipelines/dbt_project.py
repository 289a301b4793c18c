"""The dbt project as Dagster sees it, and `dbt parse` for the entry points that need its manifest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines import settings

dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)
# Under `dagster dev` this re-parses, so an edited model shows at once; everywhere else the
# entry points parse first (`python -m pipelines run|ui|parse`, `make test`).
dbt_project.prepare_if_dev()


def dbt_executable() -> str:
    """The venv's dbt (no activation needed), through `warmheart-dbt` so it dies with its run."""
    for name in ("warmheart-dbt", "dbt"):
        candidate = Path(sys.executable).with_name(name)
        if candidate.exists():
            return str(candidate)
    return "dbt"


def dbt_env() -> dict[str, str]:
    """dbt's environment: the paths profiles.yml reads, made absolute, and the engine."""
    env = dict(os.environ)
    env["WARMHEART_WAREHOUSE"] = str(settings.warehouse_path())
    env["WARMHEART_ENGINE"] = settings.engine()
    env["WARMHEART_RAW_LAYER"] = str(settings.raw_layer_dir())
    env["WARMHEART_SPARK_DIR"] = str(settings.spark_dir())
    return env


def parse_dbt_project(quiet: bool = True) -> Path:
    """Run `dbt parse` to produce target/manifest.json (prepare_if_dev only does so under `dagster dev`)."""
    cmd = [
        dbt_executable(),
        "parse",
        "--project-dir",
        str(dbt_project.project_dir),
        "--profiles-dir",
        str(dbt_project.profiles_dir),
    ]
    if quiet:
        cmd.insert(1, "--quiet")
    result = subprocess.run(cmd, env=dbt_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return dbt_project.manifest_path


def manifest_path() -> Path:
    """target/manifest.json, which the Dagster definitions are built from."""
    path = dbt_project.manifest_path
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `python -m pipelines parse` "
            "(make run, make ui and make test do it first)"
        )
    return path
