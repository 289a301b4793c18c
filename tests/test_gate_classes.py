"""GX judging each class of rows once gives exactly what GX judging every row gives."""

import datetime as dt
import random

import polars as pl
import pytest

from pipelines.campaign import load_campaign
from pipelines.checks import runner

CAMPAIGN = load_campaign("2022-warm-heart")
PARAMS = runner.campaign_parameters(CAMPAIGN)


def _exp(etype: str, severity: str = "critical", **kwargs) -> dict:
    return {"type": etype, "kwargs": kwargs, "severity": severity, "meta": {"why": etype}}


SUITE = {
    "name": "raw.synthetic",
    "meta": {"warmheart": {"table": "raw.synthetic", "frame": {"kind": "rows"}}},
    "expectations": [
        _exp("expect_table_columns_to_match_set", column_set=["name", "gender"], exact_match=False),
        _exp("expect_table_columns_to_match_set", column_set=["name", "missing"], exact_match=True),
        _exp("expect_table_row_count_to_be_between", min_value=1),
        _exp("expect_table_row_count_to_be_between", min_value=10_000),
        _exp("expect_column_values_to_not_be_null", column="name"),
        _exp("expect_column_values_to_not_be_null", column="tags"),
        _exp("expect_column_values_to_not_be_null", column="gender", severity="warning"),
        _exp("expect_column_values_to_be_in_set", column="gender", value_set=["男", "女"]),
        _exp("expect_column_values_to_be_between", column="amount", min_value=0),
        _exp("expect_column_values_to_be_between", column="amount", max_value=900, strict_max=True),
        _exp(
            "expect_column_values_to_be_between",
            column="paid_on",
            min_value={"$PARAMETER": "campaign_start"},
            max_value={"$PARAMETER": "campaign_end"},
        ),
        _exp("expect_column_values_to_be_between", column="count", min_value=0, max_value=3),
        _exp("expect_compound_columns_to_be_unique", column_list=["_file_path", "base_id"]),
        _exp("expect_compound_columns_to_be_unique", column_list=["_file_path", "name"]),
        # Not reduced (judged on the whole frame): a pair, and an option changing the rows.
        _exp("expect_column_pair_values_a_to_be_greater_than_b", column_A="count", column_B="low"),
        _exp("expect_column_values_to_be_in_set", column="gender", value_set=["男"], mostly=0.5),
        # A column that is not there: GX's own error, either way.
        _exp("expect_column_values_to_not_be_null", column="no_such_column"),
    ],
}


def messy_frame(n: int, seed: int) -> pl.DataFrame:
    rnd = random.Random(seed)

    def maybe(value, p_null=0.1):
        return None if rnd.random() < p_null else value

    return pl.DataFrame(
        {
            "_file_path": [f"f{rnd.randrange(3)}.xlsx" for _ in range(n)],
            "_source_row": list(range(2, n + 2)),
            "name": [maybe(f"人{rnd.randrange(n)}") for _ in range(n)],
            "tags": [maybe(["长期失业人员"] * rnd.randrange(3)) for _ in range(n)],
            "gender": [maybe(rnd.choice(["男", "女", "男性", " 女"])) for _ in range(n)],
            "amount": [
                maybe(rnd.choice([-5.0, 0.0, 120.5, 900.0, 1e6, float("nan")])) for _ in range(n)
            ],
            "paid_on": [
                maybe(dt.date(2022, 1, 1) + dt.timedelta(days=rnd.randrange(-400, 800)))
                for _ in range(n)
            ],
            "count": [maybe(rnd.randrange(-1, 6)) for _ in range(n)],
            "low": [rnd.randrange(0, 4) for _ in range(n)],
            "base_id": [maybe(f"B{rnd.randrange(n // 2 + 1)}") for _ in range(n)],
        },
        schema_overrides={"tags": pl.List(pl.String)},
    )


@pytest.mark.parametrize(("n", "seed"), [(0, 0), (1, 1), (7, 2), (400, 3)])
def test_each_class_judged_once_gives_every_rows_outcome(n, seed):
    frame = messy_frame(n, seed)
    by_row = runner.run_suite(SUITE, frame, PARAMS, by_class=False)
    by_class = runner.run_suite(SUITE, frame, PARAMS)
    assert [o.to_dict() for o in by_class] == [o.to_dict() for o in by_row]
    if n >= 400:  # the frame is messy enough that every kind of verdict is exercised
        failed = {o.name for o in by_class if not o.success and not o.error}
        assert {
            "expect_column_values_to_not_be_null",
            "expect_column_values_to_be_in_set",
            "expect_column_values_to_be_between",
            "expect_compound_columns_to_be_unique",
            "expect_table_row_count_to_be_between",
            "expect_table_columns_to_match_set",
        } <= failed
        assert any(o.error for o in by_class)


def test_unexpected_rows_are_counted_over_the_whole_frame_and_shown_first_in_file_order():
    frame = pl.DataFrame(
        {
            "_file_path": ["a.csv"] * 6,
            "_source_row": [2, 3, 4, 5, 6, 7],
            "gender": ["男", "男性", "女", "男性", "男性", None],
        }
    )
    suite = {
        **SUITE,
        "expectations": [
            _exp("expect_column_values_to_be_in_set", column="gender", value_set=["男", "女"])
        ],
    }
    (outcome,) = runner.run_suite(suite, frame, PARAMS)
    assert (outcome.unexpected_count, outcome.element_count) == (3, 6)
    assert [e["_source_row"] for e in outcome.examples] == [3, 5, 6]


def test_gx_batches_are_not_fingerprinted(monkeypatch):
    """GX hashes every batch for markers nothing reads (seconds at a province's size);
    the runner turns that off. Fails if GX renames the threshold the runner sets."""
    from great_expectations.execution_engine import pandas_execution_engine

    runner._gx_batch_definition()  # the runner's GX set-up has run
    assert pandas_execution_engine.HASH_THRESHOLD == 0

    def fingerprint(_df):
        raise AssertionError("GX fingerprinted a batch")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", fingerprint)
    outcomes = runner.run_suite(SUITE, messy_frame(200, 1), PARAMS)
    assert outcomes and not any("fingerprinted" in (o.error or "") for o in outcomes)


def test_gx_imported_in_the_background_is_the_one_the_gate_uses():
    """warm_gx, called again and again and from several threads, starts one import; every
    caller then gets the same GX batch definition."""
    import concurrent.futures as cf

    runner.warm_gx()
    runner.warm_gx()
    with cf.ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: runner._gx_batch_definition(), range(8)))
    assert all(g is got[0] for g in got)
    assert runner._gx_batch_definition() is got[0]


FILE_WISE_SUITE = {
    **SUITE,
    "expectations": [
        e
        for e in SUITE["expectations"]
        if e["type"] != "expect_column_pair_values_a_to_be_greater_than_b"
        and "mostly" not in e["kwargs"]
        and e["kwargs"].get("column") != "no_such_column"
        and e["kwargs"].get("min_value") != 10_000
    ],
}


def test_only_suites_whose_verdict_adds_up_over_files_are_judged_file_by_file():
    assert runner.file_wise(FILE_WISE_SUITE)
    assert not runner.file_wise(SUITE)  # a pair, `mostly`, "at least 10,000 rows"
    unique_by_name = {
        **FILE_WISE_SUITE,
        "expectations": [_exp("expect_compound_columns_to_be_unique", column_list=["name"])],
    }
    assert not runner.file_wise(unique_by_name)  # a key across files
    # Every committed suite but the city's own statistics table's is judged by file, so a
    # corrected upload is validated alone.
    assert {s["name"] for s in runner.load_suites() if not runner.file_wise(s)} == {
        "raw.city_stats"
    }


@pytest.mark.parametrize(("n", "seed"), [(1, 1), (7, 2), (400, 3), (900, 4)])
def test_outcomes_judged_by_file_add_up_to_the_outcomes_on_the_whole_frame(n, seed):
    # Files are contiguous in a raw table: one file's rows are inserted together.
    frame = messy_frame(n, seed).sort("_file_path", maintain_order=True)
    paths = frame.get_column("_file_path").unique(maintain_order=True).to_list()
    per_file = runner.run_suite_by_file(FILE_WISE_SUITE, frame, PARAMS, [*paths, "gone.xlsx"])

    merged = runner.merge_file_outcomes([per_file[p] for p in paths])
    whole = runner.run_suite(FILE_WISE_SUITE, frame, PARAMS)
    assert [o.to_dict() for o in merged] == [o.to_dict() for o in whole]
    assert any(not o.success for o in whole)  # the comparison covers failures and examples
    for path in paths:  # each file's share is what the file alone gets
        alone = runner.run_suite(
            FILE_WISE_SUITE, frame.filter(pl.col("_file_path") == path), PARAMS
        )
        assert [o.to_dict() for o in per_file[path]] == [o.to_dict() for o in alone]
    # A file without rows in the frame passes every row-level expectation with no rows.
    assert all(
        o.success and o.element_count == 0
        for o in per_file["gone.xlsx"]
        if o.unexpected_count is not None
    )


def test_importing_the_definitions_loads_no_pandas_numpy_or_gx() -> None:
    """Every entry point imports the definitions (run, UI, sensor runs): pandas and numpy
    (0.9 s of start-up on a 2-core machine) and GX come only when a table is validated."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pipelines.defs; "
            "print(' '.join(m for m in ('pandas', 'numpy', 'great_expectations') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == ""
