"""The safe writer (publish/files.py): deterministic order, BOM, lists, no formula ever evaluated,
stable xlsx bytes, all-or-nothing folders with their permissions."""

from __future__ import annotations

import datetime as dt
import stat
import zipfile
from pathlib import Path

import polars as pl

from pipelines.publish.files import (
    RESTRICTED,
    SHARED,
    UTF8_BOM,
    build_folder,
    escape_formula,
    safe_workbook,
    sort_rows,
    write_csv,
    write_frame_to_sheet,
)
from pipelines.publish.files import write_frame as write_table


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
    text = raw[len(UTF8_BOM) :].decode("utf-8")
    assert text.splitlines()[0] == "cutoff_date,city_code,city_name,reasons"
    assert text.splitlines()[1] == "2022-08-15,370100,济南市,c"
    assert "a、b" in text


def test_same_rows_any_order_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_table(frame(), a, "m")
    write_table(frame().reverse(), b, "m")
    assert (a / "m.csv").read_bytes() == (b / "m.csv").read_bytes()
    assert (a / "m.parquet").read_bytes() == (b / "m.parquet").read_bytes()


# --- the safe writer: formula injection, stable xlsx bytes, all-or-nothing folders ------------

HOSTILE_TEXT = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


def test_sort_rows_gives_the_order_of_the_sort_on_every_key() -> None:
    import random

    rng = random.Random(7)
    for trial in range(200):
        n = rng.randint(0, 40)
        # Few distinct values, nulls among them: the leading keys are unique in some frames
        # (the short path) and shared in others (the sort on every key).
        width = rng.randint(1, 3)
        df = pl.DataFrame(
            {
                "a": [rng.choice([None, "x", "y", "z"]) for _ in range(n)],
                "b": [rng.choice([None, 1, 2]) for _ in range(n)],
                "c": [
                    rng.choice([None, dt.date(2022, 8, 15), dt.date(2022, 8, 30)]) for _ in range(n)
                ],
                "d": [rng.choice([None, 0.5, 1.5]) for _ in range(n)],
                "e": [rng.choice(["p", "q"]) for _ in range(n)],
            }
        ).with_row_index("id")
        if trial % 2:
            df = df.with_columns(pl.col("id").shuffle(seed=trial))
            df = df.select(df.columns[1 : 1 + width] + ["id"] + df.columns[1 + width :])
        else:
            df = df.drop("id")
        expected = df.sort(df.columns, nulls_last=True, maintain_order=True)
        assert sort_rows(df, df.columns).equals(expected), (trial, df)


def test_csv_escapes_text_that_a_spreadsheet_would_evaluate(tmp_path: Path) -> None:
    df = pl.DataFrame({"note": [*HOSTILE_TEXT, "ok", None], "n": [-1, 2, 3, 4, 5, 6, 7, 8, 9]})
    write_csv(df, tmp_path / "x.csv")
    back = pl.read_csv(tmp_path / "x.csv", encoding="utf8-lossy", infer_schema=False)
    notes = [v for v in back["note"].to_list() if v is not None]
    for value in HOSTILE_TEXT:
        assert "'" + value in notes
    assert "ok" in notes
    assert all(v == "ok" or v.startswith("'") for v in notes)
    # numbers are data, not text: a negative number stays a number
    assert "-1" in back["n"].to_list()


def test_escape_formula_leaves_ordinary_text_alone() -> None:
    assert escape_formula("济南市") == "济南市"
    assert escape_formula("a=b") == "a=b"
    assert escape_formula("") == ""
    assert escape_formula(None) is None
    assert escape_formula("-") == "'-"


def test_list_columns_are_escaped_after_joining(tmp_path: Path) -> None:
    df = pl.DataFrame({"reasons": [["=bad", "ok"]]})
    write_csv(df, tmp_path / "x.csv")
    assert "'=bad、ok" in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")


def test_parquet_keeps_the_value_as_it_is(tmp_path: Path) -> None:
    df = pl.DataFrame({"note": HOSTILE_TEXT})
    write_table(df, tmp_path, "m")
    assert sorted(pl.read_parquet(tmp_path / "m.parquet")["note"].to_list()) == sorted(HOSTILE_TEXT)


def _xlsx_cells(path: Path) -> tuple[str, str]:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode(), z.read("xl/sharedStrings.xml").decode()


def test_xlsx_text_is_a_string_never_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = safe_workbook(path, created=dt.date(2022, 8, 15))
    ws = wb.add_worksheet("s")
    write_frame_to_sheet(
        ws, pl.DataFrame({"note": HOSTILE_TEXT, "n": list(range(len(HOSTILE_TEXT)))})
    )
    ws.write(20, 0, "=1+1")  # even the generic write() must not make a formula
    wb.close()
    sheet, strings = _xlsx_cells(path)
    assert "<f>" not in sheet
    assert "=1+1" in strings and "@cmd" in strings
    import openpyxl

    values = [c.value for c in openpyxl.load_workbook(path).active["A"]]
    assert "=1+1" in values
    assert all(
        c.data_type != "f" for row in openpyxl.load_workbook(path).active.iter_rows() for c in row
    )


def test_xlsx_bytes_do_not_depend_on_when_it_was_written(tmp_path: Path) -> None:
    import time

    def build(path: Path) -> bytes:
        wb = safe_workbook(path, created=dt.date(2022, 8, 15), title="t")
        write_frame_to_sheet(wb.add_worksheet("s"), frame())
        wb.close()
        return path.read_bytes()

    first = build(tmp_path / "a.xlsx")
    time.sleep(1.1)
    assert build(tmp_path / "b.xlsx") == first


def test_a_failed_build_leaves_the_previous_folder_byte_for_byte(tmp_path: Path) -> None:
    target = tmp_path / "marts"
    with build_folder(target, SHARED) as f:
        (f / "a.csv").write_text("old")
    try:
        with build_folder(target, SHARED) as f:
            (f / "a.csv").write_text("new")
            raise OSError(28, "No space left on device")
    except OSError:
        pass
    assert (target / "a.csv").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["marts"]  # no debris


def test_folders_get_their_modes(tmp_path: Path) -> None:
    with build_folder(tmp_path / "restricted", RESTRICTED) as f:
        (f / "city").mkdir()
        (f / "city" / "list.csv").write_text("x")
    with build_folder(tmp_path / "marts", SHARED) as f:
        (f / "charts").mkdir()
        (f / "charts" / "a.png").write_bytes(b"x")
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "restricted") == 0o700
    assert mode(tmp_path / "restricted" / "city") == 0o700
    assert mode(tmp_path / "restricted" / "city" / "list.csv") == 0o600
    assert mode(tmp_path / "marts" / "charts") == 0o750
    assert mode(tmp_path / "marts" / "charts" / "a.png") == 0o640


def test_formula_text_in_any_published_table_is_inert_in_every_csv(tmp_path: Path) -> None:
    """Every table that reaches an output: all marts (publisher) and the restricted lists."""
    import csv

    import duckdb

    from pipelines.publish.publisher import publish_marts
    from pipelines.publish.restricted import write_restricted_exports

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create schema restricted")
    values = ", ".join(
        f"('{v.replace(chr(39), chr(39) * 2)}', {-i}, ['{v[:2]}x'])"
        for i, v in enumerate(HOSTILE_TEXT)
    )
    con.execute(f"create table marts.rpt_x as select * from (values {values}) t(note, n, tags)")
    from pipelines.publish.restricted import EXPORTS

    for export in EXPORTS:  # every restricted list, each carrying the hostile text
        con.execute(
            f"create table {export.relation} as select date '2022-08-15' as cutoff_date, "
            f"'370100' as city_code, note as name, n from (values {values}) t(note, n, tags)"
        )
    publish_marts(con, tmp_path / "marts")
    write_restricted_exports(con, "2022-08-15", tmp_path / "restricted", log=lambda _m: None)
    csvs = sorted((tmp_path / "marts").rglob("*.csv")) + sorted(
        (tmp_path / "restricted").rglob("*.csv")
    )
    assert len(csvs) == 1 + len(EXPORTS)
    for path in csvs:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        live = [
            c
            for c in cells
            if c.startswith(("=", "+", "@", "\t", "\r"))
            or (c.startswith("-") and not c.lstrip("-").isdigit())
        ]
        assert live == [], path.name
        assert "'=1+1" in cells
    assert "=1+1" in pl.read_parquet(tmp_path / "marts" / "rpt_x.parquet")["note"].to_list()
