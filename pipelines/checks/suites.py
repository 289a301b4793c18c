"""Build the gate's GX suites from the contract vocabulary and write them to expectations/.

The suites are data (GX Core 1.x `ExpectationSuite` JSON, one file per suite); this
module is how they are *written*, so every header, enumeration and required column
comes from `pipelines.terms` and nothing is spelled twice. A test fails when the
committed JSON drifts from what this module builds (`python -m pipelines.checks.suites`
rewrites them).

Conventions inside each suite file:
- `severity` (a GX 1.x expectation field): `critical` = blocking (a failure makes a
  published figure wrong, so the run stops), `warning` = reported, never blocking.
- `meta.why`: one sentence an operator reads in the gate report.
- `meta.warmheart` on the suite: which warehouse table it guards (`table`), the Dagster
  asset it is attached to (`asset_key`), and which frame is validated (`frame`): the
  table's rows, one row per file (ID validity rate), or a multi-valued column exploded.
- Campaign dates are GX suite parameters (`{"$PARAMETER": "campaign_end"}`), filled by
  the runner from the campaign configuration: no campaign's dates are in the files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipelines import settings, terms

BLOCKING, WARNING = "critical", "warning"

# A file where fewer than this share of person rows carry a valid ID is refused: the
# invalid rows would be quarantined and the city's figures silently collapse. Chosen as
# "most IDs invalid" (contract-level breakage such as a column of 3.7E+17 floats), not
# as a typo rate: isolated bad IDs are resolved or quarantined by the people models.
MIN_VALID_ID_SHARE = 0.5
# A share over a handful of rows is noise: two typos in a 3-row visits file are not a broken
# file (those rows land in the person quarantine anyway). The share is judged from this size on.
MIN_ROWS_FOR_ID_SHARE = 10

LINEAGE = tuple(f"_{c}" for c in terms.LINEAGE_COLUMNS)

# Dates that may lie long before the campaign (a registration, a graduation, a
# registry's history) vs. activity dates that belong to the campaign's reporting.
ACTIVITY_DATES = {
    ("visits", "visited_on"),
    ("referrals", "referred_on"),
    ("events", "held_on"),
    ("job_posts", "published_on"),
    ("job_posts", "removed_on"),
}


def _exp(type_: str, severity: str, why: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "severity": severity, "meta": {"why": why}}


def _suite(
    name: str,
    table: str,
    asset_key: list[str],
    frame: dict[str, Any],
    expectations: list[dict[str, Any]],
    notes: str,
) -> dict[str, Any]:
    return {
        "name": name,
        "expectations": expectations,
        "meta": {"warmheart": {"table": table, "asset_key": asset_key, "frame": frame}},
        "notes": notes,
    }


def _columns_expectation(columns: list[str], severity: str = BLOCKING) -> dict[str, Any]:
    return _exp(
        "expect_table_columns_to_match_set",
        severity,
        "every column of the raw-layer contract is present (a missing column means "
        "a reader or schema regression, and every figure built on it would be wrong)",
        column_set=columns,
        exact_match=False,
    )


def _date_window(table: terms.Table, col: terms.Column) -> dict[str, Any]:
    activity = (table.name, col.name) in ACTIVITY_DATES
    lo, hi = ("activity_min", "activity_max") if activity else ("history_min", "history_max")
    return _exp(
        "expect_column_values_to_be_between",
        WARNING,
        f"{col.header} lies in a plausible window; a date outside it is a typo that the "
        "report's windows silently leave out, so the operator should see it",
        column=col.name,
        min_value={"$PARAMETER": lo},
        max_value={"$PARAMETER": hi},
    )


def table_suites(table: terms.Table) -> list[dict[str, Any]]:
    """The suites for one raw input table: its rows, its per-file ID validity, its multi columns."""
    key = ["raw", table.name]
    qualified = f"raw.{table.name}"
    exps: list[dict[str, Any]] = [
        _columns_expectation([*LINEAGE, *(c.name for c in table.columns)])
    ]
    if table is terms.LEDGER:
        # Every figure starts from the ledgers. None at all means nothing was received
        # (a wrong WARMHEART_RAW_DIR, an unmounted share): publishing would replace the
        # last good report with zeros.
        exps.append(
            _exp(
                "expect_table_row_count_to_be_between",
                BLOCKING,
                "at least one ledger row was received; with none every figure would "
                "be 0 and overwrite the last good publication",
                min_value=1,
            )
        )
    for col in table.columns:
        if col.required:
            exps.append(
                _exp(
                    "expect_column_values_to_not_be_null",
                    BLOCKING,
                    f"{col.header} is required; ingestion quarantines rows without it, "
                    "so a NULL here means a row slipped past ingestion",
                    column=col.name,
                )
            )
        if col.kind == "enum" and col.values:
            exps.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    BLOCKING,
                    f"{col.header} takes only the contract's values; another value "
                    "would be counted under no figure or the wrong one",
                    column=col.name,
                    value_set=list(col.values),
                )
            )
        if col.kind in ("int", "money"):
            exps.append(
                _exp(
                    "expect_column_values_to_be_between",
                    BLOCKING,
                    f"{col.header} is a count or an amount and cannot be negative",
                    column=col.name,
                    min_value=0,
                )
            )
        if col.kind == "date":
            exps.append(_date_window(table, col))
    if table.source == "submission" and table.natural_key and "id_number" not in table.natural_key:
        # Postings and events: the ID is unique within a city; within one file a repeat
        # is either a resend (harmless) or two records sharing an ID (one is lost).
        exps.append(
            _exp(
                "expect_compound_columns_to_be_unique",
                WARNING,
                f"{'/'.join(table.natural_key)} appears once per file; a repeat collapses "
                "two records into one in the counts",
                column_list=["_file_path", *table.natural_key],
            )
        )
    if table.source == "registry" and table.natural_key:
        exps.append(
            _exp(
                "expect_compound_columns_to_be_unique",
                WARNING,
                f"the natural key [{', '.join(table.natural_key)}] appears once per "
                "extract file (across files repeats are expected and de-duplicated)",
                column_list=["_file_path", *table.natural_key],
            )
        )
    suites = [
        _suite(
            qualified,
            qualified,
            key,
            {"kind": "rows"},
            exps,
            f"{table.title}: columns, required cells, enumerations, counts and dates.",
        )
    ]
    id_col = next((c for c in table.columns if c.kind == "id"), None)
    if id_col is not None:
        frame: dict[str, Any] = {"kind": "id_validity_per_file"}
        if id_col.required_when:
            # 结对帮扶: only 干部结对援助对象 rows carry an ID; the others are not broken.
            frame["only_when"] = list(id_col.required_when)
        suites.append(
            _suite(
                f"{qualified}.id_validity_per_file",
                qualified,
                key,
                frame,
                [
                    _exp(
                        "expect_column_values_to_be_between",
                        BLOCKING,
                        f"in every file of {MIN_ROWS_FOR_ID_SHARE}+ rows at least {MIN_VALID_ID_SHARE:.0%} of the rows "
                        "carry a valid ID "
                        "number (contract §5); below that the file is broken (e.g. IDs turned into "
                        "3.7E+17 by a spreadsheet) and its people would all be quarantined",
                        column="valid_id_share",
                        min_value=MIN_VALID_ID_SHARE,
                        max_value=1,
                    )
                ],
                f"{table.title}: share of valid ID numbers, one row per source file.",
            )
        )
    for col in table.columns:
        if col.kind == "multi" and col.values:
            suites.append(
                _suite(
                    f"{qualified}.{col.name}",
                    qualified,
                    key,
                    {"kind": "explode", "column": col.name},
                    [
                        _exp(
                            "expect_column_values_to_be_in_set",
                            WARNING,
                            f"each value of {col.header} is one of the contract's; an unknown value "
                            "is kept but supports no category",
                            column=col.name,
                            value_set=list(col.values),
                        )
                    ],
                    f"{table.title}: values of the multi-valued column {col.header}.",
                )
            )
    return suites


def city_stats_suite() -> dict[str, Any]:
    """The city's own statistics table: inconsistencies are the city's, reported, never blocking."""
    exps: list[dict[str, Any]] = []
    for fig in terms.FIGURES:
        exps.append(
            _exp(
                "expect_column_values_to_be_between",
                WARNING,
                f"the city's self-reported {fig.header} is not negative",
                column=fig.name,
                min_value=0,
            )
        )
        if fig.parent:
            parent = terms.FIGURES[terms.FIGURE_NAMES.index(fig.parent)]
            exps.append(
                _exp(
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    WARNING,
                    f"in the city's own table {fig.header} ≤ {parent.header}; the "
                    "warehouse computes its own figures, so this is reported to the "
                    "city, not a reason to stop",
                    column_A=fig.parent,
                    column_B=fig.name,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                )
            )
    return _suite(
        "raw.city_stats",
        "raw.city_stats",
        ["raw", "city_stats"],
        {"kind": "rows"},
        [
            _columns_expectation([*LINEAGE, *(c.name for c in terms.CITY_STATS.columns)], WARNING),
            *exps,
        ],
        "统计表 (city self-reported): non-negative figures, parts within totals.",
    )


def build_suites() -> dict[str, dict[str, Any]]:
    """Every suite of the gate, by file name."""
    suites: list[dict[str, Any]] = []
    for table in terms.ALL_TABLES:
        if table is terms.CITY_STATS:
            suites.append(city_stats_suite())
        else:
            suites.extend(table_suites(table))
    return {f"{s['name']}.json": s for s in suites}


def write_suites(directory: Path = settings.EXPECTATIONS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in build_suites().items():
        path = directory / name
        path.write_text(json.dumps(suite, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Parse the (option-less) command line, so `--help` explains and writes nothing."""
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    for p in write_suites():
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
