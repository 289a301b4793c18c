"""Every singular dbt test under dbt_project/tests/ fails on a mart built to break it.

The session's demo run passed them all (its `dbt build` runs them and the run succeeded;
a failing error-severity test fails the dbt step). A copy of its warehouse gets one
deliberate fault per test, each on rows no other test reads, and `dbt test` must report
exactly that many failing rows for each: a test that returns nothing on broken data
guards nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines import settings
from tools.fixtures.raw_builder import run_dbt

pytestmark = pytest.mark.slow

PROVINCE = "370000"

# test name → (SQL that breaks the marts for it alone, failing rows expected).
# cutoff(n) is the n-th cut-off of the campaign, so each fault sits on its own rows.
BREAKS: dict[str, tuple[str, int]] = {
    "assert_rpt_campaign_stats_complete": (
        "delete from marts.rpt_campaign_stats where city_code = '{province}' and cutoff_date = {cutoff1}",
        1,
    ),
    "assert_rpt_campaign_stats_province": (
        "update marts.rpt_campaign_stats set employed = employed + 1 "
        "where city_code = '{province}' and cutoff_date = {cutoff2}",
        1,
    ),
    # A part above its total in one city; the province row moves with it, so the
    # province test still holds and only the invariant fails.
    "assert_rpt_campaign_stats_invariants": (
        "update marts.rpt_campaign_stats set older_workers = older_workers + "
        "(select targets_identified + 1 - older_workers from marts.rpt_campaign_stats "
        " where city_code = '370100' and cutoff_date = {cutoff3}) "
        "where city_code in ('370100', '{province}') and cutoff_date = {cutoff3}",
        1,
    ),
    "assert_city_targets_agree_with_report": (
        "update marts.rpt_city_targets set targets = targets + 1 "
        "where city_code = '370200' and cutoff_date = {cutoff1}",
        1,
    ),
    "assert_quarantine_mart_has_no_personal_values": (
        "insert into marts.rpt_quarantine by name "
        "select 'bad_id' as reason_code, '11010519491231002X' as value",
        1,
    ),
    "assert_job_pool_agrees_with_report": (
        "update marts.rpt_job_pool set postings = postings + 1 where rowid = (select min(rowid) "
        "from marts.rpt_job_pool where city_code = '370500' and cutoff_date = {cutoff2})",
        1,
    ),
    # A negative part in one city: the row itself, and the province no longer its cities' sum.
    "assert_rpt_campaign_supplement_invariants": (
        "update marts.rpt_campaign_supplement set targets_paired = -1 "
        "where city_code = '370400' and cutoff_date = {cutoff1}",
        2,
    ),
    "assert_reporting_rates_are_ordered": (
        "update marts.rpt_reporting_rates set on_time_reports = received_reports + 1 "
        "where rowid = (select min(rowid) from marts.rpt_reporting_rates)",
        1,
    ),
}


def singular_tests() -> set[str]:
    return {p.stem for p in (settings.DBT_PROJECT_DIR / "tests").rglob("*.sql")}


def test_every_singular_test_has_a_break_here():
    missing = singular_tests() - set(BREAKS)
    assert not missing, f"add a fault that breaks {sorted(missing)} to BREAKS in this file"


def test_each_singular_test_fails_on_marts_broken_for_it(demo_copy: Path):
    warehouse = demo_copy / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        cutoffs = [
            r[0]
            for r in con.execute(
                "select cutoff_date from staging.stg_campaign_cutoffs order by cutoff_date"
            ).fetchall()
        ]
        values = {
            "province": PROVINCE,
            **{f"cutoff{i}": f"date '{d}'" for i, d in enumerate(cutoffs[:3], 1)},
        }
        for sql, _ in BREAKS.values():
            con.execute(sql.format(**values))
    finally:
        con.close()
    result = run_dbt(warehouse, "test", "--select", "test_type:singular")
    run_results = json.loads(
        (demo_copy / "dbt_target" / "run_results.json").read_text(encoding="utf-8")
    )
    # Only the tests: the project's on-run-start hook is a result of its own.
    got = {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"])
        for r in run_results["results"]
        if r["unique_id"].startswith("test.")
    }
    assert got == {name: ("fail", rows) for name, (_, rows) in BREAKS.items()}, result.stdout[
        -3000:
    ]
