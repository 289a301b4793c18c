"""End to end on the session's demo campaign: clean inputs publish, broken inputs stop the run.

The clean run is the session's `demo_run` (tests/conftest.py). Each broken case copies it
into its own folder, adds one bad file and runs `python -m pipelines run` in process: the
raw gate stops the run before dbt, so the broken cases are quick, and the copied marts must
survive byte-for-byte.
"""

import hashlib
import json
import os
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from conftest import DemoRun, point_env

from pipelines import terms
from pipelines.campaign import load_campaign

pytestmark = pytest.mark.slow

CAMPAIGN = load_campaign("2022-warm-heart")
LAST_CUTOFF = CAMPAIGN.cutoffs[-1].isoformat()


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory):
    """A demo campaign (20 persons per city) run through the gate up to publication. No
    city sends any of the policy's optional tables (援助基地 …): the run must not care."""
    from tools.demo import generate

    root = tmp_path_factory.mktemp("gate_e2e")
    generate(
        out=root / "raw",
        truth=root / "truth",
        seed=11,
        persons_per_city=20,
        campaign=CAMPAIGN,
        policy_tables=False,
    )
    with pytest.MonkeyPatch.context() as mp:
        point_env(mp, root)
        from pipelines.dbt_project import parse_dbt_project

        parse_dbt_project()  # as the CLI does: the models may have changed since the last parse
        from pipelines.defs import defs

        # Everything up to publication; the per-cut-off outputs after it are not the gate's.
        # (All dbt assets selected, so dagster-dbt runs a plain `dbt build`.)
        published = dg.AssetKey(["published", "marts"])
        selection = dg.AssetSelection.all() - dg.AssetSelection.assets(published).downstream(
            include_self=False
        )
        job = dg.define_asset_job("gate_e2e", selection=selection)
        job_def = dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def("gate_e2e")
        with dg.DagsterInstance.ephemeral() as instance:
            result = job_def.execute_in_process(instance=instance, raise_on_error=False)
    return root, result


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    from pipelines import dbt_project
    from pipelines.cli import main

    # The session run parsed the dbt project already; parsing again costs ~15 s per case.
    monkeypatch.setattr(
        dbt_project, "parse_dbt_project", lambda *a, **k: dbt_project.dbt_project.manifest_path
    )
    code = main(["run"])
    return code, capsys.readouterr().err


def report_of(root: Path) -> dict:
    paths = sorted((root / "gate_reports").glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(paths[-1].read_text(encoding="utf-8"))


def test_clean_demo_inputs_pass_the_gate_and_are_published(demo_run: DemoRun):
    root = demo_run.root
    stats = pl.read_parquet(root / "marts" / "rpt_campaign_stats.parquet")
    assert stats.height == 17 * len(CAMPAIGN.cutoffs)
    report = report_of(root)
    assert report["counts"]["failed_blocking"] == 0
    # The run's dbt tests are in the report, and none that blocks failed.
    assert report["counts"]["dbt_tests"] > 50
    assert [
        t
        for t in report["dbt_tests"]
        if not t["passed"] and t.get("configured_severity", "error") != "warn"
    ] == []
    assert report["publication"]["status"] == "published"
    assert "质量检查 Quality gate : 通过 passed" in demo_run.output


def test_a_campaign_without_the_policy_tables_publishes_zeros_for_their_figures(baseline):
    root, result = baseline
    assert result.success
    files = pl.read_parquet(root / "truth" / "files.parquet")
    assert not set(files["table_type"]) & {t.name for t in terms.POLICY_TABLES}
    supplement = pl.read_parquet(root / "marts" / "rpt_campaign_supplement.parquet")
    assert supplement.height == 17 * len(CAMPAIGN.cutoffs)
    built_on_them = [
        "bases_employment_assistance",
        "bases_training",
        "bases_internship",
        "employed_at_bases",
        "targets_paired",
        "enterprise_community_pairs",
    ]
    assert supplement.select(built_on_them).sum().row(0) == (0,) * len(built_on_them)
    expected = pl.read_parquet(root / "truth" / "expected_supplement.parquet")
    joined = expected.join(supplement, on=["cutoff_date", "city_code"], suffix="_got")
    for f in terms.SUPPLEMENT_FIGURES:
        assert joined.filter(pl.col(f).ne_missing(pl.col(f"{f}_got"))).is_empty(), f


def test_city_stats_with_parts_above_total_is_published_with_a_warning_in_the_gate_report(
    demo_run: DemoRun,
):
    root = demo_run.root
    report = report_of(root)
    [section] = [s for s in report["sections"] if s["section"] == "raw.city_stats"]
    warned = [o for o in section["outcomes"] if not o["success"]]
    # The demo's cities make the classic mistakes in their own tables (channels above the
    # employed total): the report is still published, the gate report shows where.
    assert warned and all(o["severity"] == "warning" for o in warned)
    assert any(
        o["name"] == "expect_column_pair_values_a_to_be_greater_than_b" and o["examples"]
        for o in warned
    )
    assert report["status"] == "passed_with_warnings"
    # 数据比对 shows the same city figure beside the warehouse's own.
    pair = next(o for o in warned if o["name"].startswith("expect_column_pair") and o["examples"])
    example, part = pair["examples"][0], pair["column"].split(", ")[1]
    comparison = pl.read_parquet(root / "marts" / "rpt_data_comparison.parquet").filter(
        (pl.col("check_type") == "figure_difference")
        & (pl.col("subject") == part)
        & (pl.col("city_code") == example["_city_code"])
        & (pl.col("cutoff_date").cast(pl.String) == example["_cutoff_date"])
    )
    assert comparison.get_column("reported_value").to_list() == [example[part]]
    md = next((root / "gate_reports").glob("*/report.md")).read_text(encoding="utf-8")
    assert "⚠️ warn" in md and "raw.city_stats" in md


def test_negative_relief_amounts_and_a_ledger_of_lost_ids_stop_publication_and_keep_old_marts(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    # Two independent blocking problems in one run (each alone blocks: tests/test_gate_checks.py);
    # the run names both, publishes nothing and leaves the old marts byte for byte.
    root = demo_copy
    before = snapshot(root / "marts")
    bad = root / "raw" / "registries" / "temp_relief" / "临时救助补录.csv"
    bad.write_text(
        "流水号,身份证号,姓名,市代码,救助类型,发放日期,发放金额\n"
        "TR-BAD-1,11010519491231002X,张三,370100,临时救助,2022-09-01,-800\n"
        "TR-BAD-2,11010519491231002X,张三,370100,临时救助,2022-09-02,300\n",
        encoding="utf-8",
    )
    folder = root / "raw" / "submissions" / CAMPAIGN.id / LAST_CUTOFF / "370300"
    lines = ["姓名,身份证号,人员类别,认定日期,就业状态"]
    # A spreadsheet turned the ID column into floats: the digits are lost (contract §2).
    lines += [
        f"人员{i},3.7030219{i}E+17,长期失业人员,2022-08-0{i % 9 + 1},未就业" for i in range(9)
    ]
    lines += ["人员9,370302198001010011,长期失业人员,2022-08-09,未就业"]
    ledger = folder / "淄博市台账更正.csv"
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    latest = max(p.stat().st_mtime for p in folder.iterdir())
    os.utime(ledger, (latest + 3600, latest + 3600))  # received last: it is the current ledger
    point_env(monkeypatch, root)
    code, err = run_cli(capsys, monkeypatch)
    assert code == 1  # docs/quality_gate.md: a failed run exits 1
    assert "[BLOCKING] check blocking_expectations on raw/reg_temp_relief failed" in err
    assert "amount_yuan" in err and "临时救助补录.csv row 2" in err and "-800" in err
    assert "[BLOCKING] check blocking_expectations on raw/ledger failed" in err
    assert "valid_id_share" in err and "淄博市台账更正.csv" in err
    assert "nothing new was published" in err
    assert snapshot(root / "marts") == before
    assert report_of(root)["status"] == "failed"
