"""Ingestion against the demo generator's ground truth: every generated row ends where the truth says."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import terms
from pipelines.campaign import load_campaign
from pipelines.ingest import ingest_all
from tools.demo import generate

CAMPAIGN = load_campaign("2022-warm-heart")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> tuple[duckdb.DuckDBPyConnection, Path]:
    base = tmp_path_factory.mktemp("demo")
    generate(base / "raw", base / "ground_truth", seed=11, persons_per_city=4, campaign=CAMPAIGN)
    con = duckdb.connect()
    ingest_all(con, base / "raw", CAMPAIGN)
    return con, base / "ground_truth"


def test_every_generated_row_is_loaded_or_quarantined_as_the_truth_says_at_its_source_row(ingested):
    con, truth_dir = ingested
    truth = pl.read_parquet(truth_dir / "rows.parquet").select(
        "file_path", pl.col("source_row").cast(pl.Int64), "table_type", "expected", "noise"
    )
    loaded = [
        con.sql(
            f"select _file_path as file_path, _source_row::bigint as source_row, "
            f"'{t.name}' as table_type, 'loaded' as got from raw.{t.name}"
        ).pl()
        for t in terms.ALL_TABLES
    ]
    quarantined = con.sql(
        "select file_path, source_row::bigint as source_row, table_type, 'quarantined' as got "
        "from raw.quarantine where source_row is not null"
    ).pl()
    got = pl.concat([*loaded, quarantined])
    both = truth.join(got, on=["file_path", "source_row", "table_type"], how="full", coalesce=True)
    wrong = both.filter(
        pl.col("expected").is_null()
        | pl.col("got").is_null()
        | (pl.col("expected") != pl.col("got"))
    )
    assert wrong.height == 0, wrong.head(20)
    assert truth.filter(pl.col("expected") == "quarantined").height > 0


def test_every_generated_file_is_registered_with_its_table_and_lateness(ingested):
    con, truth_dir = ingested
    truth = pl.read_parquet(truth_dir / "files.parquet").select(
        "file_path", "table_type", "is_late"
    )
    files = con.sql("select file_path, table_type, is_late, status from raw.files").pl()
    assert files.filter(pl.col("status") == "quarantined").height == 0
    both = truth.join(files, on="file_path", how="full", coalesce=True, suffix="_got")
    assert both.filter(pl.col("table_type") != pl.col("table_type_got")).height == 0
    assert both.filter(pl.col("is_late").ne_missing(pl.col("is_late_got"))).height == 0
    assert both.height == truth.height == files.height


def test_row_accounting_holds_for_every_generated_file(ingested):
    con, _ = ingested
    assert con.execute(
        "select count(*) from raw.files where rows_read <> rows_loaded + rows_quarantined"
    ).fetchone() == (0,)
