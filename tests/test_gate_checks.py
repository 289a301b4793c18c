"""The gate's suites and runner on hand-made raw tables (no ingestion, no dbt)."""

import datetime as dt
import json

import duckdb
import polars as pl
import pytest

from pipelines import settings, terms
from pipelines.campaign import load_campaign
from pipelines.checks import coverage, gate
from pipelines.checks.ids import id_is_valid
from pipelines.checks.suites import build_suites
from tools.fixtures.gate_tables import (
    create_raw_table,
    valid_id,
)

CAMPAIGN = load_campaign("2022-warm-heart")
CUTOFF = dt.date(2022, 8, 15)


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def failed(outcomes, severity=None):
    return [o for o in outcomes if not o.success and (severity is None or o.severity == severity)]


def ledger_row(n: int, id_number: str | None = None) -> dict:
    return {
        "name": f"人{n}",
        "id_number": id_number or valid_id(n),
        "categories": ["长期失业人员"],
        "identified_on": dt.date(2022, 7, 1),
        "employment_status": "未就业",
    }


def test_committed_suites_are_exactly_what_terms_build():
    built = build_suites()
    on_disk = {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in settings.EXPECTATIONS_DIR.glob("*.json")
    }
    assert on_disk == built, (
        "run `python -m pipelines.checks.suites` after changing terms or suites.py"
    )


def test_every_input_table_has_a_suite_and_marts_have_none():
    # GX guards the raw inputs; the marts are guarded by their dbt tests.
    tables = {s["meta"]["warmheart"]["table"] for s in build_suites().values()}
    assert tables == {f"raw.{t.name}" for t in terms.ALL_TABLES}


def test_suites_load_as_gx_expectation_suites_keeping_type_severity_and_arguments():
    import great_expectations as gx

    for suite in build_suites().values():
        loaded = gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"])
        got = [
            (e.expectation_type, e.severity.value, dict(e.configuration.kwargs))
            for e in loaded.expectations
        ]
        want = [
            (e["type"], e["severity"], {k: v for k, v in e["kwargs"].items()})
            for e in suite["expectations"]
        ]
        assert len(got) == len(want) > 0, suite["name"]
        for g, w in zip(got, want, strict=True):
            assert g[:2] == w[:2] and all(g[2].get(k) == v for k, v in w[2].items()), (
                suite["name"],
                g,
                w,
            )


def test_city_stats_suite_never_blocks():
    suite = build_suites()["raw.city_stats.json"]
    assert {e["severity"] for e in suite["expectations"]} == {"warning"}


@pytest.mark.parametrize(
    "story,ids,ok",
    [
        ("18 digits with a correct check character", ["11010519491231002X"], True),
        ("a lower-case x is the same ID", ["11010519491231002x"], True),
        ("15 digits are upgraded to 18", ["110105491231002"], True),
        ("full-width digits are folded", ["１１０１０５１９４９１２３１００２Ｘ"], True),
        ("a wrong check character", ["110105194912310021"], False),
        ("a spreadsheet float lost the digits", ["3.70102198E+17"], False),
        ("a birth date after the campaign", [valid_id(1, birth="20230101")], False),
        ("a birth date that is not a date", ["370102198002300011"], False),
    ],
)
def test_id_validity_follows_the_contract(story, ids, ok):
    got = (
        pl.DataFrame({"id": ids})
        .select(id_is_valid(pl.col("id"), CAMPAIGN.end))
        .to_series()
        .to_list()
    )
    assert got == [ok], story


def test_gate_check_character_agrees_with_python_stdnum_on_every_remainder():
    import random

    from tools.fixtures.ids import check_char

    rng = random.Random(14)
    bodies = [
        f"3701{rng.randrange(10**2):02d}19{rng.randrange(50, 99)}0{rng.randrange(1, 10)}"
        f"1{rng.randrange(10)}{rng.randrange(1000):03d}"
        for _ in range(400)
    ]
    right = [b + check_char(b) for b in bodies]
    wrong = [b + ("0" if check_char(b) != "0" else "1") for b in bodies]
    assert len({r[-1] for r in right}) == 11  # every remainder, X included
    got = pl.DataFrame({"id": right + wrong}).select(id_is_valid(pl.col("id"), CAMPAIGN.end))
    assert got.to_series().to_list() == [True] * len(right) + [False] * len(wrong)


def relief_with_a_negative_amount(con) -> None:
    """raw.reg_temp_relief: five payments from registries/temp_relief/2022.csv, the one on
    row 5 (4th data row) of -120.0."""
    rows = [
        {
            "payment_id": f"P{i}",
            "id_number": valid_id(i),
            "city_code": "370100",
            "relief_type": "临时救助",
            "paid_on": dt.date(2022, 8, 5),
            "amount_yuan": 500.0,
        }
        for i in range(5)
    ]
    rows[3]["amount_yuan"] = -120.0
    create_raw_table(con, terms.TEMP_RELIEF, rows, "registries/temp_relief/2022.csv")


def test_registry_with_negative_amounts_fails_a_blocking_check_naming_file_and_row(con):
    relief_with_a_negative_amount(con)
    bad = failed(gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN), "blocking")
    assert [(o.name, o.column, o.unexpected_count) for o in bad] == [
        ("expect_column_values_to_be_between", "amount_yuan", 1)
    ]
    text = bad[0].summary()
    assert "raw.reg_temp_relief" in text and "registries/temp_relief/2022.csv row 5" in text
    assert "-120.0" in text


def test_ledger_where_most_ids_are_invalid_fails_per_file_while_a_good_file_passes(con):
    good = [ledger_row(i) for i in range(10)]
    good[0]["id_number"] = "3.70102198E+17"  # one broken cell is a typo, not a broken file
    broken = [ledger_row(i, "3.70102198E+17" if i % 10 < 8 else None) for i in range(10, 20)]
    create_raw_table(
        con, terms.LEDGER, good, "submissions/x/2022-08-15/370100/good.xlsx", "370100", CUTOFF
    )
    create_raw_table(
        con, terms.LEDGER, broken, "submissions/x/2022-08-15/370200/bad.xlsx", "370200", CUTOFF
    )
    bad = failed(gate.raw_table_gate(con, "raw.ledger", CAMPAIGN), "blocking")
    assert [o.column for o in bad] == ["valid_id_share"]
    assert bad[0].unexpected_count == 1 and bad[0].element_count == 2
    assert bad[0].examples[0]["_file_path"].endswith("370200/bad.xlsx")
    assert bad[0].examples[0]["valid_ids"] == 2


def test_a_tiny_file_with_two_typo_ids_is_not_judged_broken(con):
    # Seen on small demo campaigns: a 3-row visits-sized file with 2 typos blocked the run.
    rows = [ledger_row(i) for i in range(3)]
    rows[0]["id_number"] = rows[1]["id_number"] = "3.70102198E+17"
    create_raw_table(
        con, terms.LEDGER, rows, "submissions/x/2022-08-15/370100/tiny.xlsx", "370100", CUTOFF
    )
    blocking = failed(gate.raw_table_gate(con, "raw.ledger", CAMPAIGN), "blocking")
    assert [o.column for o in blocking if o.column == "valid_id_share"] == []


def test_clean_ledger_passes_every_check(con):
    create_raw_table(
        con,
        terms.LEDGER,
        [ledger_row(i) for i in range(5)],
        "submissions/x/2022-08-15/370100/l.xlsx",
        "370100",
        CUTOFF,
    )
    outcomes = gate.raw_table_gate(con, "raw.ledger", CAMPAIGN)
    assert outcomes and not failed(outcomes)


def test_unknown_enumeration_value_blocks_and_implausible_date_only_warns(con):
    rows = [ledger_row(i) for i in range(4)]
    rows[1]["employment_status"] = "待业"
    rows[2]["identified_on"] = dt.date(2202, 7, 1)
    create_raw_table(con, terms.LEDGER, rows, "l.xlsx", "370100", CUTOFF)
    outcomes = gate.raw_table_gate(con, "raw.ledger", CAMPAIGN)
    assert [o.column for o in failed(outcomes, "blocking")] == ["employment_status"]
    assert [o.column for o in failed(outcomes, "warning")] == ["identified_on"]


def test_missing_table_fails_instead_of_passing(con):
    outcomes = gate.raw_table_gate(con, "raw.visits", CAMPAIGN)
    assert outcomes and all(not o.success for o in outcomes)
    assert any(o.severity == "blocking" for o in outcomes)


def test_city_stats_whose_parts_exceed_the_total_is_only_a_warning(con):
    figs = {f: 1 for f in terms.FIGURE_NAMES} | {
        "targets_identified": 10,
        "long_term_unemployed": 12,
        "employed": 5,
    }
    create_raw_table(
        con,
        terms.CITY_STATS,
        [{"unit": "济南市", **figs}],
        "submissions/x/2022-08-15/370100/统计表.xlsx",
        "370100",
        CUTOFF,
    )
    outcomes = gate.raw_table_gate(con, "raw.city_stats", CAMPAIGN)
    bad = failed(outcomes)
    assert bad and all(o.severity == "warning" for o in bad)
    assert [o.column for o in bad] == ["targets_identified, long_term_unemployed"]
    assert bad[0].examples[0]["_city_code"] == "370100"


def test_city_that_did_not_report_is_a_warning(con):
    con.execute("create schema raw")
    con.execute(
        "create table raw.files (source varchar, campaign_id varchar, cutoff_date date, "
        "city_code varchar, table_type varchar)"
    )
    for code in terms.CITIES:
        if code != "370500":
            con.execute(
                "insert into raw.files values ('submission', ?, ?, ?, 'ledger')",
                [CAMPAIGN.id, CUTOFF, code],
            )
    con.execute("delete from raw.files where city_code = '370200'")
    con.execute(
        "insert into raw.files values ('submission', ?, ?, '370200', 'visits')",
        [CAMPAIGN.id, CUTOFF],
    )
    out = coverage.cities_reported(con, CAMPAIGN)
    assert not out.success and out.severity == "warning"
    assert {(e["city_code"], e["missing"].split(" ")[0]) for e in out.examples} == {
        ("370500", "nothing"),
        ("370200", "no"),
    }


def test_broken_ledger_the_city_has_since_replaced_no_longer_blocks(con):
    folder = "submissions/x/2022-08-15/370100"
    broken = [ledger_row(i, "3.70102198E+17") for i in range(10)]
    fixed = [ledger_row(i) for i in range(10)]
    create_raw_table(con, terms.LEDGER, broken, f"{folder}/台账.xlsx", "370100", CUTOFF)
    create_raw_table(con, terms.LEDGER, fixed, f"{folder}/台账更正.xlsx", "370100", CUTOFF)
    con.execute(
        "update raw.ledger set _received_at = case when _file_path like '%更正%' "
        "then timestamp '2022-08-16 09:00' else timestamp '2022-08-14 09:00' end"
    )
    assert not failed(gate.raw_table_gate(con, "raw.ledger", CAMPAIGN), "blocking")
    con.execute(
        "update raw.ledger set _received_at = timestamp '2022-08-17 09:00' "
        "where _file_path like '%台账.xlsx'"
    )  # the broken one is now the latest
    assert failed(gate.raw_table_gate(con, "raw.ledger", CAMPAIGN), "blocking")


def test_empty_ledger_blocks_so_a_wrong_raw_folder_cannot_publish_zeros(con):
    create_raw_table(con, terms.LEDGER, [], "none.xlsx")
    bad = failed(gate.raw_table_gate(con, "raw.ledger", CAMPAIGN), "blocking")
    assert [o.name for o in bad] == ["expect_table_row_count_to_be_between"]


def test_checks_are_declared_blocking_only_where_a_published_figure_would_be_wrong():
    import dagster as dg

    from pipelines.defs.assets_publish import published_marts
    from pipelines.defs.checks import GATE_CHECKS

    blocking = {
        (s.asset_key.to_user_string(), s.name): s.blocking
        for checks in GATE_CHECKS
        for s in checks.check_specs
    }
    assert blocking[("raw/reg_temp_relief", "blocking_expectations")] is True
    assert blocking[("raw/ledger", "blocking_expectations")] is True
    assert blocking[("raw/ledger", "warning_expectations")] is False
    # The city's own statistics table only ever warns; a silent city only warns.
    assert [b for (key, _), b in blocking.items() if key == "raw/city_stats"] == [False]
    assert blocking[("raw/files", "cities_reported")] is False
    # The report's invariants are its dbt tests, each a blocking check of the report asset.
    from pipelines.defs.assets_dbt import warehouse_models

    report_checks = {
        k.name
        for k in warehouse_models.check_keys
        if k.asset_key == dg.AssetKey(["marts", "rpt_campaign_stats"])
    }
    assert {
        "assert_rpt_campaign_stats_province",
        "assert_rpt_campaign_stats_complete",
        "assert_rpt_campaign_stats_invariants",
    } <= report_checks
    # Publication waits for the report (and so for its blocking checks).
    spec = published_marts.specs_by_key[dg.AssetKey(["published", "marts"])]
    assert dg.AssetKey(["marts", "rpt_campaign_stats"]) in {dep.asset_key for dep in spec.deps}


def test_a_table_judged_before_is_not_validated_again_until_its_rows_change(
    con, tmp_path, monkeypatch
):
    from pipelines.checks import runner

    relief_with_a_negative_amount(con)
    store = tmp_path / "checks"
    first = gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    calls = []
    real = runner._verdicts  # where every suite meets GX
    monkeypatch.setattr(runner, "_verdicts", lambda *a: calls.append(1) or real(*a))
    again = gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    assert not calls and [o.to_dict() for o in again] == [o.to_dict() for o in first]
    assert failed(again, "blocking")[0].examples == failed(first, "blocking")[0].examples
    con.execute("update raw.reg_temp_relief set amount_yuan = 500.0")  # the city's correction
    fixed = gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    assert calls and not failed(fixed, "blocking")


def test_an_unchanged_table_is_not_even_read_on_the_next_run(con, tmp_path, monkeypatch):
    from pipelines.checks import runner

    relief_with_a_negative_amount(con)
    store = tmp_path / "checks"
    first = gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    reads = []

    def spy(real):
        def read(*args):
            if args[2:] != ([],):  # not just the columns
                reads.append(args[1])
            return real(*args)

        return read

    for reader in ("read_table", "read_files"):  # the whole table, or some files' rows
        monkeypatch.setattr(runner, reader, spy(getattr(runner, reader)))
    again = gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    assert reads == [] and [o.to_dict() for o in again] == [o.to_dict() for o in first]
    # Same rows in another order: read again (examples are row positions).
    con.execute(
        "create or replace table raw.reg_temp_relief as "
        "select * from raw.reg_temp_relief order by _source_row desc"
    )
    gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    assert reads == ["raw.reg_temp_relief"]


def test_a_corrected_upload_is_the_only_file_read_and_validated_again(con, tmp_path, monkeypatch):
    from pipelines.checks import runner

    folder = "submissions/x/2022-08-15"
    good = [ledger_row(i) for i in range(10)]
    broken = [ledger_row(i, "3.70102198E+17") for i in range(10, 20)]
    create_raw_table(con, terms.LEDGER, good, f"{folder}/370100/l.xlsx", "370100", CUTOFF)
    create_raw_table(con, terms.LEDGER, broken, f"{folder}/370200/l.xlsx", "370200", CUTOFF)
    store = tmp_path / "checks"
    assert failed(gate.raw_table_gate(con, "raw.ledger", CAMPAIGN, store), "blocking")

    # 济南 re-uploads its ledger, fixed (the later file of the folder wins).
    fixed = [ledger_row(i) for i in range(10, 20)]
    create_raw_table(con, terms.LEDGER, fixed, f"{folder}/370200/z-更正.xlsx", "370200", CUTOFF)
    reads, judged = [], []
    real_read, real_judge = runner.read_files, runner.run_suite_by_file
    monkeypatch.setattr(runner, "read_files", lambda *a: reads.append(a[2]) or real_read(*a))
    monkeypatch.setattr(
        runner, "run_suite_by_file", lambda *a: judged.append(a[3]) or real_judge(*a)
    )
    again = gate.raw_table_gate(con, "raw.ledger", CAMPAIGN, store)
    assert not failed(again, "blocking")
    assert [paths for paths in reads if paths] == [[f"{folder}/370200/z-更正.xlsx"]]
    assert judged and all(paths == [f"{folder}/370200/z-更正.xlsx"] for paths in judged)
    # The same outcomes as judging the current files from scratch.
    fresh = gate.raw_table_gate(con, "raw.ledger", CAMPAIGN)
    assert [o.to_dict() for o in again] == [o.to_dict() for o in fresh]
    assert {o.element_count for o in again if o.column == "name"} == {20}


def test_table_fingerprint_changes_with_any_cell_and_with_the_columns(con):
    from pipelines.checks.runner import table_fingerprint

    relief_with_a_negative_amount(con)
    before = table_fingerprint(con, "raw.reg_temp_relief")
    assert table_fingerprint(con, "raw.reg_temp_relief") == before
    con.execute("update raw.reg_temp_relief set amount_yuan = 501.0 where payment_id = 'P0'")
    edited = table_fingerprint(con, "raw.reg_temp_relief")
    assert edited != before
    con.execute("alter table raw.reg_temp_relief add column note varchar")
    assert table_fingerprint(con, "raw.reg_temp_relief") != edited


def test_publication_refuses_when_the_latest_blocking_check_failed_or_never_ran():
    import dagster as dg

    from pipelines.defs.checks import blocking_checks_not_passed

    @dg.asset
    def mart() -> None: ...

    @dg.asset_check(asset=mart, blocking=True)
    def mart_is_right() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=outcome["passed"])

    never = dg.AssetCheckKey(mart.key, "never_ran")
    key = dg.AssetCheckKey(mart.key, "mart_is_right")
    with dg.DagsterInstance.ephemeral() as instance:
        outcome = {"passed": True}
        dg.materialize([mart, mart_is_right], instance=instance)
        assert blocking_checks_not_passed(instance, [key]) == []
        assert blocking_checks_not_passed(instance, [never]) == ["mart never_ran: never ran"]
        outcome["passed"] = False
        dg.materialize([mart, mart_is_right], instance=instance, raise_on_error=False)
        assert blocking_checks_not_passed(instance, [key]) == ["mart mart_is_right: failed"]


def test_a_changed_gate_judges_again_in_both_outcome_stores(con, tmp_path, monkeypatch):
    from pipelines.checks import runner

    relief_with_a_negative_amount(con)
    store = tmp_path / "checks"
    gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    calls = []
    real = runner._verdicts  # where every suite meets GX
    monkeypatch.setattr(runner, "_verdicts", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(runner, "_GATE_CODE", "0" * 64)  # the gate's code was edited
    gate.raw_table_gate(con, "raw.reg_temp_relief", CAMPAIGN, store)
    assert calls  # neither the table store nor the frame store answered for the old code


def test_dbt_test_severities_are_read_again_when_the_manifest_changes(tmp_path, monkeypatch):
    import json

    import pipelines.dbt_project
    from pipelines.defs.checks import dbt_test_severities

    manifest = tmp_path / "manifest.json"
    monkeypatch.setattr(pipelines.dbt_project, "manifest_path", lambda: manifest)

    def write(severity: str) -> None:
        node = {"name": "not_null_x", "resource_type": "test", "config": {"severity": severity}}
        manifest.write_text(json.dumps({"nodes": {"test.warmheart.not_null_x": node}}))

    write("warn")
    assert dbt_test_severities() == {"not_null_x": "warn"}
    assert dbt_test_severities() == {"not_null_x": "warn"}
    write("ERROR")
    assert dbt_test_severities() == {"not_null_x": "error"}
