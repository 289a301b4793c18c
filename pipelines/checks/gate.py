"""The gate on the raw inputs as functions of a warehouse connection (the Dagster checks call these)."""

from __future__ import annotations

import duckdb

from pipelines import settings
from pipelines.campaign import Campaign
from pipelines.checks.outcomes import CheckOutcome
from pipelines.checks.runner import run_table_suites


def raw_table_gate(con: duckdb.DuckDBPyConnection, table: str, campaign: Campaign) -> list[CheckOutcome]:
    return run_table_suites(con, table, campaign, settings.EXPECTATIONS_DIR)


def blocking_failures(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    return [o for o in outcomes if o.blocking_failure]
