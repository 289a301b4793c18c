"""The gate as functions of a warehouse connection (Dagster checks and the publisher call these)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines import settings, terms
from pipelines.campaign import Campaign
from pipelines.checks import invariants
from pipelines.checks.outcomes import CheckOutcome
from pipelines.checks.runner import read_table, run_table_suites

REPORT_TABLE = invariants.REPORT_TABLE


def raw_tables_with_suites() -> list[str]:
    """raw.<table> for every input table of the contract (each has at least one suite)."""
    return [f"raw.{t.name}" for t in terms.ALL_TABLES]


def raw_table_gate(con: duckdb.DuckDBPyConnection, table: str, campaign: Campaign,
                   store: Path | None = None) -> list[CheckOutcome]:
    """The table's GX suites; with `store`, a frame judged before is not judged again."""
    return run_table_suites(con, table, campaign, settings.EXPECTATIONS_DIR, store)


def check_store() -> Path:
    """Where suite outcomes are kept by content, beside the parse store."""
    return settings.data_dir() / "raw_store" / "checks"


def report_gate(con: duckdb.DuckDBPyConnection, campaign: Campaign) -> list[CheckOutcome]:
    """GX suite of rpt_campaign_stats plus the cross-row invariants of contract §6."""
    outcomes = run_table_suites(con, REPORT_TABLE, campaign, settings.EXPECTATIONS_DIR)
    try:
        report = read_table(con, REPORT_TABLE)
    except duckdb.Error as exc:
        return outcomes + [CheckOutcome("report_readable", REPORT_TABLE, "python", "blocking", False,
                                        "the report can be read", error=str(exc).splitlines()[0],
                                        engine="python")]
    return outcomes + invariants.report_invariants(report)


def blocking_failures(outcomes: list[CheckOutcome]) -> list[CheckOutcome]:
    return [o for o in outcomes if o.blocking_failure]
