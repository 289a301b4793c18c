"""The generic test `unique_combination_of_columns` (dbt_project/macros/vendor/dbt_utils.sql)
groups by a hash of the key first: it reports exactly the keys upstream dbt_utils reports."""

from __future__ import annotations

import re

import duckdb
import jinja2

from pipelines import settings

MACROS = settings.DBT_PROJECT_DIR / "macros"
UPSTREAM = """
    select {cols} from t group by {cols} having count(*) > 1
"""


def _duckdb_row_hash(columns: list[str]) -> str:
    # The project's DuckDB implementation (default__row_hash), rendered from its file.
    text = (MACROS / "engine_dialect.sql").read_text(encoding="utf-8")
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    return str(env.from_string(text).module.default__row_hash(columns))


def _colliding_hash(columns: list[str]) -> str:
    return "cast(0 as ubigint)"  # every row gets the same hash: the worst collision there can be


def failures(rows_sql: str, columns: list[str], row_hash=_duckdb_row_hash) -> list[tuple]:
    text = (MACROS / "vendor" / "dbt_utils.sql").read_text(encoding="utf-8")
    body = re.search(
        r"{% test unique_combination_of_columns\(.*?\) %}(.*?){% endtest %}", text, re.S
    )
    sql = (
        jinja2.Environment(extensions=["jinja2.ext.do"])
        .from_string(body.group(1))
        .render(model="t", combination_of_columns=columns, quote_columns=False, row_hash=row_hash)
    )
    with duckdb.connect() as con:
        con.execute(f"create table t as {rows_sql}")
        found = con.execute(sql).fetchall()
        upstream = con.execute(UPSTREAM.format(cols=", ".join(columns))).fetchall()
    assert sorted(found, key=repr) == sorted(upstream, key=repr)
    return sorted(found, key=repr)


ROWS = (
    "select * from (values (1, 'a', 10), (1, 'b', 11), (2, 'a', 12), (1, 'a', 13),"
    " (null, 'c', 14), (null, 'c', 15), (3, null, 16)) as v(k1, k2, payload)"
)


def test_unique_keys_pass() -> None:
    assert failures("select range as k1, 'x' as k2 from range(1000)", ["k1", "k2"]) == []


def test_each_repeated_key_is_reported_once_nulls_grouped_as_upstream() -> None:
    assert failures(ROWS, ["k1", "k2"]) == [(1, "a"), (None, "c")]


def test_a_hash_collision_reports_no_key_that_does_not_repeat() -> None:
    assert failures(ROWS, ["k1", "k2"], row_hash=_colliding_hash) == [(1, "a"), (None, "c")]
    assert failures(ROWS, ["k1", "k2", "payload"], row_hash=_colliding_hash) == []


def test_the_same_keys_as_upstream_on_a_large_table() -> None:
    rows = (
        "select range % 9973 as k1, md5(cast(range % 7 as varchar)) as k2, range as payload "
        "from range(200000)"
    )
    assert len(failures(rows, ["k1", "k2"])) == 9973 * 7 - max(0, 9973 * 7 - 200000)
