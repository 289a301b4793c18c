"""Discrimination rules: positive and negative examples of every rule, in Python and DuckDB."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.rules import discrimination
from pipelines.rules.discrimination import CATEGORIES, flag, load_rules

RULES = load_rules()
CASES = [(r, text, True) for r in RULES for text in r.positive] + [
    (r, text, False) for r in RULES for text in r.negative
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


def test_every_rule_has_examples_both_ways() -> None:
    for r in RULES:
        assert r.positive and r.negative, r.rule_id


def test_every_category_has_a_rule() -> None:
    assert {r.category for r in RULES} == set(CATEGORIES)


@pytest.mark.parametrize(
    ("rule", "text", "expected"), CASES, ids=lambda v: getattr(v, "rule_id", str(v))
)
def test_example(rule, text: str, expected: bool, con) -> None:
    assert rule.matches(text) is expected
    # The mart uses DuckDB's RE2: the same pattern must behave the same there.
    assert (
        con.execute("select regexp_matches(?, ?)", [text, rule.pattern]).fetchone()[0] is expected
    )


@pytest.mark.parametrize(
    ("title", "requirements", "expected"),
    [
        ("普工", "限男性，吃苦耐劳", {"GEN01"}),
        ("普工", "男女不限", set()),
        ("前台", "女性，身高160cm以上，35岁以下", {"APP01", "AGE01"}),
        ("会计", "本地户口，已婚已育优先", {"REG01", "MAR01"}),
        ("仓管", "乙肝携带者勿扰", {"HEA01"}),
        ("保安", "限汉族", {"ETH01"}),
        ("文员", "残疾人勿扰", {"DIS01"}),
        ("残疾人专岗", "适合残疾人，年龄不限，户籍不限", set()),
    ],
)
def test_flag_postings(title: str, requirements: str, expected: set[str]) -> None:
    assert set(flag(title, requirements)) == expected


def test_seed_text_starts_with_the_seed_columns() -> None:
    assert discrimination.seed_text().startswith(",".join(discrimination.SEED_COLUMNS))
