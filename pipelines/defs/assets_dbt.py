"""dbt models as Dagster assets: staging → intermediate → marts, keyed by schema."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines import person_key, settings, warehouse
from pipelines.dbt_child import FILE_LOG_LEVEL_ENV, SKIP_MANIFEST_ENV
from pipelines.dbt_project import (
    build_summary,
    dbt_env,
    dbt_project,
    manifest_path,
    prune_run_dirs,
)
from pipelines.key_guard import check_key_unchanged
from pipelines.runlock import run_lock
from pipelines.spark_tables import import_spark_tables

LAYER_GROUPS = {
    "staging": "staging",
    "intermediate": "people_and_facts",
    "marts": "marts",
    "restricted": "restricted",
    "reference": "reference",
}


class WarmHeartTranslator(DagsterDbtTranslator):
    """Keys are [schema, model] so the UI reads raw → staging → intermediate → marts."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("config", {}).get("schema")
        return LAYER_GROUPS.get(schema or "", "marts")


translator = WarmHeartTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@contextmanager
def exported(values: dict[str, str]) -> Iterator[None]:
    """Export `values` to dbt, which dagster-dbt starts with this process's environment, and
    put the previous values back afterwards: a process that runs several jobs (tests, a
    code server) must not carry one run's secret or folders into the next run."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(manifest=manifest_path(), project=dbt_project, dagster_dbt_translator=translator)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Build and test every dbt model; tests with severity error block what depends on them."""
    # The person_key secret reaches dbt however the run was started (CLI, UI, schedule):
    # with real uploads it is the generated or given key, never the built-in one (contract §11).
    # With it, the engine and the folders profiles.yml reads (absolute, beside the warehouse).
    secret = settings.person_key_secret()
    check_key_unchanged(settings.marts_dir(), secret)  # before minutes of building
    for_dbt = {k: v for k, v in dbt_env().items() if k.startswith("WARMHEART_")}
    for_dbt.update(person_key.dbt_env(secret))
    for_dbt[SKIP_MANIFEST_ENV] = "1"
    # dbt.log without a debug line per SQL statement (7.8 MB of them after a corrected
    # ledger; docs/decisions.md). DBT_LOG_LEVEL_FILE=debug brings them back.
    for_dbt[FILE_LOG_LEVEL_ENV] = os.environ.get(FILE_LOG_LEVEL_ENV, "info")
    # Earlier builds' folders go (the last few stay for their dbt.log); folders written
    # before the person_key pads left the SQL text held them in clear (see person_key_plugin).
    prune_run_dirs(Path(dbt_project.project_dir) / "target")
    with exported(for_dbt), run_lock(settings.warehouse_path()):  # dbt writes the warehouse
        invocation = dbt.cli(["build"], context=context)
        yield from invocation.stream()
        if settings.engine() == "duckdb":
            context.log.info(build_summary(invocation.target_path))
        else:
            # Checks and publication read the warehouse's DuckDB: it takes Spark's tables.
            with warehouse.connect() as con:
                rows = import_spark_tables(con, settings.spark_dir())
            context.log.info(f"imported {len(rows)} tables built by Spark into the warehouse")
