"""问题反馈: one Chinese workbook per city and cut-off telling the city what to fix (contract §9).

The items come from restricted.restricted_city_feedback (one row per finding, already
limited to the city's current upload); this module only lays them out for a city
operator, with 原因 and 如何修改 from pipelines/reason_codes.py. It names people, so it
is written under the restricted folder, never the marts.

The workbook is a list of sheets, each built by one function of ``SHEETS`` from the
same ``CityFeedback``: to add a section, write a builder returning a ``Sheet`` (or
None to leave it out) and append it. A reminder that needs no sheet of its own (a
timeliness item such as a missing contact) only needs its code in the SQL model and
in the registry: the cover sheet lists every timeliness item.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import functools
import hashlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import xlsxwriter

from pipelines import reason_codes, terms
from pipelines.publish import files as safe_files
from pipelines.publish import xlsx_stream
from pipelines.publish.content_keys import cutoff_city_fingerprints
from pipelines.publish.files import keep_file, safe_workbook, write_bytes_atomic

FEEDBACK_RELATION = "restricted.restricted_city_feedback"
FEEDBACK_THREADS = 2  # cities written at once (this machine has two cores)
FILES_RELATION = "intermediate.int_submissions"

SECTION_TITLES = {
    "data_issue": "数据问题",
    "comparison": "数据比对",
    "todo": "待办事项",
    "timeliness": "上报情况",
}
LEVEL_ORDER = {"file": 0, "row": 1, "person": 2, "cell": 3}


def file_name(city_code: str, cutoff: dt.date) -> str:
    return f"问题反馈_{terms.CITIES[city_code]}_{cutoff.isoformat()}.xlsx"


@dataclass
class CityFeedback:
    """Everything one city's workbook says, for one cut-off."""

    campaign_name: str
    cutoff: dt.date
    city_code: str
    items: pl.DataFrame  # rows of restricted_city_feedback for this city and cut-off
    files: pl.DataFrame  # the city's files in this cut-off folder (int_submissions)

    @property
    def city_name(self) -> str:
        return terms.CITIES[self.city_code]

    def section(self, name: str) -> pl.DataFrame:
        return self.items.filter(pl.col("section") == name)


@dataclass
class Sheet:
    name: str
    headers: tuple[str, ...]
    rows: pl.DataFrame  # one column per header, in order (a list of tuples is turned into one)
    widths: tuple[int, ...]
    intro: list[str] = field(default_factory=list)  # lines above the table
    empty_text: str = "无"

    def __post_init__(self) -> None:
        if not isinstance(self.rows, pl.DataFrame):
            self.rows = table(self.rows, self.headers)


def table(rows: list[tuple[Any, ...]], headers: tuple[str, ...]) -> pl.DataFrame:
    """A few rows built in Python as a sheet's frame (columns named by the headers)."""
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(headers, pl.String))
    return pl.DataFrame(rows, schema=list(headers), orient="row")


SheetBuilder = Callable[[CityFeedback], Sheet | None]


ID_HEADER = terms.LEDGER.column("id_number").header


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# The reason codes whose 填写的内容 is worded from figures rather than the value as written.
VALUE_WORDINGS = ("figure_difference", "discrimination_unmarked", "referrals_below_minimum")


def _value(row: dict[str, Any]) -> str:
    """The value worded for the city: as written, or the figures that disagree."""
    code = row["reason_code"]
    if code == "figure_difference":
        return (
            f"本市填报 {_number(row['reported_value'])}，省里计算 {_number(row['computed_value'])}"
        )
    if code == "discrimination_unmarked":
        return f"岗位编号 {row['subject']}"
    if code == "referrals_below_minimum":
        return f"已推介 {_number(row['reported_value'])} 个岗位"
    return "" if row.get("value") is None else str(row["value"])


_CITY_CODE = re.compile(r"(?<!\d)(37\d{4})(?!\d)")


def _city_names(text: str) -> str:
    """Details from the marts name cities by code; a city operator reads names."""
    return _CITY_CODE.sub(lambda m: terms.CITIES.get(m.group(1), m.group(1)), text)


def _sorted(df: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Sorted by `keys`, ties broken by every other column: same items, same workbook bytes."""
    rest = [c for c in df.columns if c not in keys and df.schema[c] != pl.Object]
    return df.sort([*keys, *rest], nulls_last=True)


@functools.lru_cache(maxsize=1 << 14)  # thousands of to-do items share a few wordings
def _explain(code: str, column: str, value: str | None) -> tuple[str, str, str]:
    cause, fix = reason_codes.render(code, column, value)
    return reason_codes.explain(code).title, cause, fix


def _filled(name: str) -> pl.Expr:
    """`row[name] or ""`: a missing value shows as an empty cell."""
    return pl.col(name).fill_null("")


def _worded(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with per row: _column (the column an item is about; an unidentified person is
    always about the ID column), _value (as `_value` words it) and _title, _cause, _fix
    (`_explain`); each distinct wording is rendered once, then joined."""
    column = pl.col("column_name")
    df = df.with_columns(
        _column=pl.when(column.is_not_null() & (column != ""))
        .then(column)
        .when(pl.col("issue_level") == "person")
        .then(pl.lit(ID_HEADER))
        .otherwise(pl.lit(""))
    )
    special = pl.col("reason_code").is_in(VALUE_WORDINGS)
    value_keys = ["reason_code", "subject", "reported_value", "computed_value"]
    values = df.filter(special).select(value_keys).unique(maintain_order=True)
    values = values.with_columns(
        _special=pl.Series([_value(r) for r in values.iter_rows(named=True)], dtype=pl.String)
    )
    df = df.join(values, on=value_keys, how="left", nulls_equal=True, maintain_order="left")
    df = df.with_columns(
        _value=pl.when(special).then(pl.col("_special")).otherwise(_filled("value"))
    )
    keys = ["reason_code", "_column", "value"]
    texts = df.select(keys).unique(maintain_order=True)
    worded = [_explain(code, col, value) for code, col, value in texts.iter_rows()]
    texts = texts.with_columns(
        pl.Series(name, [w[i] for w in worded], dtype=pl.String)
        for i, name in enumerate(("_title", "_cause", "_fix"))
    )
    return df.join(texts, on=keys, how="left", nulls_equal=True, maintain_order="left")


def cover_sheet(fb: CityFeedback) -> Sheet:
    counts = fb.items.group_by("section", "reason_code").len().sort("section", "reason_code")
    rows: list[tuple[Any, ...]] = []
    for section in SECTION_TITLES:
        for r in counts.filter(pl.col("section") == section).iter_rows(named=True):
            rows.append(
                (SECTION_TITLES[section], reason_codes.explain(r["reason_code"]).title, r["len"])
            )
    intro = [
        f"{fb.campaign_name} 问题反馈",
        f"城市：{fb.city_name}（{fb.city_code}）    截止日期：{fb.cutoff:%Y年%m月%d日}",
        "本表列出省里在本市本期上报数据中发现的问题和待办事项，请在下一期截止日前改正后重新上传。",
        "重新上传时，同一张表以最后收到的文件为准；之前上传的文件会保留，不必删除。",
        "本表含有姓名、身份证号、电话等个人信息，请妥善保管，不要外传。",
    ]
    timeliness = _worded(_sorted(fb.section("timeliness"), "reason_code", "file_name"))
    for row in timeliness.iter_rows(named=True):
        where = f"（{row['file_name']}）" if row.get("file_name") else ""
        intro.append(f"提醒：{row['_cause']}{where}。{row['_fix']}。")
    if not fb.items.height:
        intro.append("本期未发现问题。")
    return Sheet("说明", ("类别", "问题类型", "条数"), rows, (14, 34, 8), intro)


def files_sheet(fb: CityFeedback) -> Sheet:
    rows = []
    for f in fb.files.sort("received_at", "file_path").iter_rows(named=True):
        table = terms.TABLES_BY_NAME.get(f["table_type"] or "")
        rows.append(
            (
                f["file_name"],
                table.title if table else "未识别",
                f["received_at"].strftime("%Y-%m-%d %H:%M") if f["received_at"] else "",
                "逾期" if f["is_late"] else "按时",
                "采用"
                if f["is_current"]
                else ("已被新文件替代" if f["is_superseded"] else "未读入"),
                f["rows_read"] or 0,
                f["rows_loaded"] or 0,
                f["rows_quarantined"] or 0,
            )
        )
    return Sheet(
        "收到的文件",
        (
            "文件名",
            "表格",
            "收到时间",
            "是否按时",
            "是否采用",
            "读取行数",
            "读入行数",
            "未读入行数",
        ),
        rows,
        (44, 14, 18, 10, 16, 10, 10, 12),
        ["本期收到的全部文件。同一张表多次上传的，以最后收到的为准。"],
        "本期未收到文件",
    )


ISSUE_HEADERS = (
    "文件名",
    "工作表",
    "行号",
    "列名",
    "填写的内容",
    "问题类型",
    "处理结果",
    "原因",
    "如何修改",
)


def issues_sheet(fb: CityFeedback) -> Sheet:
    df = fb.section("data_issue").with_columns(
        _order=pl.col("issue_level").replace_strict(LEVEL_ORDER, default=9)
    )
    df = _worded(_sorted(df, "file_path", "_order", "source_row", "column_name"))
    file_name = pl.col("file_name")
    headers = ISSUE_HEADERS
    rows = df.select(
        pl.when(file_name.is_not_null() & (file_name != ""))
        .then(file_name)
        .otherwise(pl.col("file_path"))
        .alias(headers[0]),
        _filled("sheet").alias(headers[1]),
        pl.col("source_row").alias(headers[2]),
        pl.col("_column").alias(headers[3]),
        pl.col("_value").alias(headers[4]),
        pl.col("_title").alias(headers[5]),
        pl.col("issue_level")
        .replace_strict(reason_codes.LEVEL_TITLES, default="", return_dtype=pl.String)
        .fill_null("")
        .alias(headers[6]),
        pl.col("_cause").alias(headers[7]),
        pl.col("_fix").alias(headers[8]),
    )
    return Sheet(
        "数据问题",
        headers,
        rows,
        (36, 12, 7, 12, 22, 28, 22, 46, 52),
        [
            "上传的数据中有以下问题：未读入或无法确认人员的行不计入统计，请改正后重新上传。"
            "行号是 Excel 中的行号。"
        ],
        "本期上传的数据全部读入，没有问题",
    )


def comparison_sheet(fb: CityFeedback) -> Sheet:
    df = _worded(
        _sorted(fb.section("comparison"), "reason_code", "column_name", "id_number", "subject")
    )
    headers = ("问题类型", "姓名", "身份证号", "项目", "数值", "说明", "原因", "如何修改")
    rows = df.select(
        pl.col("_title").alias(headers[0]),
        _filled("name").alias(headers[1]),
        _filled("id_number").alias(headers[2]),
        pl.col("_column").alias(headers[3]),
        pl.col("_value").alias(headers[4]),
        _filled("detail").map_elements(_city_names, return_dtype=pl.String).alias(headers[5]),
        pl.col("_cause").alias(headers[6]),
        pl.col("_fix").alias(headers[7]),
    )
    return Sheet(
        "数据比对",
        headers,
        rows,
        (22, 10, 21, 24, 28, 36, 46, 46),
        ["台账与省级部门数据、其他城市台账、本市统计表之间不一致的地方，请逐条核实。"],
        "没有发现不一致",
    )


def todo_sheet(fb: CityFeedback) -> Sheet:
    df = _worded(_sorted(fb.section("todo"), "reason_code", "id_number"))
    headers = ("事项", "姓名", "身份证号", "联系电话", "情况", "如何办理")
    rows = df.select(
        pl.col("_title").alias(headers[0]),
        _filled("name").alias(headers[1]),
        _filled("id_number").alias(headers[2]),
        _filled("phone").alias(headers[3]),
        pl.col("_value").alias(headers[4]),
        pl.col("_fix").alias(headers[5]),
    )
    return Sheet(
        "待办事项",
        headers,
        rows,
        (22, 10, 21, 14, 16, 52),
        ["截至本期，以下援助对象还需要跟进（每人可能出现在多个事项中）。"],
        "本期没有待办事项",
    )


SHEETS: list[SheetBuilder] = [cover_sheet, files_sheet, issues_sheet, comparison_sheet, todo_sheet]


def build_sheets(fb: CityFeedback) -> list[Sheet]:
    return [s for s in (builder(fb) for builder in SHEETS) if s is not None]


# Row heights: spreadsheet programs do not grow a row for wrapped text, so each row is
# as tall as the wrapped lines of its tallest cell (16 points a line, plus a margin).
LINE_POINTS = 16
ROW_MARGIN_POINTS = 3


def row_heights(rows: pl.DataFrame, widths: tuple[int, ...]) -> pl.Series:
    """Each row's height, as text, for its wrapped lines at the column widths."""
    lines = xlsx_stream.wrapped_lines(rows, widths)
    heights = [
        xlsx_stream.row_height(LINE_POINTS * n + ROW_MARGIN_POINTS)
        for n in range(int(lines.max() or 1) + 1)
    ]
    return pl.Series("heights", heights, dtype=pl.String).gather(lines)


# What decides a workbook's bytes besides the rows it is made from: the code that lays it
# out (this module, the texts of reason_codes and terms it looks up, the safe writer, the
# row writer), xlsxwriter's and Polars' versions and the compressor. Part of every
# content digest, so a change to any of them rewrites every workbook.
LAYOUT_KEY = hashlib.sha256(
    b"".join(
        Path(source).read_bytes()
        for source in (
            __file__,
            *(m.__file__ for m in (reason_codes, terms, safe_files, xlsx_stream)),
        )
    )
    + xlsxwriter.__version__.encode()
    + pl.__version__.encode()
    + xlsx_stream.COMPRESSOR.encode()
).hexdigest()
DIGEST_PROPERTY = "content_digest"
_STORED_DIGEST = re.compile(rf'name="{DIGEST_PROPERTY}"><vt:lpwstr>([0-9a-f]{{64}})</vt:lpwstr>')


Fingerprints = dict[tuple[dt.date, str], str]


def content_fingerprints(
    con: duckdb.DuckDBPyConnection, cutoff: dt.date | None = None
) -> Fingerprints:
    """(cut-off, city code) -> a fingerprint of the rows that city's workbook is made from
    (its items and its files), taken in DuckDB without loading them (content_keys.py).
    Every cut-off at once unless `cutoff` is given: one pass over the items, not one per
    cut-off. A city with no rows in a relation has no part for it.
    """
    parts: dict[tuple[dt.date, str], list[str]] = {}
    for relation in (FEEDBACK_RELATION, FILES_RELATION):
        try:
            found = cutoff_city_fingerprints(con, relation, cutoff)
        except duckdb.CatalogException:  # not built yet: the feedback step says so
            continue
        for (day, code), fingerprint in found.items():
            if code is not None:
                parts.setdefault((day, code), []).append(fingerprint.text)
    return {key: "|".join(p) for key, p in parts.items()}


def content_digest(
    fingerprint: str, created: dt.datetime, title: str, campaign_name: str, city_code: str
) -> str:
    """sha256 of everything a workbook is made from: same digest, same bytes.

    `fingerprint` is the city's entry in content_fingerprints: an unchanged city is
    recognised before its rows are even loaded, let alone laid out (at a province's size,
    loading every cut-off's items to find one city changed took more than a second a run).
    """
    h = hashlib.sha256(LAYOUT_KEY.encode())
    h.update(duckdb.__version__.encode())  # the row hash is DuckDB's
    h.update(repr((created.isoformat(), title, campaign_name, city_code, fingerprint)).encode())
    return h.hexdigest()


def stored_digest(path: Path) -> str | None:
    """The content digest a workbook was written with (None: no such file, or not ours)."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("docProps/custom.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    m = _STORED_DIGEST.search(xml)
    return m.group(1) if m else None


def write_workbook(
    path: Path, sheets: list[Sheet], created: dt.datetime, digest: str | None = None
) -> None:
    """Write `sheets` to `path`. Every text cell is written as a string, so nothing a city
    typed (=HYPERLINK(...), +1, @SUM) can run as a formula when the workbook is opened.
    `digest` (content_digest) is stored as a custom document property: a rerun keeps the
    file when it is unchanged. Without it, the next publication writes the file again.

    xlsxwriter lays out each sheet (intro, header, widths, panes, filter, printing) and the
    styles; the table rows, millions in a province, are built by xlsx_stream and spliced in.
    """
    wb = safe_workbook(path, created=created, title=path.stem)
    if digest is not None:
        wb.set_custom_property(DIGEST_PROPERTY, digest)
    base = {"font_name": "宋体", "font_size": 11, "valign": "top"}
    title_fmt = wb.add_format({**base, "bold": True, "font_size": 14})
    text_fmt = wb.add_format(base)
    head_fmt = wb.add_format(
        {**base, "bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True}
    )
    cell_fmt = wb.add_format({**base, "border": 1, "text_wrap": True})
    # Style numbers in creation order, whether or not xlsxwriter writes a cell with them:
    # the spliced rows refer to cell_fmt's.
    for fmt in (title_fmt, text_fmt, head_fmt, cell_fmt):
        fmt._get_xf_index()
    tables: dict[int, xlsx_stream.SheetRows] = {}
    for number, sheet in enumerate(sheets, start=1):
        ws = wb.add_worksheet(sheet.name)
        for i, line in enumerate(sheet.intro):
            ws.write_string(i, 0, line, title_fmt if i == 0 else text_fmt)
        top = len(sheet.intro) + (1 if sheet.intro else 0)
        for j, header in enumerate(sheet.headers):
            ws.write_string(top, j, header, head_fmt)
        n_rows = sheet.rows.height
        if n_rows:
            tables[number] = xlsx_stream.rows_xml(
                sheet.rows, top + 1, cell_fmt.xf_index, row_heights(sheet.rows, sheet.widths)
            )
        else:
            ws.write_string(top + 1, 0, sheet.empty_text, text_fmt)
        for j, width in enumerate(sheet.widths):
            ws.set_column(j, j, width)
        ws.freeze_panes(top + 1, 0)
        if n_rows:
            ws.autofilter(top, 0, top + n_rows, len(sheet.headers) - 1)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(top)
    wb.close()
    write_bytes_atomic(path, xlsx_stream.splice_rows(path.read_bytes(), tables))


def load_items(
    con: duckdb.DuckDBPyConnection, cutoff: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(feedback items, files) of every city for one cut-off."""
    items = con.sql(
        f"select * from {FEEDBACK_RELATION} where cutoff_date = ?", params=[cutoff]
    ).pl()
    files = con.sql(
        f"select * from {FILES_RELATION} where cutoff_date = ? and city_code is not null",
        params=[cutoff],
    ).pl()
    return items, files


@dataclass
class WrittenFeedback:
    paths: dict[str, Path] = field(default_factory=dict)  # city code -> workbook
    rewritten: list[str] = field(default_factory=list)  # cities whose content changed
    kept: list[str] = field(default_factory=list)  # unchanged: the previous file, as it was


def write_city_feedback(
    con: duckdb.DuckDBPyConnection,
    cutoff: dt.date,
    folder: Path,
    campaign_name: str,
    previous: Path | None = None,
    fingerprints: Fingerprints | None = None,
) -> WrittenFeedback:
    """One workbook per city for `cutoff`, in <folder>/<city_code>/.

    `previous` is the folder of the cut-off's last publication: a city whose workbook
    there was written from the same content (same digest) keeps that file byte for
    byte instead of having it written again; only changed cities cost a write.
    `fingerprints` (content_fingerprints of every cut-off) saves taking this cut-off's.
    """
    created = dt.datetime.combine(cutoff, dt.time())
    if fingerprints is None:
        fingerprints = content_fingerprints(con, cutoff)
    paths = {code: folder / code / file_name(code, cutoff) for code in terms.CITIES}
    digests = {
        code: content_digest(
            fingerprints.get((cutoff, code), ""), created, path.stem, campaign_name, code
        )
        for code, path in paths.items()
    }
    kept = {
        code
        for code, path in paths.items()
        if previous is not None and stored_digest(previous / code / path.name) == digests[code]
    }
    # A cut-off whose every city is unchanged is not even loaded.
    items, files = load_items(con, cutoff) if len(kept) < len(paths) else (None, None)

    def one_city(code: str) -> tuple[Path, bool]:
        """The city's workbook path, and whether it was written (False: kept)."""
        path = paths[code]
        path.parent.mkdir(parents=True, exist_ok=True)
        if code in kept:
            assert previous is not None
            keep_file(previous / code / path.name, path)
            return path, False
        assert items is not None and files is not None
        fb = CityFeedback(
            campaign_name,
            cutoff,
            code,
            items.filter(pl.col("city_code") == code),
            files.filter(pl.col("city_code") == code),
        )
        write_workbook(path, build_sheets(fb), created, digests[code])
        return path, True

    # Cities are independent and most of a workbook's time is spent in Polars and the
    # compressor, which release the GIL: two threads keep both cores busy. Each file's
    # bytes depend on its city alone; results are collected in city order.
    with cf.ThreadPoolExecutor(max_workers=FEEDBACK_THREADS) as pool:
        done = list(pool.map(one_city, terms.CITIES))
    out = WrittenFeedback()
    for code, (path, written) in zip(terms.CITIES, done, strict=True):
        (out.rewritten if written else out.kept).append(code)
        out.paths[code] = path
    return out
