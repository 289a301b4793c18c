"""Invariants that are not natural GX expectations: across rows, or across tables.

- province_equals_sum_of_cities (blocking): the 370000 row of every cut-off equals the
  sum of the 16 city rows, figure by figure (contract §6). A difference means the
  合计 row of the official table disagrees with its own lines.
- every_city_every_cutoff (blocking): each cut-off present in the report has exactly
  the 16 cities and the province. A missing city row would drop a line from the
  official table (a city with no data must appear with zeros).
- cities_reported (warning): for each cut-off some city has uploaded for, the cities
  that sent nothing, or no ledger. Their figures are built from carried-forward
  ledgers (contract §5), so the report is still right; the operator should chase them.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from pipelines.checks.outcomes import MAX_EXAMPLES, CheckOutcome, json_safe
from pipelines.checks.runner import query_frame

REPORT_TABLE = "marts.rpt_campaign_stats"
MONEY_TOLERANCE = 0.005  # amounts are rounded to fen; sums of rounded values may differ by < 1 fen


def province_equals_sum_of_cities(report: pl.DataFrame) -> CheckOutcome:
    figures = [f for f in terms.FIGURE_NAMES if f in report.columns]
    cities = (
        report.filter(pl.col("city_code") != terms.PROVINCE_CODE)
        .group_by("cutoff_date").agg(pl.col(figures).sum())
    )
    province = report.filter(pl.col("city_code") == terms.PROVINCE_CODE).select("cutoff_date", *figures)
    joined = province.join(cities, on="cutoff_date", how="full", suffix="_cities", coalesce=True)
    mismatches: list[dict[str, object]] = []
    for fig in terms.FIGURES:
        if fig.name not in figures:
            continue
        tol = MONEY_TOLERANCE if fig.money else 0
        bad = joined.filter(
            (pl.col(fig.name).fill_null(0) - pl.col(f"{fig.name}_cities").fill_null(0)).abs() > tol
        )
        for row in bad.iter_rows(named=True):
            mismatches.append({"cutoff_date": json_safe(row["cutoff_date"]), "figure": fig.name,
                               "province": json_safe(row[fig.name]),
                               "sum_of_cities": json_safe(row[f"{fig.name}_cities"])})
    return CheckOutcome(
        "province_equals_sum_of_cities", REPORT_TABLE, "python", "blocking", not mismatches,
        "the province row (370000) of each cut-off equals the sum of its 16 city rows, figure "
        "by figure; otherwise the 合计 row contradicts the lines above it",
        unexpected_count=len(mismatches), element_count=joined.height * len(figures),
        examples=mismatches[:MAX_EXAMPLES], engine="python",
    )


def every_city_every_cutoff(report: pl.DataFrame) -> CheckOutcome:
    expected = {terms.PROVINCE_CODE, *terms.CITIES}
    missing: list[dict[str, object]] = []
    cutoffs = sorted(report.get_column("cutoff_date").unique().drop_nulls().to_list())
    for cutoff in cutoffs:
        present = set(report.filter(pl.col("cutoff_date") == cutoff).get_column("city_code").to_list())
        for code in sorted(expected - present):
            missing.append({"cutoff_date": json_safe(cutoff), "city_code": code,
                            "city_name": terms.CITIES.get(code, terms.PROVINCE_NAME)})
    return CheckOutcome(
        "every_city_every_cutoff", REPORT_TABLE, "python", "blocking",
        bool(cutoffs) and not missing,
        "each cut-off in the report has a row for each of the 16 cities and the province "
        "(a city without data appears with zeros, never as a missing line)",
        unexpected_count=len(missing) if cutoffs else None,
        element_count=len(cutoffs) * len(expected),
        examples=missing[:MAX_EXAMPLES] if cutoffs else [{"report": "has no rows"}],
        engine="python",
    )


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
                gaps.append({"cutoff_date": cutoff.isoformat(), "city_code": code, "city_name": name,
                             "missing": "nothing received"})
            elif terms.LEDGER.name not in types:
                gaps.append({"cutoff_date": cutoff.isoformat(), "city_code": code, "city_name": name,
                             "missing": "no ledger (the latest earlier ledger is carried forward)"})
    return CheckOutcome(
        "cities_reported", "raw.files", "python", "warning", not gaps,
        "every city uploads for every cut-off that has begun; a silent city's figures rest on "
        "its carried-forward ledger and nothing new, which the report must show",
        unexpected_count=len(gaps), element_count=len(started) * len(terms.CITIES),
        examples=gaps[:MAX_EXAMPLES * 4], engine="python",
    )


def report_invariants(report: pl.DataFrame) -> list[CheckOutcome]:
    return [province_equals_sum_of_cities(report), every_city_every_cutoff(report)]
