"""The final summary as one printable HTML page (A4, print CSS): the province, then each
city on a new page. Every value and every city text is HTML-escaped, so a case written
as markup or a formula is shown as the characters the city typed (contract §3).
"""

from __future__ import annotations

import html
from pathlib import Path

from pipelines.publish.summary_data import Scope, Section, Summary

TEXT_KIND_TITLES = {"典型案例": "六、典型案例", "意见建议": "七、意见建议"}

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "SimSun", sans-serif; font-size: 10.5pt; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4pt; }
h2 { font-size: 14pt; border-bottom: 2px solid #2b4c7e; padding-bottom: 2pt; margin: 14pt 0 6pt; }
h3 { font-size: 11.5pt; margin: 10pt 0 4pt; color: #2b4c7e; }
p.meta { text-align: center; color: #444; margin: 0 0 8pt; }
p.note { color: #555; font-size: 9pt; margin: 2pt 0 6pt; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0; page-break-inside: auto; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: right; font-size: 9pt;
         white-space: pre-line; }
td:first-child { white-space: nowrap; }
th { background: #e8eef4; text-align: center; }
td:first-child, th:first-child { text-align: left; }
tr { page-break-inside: avoid; }
section.scope + section.scope { page-break-before: always; }
.prose { white-space: pre-wrap; border-left: 3px solid #bbb; padding: 2pt 6pt; margin: 2pt 0 8pt; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _table(section: Section) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in section.table.columns)
    body = "\n".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        + "</tr>"
        for row in section.table.iter_rows()
    )
    note = f'<p class="note">{html.escape(section.note)}</p>' if section.note else ""
    return f"<h3>{html.escape(section.title)}</h3>\n<table><thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody></table>{note}"


def _texts(scope: Scope) -> str:
    parts = []
    for kind, title in TEXT_KIND_TITLES.items():
        items = [t for t in scope.texts if t.kind == kind]
        parts.append(f"<h3>{html.escape(title)}（按原文照录）</h3>")
        if not items:
            parts.append('<p class="note">本市未报送。</p>')
        for n, t in enumerate(items, 1):
            label = f"{n}. {t.title}" if t.title is not None else f"{n}."
            people = f"（涉及{t.people_involved}人）" if t.people_involved is not None else ""
            parts.append(
                f"<p><strong>{html.escape(label)}</strong>{html.escape(people)}</p>"
                f'<div class="prose">{html.escape(t.content)}</div>'
            )
    return "\n".join(parts)


def render_summary_html(summary: Summary) -> str:
    scopes = []
    for scope in summary.scopes:
        body = "\n".join(_table(s) for s in scope.sections)
        if scope.code != "370000":
            body += "\n" + _texts(scope)
        scopes.append(
            f'<section class="scope" id="c{scope.code}"><h2>{html.escape(scope.name)}</h2>\n{body}</section>'
        )
    c = summary.campaign
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(summary.title)}</title>
<style>{CSS}</style></head><body>
<h1>{html.escape(summary.title)}</h1>
<p class="meta">{html.escape(c.policy)}　活动期间 {c.start} 至 {c.end}　数据截至 {summary.cutoff}</p>
{chr(10).join(scopes)}
</body></html>
"""


def write_summary_page(summary: Summary, path: Path) -> Path:
    path.write_text(render_summary_html(summary), encoding="utf-8")
    return path
