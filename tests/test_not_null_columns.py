"""The generic test `not_null_columns` (dbt_project/macros/not_null_columns.sql): one test
per model replaces a not_null test per column, and a failure still names the column."""

from __future__ import annotations

import re

import duckdb
import jinja2

from pipelines import settings

MACRO = settings.DBT_PROJECT_DIR / "macros" / "not_null_columns.sql"


def failures(rows_sql: str, columns: list[str]) -> list[tuple[str, int]]:
    # The body between {% test %} and {% endtest %} is plain Jinja; `model` is a relation.
    text = MACRO.read_text(encoding="utf-8")
    body = re.search(r"{% test not_null_columns\(model, columns\) %}(.*){% endtest %}", text, re.S)
    sql = jinja2.Environment().from_string(body.group(1)).render(model="t", columns=columns)
    with duckdb.connect() as con:
        con.execute(f"create table t as {rows_sql}")
        return sorted(con.execute(sql).fetchall())


def test_a_table_without_nulls_passes() -> None:
    assert failures("select 1 as a, 'x' as b", ["a", "b"]) == []


def test_an_empty_table_passes() -> None:
    assert failures("select 1 as a, 'x' as b where false", ["a", "b"]) == []


def test_each_column_with_nulls_is_named_with_its_count() -> None:
    rows = "select * from (values (1, null, 'x'), (null, null, 'y'), (3, 4, 'z')) as v(a, b, c)"
    assert failures(rows, ["a", "b", "c"]) == [("a", 1), ("b", 2)]
