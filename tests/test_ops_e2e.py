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
from conftest import DemoRun, point_env

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
def run(demo_run: DemoRun) -> tuple[Path, dict[str, str]]:
    return demo_run.root, demo_run.env


def test_run_materialises_every_cutoff_of_the_per_cutoff_outputs(run):
    root, env = run
    keys = load_campaign().cutoff_keys
    for key in keys:
        report = pl.read_parquet(root / "marts" / "by_cutoff" / key / "rpt_campaign_stats.parquet")
        assert report.height == 17 and set(report["cutoff_date"].cast(pl.String)) == {key}
        assert (root / "restricted" / key).is_dir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
        with dg.DagsterInstance.get() as instance:
            for asset in (["published", "report_by_cutoff"], ["restricted", "city_exports"]):
                assert instance.get_materialized_partitions(dg.AssetKey(asset)) == set(keys)


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
            names = con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
            return {
                f"{path.name}:{s}.{t}": con.sql(f'select * from "{s}"."{t}"').pl() for s, t in names
            }
        finally:
            con.close()
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        out = {}
        for ws in wb.worksheets:
            rows = [
                [None if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)
            ]
            width = max((len(r) for r in rows), default=0)
            out[f"{path.name}:{ws.title}"] = (
                pl.DataFrame(
                    [r + [None] * (width - len(r)) for r in rows],
                    schema=[f"c{i}" for i in range(width)],
                    orient="row",
                )
                if rows
                else pl.DataFrame()
            )
            # Header cells are data here: a 姓名 / 身份证号 header would be a leak too.
            out[f"{path.name}:{ws.title}:headers"] = pl.DataFrame(
                {"header": [v for r in rows[:8] for v in r if v]}
            )
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
            leaks += [
                f"{path.name}: ID {i}" for i in ids_in([path.read_text(encoding="utf-8-sig")])
            ]
        for name, df in _tables_in(path).items():
            leaks += [f"{name}: column {c}" for c in pii_columns(df.columns)]
            if "headers" in name:
                leaks += [
                    f"{name}: header {h}"
                    for h in df["header"]
                    if h in ("姓名", "身份证号", "联系电话")
                ]
            for col, dtype in df.schema.items():
                if dtype == pl.String:
                    leaks += [
                        f"{name}.{col}: ID {i}" for i in ids_in(df[col].drop_nulls().to_list())[:3]
                    ]
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
    province = [
        str(c) for row in wb["全省"].iter_rows(values_only=True) for c in row if c is not None
    ]
    assert any("活动总结" in c for c in province)
    for heading in (
        "一、完成情况",
        "各市完成情况排名",
        "二、主要数据（截至各截止日的累计数）",
        "三、援助基地、结对帮扶及其他",
        "四、报送及时性（全部截止日）",
        "五、数据质量",
    ):
        assert heading in province
    # The trend table's last column is the report's province figure at the last cut-off.
    report = pl.read_parquet(root / "marts" / "rpt_campaign_stats.parquet").filter(
        (pl.col("city_code") == terms.PROVINCE_CODE)
        & (pl.col("cutoff_date") == max(load_campaign().cutoffs))
    )
    ws = wb["全省"]
    targets_row = next(r for r in ws.iter_rows(values_only=True) if r[0] == terms.FIGURES[0].header)
    assert [v for v in targets_row if v][-1] == f"{report['targets_identified'][0]:,}"
    city = [
        str(c) for row in wb["济南市"].iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "六、典型案例（按原文照录）" in city and "七、意见建议（按原文照录）" in city
    page = (folder / "活动总结.html").read_text(encoding="utf-8")
    assert page.count('<section class="scope"') == len(terms.CITIES) + 1 and "@page" in page


def _analyst_queries() -> list[str]:
    return re.findall(
        r"```sql\n(.*?)```", (settings.PROJECT_ROOT / "docs" / "analysts.md").read_text(), re.S
    )


def test_analyst_copy_answers_the_documented_questions_with_the_marts_figures(run):
    root, _ = run
    copy = root / "marts" / settings.analyst_db_path().name
    assert copy.exists(), "the publish step did not build the analysts' DuckDB copy"
    queries = _analyst_queries()
    assert len(queries) >= 5
    targets = pl.read_parquet(root / "marts" / "rpt_city_targets.parquet")
    latest = targets.filter(
        (pl.col("cutoff_date") == targets["cutoff_date"].max())
        & (pl.col("city_code") != terms.PROVINCE_CODE)
    )
    progress = pl.read_parquet(root / "marts" / "fct_target_progress" / "*.parquet")
    completeness = pl.read_parquet(root / "marts" / "rpt_reporting_completeness.parquet")
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert {
            r[0]
            for r in con.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        } == {"marts"}
        coverage, relief, unpaid, fortnight, late, *others = (con.sql(q).pl() for q in queries)
    finally:
        con.close()
    assert all(df.height > 0 for df in others)
    # Behind on referrals: every city once, the coverage of the latest cut-off.
    assert sorted(coverage["city_code"]) == sorted(terms.CITIES)
    want = dict(latest.select("city_code", "referral_targets_met").iter_rows())
    assert dict(coverage.select("city_code", "referral_targets_met").iter_rows()) == want
    # Eligible and unpaid: the counts by city agree with the person-level fact.
    assert sorted(relief["city_code"]) == sorted(terms.CITIES)
    last_unpaid = unpaid.filter(pl.col("cutoff_date") == unpaid["cutoff_date"].max())
    assert dict(
        relief.filter(pl.col("eligible_unpaid") > 0)
        .select("city_code", "eligible_unpaid")
        .iter_rows()
    ) == dict(last_unpaid.select("city_code", "eligible_unpaid").iter_rows())
    assert relief["eligible_unpaid"].sum() > 0
    assert (
        unpaid["eligible_unpaid"].sum()
        == progress.filter(
            pl.col("is_relief_eligible") & ~pl.col("is_relief_paid").fill_null(False)
        ).height
    )
    # Found work this fortnight: the differences add up to the latest cumulative figure.
    for city in (terms.PROVINCE_CODE, "370100"):
        rows = fortnight.filter(pl.col("city_code") == city).sort("cutoff_date")
        assert rows.height == len(load_campaign().cutoffs)
        assert rows["employed_this_fortnight"].sum() == rows["employed"][-1]
    # Late reporters: the sums of the completeness mart.
    assert late["expected"].sum() == completeness["expected"].sum() > 0
    assert late["on_time"].sum() == completeness["on_time"].sum()


def test_analysts_python_snippets_run_against_the_published_folder(run, tmp_path, monkeypatch):
    root, _ = run
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "marts").symlink_to(root / "marts")
    monkeypatch.chdir(tmp_path)
    snippets = re.findall(
        r"```python\n(.*?)```", (settings.PROJECT_ROOT / "docs" / "analysts.md").read_text(), re.S
    )
    assert len(snippets) >= 2
    for code in snippets:
        scope: dict = {}
        exec(compile(code, "docs/analysts.md", "exec"), scope)  # noqa: S102 - the documented snippet itself
    assert scope["stats"].height == 17 * len(load_campaign().cutoffs)


def test_official_xlsx_is_written_for_every_cutoff(run):
    root, _ = run
    for cutoff in load_campaign().cutoff_keys:
        path = root / "marts" / f"rpt_campaign_stats_{cutoff}.xlsx"
        assert path.exists(), path.name
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
        assert terms.PROVINCE_NAME in " ".join(map(str, cells)) or "合计" in " ".join(
            map(str, cells)
        )
        assert sum(isinstance(c, int | float) for c in cells) >= 17 * 17


def test_per_cutoff_reports_are_slices_of_the_report(run):
    root, _ = run
    stats = pl.read_parquet(root / "marts" / "rpt_campaign_stats.parquet")
    for cutoff in load_campaign().cutoff_keys:
        piece = pl.read_parquet(
            root / "marts" / "by_cutoff" / cutoff / "rpt_campaign_stats.parquet"
        )
        whole = stats.filter(pl.col("cutoff_date").cast(pl.String) == cutoff)
        assert piece.sort("city_code").equals(whole.sort("city_code")), cutoff


def test_restricted_lists_reconcile_with_the_marts_counts(run):
    root, _ = run
    discovery = pl.read_parquet(root / "marts" / "rpt_discovery_candidates.parquet").filter(
        pl.col("reason") == "any"
    )
    targets = pl.read_parquet(root / "marts" / "rpt_city_targets.parquet")
    checked = 0
    for cutoff in load_campaign().cutoff_keys:
        for city in terms.CITIES:
            folder = root / "restricted" / cutoff / city

            def rows(name: str, folder: Path = folder) -> int:
                path = folder / f"{name}.csv"
                return pl.read_csv(path, infer_schema=False).height if path.exists() else 0

            def mart(df: pl.DataFrame, column: str, cutoff: str = cutoff, city: str = city) -> int:
                return df.filter(
                    (pl.col("cutoff_date").cast(pl.String) == cutoff)
                    & (pl.col("city_code") == city)
                )[column].sum()

            assert rows("discovery_candidates") == mart(discovery, "candidates"), (cutoff, city)
            unpaid = mart(targets, "relief_eligible") - mart(targets, "relief_eligible_paid")
            assert rows("relief_eligible_unpaid") == unpaid, (cutoff, city)
            checked += rows("discovery_candidates") + unpaid
    assert checked > 0


def test_charts_page_shows_every_progress_chart(run):
    from PIL import Image

    root, _ = run
    charts = root / "marts" / "charts"
    page = (charts / "index.html").read_text(encoding="utf-8")
    for png in (
        "targets.png",
        "referral_coverage.png",
        "event_cadence.png",
        "employment_by_channel.png",
        "reporting_timeliness.png",
        "province_trend.png",
    ):
        assert png in page
        with Image.open(charts / png) as img:
            img.load()
            width, height = img.size
            colours = img.convert("RGB").getcolors(maxcolors=1 << 16)
        # A drawn chart, not an empty canvas: a real size and more than a handful of colours.
        assert width >= 400 and height >= 250, (png, img.size)
        assert colours is None or len(colours) > 8, png


def test_rerun_of_one_cutoff_rewrites_that_cutoffs_outputs_only(demo_copy: Path, monkeypatch):
    root = demo_copy
    point_env(monkeypatch, root)
    from pipelines.defs.assets_outputs import report_by_cutoff, restricted_city_exports
    from pipelines.defs.resources import WarehouseResource

    def stamps() -> dict[str, int]:
        return {
            str(p.relative_to(root)): p.stat().st_mtime_ns
            for base in (root / "marts" / "by_cutoff", root / "restricted")
            for p in base.rglob("*")
            if p.is_file()
        }

    before = stamps()
    result = dg.materialize(
        [report_by_cutoff, restricted_city_exports],
        partition_key="2022-09-15",
        resources={"warehouse": WarehouseResource()},
    )
    assert result.success
    after = stamps()
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed and all("2022-09-15" in k for k in changed), sorted(changed)[:5]
    assert {k for k in before if "2022-09-15" not in k} <= set(after)


def test_the_whole_job_for_one_partition_key_on_the_same_inputs_publishes_byte_identical_outputs(
    demo_copy: Path, monkeypatch
):
    """A second run on the same inputs (README) that is also the whole job run for one cut-off
    (docs/operations.md: schedule, sensor, "Materialize" of one key): every mart and that
    cut-off's slice and restricted lists come out byte for byte as the first run wrote them."""
    import hashlib

    def digests() -> dict[str, str]:
        # The analysts' DuckDB file is compared by content: DuckDB does not write the same
        # bytes twice for the same tables (docs/decisions.md); every other file by its bytes.
        return {
            str(p.relative_to(demo_copy)): hashlib.sha256(p.read_bytes()).hexdigest()
            for base in (demo_copy / "marts", demo_copy / "restricted")
            for p in sorted(base.rglob("*"))
            if p.is_file() and p.suffix != ".duckdb"
        }

    def analyst_tables() -> dict[str, list]:
        con = duckdb.connect(
            str(demo_copy / "marts" / settings.analyst_db_path().name), read_only=True
        )
        try:
            names = [
                r[0]
                for r in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = 'marts' order by 1"
                ).fetchall()
            ]
            return {
                n: con.execute(f'select * from marts."{n}" order by all').fetchall() for n in names
            }
        finally:
            con.close()

    point_env(monkeypatch, demo_copy)
    from pipelines.defs import ALL_JOB_NAME, defs

    before, tables_before = digests(), analyst_tables()
    stamps = {p: (demo_copy / p).stat().st_mtime_ns for p in before}
    exported_before = {k: v for k, v in os.environ.items() if k.startswith("WARMHEART_")}
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(ALL_JOB_NAME).execute_in_process(
            partition_key="2022-09-15", instance=instance, raise_on_error=False
        )
    assert result.success, [e.event_specific_data for e in result.all_events if e.is_step_failure]
    # The run leaves the process as it found it: an in-process run that kept its person_key
    # secret exported made the next run in the same process use it (keys changed).
    assert {k: v for k, v in os.environ.items() if k.startswith("WARMHEART_")} == exported_before
    after = digests()
    assert sorted(after) == sorted(before)
    assert sorted(k for k in after if after[k] != before[k]) == []
    assert analyst_tables() == tables_before and len(tables_before) > 5
    rewritten = {p for p in before if (demo_copy / p).stat().st_mtime_ns != stamps[p]}
    assert any("by_cutoff/2022-09-15" in p for p in rewritten)
    assert not any(p.startswith("restricted/") and "2022-09-15" not in p for p in rewritten)
