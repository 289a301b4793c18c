"""Publishing a mart as parquet + csv: deterministic order, BOM, Chinese text, lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines.publish.tables import UTF8_BOM, write_table


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "cutoff_date": [dt.date(2022, 8, 30), dt.date(2022, 8, 15), dt.date(2022, 8, 15)],
            "city_code": ["370100", "370200", "370100"],
            "city_name": ["济南市", "青岛市", "济南市"],
            "reasons": [["a", "b"], [], ["c"]],
        }
    )


def test_parquet_and_csv_sorted_and_bom(tmp_path: Path) -> None:
    paths = write_table(frame(), tmp_path, "m", sort_by=["cutoff_date", "city_code"])
    assert [p.name for p in paths] == ["m.parquet", "m.csv"]
    back = pl.read_parquet(tmp_path / "m.parquet")
    assert back["city_code"].to_list() == ["370100", "370200", "370100"]
    assert back["reasons"].to_list()[0] == ["c"]
    raw = (tmp_path / "m.csv").read_bytes()
    assert raw.startswith(UTF8_BOM)
    text = raw[len(UTF8_BOM):].decode("utf-8")
    assert text.splitlines()[0] == "cutoff_date,city_code,city_name,reasons"
    assert text.splitlines()[1] == "2022-08-15,370100,济南市,c"
    assert "a、b" in text


def test_same_rows_any_order_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_table(frame(), a, "m")
    write_table(frame().reverse(), b, "m")
    assert (a / "m.csv").read_bytes() == (b / "m.csv").read_bytes()
    assert (a / "m.parquet").read_bytes() == (b / "m.parquet").read_bytes()
