"""Charts and restricted per-city exports on hand-made marts: what is drawn, what is listed as
missing, and where lists that name people go."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from pipelines import terms
from pipelines.publish.charts import write_charts
from pipelines.publish.restricted import write_restricted_exports

CUTOFFS = [dt.date(2022, 8, 15), dt.date(2022, 8, 30)]
CITIES = ["370100", "370200"]


def _stats() -> pl.DataFrame:
    rows = []
    for i, cutoff in enumerate(CUTOFFS):
        for code in [*CITIES, "370000"]:
            n = 2 if code == "370000" else 1
            rows.append(
                {
                    "cutoff_date": cutoff,
                    "city_code": code,
                    "city_name": "x",
                    "targets_identified": 10 * n * (i + 1),
                    "employed": 4 * n * (i + 1),
                    "employed_by_enterprise": 2 * n,
                    "employed_flexibly": n,
                    "employed_public_welfare": 0,
                    "jobs_pushed": 30 * n,
                    "visits": 5 * n,
                }
            )
    return pl.DataFrame(rows)


def test_charts_draw_what_the_marts_allow_and_list_the_rest(tmp_path):
    _stats().write_parquet(tmp_path / "rpt_campaign_stats.parquet")
    result = write_charts(tmp_path, log=lambda _m: None)
    assert result.cutoff == "2022-08-30"
    assert result.charts == ["targets.png", "province_trend.png", "employment_by_channel.png"]
    assert any("rpt_city_targets" in m for m in result.missing)
    assert any("rpt_reporting_completeness" in m for m in result.missing)
    page = (tmp_path / "charts" / "index.html").read_text(encoding="utf-8")
    assert "rpt_city_targets" in page and "targets.png" in page
    assert all((tmp_path / "charts" / c).stat().st_size > 1000 for c in result.charts)


def test_charts_of_targets_and_timeliness_use_the_rates_of_the_marts(tmp_path):
    _stats().write_parquet(tmp_path / "rpt_campaign_stats.parquet")
    pl.DataFrame(
        {
            "cutoff_date": CUTOFFS[-1:] * 2,
            "city_code": CITIES,
            "referral_coverage_rate": [0.5, 1.0],
            "event_cadence_rate": [1.0, None],
        }
    ).write_parquet(tmp_path / "rpt_city_targets.parquet")
    pl.DataFrame(
        {
            "cutoff_date": CUTOFFS * 2,
            "city_code": CITIES * 2,
            "expected": [1] * 4,
            "on_time": [1, 0, 1, 1],
        }
    ).write_parquet(tmp_path / "rpt_reporting_completeness.parquet")
    result = write_charts(tmp_path, log=lambda _m: None)
    assert result.missing == []
    assert {"referral_coverage.png", "event_cadence.png", "reporting_timeliness.png"} <= set(
        result.charts
    )


def test_charts_of_unchanged_marts_are_kept_and_redrawn_when_a_mart_changes(tmp_path):
    _stats().write_parquet(tmp_path / "rpt_campaign_stats.parquet")
    first = write_charts(tmp_path, log=lambda _m: None)
    png = tmp_path / "charts" / "targets.png"
    drawn = png.stat().st_ino

    messages: list[str] = []
    again = write_charts(tmp_path, log=messages.append)
    assert again == first
    assert png.stat().st_ino == drawn  # the folder was not rebuilt
    assert any("kept" in m for m in messages)

    png.unlink()  # a chart gone from the folder is drawn again
    assert write_charts(tmp_path, log=lambda _m: None) == first
    assert png.exists()

    drawn = png.stat().st_ino
    _stats().with_columns(pl.col("employed") + 1).write_parquet(
        tmp_path / "rpt_campaign_stats.parquet"
    )
    write_charts(tmp_path, log=lambda _m: None)
    assert png.stat().st_ino != drawn


def test_charts_page_is_written_even_without_any_mart(tmp_path):
    result = write_charts(tmp_path / "marts", log=lambda _m: None)
    assert result.charts == [] and result.missing
    assert (tmp_path / "marts" / "charts" / "index.html").exists()


def _warehouse(path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema restricted")
    con.execute("""create table restricted.restricted_discovery_candidates as
        select * from (values (date '2022-08-15', '370100', '370102199001011234', '张三', ['long_term']),
                              (date '2022-08-30', '370200', '370203198505051235', '李四', ['dibao', 'disabled']))
        t(cutoff_date, city_code, person_id, name, reasons)""")
    con.execute("""create table restricted.restricted_relief_eligible_unpaid as
        select * from (values (date '2022-08-15', '370100', 'k1', '370102199001011234', '张三',
                               '13800138000', '未就业', 0))
        t(cutoff_date, city_code, person_key, id_number, name, phone, employment_status,
          relief_payments_in_window)""")
    con.execute(
        "create table restricted.restricted_contact_register "
        "(cutoff_date date, city_code varchar, has_contact boolean, name varchar)"
    )
    return con


def test_restricted_lists_are_written_per_cutoff_and_city(tmp_path):
    con = _warehouse(tmp_path / "wh.duckdb")
    root = tmp_path / "restricted"
    result = write_restricted_exports(con, "2022-08-15", root, log=lambda _m: None)
    assert result.rows == {
        "discovery_candidates": 1,
        "relief_eligible_unpaid": 1,
        "contact_register": 0,
    }
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.csv")) == [
        "2022-08-15/370100/discovery_candidates.csv",
        "2022-08-15/370100/relief_eligible_unpaid.csv",
    ]
    unpaid = pl.read_csv(root / "2022-08-15/370100/relief_eligible_unpaid.csv", infer_schema=False)
    assert unpaid.row(0, named=True)["name"] == "张三"
    cand = pl.read_csv(root / "2022-08-15/370100/discovery_candidates.csv", infer_schema=False)
    assert cand["reasons"].to_list() == ["long_term"]


def test_rerun_of_a_cutoff_replaces_its_folder_and_keeps_the_others(tmp_path):
    con = _warehouse(tmp_path / "wh.duckdb")
    root = tmp_path / "restricted"
    write_restricted_exports(con, "2022-08-15", root, log=lambda _m: None)
    write_restricted_exports(con, "2022-08-30", root, log=lambda _m: None)
    con.execute(
        "delete from restricted.restricted_relief_eligible_unpaid where city_code = '370100'"
    )
    con.execute("delete from restricted.restricted_discovery_candidates where city_code = '370100'")
    write_restricted_exports(con, "2022-08-15", root, log=lambda _m: None)
    assert not (root / "2022-08-15" / "370100").exists()  # nobody left to contact: no stale list
    assert (root / "2022-08-30" / "370200" / "discovery_candidates.csv").exists()
    assert not list(root.glob(".*"))  # no staging debris


def test_a_missing_restricted_model_fails_and_keeps_the_previous_lists(tmp_path):
    con = _warehouse(tmp_path / "wh.duckdb")
    root = tmp_path / "restricted"
    write_restricted_exports(con, "2022-08-15", root, log=lambda _m: None)
    con.execute("drop table restricted.restricted_relief_eligible_unpaid")
    with pytest.raises(duckdb.CatalogException):
        write_restricted_exports(con, "2022-08-15", root, log=lambda _m: None)
    assert (root / "2022-08-15" / "370100" / "relief_eligible_unpaid.csv").exists()
    assert not list(root.glob(".*"))


def test_chart_numbers_are_written_the_chinese_way():
    from pipelines.publish.charts import chinese_number

    assert [chinese_number(v) for v in (8500, 12000, 123456, 1.5e8, 0.5)] == [
        "8,500",
        "1.2万",
        "12.35万",
        "1.5亿",
        "0.5",
    ]


def test_chart_font_has_a_glyph_for_every_city_name_and_title_character():
    from fontTools.ttLib import TTFont

    from pipelines.publish import charts

    assert charts.use_cjk_font() == "Noto Sans CJK SC"
    cmap = TTFont(charts.CJK_FONT_FILE, fontNumber=0, lazy=True).getBestCmap()
    text = (
        "".join(terms.CITIES.values())
        + "".join(charts.CAPTIONS.values())
        + "截至年月日人数比例达标时段"
    )
    assert not [ch for ch in text if not ch.isspace() and ord(ch) not in cmap]
