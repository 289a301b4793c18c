"""Fingerprints of warehouse relations (pipelines/publish/content_keys.py): what decides
whether a published file is kept or written again."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from pipelines.publish.content_keys import (
    cutoff_fingerprints,
    relation_fingerprints,
    stored_part_fingerprints,
)
from pipelines.spark_tables import forget_dbt_builds


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.t as select * from (values (1, 'a'), (1, 'b'), (2, 'c')) v(k, x)"
    )
    return con


def test_the_same_rows_in_another_order_have_the_same_fingerprint():
    con = _con()
    before = relation_fingerprints(con, "marts.t")
    con.execute("create or replace table marts.t as select * from marts.t order by x desc")
    assert relation_fingerprints(con, "marts.t") == before
    assert before[()].rows == 3


def test_a_changed_value_or_column_type_changes_the_fingerprint_of_its_part_only():
    con = _con()
    before = relation_fingerprints(con, "marts.t", by=["k"])
    con.execute("update marts.t set x = 'z' where x = 'c'")
    after = relation_fingerprints(con, "marts.t", by=["k"])
    assert after[(1,)] == before[(1,)] and after[(2,)] != before[(2,)]
    con.execute("create or replace table marts.t as select k::bigint as k, x from marts.t")
    assert relation_fingerprints(con, "marts.t", by=["k"])[(1,)] != after[(1,)]


def test_a_table_of_the_same_name_in_another_attached_file_does_not_change_the_fingerprint(
    tmp_path,
):
    """The analyst copy is built on another cursor while the marts are fingerprinted: its
    attached file has the same schema and table names."""
    con = _con()
    before = relation_fingerprints(con, "marts.t")
    con.execute(f"attach '{tmp_path / 'copy.duckdb'}' as copy")
    con.execute("create schema copy.marts; create table copy.marts.t as select 1 as other")
    assert relation_fingerprints(con, "marts.t") == before


def test_a_relation_not_built_is_an_error_not_an_empty_fingerprint():
    with pytest.raises(duckdb.CatalogException, match="marts.missing"):
        relation_fingerprints(_con(), "marts.missing")


@pytest.mark.parametrize(
    "relation",
    [
        "restricted.restricted_city_feedback",
        "restricted.restricted_discovery_candidates",
        "restricted.restricted_relief_eligible_unpaid",
        "marts.fct_target_progress",
    ],
)
def test_the_parts_the_build_memo_stored_are_the_fingerprints_of_the_tables_rows(
    demo_run, relation
):
    """The publication reads a part-rewritten model's (cut-off, city) fingerprints from the
    build memo instead of hashing its rows again: they must be the same text."""
    with duckdb.connect(str(demo_run.root / "warehouse.duckdb"), read_only=True) as con:
        stored = stored_part_fingerprints(con, relation)
        hashed = relation_fingerprints(con, relation, ("cutoff_date", "city_code"))
        one_cutoff = min(day for day, _city in hashed)
        stored_one = stored_part_fingerprints(con, relation, one_cutoff)
    assert stored == hashed and len(stored) > 16
    assert stored_one == {k: v for k, v in hashed.items() if k[0] == one_cutoff}


def test_a_cutoffs_fingerprint_is_its_cities_parts_stored_or_hashed(demo_run, tmp_path):
    """fct_target_progress is published per cut-off: each cut-off's key is put together from
    the memo's stored parts, and is the same when the memo is gone (hashed instead)."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run.root / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        stored = cutoff_fingerprints(con, "marts.fct_target_progress")
        rows = dict(
            con.execute(
                "select cutoff_date, count(*) from marts.fct_target_progress group by all"
            ).fetchall()
        )
        forget_dbt_builds(con)  # as a Spark import does
        assert stored_part_fingerprints(con, "marts.fct_target_progress") is None
        hashed = cutoff_fingerprints(con, "marts.fct_target_progress")
        con.execute(
            "update marts.fct_target_progress set is_visited = not is_visited "
            "where cutoff_date = (select max(cutoff_date) from marts.fct_target_progress) "
            "and person_key = (select min(person_key) from marts.fct_target_progress)"
        )
        changed = cutoff_fingerprints(con, "marts.fct_target_progress")
    assert stored == hashed
    assert {day: fp.rows for day, fp in stored.items()} == rows
    last = max(stored)
    assert changed[last] != stored[last]
    assert {d: fp for d, fp in changed.items() if d != last} == {
        d: fp for d, fp in stored.items() if d != last
    }


def test_a_relation_the_build_memo_keeps_no_parts_of_is_hashed():
    assert stored_part_fingerprints(_con(), "marts.t") is None
