"""Cut-off partitions: one partition key per report cut-off of the configured campaign.

Only the per-cut-off outputs are partitioned (see docs/operations.md, "Partitioning"):
ingestion and dbt recompute every cut-off in one pass because every figure is
cumulative and cheap, while what is handed over per cut-off (the report slice,
the restricted city lists) is written per key, so a rerun of one cut-off
rewrites that cut-off's outputs and leaves the others' files untouched.
"""

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from pipelines.campaign import Campaign, load_campaign


def build_cutoff_partitions(campaign: Campaign | None = None) -> dg.StaticPartitionsDefinition:
    """One key per cut-off (YYYY-MM-DD), in report order, from the campaign configuration."""
    campaign = campaign or load_campaign()
    return dg.StaticPartitionsDefinition(campaign.cutoff_keys)


cutoff_partitions = build_cutoff_partitions()


def all_cutoffs_run_tags(
    partitions: dg.StaticPartitionsDefinition = cutoff_partitions,
) -> dict[str, str]:
    """Run tags that make one run cover every cut-off (a partition-key range).

    `python -m pipelines run` uses them so a single in-process run materialises
    the unpartitioned assets once and every cut-off of the partitioned ones
    (their BackfillPolicy is single-run, so they see all keys at once).
    """
    keys = partitions.get_partition_keys()
    return {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}
