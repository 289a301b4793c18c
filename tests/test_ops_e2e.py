"""End to end through Dagster: `python -m pipelines run` on a generated campaign, then what
operations and analysts rely on: every cut-off's outputs, no person identifiers in the marts
folder, restricted lists per city elsewhere, the analysts' copy answering docs/analysts.md,
the charts page, and a rerun of one cut-off rewriting that cut-off alone.
"""

import os
import re
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines import settings, terms
from pipelines.campaign import load_campaign
from pipelines.publish.analyst_copy import pii_columns
from tools.fixtures.ids import has_valid_check_char

pytestmark = pytest.mark.slow

ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dX])(?![0-9A-Za-z])")


def ids_in(values) -> list[str]:
    found = []
    for v in values:
        if isinstance(v, str):
            found += [m for m in ID18.findall(v) if has_valid_check_char(m)]
    return found


@pytest.fixture(scope="module")
def run(demo_run):
    root, env, _stdout, _stderr = demo_run
    return root, env


def test_run_materialises_every_cutoff_of_the_per_cutoff_outputs(run):
    root, env = run
    keys = load_campaign().cutoff_keys
    for key in keys:
        report = pl.read_parquet(root / "marts" / "by_cutoff" / key / "rpt_campaign_stats.parquet")
        assert report.height == 17 and set(report["cutoff_date"].cast(pl.String)) == {key}
        assert (root / "restricted" / key).is_dir()
    os.environ["DAGSTER_HOME"], saved = env["DAGSTER_HOME"], os.environ.get("DAGSTER_HOME")
    try:
        with dg.DagsterInstance.get() as instance:
            for asset in (["published", "report_by_cutoff"], ["restricted", "city_exports"]):
                assert instance.get_materialized_partitions(dg.AssetKey(asset)) == set(keys)
    finally:
        if saved is None:
            os.environ.pop("DAGSTER_HOME")
        else:
            os.environ["DAGSTER_HOME"] = saved


def _tables_in(path: Path) -> dict[str, pl.DataFrame]:
    """Every table a file of the marts folder holds, as frames (sheets and DuckDB tables included)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return {path.name: pl.read_parquet(path)}
    if suffix == ".csv":
        return {path.name: pl.read_csv(path, infer_schema=False)}
    if suffix == ".duckdb":
        con = duckdb.connect(str(path), read_only=True)
        try:
            names = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
            return {f"{path.name}:{s}.{t}": con.sql(f'select * from "{s}"."{t}"').pl() for s, t in names}
        finally:
            con.close()
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        out = {}
        for ws in wb.worksheets:
            rows = [[None if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
            width = max((len(r) for r in rows), default=0)
            out[f"{path.name}:{ws.title}"] = pl.DataFrame(
                [r + [None] * (width - len(r)) for r in rows], schema=[f"c{i}" for i in range(width)],
                orient="row") if rows else pl.DataFrame()
            # Header cells are data here: a 姓名 / 身份证号 header would be a leak too.
            out[f"{path.name}:{ws.title}:headers"] = pl.DataFrame(
                {"header": [v for r in rows[:8] for v in r if v]})
        return out
    return {}


def test_marts_folder_holds_no_id_number_and_no_name_or_phone_column(run):
    root, _ = run
    leaks, scanned = [], 0
    for path in sorted((root / "marts").rglob("*")):
        if not path.is_file():
            continue
        scanned += 1
        if path.suffix.lower() in {".html", ".json", ".md", ".txt", ".csv"}:
            leaks += [f"{path.name}: ID {i}" for i in ids_in([path.read_text(encoding="utf-8-sig")])]
        for name, df in _tables_in(path).items():
            leaks += [f"{name}: column {c}" for c in pii_columns(df.columns)]
            if "headers" in name:
                leaks += [f"{name}: header {h}" for h in df["header"] if h in ("姓名", "身份证号", "联系电话")]
            for col, dtype in df.schema.items():
                if dtype == pl.String:
                    leaks += [f"{name}.{col}: ID {i}" for i in ids_in(df[col].drop_nulls().to_list())[:3]]
    assert scanned > 20
    assert not leaks, leaks[:20]


def test_restricted_lists_are_written_per_city_outside_the_marts_folder(run):
    root, _ = run
    restricted = root / "restricted"
    files = sorted(restricted.glob("*/*/*.csv"))
    assert files, "no restricted list written"
    assert not (root / "marts").joinpath("restricted").exists()
    cities = {p.parent.name for p in files}
    assert cities <= set(terms.CITIES)
    person_lists = [p for p in files if p.name != "contact_register.csv"]
    sample = pl.read_csv(person_lists[0], infer_schema=False)
    assert {"city_code", "person_key"} <= set(sample.columns)
    assert set(sample["city_code"]) == {person_lists[0].parent.name}


def test_contact_register_lists_every_city_at_every_cutoff(run):
    root, _ = run
    for key in load_campaign().cutoff_keys:
        registers = sorted((root / "restricted" / key).glob("*/contact_register.csv"))
        assert {p.parent.name for p in registers} == set(terms.CITIES)
        for path in registers:
            df = pl.read_csv(path, infer_schema=False)
            assert {"has_contact", "name", "mobile"} <= set(df.columns)
            assert set(df["city_code"]) == {path.parent.name}


def test_final_summary_workbook_and_page_are_written_and_read_back(run):
    root, _ = run
    folder = root / "marts" / "summary"
    wb = openpyxl.load_workbook(folder / "活动总结.xlsx")
    assert wb.sheetnames == ["全省", *terms.CITIES.values()]
    province = [str(c) for row in wb["全省"].iter_rows(values_only=True) for c in row if c is not None]
    assert any("活动总结" in c for c in province)
    for heading in ("一、完成情况", "各市完成情况排名", "二、主要数据（截至各截止日的累计数）",
                    "三、援助基地、结对帮扶及其他", "四、报送及时性（全部截止日）", "五、数据质量"):
        assert heading in province
    # The trend table's last column is the report's province figure at the last cut-off.
    report = pl.read_parquet(root / "marts" / "rpt_campaign_stats.parquet").filter(
        (pl.col("city_code") == terms.PROVINCE_CODE) & (pl.col("cutoff_date") == max(load_campaign().cutoffs)))
    ws = wb["全省"]
    targets_row = next(r for r in ws.iter_rows(values_only=True) if r[0] == terms.FIGURES[0].header)
    assert [v for v in targets_row if v][-1] == f"{report['targets_identified'][0]:,}"
    city = [str(c) for row in wb["济南市"].iter_rows(values_only=True) for c in row if c is not None]
    assert "六、典型案例（按原文照录）" in city and "七、意见建议（按原文照录）" in city
    page = (folder / "活动总结.html").read_text(encoding="utf-8")
    assert page.count('<section class="scope"') == len(terms.CITIES) + 1 and "@page" in page


def test_analyst_copy_answers_the_documented_questions(run):
    root, _ = run
    copy = root / "marts" / settings.analyst_db_path().name
    assert copy.exists(), "the publish step did not build the analysts' DuckDB copy"
    queries = re.findall(r"```sql\n(.*?)```", (settings.PROJECT_ROOT / "docs" / "analysts.md").read_text(), re.S)
    assert len(queries) >= 4
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()} == {"marts"}
        for sql in queries:
            rows = con.execute(sql).fetchall()
            assert rows, sql
        fortnight = con.sql(queries[3]).pl()
        province = fortnight.filter(pl.col("city_code") == "370000").sort("cutoff_date")
        assert province["employed_this_fortnight"].sum() == province["employed"][-1]
    finally:
        con.close()


def test_charts_page_shows_every_progress_chart(run):
    root, _ = run
    charts = root / "marts" / "charts"
    page = (charts / "index.html").read_text(encoding="utf-8")
    for png in ("targets.png", "referral_coverage.png", "event_cadence.png", "employment_by_channel.png",
                "reporting_timeliness.png", "province_trend.png"):
        assert (charts / png).stat().st_size > 5000 and png in page


def test_rerun_of_one_cutoff_rewrites_that_cutoffs_outputs_only(run, monkeypatch):
    root, env = run
    for var in ("WARMHEART_RAW_DIR", "WARMHEART_MARTS_DIR", "WARMHEART_WAREHOUSE", "WARMHEART_RESTRICTED_DIR"):
        monkeypatch.setenv(var, env[var])
    from pipelines.defs.assets_outputs import report_by_cutoff, restricted_city_exports
    from pipelines.defs.resources import WarehouseResource

    def stamps() -> dict[str, int]:
        return {str(p.relative_to(root)): p.stat().st_mtime_ns
                for base in (root / "marts" / "by_cutoff", root / "restricted")
                for p in base.rglob("*") if p.is_file()}

    before = stamps()
    result = dg.materialize([report_by_cutoff, restricted_city_exports], partition_key="2022-09-15",
                            resources={"warehouse": WarehouseResource()})
    assert result.success
    after = stamps()
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed and all("2022-09-15" in k for k in changed), sorted(changed)[:5]
    assert {k for k in before if "2022-09-15" not in k} <= set(after)
