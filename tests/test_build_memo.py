"""A DuckDB build keeps every model table whose inputs did not change (macros/build_memo.sql).

What a memo may never do is keep a table a full rebuild would write differently: after a
change to the raw layer, the kept and rebuilt tables together must equal, table for table,
a build of the same warehouse with the memo switched off.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import person_key
from pipelines.dbt_child import FILE_LOG_LEVEL_ENV
from pipelines.dbt_project import kept_models
from pipelines.memo_terms import MODEL_KEPT, TEST_REMEMBERED
from tools.fixtures.raw_builder import run_dbt

pytestmark = pytest.mark.slow

MODEL_SCHEMAS = ("staging", "intermediate", "marts", "restricted")


def _models(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select table_name from duckdb_tables() where list_contains(?, schema_name)",
            [list(MODEL_SCHEMAS)],
        ).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def _tables_that_differ(a: Path, b: Path) -> list[str]:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        names = [
            r[0]
            for r in con.execute(
                "select schema_name || '.' || table_name from duckdb_tables() "
                "where database_name = 'a' and list_contains(?, schema_name) order by 1",
                [list(MODEL_SCHEMAS)],
            ).fetchall()
        ]
        differ = []
        for name in names:
            diff = con.execute(
                f"select (select count(*) from (select * from a.{name} except all "
                f"select * from b.{name})) + (select count(*) from (select * from b.{name} "
                f"except all select * from a.{name}))"
            ).fetchone()[0]
            if diff:
                differ.append(name)
        return differ
    finally:
        con.close()


def _build(warehouse: Path, **env: str) -> set[str]:
    """dbt build with dbt.log at the pipeline's level (info); the models it kept (the
    memo's line in dbt.log, which the run's summary reads)."""
    log = warehouse.parent / "dbt_logs" / "dbt.log"
    log.unlink(missing_ok=True)
    result = run_dbt(warehouse, env={FILE_LOG_LEVEL_ENV: "info", **env})
    assert result.returncode == 0, result.stdout[-3000:]
    return kept_models(log)


def _test_results(warehouse: Path) -> dict[str, tuple[str, int]]:
    """Every data test of the last build: (status, failures)."""
    results = json.loads((warehouse.parent / "dbt_target" / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"] or 0)
        for r in results["results"]
        if r["unique_id"].startswith("test.")
    }


def _kept_uncompiled(warehouse: Path, resource_type: str = "model") -> set[str]:
    """The models (or seeds) the last build kept before compiling or loading them
    (pipelines/dbt_node_memo.py)."""
    results = json.loads((warehouse.parent / "dbt_target" / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[-1]
        for r in results["results"]
        if r["unique_id"].startswith(f"{resource_type}.")
        and (r.get("adapter_response") or {}).get("_message") == MODEL_KEPT
    }


def _remembered_tests(warehouse: Path) -> set[str]:
    """The tests the last build answered from the test memo (pipelines/dbt_node_memo.py)."""
    results = json.loads((warehouse.parent / "dbt_target" / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[2]
        for r in results["results"]
        if r["unique_id"].startswith("test.")
        and (r.get("adapter_response") or {}).get("_message") == TEST_REMEMBERED
    }


def _tests_reading_a_view(warehouse: Path) -> set[str]:
    manifest = json.loads((warehouse.parent / "dbt_target" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    views = {k for k, n in nodes.items() if n["config"].get("materialized") == "view"}
    return {
        n["name"]
        for n in nodes.values()
        if n["resource_type"] == "test" and views & set(n["depends_on"]["nodes"])
    }


def _rewritten_parts(dbt_log: Path) -> dict[str, int]:
    """Models whose changed parts alone were rewritten (rewrite_parts_by), and how many."""
    found = re.findall(
        r"build memo: (\w+) rewrote the rows of (\d+) changed parts", dbt_log.read_text()
    )
    return {model: int(n) for model, n in found}


def _staged_files(dbt_log: Path) -> dict[str, int]:
    """Staging models whose changed raw files alone were staged again (stage_by_file)."""
    found = re.findall(
        r"build memo: (\w+) staged the rows of (\d+) changed files", dbt_log.read_text()
    )
    return {model: int(n) for model, n in found}


def _dirty_cutoffs(dbt_log: Path) -> dict[str, tuple[int, int]]:
    """Models that computed only the cut-offs whose inputs changed (cutoffs_from_list):
    (cut-offs computed, cut-offs in all)."""
    found = re.findall(
        r"build memo: (\w+) has (\d+) of (\d+) cut-offs whose inputs changed", dbt_log.read_text()
    )
    return {model: (int(n), int(m)) for model, n, m in found}


def _pruned(dbt_log: Path) -> set[str]:
    """Models that computed only the parts their followed inputs changed in (parts_follow)."""
    return set(
        re.findall(
            r"build memo: (\w+) computed only the parts its inputs changed in", dbt_log.read_text()
        )
    )


def _execute(warehouse: Path, *statements: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def _memo_fingerprints(warehouse: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The build memo's fingerprint of every model table, and the same taken of the table
    itself now (a table rewritten by parts gets its fingerprint added up from them)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        memo = dict(
            con.execute(
                "select node_id, output_fp from main.warmheart_build_memo_v1 "
                "where node_id like 'model.%'"
            ).fetchall()
        )
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where list_contains(?, schema_name)",
            [list(MODEL_SCHEMAS)],
        ).fetchall()
        taken = {}
        for schema, table in tables:
            taken[f"model.warmheart.{table}"] = con.execute(
                f"select count(*)::varchar || ':' || coalesce(sum(hash(t))::varchar, '') || ':' "
                f"|| coalesce(bit_xor(hash(t))::varchar, '') || ':' || (select md5(string_agg("
                f"column_name || ' ' || data_type, ',' order by column_index)) from duckdb_columns() "
                f"where schema_name = '{schema}' and table_name = '{table}') from {schema}.{table} t"
            ).fetchone()[0]
        return {k: memo.get(k, "") for k in taken}, taken
    finally:
        con.close()


def _count(warehouse: Path, sql: str) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_the_first_run_shows_every_model_built(demo_run):
    """The operator's terminal says how many models the dbt step built and kept."""
    tables = len(_models(demo_run.root / "warehouse.duckdb"))
    line = next(x for x in demo_run.stdout.splitlines() if "建模计算 (dbt)" in x)
    shown = re.search(r"模型 models (\d+)（重建 rebuilt (\d+)，未变保留 kept 0）", line)
    assert shown and shown[1] == shown[2], line
    assert int(shown[1]) == tables + 1  # and the one view, int_person_links


def test_a_build_keeps_unchanged_models_and_equals_a_full_rebuild(demo_copy: Path):
    warehouse = demo_copy / "warehouse.duckdb"
    pads = person_key.dbt_env((demo_copy / "secrets" / "person_key_secret").read_text().strip())
    models = _models(warehouse)
    assert len(models) > 60

    # Nothing changed since the demo run's build: every table is kept. The models are
    # compiled and the tests run once more (dbt's settings name this copy's path, part of
    # the node memo's key); then every table is kept uncompiled, and every test answered
    # from the node memo (no test reads the one view, which is never fingerprinted: the
    # link tests are on its slices).
    assert _build(warehouse, **pads) == models
    assert _build(warehouse, **pads) == models
    assert _kept_uncompiled(warehouse) == models
    assert _kept_uncompiled(warehouse, "seed") >= {"ref_cities", "ref_enum_values"}
    unchanged_tests = _test_results(warehouse)
    assert not _tests_reading_a_view(warehouse)
    assert _remembered_tests(warehouse) == set(unchanged_tests)

    # A job posting and one file's visits are deleted: what reads them is rebuilt, the
    # rest is kept.
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "delete from raw.job_posts where rowid = (select min(rowid) from raw.job_posts)"
        )
        con.execute(
            "delete from raw.visits where _file_sha256 = "
            "(select _file_sha256 from raw.visits order by rowid limit 1)"
        )
    finally:
        con.close()
    full = demo_copy / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copy2(warehouse, full)

    kept = _build(warehouse, **pads)
    rewritten = _rewritten_parts(warehouse.parent / "dbt_logs" / "dbt.log")
    tests, remembered = _test_results(warehouse), _remembered_tests(warehouse)
    assert _build(full, WARMHEART_DBT_MEMO="0", **pads) == set()  # switched off: keeps nothing
    assert _remembered_tests(full) == set()

    assert _tables_that_differ(warehouse, full) == []
    recorded, taken = _memo_fingerprints(warehouse)
    assert recorded == taken
    # Every test's status and failure count are those of running every test; the tests of
    # the rebuilt visits ran, most of the others were remembered.
    assert tests == _test_results(full)
    assert not {t for t in remembered if "stg_visits" in t or "int_visits" in t}
    assert len(remembered) > len(tests) / 2
    assert not {"stg_job_posts", "stg_visits", "int_person_links__visits", "int_visits"} & kept
    # fct_target_progress reads the visits whole, and they changed: every part computed.
    assert "fct_target_progress" not in _pruned(warehouse.parent / "dbt_logs" / "dbt.log")
    # The ledger's and the registries' models read their own slices of the links and of
    # the file register (macros/by_table.sql): a visit changes neither. Names and phones
    # (dim_person) come from those slices alone.
    assert {
        "stg_ledger",
        "int_person_links__ledger",
        "int_ledger_entries",
        "int_ui_benefits",
        "dim_person",
    } <= kept
    # One city's visits changed: of the 问题反馈 items (one part per cut-off and city) only
    # that city's parts were rewritten, and the table equals the full rebuild's (above).
    parts = _count(
        full,
        "select count(distinct (cutoff_date, city_code)) from restricted.restricted_city_feedback",
    )
    assert 0 < rewritten["restricted_city_feedback"] < parts / 4


def test_a_remembered_failing_test_fails_again_with_its_count(demo_copy: Path):
    """A failing test is remembered like a passing one: same inputs, same failures, and
    dbt still skips what depends on an error."""
    warehouse = demo_copy / "warehouse.duckdb"
    pads = person_key.dbt_env((demo_copy / "secrets" / "person_key_secret").read_text().strip())
    con = duckdb.connect(str(warehouse))
    try:  # one visit row twice: its (file, row) is no longer unique
        con.execute("insert into raw.visits select * from raw.visits limit 1")
    finally:
        con.close()
    warn = "unique_combination_of_columns_stg_visits_file_sha256__file_path__source_row"
    error = (
        "unique_combination_of_columns_int_person_links__visits_file_sha256__file_path__source_row"
    )

    def build() -> tuple[dict[str, tuple[str, int]], set[str]]:
        (warehouse.parent / "dbt_logs" / "dbt.log").unlink(missing_ok=True)
        assert run_dbt(warehouse, env=pads).returncode == 1  # the error test fails the build
        return _test_results(warehouse), _remembered_tests(warehouse)

    first, remembered = build()
    assert first[warn] == ("warn", 1) and first[error][0] == "fail"
    assert not {warn, error} & remembered
    second, remembered = build()
    assert second == first
    assert {warn} <= remembered


def test_only_the_changed_raw_files_are_staged_again_and_equal_a_full_rebuild(demo_copy: Path):
    """A corrected upload restages its own file, not the province's rows (stage_by_file),
    and the models that follow the ledger's parts compute only the parts it changed."""
    warehouse = demo_copy / "warehouse.duckdb"
    log = warehouse.parent / "dbt_logs" / "dbt.log"
    pads = person_key.dbt_env((demo_copy / "secrets" / "person_key_secret").read_text().strip())
    # One row of the latest ledger folder's last file renamed and identified a day
    # earlier: its file's rows changed.
    latest_row = (
        "where rowid = (select min(rowid) from raw.ledger "
        "where _file_path = (select max(_file_path) from raw.ledger))"
    )
    _execute(
        warehouse,
        f"update raw.ledger set name = name || '测', identified_on = identified_on - 1 {latest_row}",
    )
    full = demo_copy / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copy2(warehouse, full)

    kept = _build(warehouse, **pads)
    staged, pruned = _staged_files(log), _pruned(log)
    _build(full, WARMHEART_DBT_MEMO="0", **pads)

    assert staged == {"stg_ledger": 1}
    assert {"stg_referrals", "stg_visits"} <= kept
    # The targets follow the ledger entries' parts (parts_follow): only the (cut-off, city)
    # parts the corrected file changed were computed.
    assert {"int_targets", "int_target_facts"} <= pruned
    # The ledger entries computed only the cut-offs whose current ledger files changed.
    computed, cutoffs = _dirty_cutoffs(log)["int_ledger_entries"]
    assert 0 < computed < cutoffs
    assert _tables_that_differ(warehouse, full) == []

    # A row of the earliest ledger file: it is current, carried forward, at the later
    # cut-offs its city sent no ledger for; those are computed too, and still equal.
    earliest_row = (
        "where rowid = (select min(rowid) from raw.ledger "
        "where _file_path = (select min(_file_path) from raw.ledger))"
    )
    _execute(warehouse, f"update raw.ledger set identified_on = identified_on - 2 {earliest_row}")
    shutil.copy2(warehouse, full)
    _build(warehouse, **pads)
    assert "int_ledger_entries" in _dirty_cutoffs(log)
    _build(full, WARMHEART_DBT_MEMO="0", **pads)
    assert _tables_that_differ(warehouse, full) == []

    # One visits file gone: its rows alone are deleted from the staged visits. The persons
    # seen only there go, so the targets (which read every person) compute every part.
    first_file = "(select _file_sha256 from raw.visits order by rowid limit 1)"
    _execute(warehouse, f"delete from raw.visits where _file_sha256 = {first_file}")
    _build(warehouse, **pads)
    assert _staged_files(log) == {"stg_visits": 1}

    # What decides a staged row besides its file (here the campaign's end, which judges
    # birth dates) changed: every file is staged again, by a whole build.
    _execute(warehouse, "update raw.campaign set campaign_end = campaign_end + 1")
    shutil.copy2(warehouse, full)
    kept = _build(warehouse, **pads)
    assert not _staged_files(warehouse.parent / "dbt_logs" / "dbt.log")
    assert not {"stg_ledger", "stg_visits"} & kept
    _build(full, WARMHEART_DBT_MEMO="0", **pads)
    assert _tables_that_differ(warehouse, full) == []


def test_a_memo_table_dropped_by_hand_never_fails_a_build(demo_copy: Path):
    """docs/operations.md: dropping the memo's tables is always safe. Here the ledger
    links' part fingerprints go while the links are kept, and the ledger entries (which
    fingerprint each cut-off's inputs from them) are built again: whole, and right."""
    warehouse = demo_copy / "warehouse.duckdb"
    pads = person_key.dbt_env((demo_copy / "secrets" / "person_key_secret").read_text().strip())
    _execute(
        warehouse,
        "drop table main.warmheart_parts_v1__int_person_links__ledger",
        "delete from main.warmheart_build_memo_v1 "
        "where node_id = 'model.warmheart.int_ledger_entries'",
    )
    kept = _build(warehouse, **pads)
    assert "int_person_links__ledger" in kept and "int_ledger_entries" not in kept
    full = demo_copy / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copy2(warehouse, full)
    _build(full, WARMHEART_DBT_MEMO="0", **pads)
    assert _tables_that_differ(warehouse, full) == []
