"""Rates in the marts (macro `rate`) round half up to 4 decimals, as a person computes them.

`round(33 / 160, 4)` rounds the double 0.2062499…, not 0.20625: DuckDB gave 0.2062 while
Spark gave 0.2063, and the two engines' rpt_city_targets / rpt_city_rankings differed on
the default demo. The macro is rendered here as dbt renders it and evaluated by DuckDB;
the engine-equivalence test (tests/spark) holds Spark to the same values.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb
import jinja2
import pytest

from pipelines import settings

MACROS = settings.DBT_PROJECT_DIR / "macros" / "report_rows.sql"


def rate_sql(part: str, whole: str) -> str:
    module = jinja2.Environment().from_string(MACROS.read_text(encoding="utf-8")).module
    return str(module.rate(part, whole)).strip()


def by_hand(part: int, whole: int) -> float:
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        (33, 160),
        (29, 160),
        (1, 3),
        (2, 3),
        (1, 8),
        (0, 7),
        (7, 7),
        (12_345, 100_000),
        (123_457, 1_000_000),
        (3, 40_000),
        (10**9 + 1, 2 * 10**9),
    ],
)
def test_a_rate_is_the_share_rounded_half_up_to_four_decimals(part: int, whole: int) -> None:
    sql = rate_sql("p", "w")
    with duckdb.connect() as con:
        got = con.execute(
            f"select {sql} from (select ?::bigint as p, ?::bigint as w)", [part, whole]
        ).fetchone()[0]
    assert got == by_hand(part, whole)


def test_a_rate_over_nobody_or_over_an_unknown_is_null() -> None:
    sql = rate_sql("p", "w")
    with duckdb.connect() as con:
        rows = con.execute(
            f"select {sql} from (values (5, 0), (null, 3), (3, null)) as t(p, w)"
        ).fetchall()
    assert rows == [(None,), (None,), (None,)]
