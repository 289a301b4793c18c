"""End to end: generated demo campaign → ingestion → dbt → rpt_campaign_stats, compared cell by
cell with the generator's independent expected statistics (ground_truth/expected_stats.parquet),
at two seeds, plus the contract §6 invariants on the warehouse's own figures.

Seed 11 is the session's demo run (`python -m pipelines run`, the published report). Seed 3
runs a second campaign that exists only as a file (tests/fixtures/campaigns: another season,
a February cut-off, other thresholds), ingested and built here with dbt alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import DEMO_SEED, DemoRun

from pipelines import terms
from pipelines.campaign import load_campaign, write_campaign_tables
from pipelines.ingest import ingest_all
from tools.demo.generator import generate
from tools.fixtures.raw_builder import run_dbt

SEEDS = (3, DEMO_SEED)
SECOND_CAMPAIGN = Path(__file__).parent / "fixtures" / "campaigns" / "2023-winter-test.toml"
PERSONS_PER_CITY = 8
KEYS = ["cutoff_date", "city_code"]
MONEY = {f.name for f in terms.FIGURES if f.money}

pytestmark = pytest.mark.slow

# The §8 marts of each seed's run and their truth (supplement got/expected, pool got/expected).
POLICY: dict[int, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]] = {}


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    if request.param == DEMO_SEED:
        demo: DemoRun = request.getfixturevalue("demo_run")
        marts, truth = demo.root / "marts", demo.root / "ground_truth"
        POLICY[request.param] = (
            pl.read_parquet(marts / "rpt_campaign_supplement.parquet"),
            pl.read_parquet(truth / "expected_supplement.parquet"),
            pl.read_parquet(marts / "rpt_job_pool.parquet"),
            pl.read_parquet(truth / "expected_job_pool.parquet"),
        )
        yield (
            pl.read_parquet(demo.root / "marts" / "rpt_campaign_stats.parquet"),
            pl.read_parquet(demo.root / "ground_truth" / "expected_stats.parquet"),
        )
        return
    root = tmp_path_factory.mktemp(f"truth{request.param}")
    campaign = load_campaign(path=SECOND_CAMPAIGN)
    generate(root / "raw", root / "ground_truth", request.param, PERSONS_PER_CITY, campaign)
    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema if not exists raw")
    write_campaign_tables(con, campaign)
    ingest_all(con, root / "raw", campaign)
    con.close()
    result = run_dbt(warehouse, select="+rpt_campaign_stats +rpt_campaign_supplement +rpt_job_pool")
    assert result.returncode == 0, result.stdout[-5000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    got = pl.from_arrow(con.sql("select * from marts.rpt_campaign_stats").to_arrow_table())
    POLICY[request.param] = (
        pl.from_arrow(con.sql("select * from marts.rpt_campaign_supplement").to_arrow_table()),
        pl.read_parquet(root / "ground_truth" / "expected_supplement.parquet"),
        pl.from_arrow(con.sql("select * from marts.rpt_job_pool").to_arrow_table()),
        pl.read_parquet(root / "ground_truth" / "expected_job_pool.parquet"),
    )
    con.close()
    expected = pl.read_parquet(root / "ground_truth" / "expected_stats.parquet")
    yield got, expected


def test_same_rows(run) -> None:
    got, expected = run
    assert sorted(got.select(KEYS).iter_rows()) == sorted(expected.select(KEYS).iter_rows())
    names = dict(got.select("city_code", "city_name").unique().iter_rows())
    assert names == {**terms.CITIES, terms.PROVINCE_CODE: terms.PROVINCE_NAME}


def test_every_figure_is_non_zero_in_the_truth(run) -> None:
    """A figure that is 0 on both sides would match without proving anything."""
    _, expected = run
    province = expected.filter(pl.col("city_code") == terms.PROVINCE_CODE)
    last = province.filter(pl.col("cutoff_date") == province["cutoff_date"].max())
    zero = [f for f in terms.FIGURE_NAMES if not last[f].cast(pl.Float64).sum() > 0]
    assert not zero, zero


def test_every_cell_matches_the_truth(run) -> None:
    got, expected = run
    joined = expected.join(got, on=KEYS, how="left", suffix="_got")
    wrong = []
    for f in terms.FIGURE_NAMES:
        tol = 0.005 if f in MONEY else 0
        diff = joined.filter(
            ((pl.col(f).cast(pl.Float64) - pl.col(f"{f}_got").cast(pl.Float64)).abs() > tol)
            | pl.col(f"{f}_got").is_null()
        )
        wrong += [
            (str(r["cutoff_date"]), r["city_code"], f, r[f], r[f"{f}_got"])
            for r in diff.iter_rows(named=True)
        ]
    assert not wrong, (
        f"{len(wrong)} cells differ (cutoff, city, figure, expected, got): {wrong[:25]}"
    )


def test_invariants(run) -> None:
    got, expected = run
    cities = got.filter(pl.col("city_code") != terms.PROVINCE_CODE)
    province = got.filter(pl.col("city_code") == terms.PROVINCE_CODE).sort("cutoff_date")
    cutoffs = expected["cutoff_date"].unique()
    assert cities.group_by("cutoff_date").len().sort("cutoff_date")["len"].to_list() == [16] * len(
        cutoffs
    )
    assert province.height == len(cutoffs)
    for f in terms.FIGURES:
        assert (got[f.name] >= 0).all(), f.name
        if f.parent and f.group:  # the 其中 categories / channels: each ≤ its total
            assert (got[f.name] <= got[f.parent]).all(), f.name
    assert (got["onsite_job_fairs"] <= got["special_recruitment_events"]).all()
    channels = (
        got["employed_by_enterprise"] + got["employed_flexibly"] + got["employed_public_welfare"]
    )
    assert (channels <= got["employed"]).all()
    sums = (
        cities.group_by("cutoff_date")
        .agg(pl.col(list(terms.FIGURE_NAMES)).sum())
        .sort("cutoff_date")
    )
    for f in terms.FIGURE_NAMES:
        assert province[f].to_list() == pytest.approx(sums[f].to_list()), f


def _differences(
    got: pl.DataFrame, expected: pl.DataFrame, keys: list[str], figures: list[str]
) -> list:
    joined = expected.join(got, on=keys, how="full", suffix="_got", coalesce=True)
    wrong = []
    for f in figures:
        a, b = pl.col(f).cast(pl.Float64), pl.col(f"{f}_got").cast(pl.Float64)
        bad = joined.filter(((a - b).abs() > 1e-9) | (a.is_null() != b.is_null()))
        wrong += [
            (*(str(r[k]) for k in keys), f, r[f], r[f"{f}_got"]) for r in bad.iter_rows(named=True)
        ]
    return wrong


def test_every_supplement_figure_matches_the_truth(run, request) -> None:
    got, expected, _, _ = POLICY[request.node.callspec.params["run"]]
    assert got.height == expected.height
    wrong = _differences(got, expected, KEYS, list(terms.SUPPLEMENT_FIGURES))
    assert not wrong, (
        f"{len(wrong)} cells differ (cutoff, city, figure, expected, got): {wrong[:25]}"
    )
    # The demo exercises every figure somewhere (a truth of zeros would prove nothing).
    zero = [f for f in terms.SUPPLEMENT_FIGURES if not expected[f].fill_null(0).sum()]
    assert not zero, zero


def test_every_job_pool_cell_matches_the_truth(run, request) -> None:
    _, _, got, expected = POLICY[request.node.callspec.params["run"]]
    assert got.height == expected.height
    wrong = _differences(got, expected, [*KEYS, "post_category"], ["postings", "openings"])
    assert not wrong, f"{len(wrong)} cells differ: {wrong[:25]}"
