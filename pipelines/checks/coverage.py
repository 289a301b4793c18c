"""Which cities reported: a check across the files of a cut-off, not a natural GX expectation.

- cities_reported (warning): for each cut-off some city has uploaded for, the cities
  that sent nothing, or no ledger. Their figures are built from carried-forward
  ledgers (contract §5), so the report is still right; the operator should chase them.

The report's own invariants (province = sum of cities, every city at every cut-off,
其中 ≤ total) are dbt tests of rpt_campaign_stats (dbt_project/tests/marts/), blocking.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from pipelines.checks.outcomes import MAX_EXAMPLES, CheckOutcome
from pipelines.checks.runner import query_frame


def cities_reported(con: duckdb.DuckDBPyConnection, campaign: Campaign) -> CheckOutcome:
    """Cities with no upload (or no ledger) for a cut-off that other cities already reported on."""
    files = query_frame(
        con,
        "select cutoff_date, city_code, table_type from raw.files "
        "where source = 'submission' and campaign_id = $1 and city_code is not null",
        [campaign.id],
    )
    started = sorted(set(files.get_column("cutoff_date").to_list()) & set(campaign.cutoffs))
    gaps: list[dict[str, object]] = []
    for cutoff in started:
        sent = files.filter(pl.col("cutoff_date") == cutoff)
        for code, name in terms.CITIES.items():
            types = set(sent.filter(pl.col("city_code") == code).get_column("table_type").to_list())
            if not types:
                gaps.append(
                    {
                        "cutoff_date": cutoff.isoformat(),
                        "city_code": code,
                        "city_name": name,
                        "missing": "nothing received",
                    }
                )
            elif terms.LEDGER.name not in types:
                gaps.append(
                    {
                        "cutoff_date": cutoff.isoformat(),
                        "city_code": code,
                        "city_name": name,
                        "missing": "no ledger (the latest earlier ledger is carried forward)",
                    }
                )
    return CheckOutcome(
        "cities_reported",
        "raw.files",
        "python",
        "warning",
        not gaps,
        "every city uploads for every cut-off that has begun; a silent city's figures rest on "
        "its carried-forward ledger and nothing new, which the report must show",
        unexpected_count=len(gaps),
        element_count=len(started) * len(terms.CITIES),
        examples=gaps[: MAX_EXAMPLES * 4],
        engine="python",
    )
