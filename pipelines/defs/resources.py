"""Resources: the warehouse connection and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

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


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
