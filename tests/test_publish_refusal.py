"""docs/quality_gate.md: a failing error-severity dbt test of a mart blocks publication.

The mart tests run as blocking Dagster checks (dagster-dbt); `published/marts` asks the
instance for their latest result. Here the tests run on marts broken in a copy of the
session's demo run, and publication is then materialised alone, as from the UI: it must
refuse, name the failed test, and leave the published folder byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import point_env

pytestmark = pytest.mark.slow

STATS = dg.AssetKey(["marts", "rpt_campaign_stats"])
PUBLISHED = dg.AssetKey(["published", "marts"])
PROVINCE_TEST = "assert_rpt_campaign_stats_province"


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_failing_error_severity_mart_test_blocks_publication_even_when_published_alone(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_env(monkeypatch, demo_copy)
    before = snapshot(demo_copy / "marts")
    con = duckdb.connect(str(demo_copy / "warehouse.duckdb"))
    try:  # the 合计 row no longer the sum of its cities at the first cut-off
        con.execute(
            "update marts.rpt_campaign_stats set employed = employed + 1 "
            "where city_code = '370000' "
            "and cutoff_date = (select min(cutoff_date) from marts.rpt_campaign_stats)"
        )
    finally:
        con.close()
    from pipelines.defs import defs

    jobs = [
        dg.define_asset_job("mart_tests", selection=dg.AssetSelection.checks_for_assets(STATS)),
        dg.define_asset_job("publish_alone", selection=dg.AssetSelection.assets(PUBLISHED)),
    ]
    merged = dg.Definitions.merge(defs, dg.Definitions(jobs=jobs))
    with dg.DagsterInstance.ephemeral() as instance:
        tested = merged.resolve_job_def("mart_tests").execute_in_process(
            instance=instance, raise_on_error=False
        )
        outcomes = {e.check_name: e.passed for e in tested.get_asset_check_evaluations()}
        assert outcomes[PROVINCE_TEST] is False, outcomes
        assert [name for name, passed in outcomes.items() if not passed] == [PROVINCE_TEST]

        published = merged.resolve_job_def("publish_alone").execute_in_process(
            instance=instance, raise_on_error=False
        )
    assert not published.success
    errors = "\n".join(
        e.step_failure_data.error.to_string() for e in published.get_step_failure_events()
    )
    assert "PublicationRefused" in errors
    assert f"marts/rpt_campaign_stats {PROVINCE_TEST}: failed" in errors
    assert snapshot(demo_copy / "marts") == before
