"""The discrimination rules: loaded from `discrimination.toml`, exported to a dbt seed.

The TOML file is the one definition; dbt reads its CSV export
(`dbt_project/seeds/rule_discrimination.csv`) and a test holds the two equal.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipelines import settings

RULES_FILE = Path(__file__).with_name("discrimination.toml")
SEED_FILE = settings.DBT_PROJECT_DIR / "seeds" / "rule_discrimination.csv"
SEED_COLUMNS = ("rule_id", "category", "category_zh", "pattern", "description")

# The categories the contract's campaign names (性别, 年龄, 户籍/地域, 民族, 健康, 残疾, 婚育, 相貌).
CATEGORIES = (
    "gender",
    "age",
    "hukou_region",
    "ethnicity",
    "health",
    "disability",
    "marriage_childbearing",
    "appearance",
)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    category: str
    category_zh: str
    pattern: str
    description: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]

    def matches(self, text: str | None) -> bool:
        """Python twin of the SQL flagging (regexp_matches): a search, not a full match."""
        return bool(text) and re.search(self.pattern, text) is not None


def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = tuple(
        Rule(
            rule_id=r["id"],
            category=r["category"],
            category_zh=r["category_zh"],
            pattern=r["pattern"],
            description=r["description"],
            positive=tuple(r.get("positive", ())),
            negative=tuple(r.get("negative", ())),
        )
        for r in raw["rule"]
    )
    ids = [r.rule_id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate rule ids in {path}")
    unknown = {r.category for r in rules} - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)} in {path}")
    return rules


def seed_text(rules: tuple[Rule, ...] | None = None) -> str:
    """The CSV dbt seeds from (one row per rule, ordered by rule_id)."""
    rules = rules if rules is not None else load_rules()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for r in sorted(rules, key=lambda r: r.rule_id):
        writer.writerow((r.rule_id, r.category, r.category_zh, r.pattern, r.description))
    return buf.getvalue()


def flag(
    title: str | None, requirements: str | None, rules: tuple[Rule, ...] | None = None
) -> list[str]:
    """Rule ids matching a posting (岗位名称 + 岗位要求), as the SQL mart computes them."""
    text = " ".join(t for t in (title, requirements) if t)
    return [r.rule_id for r in (rules or load_rules()) if r.matches(text)]
