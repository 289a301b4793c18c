"""Dagster definitions: wiring only. Logic lives in pipelines.ingest, dbt and pipelines.publish."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.assets_dbt import warehouse_models
from pipelines.defs.assets_ingest import campaign_config, raw_uploads
from pipelines.defs.assets_outputs import (
    final_summary,
    progress_charts,
    report_by_cutoff,
    restricted_city_exports,
)
from pipelines.defs.assets_publish import published_marts
from pipelines.defs.checks import GATE_CHECKS
from pipelines.defs.event_log import reuse_event_log_connections, unflushed_sqlite_event_log
from pipelines.defs.resources import build_resources
from pipelines.defs.schedules import build_cutoff_schedule
from pipelines.defs.sensors import build_upload_sensor

ALL_JOB_NAME = "warmheart_all"

# Any process that loads these definitions (the CLI, Dagster's run worker, the code
# server) stores its events without a disk flush each, and through one connection per
# database rather than one per event: see event_log.py.
unflushed_sqlite_event_log()
reuse_event_log_connections()

# One job for everything. It is partitioned by cut-off (the per-cut-off outputs are):
# a run for one key (schedule, sensor, a rerun from the UI) recomputes ingestion and
# dbt, which are cheap and cover every cut-off, and rewrites that cut-off's outputs
# only; `python -m pipelines run` covers all keys in one run (partitions.all_cutoffs_run_tags).
all_assets_job = dg.define_asset_job(ALL_JOB_NAME, selection=dg.AssetSelection.all())

defs = dg.Definitions(
    assets=[
        campaign_config,
        raw_uploads,
        warehouse_models,
        published_marts,
        report_by_cutoff,
        restricted_city_exports,
        progress_charts,
        final_summary,
    ],
    asset_checks=GATE_CHECKS,
    jobs=[all_assets_job],
    schedules=[build_cutoff_schedule(all_assets_job)],
    sensors=[build_upload_sensor(all_assets_job)],
    resources=build_resources(),
)
