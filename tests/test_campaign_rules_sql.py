"""The shared campaign rules (dbt_project/macros/campaign_rules.sql) on boundary dates.

The people fixtures (2022 campaign, `long_term_unemployed_days = 365`) cannot tell a
calendar year from 365 days: no 29 February falls in the year before any 2022 认定日期,
and the winter test campaign's 730 days span none either. So the macro is rendered here
the way dbt renders it (it is plain Jinja) and evaluated by DuckDB on dates around leap
days, where the two readings differ.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import jinja2
import pytest

from pipelines import settings

MACROS = settings.DBT_PROJECT_DIR / "macros" / "campaign_rules.sql"
# The date arithmetic it uses is dispatched per engine: DuckDB's versions are plain Jinja too.
DIALECT = settings.DBT_PROJECT_DIR / "macros" / "engine_dialect.sql"
D = dt.date.fromisoformat


def is_long_term(registered_on: str, as_of: str, threshold_days: int) -> bool:
    env = jinja2.Environment()
    dialect = env.from_string(DIALECT.read_text(encoding="utf-8")).module
    call = "{{ is_long_term_registration('registered_on', 'as_of', 'threshold_days') }}"
    sql = env.from_string(MACROS.read_text(encoding="utf-8") + call).render(
        add_years=dialect.default__add_years, add_days=dialect.default__add_days
    )
    with duckdb.connect() as con:
        return con.execute(
            f"select {sql.strip()} from (select ?::date as registered_on, "
            "?::date as as_of, ?::integer as threshold_days)",
            [D(registered_on), D(as_of), threshold_days],
        ).fetchone()[0]


@pytest.mark.parametrize(
    ("registered_on", "as_of", "threshold_days", "expected"),
    [
        # 366 days across 2020-02-29, yet one calendar year: long-term on the anniversary…
        ("2019-08-01", "2020-08-01", 365, True),
        # …and not the day after it, although 365 days have passed.
        ("2019-08-02", "2020-08-01", 365, False),
        ("2023-03-02", "2024-03-01", 365, False),
        ("2023-03-01", "2024-03-01", 365, True),
        # Two calendar years across a leap day: 731 days are needed, 730 are not enough.
        ("2019-03-02", "2021-03-01", 730, False),
        ("2019-03-01", "2021-03-01", 730, True),
        # Without a leap day both readings agree (the 2022 campaign's case).
        ("2021-08-01", "2022-08-01", 365, True),
        ("2021-08-02", "2022-08-01", 365, False),
    ],
)
def test_long_term_unemployment_counts_calendar_years_across_a_leap_day(
    registered_on: str, as_of: str, threshold_days: int, expected: bool
) -> None:
    assert is_long_term(registered_on, as_of, threshold_days) is expected


@pytest.mark.parametrize(
    ("registered_on", "expected"), [("2022-01-13", True), ("2022-01-14", False)]
)
def test_a_threshold_that_is_no_whole_number_of_years_is_counted_in_days(
    registered_on: str, expected: bool
) -> None:
    # 200 days before 2022-08-01 is 2022-01-13.
    assert is_long_term(registered_on, "2022-08-01", 200) is expected
