"""The official statistics form (the policy's attachment) for one cut-off, as xlsx.

Layout, top to bottom:
  title                 "{campaign.name}统计表", merged across the table
  填报单位：山东省 ... 填报时间：<cut-off>
  two-row header        城市 merged vertically; each figure of terms.FIGURES in order,
                        a single header merged vertically, the 其中 sub-columns under
                        one merged 其中 cell
  16 city rows          in the order of terms.CITIES, named
  合计                   the province row (city_code 370000)
  footer                单位负责人：   填表人：
  note                  注：上述内容均为活动期间的数字。

It prints like the paper form: one landscape A4 page with the title on it, header rows
repeated, panes frozen below the header, counts and the amount with thousands separators.

The workbook's created date is fixed (the cut-off) so the same figures give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from pipelines import terms
from pipelines.publish.files import safe_workbook

FIRST_HEADER_ROW = 3  # 0-based: title (0), 填报单位/时间 (1), blank (2)
NOTE = "注：上述内容均为活动期间的数字。"


class CampaignLike(Protocol):
    name: str


def header_spans(figures: tuple[terms.Figure, ...] = terms.FIGURES) -> list[tuple[str, int, int]]:
    """Top-row cells as (text, first figure index, last figure index), both ends in.

    A run of consecutive figures sharing a group (其中) and parent is one merged cell;
    every other figure is a cell of its own, merged down over both header rows.
    """
    spans: list[tuple[str, int, int]] = []
    i = 0
    while i < len(figures):
        f = figures[i]
        if f.group is None:
            spans.append((f.header, i, i))
            i += 1
            continue
        j = i
        while j + 1 < len(figures) and (figures[j + 1].group, figures[j + 1].parent) == (
            f.group,
            f.parent,
        ):
            j += 1
        spans.append((f.group, i, j))
        i = j + 1
    return spans


def form_rows(stats: pl.DataFrame, cutoff: dt.date) -> list[tuple[str, dict[str, Any]]]:
    """(label, figures) for the 16 cities in terms.CITIES order, then 合计 (the province)."""
    rows = stats.filter(pl.col("cutoff_date") == cutoff)
    by_code = {r["city_code"]: r for r in rows.iter_rows(named=True)}
    wanted = [*terms.CITIES, terms.PROVINCE_CODE]
    missing = [c for c in wanted if c not in by_code]
    if missing:
        raise ValueError(f"rpt_campaign_stats has no rows for {missing} at {cutoff}")
    labelled = [(terms.CITIES[c], by_code[c]) for c in terms.CITIES]
    labelled.append((terms.TOTAL_ROW_LABEL, by_code[terms.PROVINCE_CODE]))
    return labelled


def write_official_xlsx(
    stats: pl.DataFrame, cutoff: dt.date, path: Path, campaign: CampaignLike
) -> None:
    """Write the official form of `cutoff` from rpt_campaign_stats rows to `path`."""
    figures = terms.FIGURES
    rows = form_rows(stats, cutoff)
    n_cols = 1 + len(figures)
    last_col = n_cols - 1

    # Fixed metadata: the bytes depend on the figures only, not on when we ran.
    wb = safe_workbook(path, created=cutoff, title=campaign.name)
    ws = wb.add_worksheet("统计表")

    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    title_fmt = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    text_fmt = wb.add_format({**base, "align": "left"})
    right_fmt = wb.add_format({**base, "align": "right"})
    head_fmt = wb.add_format(
        {**base, "bold": True, "align": "center", "border": 1, "text_wrap": True}
    )
    name_fmt = wb.add_format({**base, "align": "center", "border": 1})
    int_fmt = wb.add_format({**base, "align": "right", "border": 1, "num_format": "#,##0"})
    money_fmt = wb.add_format({**base, "align": "right", "border": 1, "num_format": "#,##0.00"})
    total_name_fmt = wb.add_format({**base, "bold": True, "align": "center", "border": 1})
    total_int_fmt = wb.add_format(
        {**base, "bold": True, "align": "right", "border": 1, "num_format": "#,##0"}
    )
    total_money_fmt = wb.add_format(
        {**base, "bold": True, "align": "right", "border": 1, "num_format": "#,##0.00"}
    )

    ws.merge_range(0, 0, 0, last_col, f"{campaign.name}统计表", title_fmt)
    half = n_cols // 2
    ws.merge_range(1, 0, 1, half - 1, f"填报单位：{terms.PROVINCE_NAME}", text_fmt)
    ws.merge_range(
        1, half, 1, last_col, f"填报时间：{cutoff.year}年{cutoff.month}月{cutoff.day}日", right_fmt
    )

    top, sub = FIRST_HEADER_ROW, FIRST_HEADER_ROW + 1
    ws.merge_range(top, 0, sub, 0, terms.REPORT_HEADERS["city_name"], head_fmt)
    for text, first, last in header_spans(figures):
        c0, c1 = first + 1, last + 1
        if figures[first].group is None:
            ws.merge_range(top, c0, sub, c0, text, head_fmt)
        else:
            ws.merge_range(top, c0, top, c1, text, head_fmt)
            for k in range(first, last + 1):
                ws.write_string(sub, k + 1, figures[k].header, head_fmt)

    row = sub + 1
    for label, values in rows:
        ws.set_row(row, 21)  # paper-form line height; the page still holds all 17 lines
        is_total = label == terms.TOTAL_ROW_LABEL
        ws.write_string(row, 0, label, total_name_fmt if is_total else name_fmt)
        for k, f in enumerate(figures, start=1):
            value = values[f.name]
            if f.money:
                fmt = total_money_fmt if is_total else money_fmt
                ws.write_number(row, k, round(float(value or 0), 2), fmt)
            else:
                ws.write_number(row, k, int(value or 0), total_int_fmt if is_total else int_fmt)
        row += 1

    row += 1
    ws.write_string(row, 0, "单位负责人：", text_fmt)
    ws.write_string(row, half, "填表人：", text_fmt)
    row += 1
    ws.merge_range(row, 0, row, last_col, NOTE, text_fmt)

    ws.set_column(0, 0, 10)
    ws.set_column(1, last_col, 11)
    ws.set_row(0, 30)
    ws.set_row(top, 48)
    ws.set_row(sub, 60)
    # Print like the paper form: one landscape A4 page, title included, the two header
    # rows repeated should a long table ever spill over, centred, fit to width.
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.center_horizontally()
    ws.fit_to_pages(1, 1)
    ws.repeat_rows(top, sub)
    ws.print_area(0, 0, row, last_col)
    ws.freeze_panes(sub + 1, 1)
    wb.close()
