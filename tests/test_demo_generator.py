"""The demo generator: files as the contract describes them, noise really present, truth
agreeing with the files, determinism. Small K so the whole module runs in seconds."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import pytest
from stdnum.cn import ric, uscc

from pipelines import terms
from pipelines.campaign import load_campaign
from tools.demo import generate
from tools.demo.__main__ import main as cli_main
from tools.demo.ids import normalize_id
from tools.demo.truth import age_years, with_normalized_id
from tools.demo.world import World

K = 40
SEED = 11
CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("demo_a")
    generate(base / "raw", base / "ground_truth", SEED, K, load_campaign("2022-warm-heart"))
    return base


@pytest.fixture(scope="module")
def truth(run: Path) -> dict:
    gt = run / "ground_truth"
    return {
        "rows": pl.read_parquet(gt / "rows.parquet"),
        "files": pl.read_parquet(gt / "files.parquet"),
        "persons": pl.read_parquet(gt / "persons.parquet"),
        "stats": pl.read_parquet(gt / "expected_stats.parquet"),
        "manifest": json.loads((gt / "manifest.json").read_text(encoding="utf-8")),
    }


def read_grid(path: Path, fmt: str, encoding: str | None) -> list[list[object]]:
    """Every row of a file as a spreadsheet/editor shows it (index 0 = row/line 1)."""
    if fmt == "csv":
        with open(path, encoding=encoding, newline="") as fh:
            return [list(r) for r in csv.reader(fh)]
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None)
    df = sheet.to_polars()
    return [list(r) for r in df.iter_rows()]


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def id_ok(pid: str) -> bool:
    """Check character by stdnum (which takes the whole number), birth date real."""
    if not re.fullmatch(r"\d{17}[\dX]", pid) or ric.calc_check_digit(pid) != pid[-1]:
        return False
    try:
        dt.date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14]))
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- layout


def test_submission_tree_and_registries(run: Path, truth: dict) -> None:
    camp = load_campaign("2022-warm-heart")
    sub = run / "raw" / "submissions" / camp.id
    missing = {(m["city_code"], m["cutoff_date"]) for m in truth["manifest"]["missing_slots"]}
    assert missing, "at least one city skips a cut-off"
    laiwu = truth["manifest"]["folder_371200"]
    for cut in camp.cutoffs:
        for city in terms.CITIES:
            folder = (
                "371200"
                if (city, cut.isoformat()) == (laiwu["city_code"], laiwu["cutoff_date"])
                else city
            )
            exists = (sub / cut.isoformat() / folder).is_dir()
            assert exists != ((city, cut.isoformat()) in missing), (city, cut)
    for t in terms.REGISTRY_TABLES:
        files = list((run / "raw" / "registries" / str(t.registry_folder)).iterdir())
        assert len(files) >= 2 and all(f.suffix in (".csv", ".xlsx") for f in files)
    # Truth lies outside the raw tree.
    assert not list((run / "raw").rglob("*.parquet"))
    ft = truth["files"]
    assert set(ft["table_type"]) == {t.name for t in terms.ALL_TABLES}
    assert set(ft["format"]) == {"csv", "xlsx", "xls"}
    assert set(ft["encoding"].drop_nulls()) == {"utf-8", "utf-8-sig", "gb18030"}
    assert "371200" not in set(ft["city_code"].drop_nulls())


def test_mtimes_lateness_and_reuploads(run: Path, truth: dict) -> None:
    ft = truth["files"]
    for row in ft.iter_rows(named=True):
        mtime = (run / "raw" / row["file_path"]).stat().st_mtime
        china = dt.datetime.fromtimestamp(mtime, CHINA).replace(tzinfo=None)
        assert china == row["received_at"], row["file_path"]
        if row["cutoff_date"] is not None:
            assert row["is_late"] == (china.date() > row["cutoff_date"])
    assert ft["is_late"].sum() >= 2
    for slot in truth["manifest"]["reuploaded_slots"]:
        same = ft.filter(
            (pl.col("city_code") == slot["city_code"])
            & (pl.col("cutoff_date") == dt.date.fromisoformat(slot["cutoff_date"]))
            & (pl.col("table_type") == slot["table_type"])
        ).sort("received_at")
        assert same.height == 2
        assert same["is_current"].to_list() == [False, True]
        # The file name does not tell which one is newer.
        assert sorted(same["file_path"])[0] == same["file_path"][1]


# ---------------------------------------------------------------- truth vs files


def test_row_counts_and_ids_match_files(run: Path, truth: dict) -> None:
    rows, ft = truth["rows"], truth["files"]
    by_file = rows.group_by("file_path").agg(
        pl.col("source_row"), pl.col("person_id"), pl.col("noise")
    )
    info = {r["file_path"]: r for r in ft.iter_rows(named=True)}
    checked_ids = 0
    for rec in by_file.iter_rows(named=True):
        f = info[rec["file_path"]]
        grid = read_grid(run / "raw" / rec["file_path"], f["format"], f["encoding"])
        table = terms.TABLES_BY_NAME[f["table_type"]]
        first = min(rec["source_row"])
        data = [r for r in grid[first - 1 :] if any(v not in (None, "") for v in r)]
        if table is terms.CITY_STATS:
            assert rec["source_row"] == [6]
            assert str(grid[5][0]) in terms.CITIES.values()
            continue
        assert len(data) == len(rec["source_row"]), rec["file_path"]
        assert sorted(rec["source_row"]) == list(range(first, first + len(data)))
        header = [str(h or "").strip() for h in grid[first - 2]]
        if "身份证号" not in header:
            continue
        col = header.index("身份证号")
        for srow, pid, noise in zip(rec["source_row"], rec["person_id"], rec["noise"], strict=True):
            if {"id_typo", "id_numeric_cell", "id_sci_text"} & set(noise):
                continue
            assert normalize_id(str(grid[srow - 1][col])) == pid, (rec["file_path"], srow)
            checked_ids += 1
    assert checked_ids > 1000


def test_person_ids_and_credit_codes_validate(run: Path, truth: dict) -> None:
    persons = truth["persons"]
    assert persons["person_id"].n_unique() == persons.height
    assert all(id_ok(p) for p in persons["person_id"])
    for p, g, b in persons.select("person_id", "gender", "birth_date").iter_rows():
        assert (int(p[16]) % 2 == 1) == (g == "男")
        assert p[6:14] == f"{b:%Y%m%d}"
    assert persons["name"].str.contains("·").any()
    assert set(truth["rows"]["person_id"].drop_nulls()) <= set(persons["person_id"])
    posts = truth["files"].filter(pl.col("table_type") == "job_posts")
    n = bad = 0
    for f in posts.iter_rows(named=True):
        grid = read_grid(run / "raw" / f["file_path"], f["format"], f["encoding"])
        hdr_i = next(
            i
            for i, r in enumerate(grid)
            if any(str(v or "").strip() in terms.JOB_POSTS.column("post_id").headers for v in r)
        )
        header = [str(v or "").strip() for v in grid[hdr_i]]
        col = next(
            i for i, h in enumerate(header) if h in terms.JOB_POSTS.column("employer_uscc").headers
        )
        for r in grid[hdr_i + 1 :]:
            bad += not uscc.is_valid(str(r[col]))
            n += 1
    assert n > 100
    # Every code validates except the typos the truth records (the row still loads).
    typos = truth["rows"].filter(
        (pl.col("table_type") == "job_posts") & pl.col("noise").list.contains("uscc_typo")
    )
    assert 0 < bad == typos.height < n / 5


def test_resolvability(truth: dict) -> None:
    rows = truth["rows"]
    typo = rows.filter(pl.col("noise").list.contains("id_typo"))
    led = typo.filter(pl.col("table_type") == "ledger")
    assert led.height > 0 and led["person_resolvable"].sum() > 0  # linked by name + phone
    others = typo.filter(pl.col("table_type").is_in(["visits", "referrals"]))
    assert others.height > 0 and not others["person_resolvable"].any()  # no phone: quarantined
    fine = rows.filter(
        pl.col("person_id").is_not_null()
        & ~pl.col("noise")
        .list.set_intersection(["id_typo", "id_numeric_cell", "id_sci_text"])
        .list.len()
        .cast(pl.Boolean)
    )
    assert fine["person_resolvable"].all()
    assert (rows["expected"] == "quarantined").sum() > 0


# ---------------------------------------------------------------- noise really in the files


def test_noise_is_present(run: Path, truth: dict) -> None:
    rows, ft = truth["rows"], truth["files"]
    counts = truth["manifest"]["noise_counts"]
    for kind in (
        "id_15digit",
        "id_fullwidth",
        "id_lowercase_x",
        "id_spaces",
        "id_numeric_cell",
        "id_sci_text",
        "id_typo",
        "name_spaces",
        "name_dot_variant",
        "phone_dashes",
        "phone_plus86",
        "phone_spaces",
        "date_slash",
        "date_dot",
        "date_compact",
        "date_cn",
        "date_cell",
        "multi_separator",
        "registry_duplicate",
        "city_code_371200",
        "cross_city",
        "missing_required",
        "bad_date",
        "money_text",
    ):
        assert counts.get(kind, 0) > 0, kind
    info = {r["file_path"]: r for r in ft.iter_rows(named=True)}
    patterns = {
        "id_15digit": r"^\d{15}$",
        "id_fullwidth": r"[０-９]",
        "id_lowercase_x": r"^\d{17}x$",
        "id_spaces": r"\s",
        "id_sci_text": r"^\d\.\d+E\+17$",
        "phone_dashes": r"^1\d\d-\d{4}-\d{4}$",
        "phone_plus86": r"^\+86 1\d{10}$",
        "date_slash": r"^20\d\d/\d{1,2}/\d{1,2}$",
        "date_dot": r"^20\d\d\.\d{1,2}\.\d{1,2}$",
        "date_compact": r"^20\d{6}$",
        "date_cn": r"^20\d\d年\d{1,2}月\d{1,2}日$",
        "name_dot_variant": r"[•・．]",
        "multi_separator": r"[，,；;／/ ]",
    }
    grids: dict[str, list] = {}
    for kind, pattern in patterns.items():
        sample = rows.filter(pl.col("noise").list.contains(kind)).head(20)
        found = False
        for fp, srow in sample.select("file_path", "source_row").iter_rows():
            f = info[fp]
            if fp not in grids:
                grids[fp] = read_grid(run / "raw" / fp, f["format"], f["encoding"])
            if any(re.search(pattern, str(v)) for v in grids[fp][srow - 1] if v is not None):
                found = True
                break
        assert found, kind
    # Numeric ID cells are numbers in the workbook (digits lost).
    fp, srow = (
        rows.filter(
            pl.col("noise").list.contains("id_numeric_cell")
            & pl.col("file_path").str.ends_with(".xlsx")
        )
        .select("file_path", "source_row")
        .row(0)
    )
    ws = openpyxl.load_workbook(run / "raw" / fp, read_only=True).active
    values = [c for c in next(ws.iter_rows(min_row=srow, max_row=srow, values_only=True))]
    assert any(isinstance(v, float) and v > 1e17 for v in values)
    # Real date cells in workbooks.
    fp, srow = (
        rows.filter(
            pl.col("noise").list.contains("date_cell") & pl.col("file_path").str.ends_with(".xlsx")
        )
        .select("file_path", "source_row")
        .row(0)
    )
    ws = openpyxl.load_workbook(run / "raw" / fp, read_only=True).active
    assert any(
        isinstance(v, dt.datetime)
        for v in next(ws.iter_rows(min_row=srow, max_row=srow, values_only=True))
    )
    # Header variants: aliases, full-width brackets, units.
    headers = set()
    for f in ft.filter(pl.col("table_type") != "city_stats").iter_rows(named=True):
        fp = f["file_path"]
        g = grids.get(fp) or read_grid(run / "raw" / fp, f["format"], f["encoding"])
        first = rows.filter(pl.col("file_path") == fp)["source_row"].min()
        if first:
            headers.update(str(h) for h in g[first - 2] if h)
    assert any("（元）" in h or "(元)" in h for h in headers)
    assert any("（" in h and "元" not in h for h in headers)
    assert headers & {a for t in terms.ALL_TABLES for c in t.columns for a in c.aliases}
    # Registry 市代码 371200 and a submission folder 371200.
    assert list((run / "raw" / "submissions").rglob("371200"))


def test_encodings_and_xls_decode(run: Path, truth: dict) -> None:
    ft = truth["files"]
    for enc in ("gb18030", "utf-8-sig", "utf-8"):
        fp = ft.filter(pl.col("encoding") == enc)["file_path"][0]
        raw = (run / "raw" / fp).read_bytes()
        text = raw.decode(enc)
        assert "身份证" in text or "岗位" in text or "活动" in text
        if enc == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        assert raw.startswith(b"\xef\xbb\xbf") == (enc == "utf-8-sig")
    for fp in ft.filter(pl.col("format") == "xls")["file_path"].head(5):
        raw = (run / "raw" / fp).read_bytes()
        assert raw.startswith(b"\xd0\xcf\x11\xe0")  # OLE2 (BIFF8), not a renamed xlsx
        assert read_grid(run / "raw" / fp, "xls", None)


def test_statistics_table_layout(run: Path, truth: dict) -> None:
    fp = truth["files"].filter(
        (pl.col("table_type") == "city_stats") & (pl.col("format") == "xlsx")
    )["file_path"][0]
    ws = openpyxl.load_workbook(run / "raw" / fp).active
    assert "统计表" in ws["A1"].value
    assert ws["A2"].value.startswith("填报单位")
    assert ws["A3"].value.startswith("填报时间")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:A5" in merged and "B4:B5" in merged
    # "其中" over the four categories (C..F) and over the three channels.
    assert ws["C4"].value == "其中" and "C4:F4" in merged
    assert [ws.cell(5, c).value for c in range(3, 7)] == [f.header for f in terms.FIGURES[1:5]]
    top = [ws.cell(4, c).value for c in range(1, 19)]
    assert top.count("其中") == 2 and "认定的援助对象人数" in top and "推送提供就业岗位数" in top
    assert ws["A6"].value in terms.CITIES.values()
    assert all(isinstance(ws.cell(6, c).value, int | float) for c in range(2, 19))
    assert ws["A8"].value.startswith("单位负责人")


# ---------------------------------------------------------------- expected statistics


def test_expected_stats_shape_and_invariants(truth: dict) -> None:
    s = truth["stats"]
    camp = load_campaign("2022-warm-heart")
    assert s.columns == ["cutoff_date", "city_code", "city_name", *terms.FIGURE_NAMES]
    assert s.height == len(camp.cutoffs) * (len(terms.CITIES) + 1)
    for f in terms.FIGURES:
        assert (s[f.name] >= 0).all()
    for parent, kids in (
        (
            "targets_identified",
            ["long_term_unemployed", "older_workers", "disabled", "dibao_members"],
        ),
        ("special_recruitment_events", ["onsite_job_fairs"]),
    ):
        for k in kids:
            assert (s[k] <= s[parent]).all()
    assert (
        s["employed_by_enterprise"] + s["employed_flexibly"] + s["employed_public_welfare"]
        <= s["employed"]
    ).all()
    cities = (
        s.filter(pl.col("city_code") != terms.PROVINCE_CODE)
        .group_by("cutoff_date")
        .agg([pl.col(n).sum() for n in terms.FIGURE_NAMES])
        .sort("cutoff_date")
    )
    prov = s.filter(pl.col("city_code") == terms.PROVINCE_CODE).sort("cutoff_date")
    for n in terms.FIGURE_NAMES:
        assert prov[n].round(2).to_list() == cities[n].round(2).to_list(), n
    # Cumulative: the province's targets and referrals do not shrink.
    assert prov["jobs_pushed"].is_sorted() and prov["targets_identified"][-1] > 0
    # The city that skipped a cut-off still has targets then (its ledger is carried forward).
    for m in truth["manifest"]["missing_slots"]:
        row = s.filter(
            (pl.col("city_code") == m["city_code"])
            & (pl.col("cutoff_date") == dt.date.fromisoformat(m["cutoff_date"]))
        )
        assert row["targets_identified"][0] > 0


def test_expected_stats_csv_and_manifest(run: Path, truth: dict) -> None:
    gt = run / "ground_truth"
    csv_df = pl.read_csv(gt / "expected_stats.csv", schema_overrides={"city_code": pl.Utf8})
    assert csv_df.columns == truth["stats"].columns and csv_df.height == truth["stats"].height
    m = truth["manifest"]
    assert (
        m["seed"] == SEED and m["persons_per_city"] == K and m["campaign_id"] == "2022-warm-heart"
    )
    assert (
        m["cross_city_persons"] and m["late_files"] and m["reuploaded_slots"] and m["missing_slots"]
    )
    assert m["find_one_candidates"] > 0
    persons = truth["persons"]
    cand = persons.filter(pl.col("find_one_candidate"))
    assert cand.height == m["find_one_candidates"] and not cand["on_any_ledger"].any()


# ---------------------------------------------------------------- determinism, CLI


def test_same_seed_same_bytes_other_seed_differs(run: Path, tmp_path: Path) -> None:
    camp = load_campaign("2022-warm-heart")
    generate(tmp_path / "b" / "raw", tmp_path / "b" / "gt", SEED, K, camp)
    assert tree_hashes(run / "raw") == tree_hashes(tmp_path / "b" / "raw")
    for name in (
        "rows.parquet",
        "files.parquet",
        "persons.parquet",
        "expected_stats.csv",
        "manifest.json",
    ):
        assert (run / "ground_truth" / name).read_bytes() == (
            tmp_path / "b" / "gt" / name
        ).read_bytes()
    a = {
        p.relative_to(run / "raw"): p.stat().st_mtime
        for p in (run / "raw").rglob("*")
        if p.is_file()
    }
    b = {
        p.relative_to(tmp_path / "b" / "raw"): p.stat().st_mtime
        for p in (tmp_path / "b" / "raw").rglob("*")
        if p.is_file()
    }
    assert a == b
    generate(tmp_path / "c" / "raw", tmp_path / "c" / "gt", SEED + 1, K, camp)
    assert tree_hashes(tmp_path / "c" / "raw") != tree_hashes(run / "raw")


def test_cli_help_and_default_truth_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli_main(["--help"])
    assert exc.value.code == 0
    help_text = capsys.readouterr().out
    assert "--persons-per-city" in help_text and "--truth" in help_text
    out = tmp_path / "data" / "raw"
    assert cli_main(["--out", str(out), "--seed", "3", "--persons-per-city", "5"]) == 0
    assert (tmp_path / "data" / "ground_truth" / "rows.parquet").exists()
    assert not (out / "ground_truth").exists()


def test_stats_agree_with_the_simulated_world(truth: dict) -> None:
    """A check from the other side: at the last cut-off every event and posting has been
    reported, so the province's counts equal the world's (independent of truth.py)."""
    camp = load_campaign("2022-warm-heart")
    world = World(camp, SEED, K)
    world.build(lambda _m: None)
    last = camp.cutoffs[-1]
    prov = truth["stats"].filter(
        (pl.col("city_code") == terms.PROVINCE_CODE) & (pl.col("cutoff_date") == last)
    )
    in_window = lambda d: camp.start <= d <= last  # noqa: E731
    specials = [e for v in world.events.values() for e in v if e.special and in_window(e.held_on)]
    assert prov["special_recruitment_events"][0] == len(specials)
    assert prov["onsite_job_fairs"][0] == sum(e.form == terms.ONSITE_JOB_FAIR for e in specials)
    posts = [p for v in world.posts.values() for p in v if in_window(p.published_on)]
    assert prov["job_posts_collected"][0] == len(posts)


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (
            dt.date(1972, 8, 18),
            dt.date(2022, 9, 26),
            50,
        ),  # month ≥ 2 digits × 100 (an Int8 overflow once)
        (dt.date(1972, 9, 26), dt.date(2022, 9, 26), 50),  # birthday on the day: reached
        (dt.date(1972, 9, 27), dt.date(2022, 9, 26), 49),
        (dt.date(1982, 12, 31), dt.date(2022, 12, 30), 39),
        (dt.date(1980, 2, 29), dt.date(2022, 2, 28), 41),
        (dt.date(1980, 2, 29), dt.date(2022, 3, 1), 42),
    ],
)
def test_truth_age_in_full_years(birth: dt.date, day: dt.date, age: int) -> None:
    df = pl.DataFrame({"b": [birth], "d": [day]})
    assert df.select(age_years(pl.col("b"), pl.col("d")))[0, 0] == age


def _with_check(body17: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return (
        body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]
    )


@pytest.mark.parametrize(
    ("story", "id_text", "valid"),
    [
        ("born 1900-01-01: the first valid day", _with_check("37010219000101001"), True),
        ("born 1899-12-31: before 1900", _with_check("37010218991231001"), False),
        ("born on the campaign end", _with_check("37010220221031001"), True),
        ("born the day after the campaign end", _with_check("37010220221101001"), False),
    ],
)
def test_truth_judges_id_birth_dates_as_the_warehouse_does(
    story: str, id_text: str, valid: bool
) -> None:
    # docs/decisions.md: a birth date from 1900 to the campaign end, never today's date.
    from pipelines.checks.ids import id_is_valid

    campaign = load_campaign("2022-warm-heart")
    assert campaign.end == dt.date(2022, 10, 31)
    df = pl.DataFrame({"id_text": [id_text]})
    truth_says = with_normalized_id(df, campaign.end)["id_valid"][0]
    warehouse_says = df.select(id_is_valid(pl.col("id_text"), campaign.end)).item()
    assert (truth_says, warehouse_says) == (valid, valid), story


def test_xlsx_writer_keeps_spaces_markup_numbers_and_dates(tmp_path: Path) -> None:
    from tools.demo.writers import DATE, NUMBER, TEXT, Sheet, write_xlsx

    text = pl.DataFrame(
        {
            "a": [" 张三 ", "A&B <c>", None],
            "b": ["12", "3.7010219900101126e+17", "x"],
            "c": ["2022-08-05", None, "2022/8/5"],
        }
    )
    sheet = Sheet(
        ["姓名", "数", "日期"],
        text,
        {
            "b": pl.Series([NUMBER, NUMBER, TEXT], dtype=pl.UInt8),
            "c": pl.Series([DATE, DATE, TEXT], dtype=pl.UInt8),
        },
    )
    path = tmp_path / "t.xlsx"
    assert write_xlsx(path, "表", sheet, ["标题"]) == 2
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "标题" and ws["A2"].value == "姓名"
    assert ws["A3"].value == " 张三 " and ws["A4"].value == "A&B <c>" and ws["A5"].value is None
    assert ws["B3"].value == 12 and isinstance(ws["B4"].value, float) and ws["B4"].value > 1e17
    assert ws["C3"].value == dt.datetime(2022, 8, 5) and ws["C5"].value == "2022/8/5"
    grid = read_grid(path, "xlsx", None)
    assert grid[2][0] == " 张三 " and str(grid[2][2]).startswith("2022-08-05")
    first = path.read_bytes()
    write_xlsx(path, "表", sheet, ["标题"])
    assert path.read_bytes() == first


def test_the_generator_tunes_polars_allocator_before_polars_loads():
    """The 20,000-per-city peak stays under 2 GiB only with freed pages returned early
    (tools/demo/__init__.py); the setting is read once, when Polars loads."""
    import os
    import subprocess
    import sys

    code = (
        "import os, sys, tools\n"
        "assert 'polars' not in sys.modules\n"
        "import tools.demo\n"
        "assert 'polars' in sys.modules\n"
        "print(os.environ['_RJEM_MALLOC_CONF'])\n"
    )
    for inherited in ("", "dirty_decay_ms:500,muzzy_decay_ms:1000"):  # a parent that loaded Polars
        env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
        if inherited:
            env["_RJEM_MALLOC_CONF"] = inherited
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip().endswith("dirty_decay_ms:500,muzzy_decay_ms:0")
