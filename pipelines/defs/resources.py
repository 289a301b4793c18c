"""Resources: the warehouse connection and the dbt CLI."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging import version

from pipelines import settings, warehouse
from pipelines.dbt_project import dbt_executable, dbt_project
from pipelines.runlock import run_lock


class WarehouseResource(ConfigurableResource):
    """The pipeline's DuckDB file (path from WARMHEART_WAREHOUSE when not configured)."""

    path: str = ""

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        from pathlib import Path

        path = Path(self.path) if self.path else settings.warehouse_path()
        # One writer per warehouse: a run the daemon started waits for, or names, the other run.
        with run_lock(path):
            con = warehouse.connect(path)
            try:
                yield con
            finally:
                con.close()


class WarmHeartDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs of every build that this
    project does not use (docs/decisions.md, "dbt stage: what a build pays besides SQL").

    - dagster-dbt learns dbt's version by running `dbt --version`, a second dbt process
      (about 1.5 CPU s); the dbt it runs is the dbt-core of this venv, whose version the
      package metadata gives.
    - It opens a dbt adapter inside the run's own process (about 1 s) only for
      `fetch_row_counts()` and `fetch_column_metadata()`, which this project does not call.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(),
        "dbt": WarmHeartDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
