"""The final summary as one workbook: a sheet for the province (全省), then one per city.

Every cell is written as a string or a number, never a formula: the workbook is opened
with strings_to_formulas / strings_to_urls off and text goes through write_string, so
a city's case text that starts with "=" stays text (contract §3: never evaluated).
The creation date is fixed (the campaign end) so the same data give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.publish.files import safe_workbook
from pipelines.publish.summary_data import Scope, Summary

TEXT_KIND_TITLES = {"典型案例": "六、典型案例", "意见建议": "七、意见建议"}
MAX_COLUMNS = 12


def _sheet_name(scope: Scope) -> str:
    return "全省" if scope.code == "370000" else scope.name


def write_summary_xlsx(summary: Summary, path: Path) -> Path:
    """Write the summary workbook to `path` and return it."""
    wb = safe_workbook(path, created=summary.campaign.end, title=summary.title)
    title = wb.add_format({"bold": True, "font_size": 16})
    heading = wb.add_format({"bold": True, "font_size": 12, "bottom": 1})
    header = wb.add_format(
        {"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    cell = wb.add_format({"border": 1, "valign": "top"})
    note = wb.add_format({"italic": True, "font_color": "#555555"})
    prose = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for scope in summary.scopes:
        ws = wb.add_worksheet(_sheet_name(scope))
        ws.set_column(0, 0, 28)
        ws.set_column(1, MAX_COLUMNS, 14)
        ws.write_string(0, 0, f"{summary.title}（{scope.name}）", title)
        ws.write_string(
            1,
            0,
            f"活动期间 {summary.campaign.start} 至 {summary.campaign.end}；"
            f"数据截至 {summary.cutoff}（最后一个截止日）。",
            note,
        )
        r = 3
        for section in scope.sections:
            ws.write_string(r, 0, section.title, heading)
            r += 1
            for c, name in enumerate(section.table.columns):
                ws.write_string(r, c, name, header)
            r += 1
            for row in section.table.iter_rows():
                for c, value in enumerate(row):
                    ws.write_string(r, c, "" if value is None else str(value), cell)
                r += 1
            if section.note:
                ws.write_string(r, 0, section.note, note)
                r += 1
            r += 1
        if scope.code != "370000":
            for kind, kind_title in TEXT_KIND_TITLES.items():
                ws.write_string(r, 0, kind_title + "（按原文照录）", heading)
                r += 1
                items = [t for t in scope.texts if t.kind == kind]
                if not items:
                    ws.write_string(r, 0, "本市未报送。", note)
                    r += 2
                    continue
                for n, text in enumerate(items, 1):
                    label = f"{n}. {text.title}" if text.title is not None else f"{n}."
                    ws.write_string(r, 0, label, cell)
                    ws.merge_range(r, 1, r, 8, "", prose)
                    ws.write_string(r, 1, text.content, prose)
                    lines = max(
                        1, sum(len(part) // 60 + 1 for part in text.content.splitlines() or [""])
                    )
                    ws.set_row(r, 15 * min(lines, 30))
                    if text.people_involved is not None:
                        ws.write_string(r, 9, f"涉及{text.people_involved}人", cell)
                    r += 1
                r += 1
    wb.close()
    return path
