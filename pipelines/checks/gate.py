"""The gate on the raw inputs as functions of a warehouse connection (the Dagster checks call these)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines import settings
from pipelines.campaign import Campaign
from pipelines.checks.outcomes import CheckOutcome
from pipelines.checks.runner import run_table_suites


def raw_table_gate(
    con: duckdb.DuckDBPyConnection, table: str, campaign: Campaign, store: Path | None = None
) -> list[CheckOutcome]:
    """The table's GX suites; with `store`, a frame judged before is not judged again."""
    return run_table_suites(con, table, campaign, settings.EXPECTATIONS_DIR, store)


def check_store() -> Path:
    """Where suite outcomes are kept by content, beside the parse store."""
    return settings.data_dir() / "raw_store" / "checks"


def blocking_failures(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    return [o for o in outcomes if o.blocking_failure]
