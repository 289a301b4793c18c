"""Dagster definitions: wiring only. Logic lives in pipelines.ingest, dbt and pipelines.publish."""

from __future__ import annotations

import os

import dagster as dg

from pipelines import settings
from pipelines.defs.assets_dbt import warehouse_models
from pipelines.defs.assets_ingest import campaign_config, raw_uploads
from pipelines.defs.assets_publish import published_marts
from pipelines.defs.resources import build_resources

# dbt reads the warehouse path from the environment (profiles.yml); make it absolute.
os.environ.setdefault("WARMHEART_WAREHOUSE", str(settings.warehouse_path()))

ALL_JOB_NAME = "warmheart_all"

all_assets_job = dg.define_asset_job(ALL_JOB_NAME, selection=dg.AssetSelection.all())

defs = dg.Definitions(
    assets=[campaign_config, raw_uploads, warehouse_models, published_marts],
    jobs=[all_assets_job],
    resources=build_resources(),
)
