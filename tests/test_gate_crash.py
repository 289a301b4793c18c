"""docs/quality_gate.md: a check that crashes yields a failed blocking result, never no result
(Dagster lets downstream assets run when a blocking check emits nothing)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.checks import gate


def test_a_crashing_raw_check_is_a_failed_blocking_check_and_stops_the_run(
    tmp_path: Path, monkeypatch
):
    (tmp_path / "raw").mkdir()
    monkeypatch.setenv("WARMHEART_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("WARMHEART_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    from pipelines.defs.assets_ingest import campaign_config, raw_uploads
    from pipelines.defs.checks import raw_input_gate
    from pipelines.defs.resources import WarehouseResource

    real = gate.raw_table_gate

    def crash_on_visits(con, table, *args, **kwargs):
        if table == "raw.visits":
            raise RuntimeError("reader exploded")
        return real(con, table, *args, **kwargs)

    monkeypatch.setattr(gate, "raw_table_gate", crash_on_visits)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [campaign_config, raw_uploads, raw_input_gate],
            instance=instance,
            resources={"warehouse": WarehouseResource()},
            raise_on_error=False,
        )
    visits = {
        e.check_name: e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey(["raw", "visits"])
    }
    crashed = visits["blocking_expectations"]
    assert not crashed.passed and crashed.severity == dg.AssetCheckSeverity.ERROR
    assert "gate_crashed" in crashed.metadata["summary"].value
    assert "reader exploded" in crashed.metadata["summary"].value
    assert not result.success


def test_a_guarded_table_the_gate_cannot_read_fails_its_suites_blocking():
    import duckdb

    from pipelines.campaign import load_campaign
    from pipelines.checks.runner import run_table_suites

    con = duckdb.connect()  # no raw.visits in it
    outcomes = run_table_suites(con, "raw.visits", load_campaign("2022-warm-heart"))
    con.close()
    assert outcomes and all(not o.success and o.name == "table_readable" for o in outcomes)
    assert any(o.severity == "blocking" for o in outcomes)
