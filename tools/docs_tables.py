"""Write the input-table reference of docs/contract.md from `pipelines.terms`.

The tables a city or registry sends are defined once, in terms.py; the doc's column
tables are generated between the markers below, and tests/test_docs.py fails when
they drift (run `python -m tools.docs_tables`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines import settings, terms

DOC = settings.PROJECT_ROOT / "docs" / "contract.md"
START, END = "<!-- tables:start (python -m tools.docs_tables) -->", "<!-- tables:end -->"

KIND_TEXT = {
    "text": "文字 text",
    "prose": "原文照录 free text, kept as written",
    "id": "身份证号 ID number",
    "name": "姓名 name",
    "phone": "电话 phone",
    "date": "日期 date",
    "int": "整数 whole number",
    "money": "金额（元）amount, yuan",
    "enum": "选项之一 one of",
    "multi": "一个或多个 one or more of",
    "city": "城市代码 city code",
}


def _where(table: terms.Table) -> str:
    if table.source == "registry":
        return f"`registries/{table.registry_folder}/`"
    return "`submissions/<campaign>/<cut-off>/<city_code>/`"


def table_markdown(table: terms.Table) -> str:
    lines = [
        f"#### {table.title} (`{table.name}`)",
        "",
        f"Folder {_where(table)}; recognised when the header row holds "
        + "、".join(table.signature or tuple(c.header for c in table.columns if c.required))
        + ".",
        "",
        "| 表头 header | column | 必填 required | 内容 content | 也认 also accepted |",
        "|---|---|---|---|---|",
    ]
    for c in table.columns:
        content = KIND_TEXT[c.kind] + (": " + "、".join(c.values) if c.values else "")
        required = (
            "是 yes"
            if c.required
            else (
                f"{table.column(c.required_when[0]).header}={c.required_when[1]} 时 when"
                if c.required_when
                else ""
            )
        )
        lines.append(
            f"| {c.header} | `{c.name}` | {required} | {content} | {'、'.join(c.aliases)} |"
        )
    return "\n".join(lines)


def tables_section() -> str:
    parts = [START, "", "### City tables (城市上传的表)", ""]
    parts += [table_markdown(t) + "\n" for t in terms.SUBMISSION_TABLES]
    parts += ["### Registry extracts (部门数据)", ""]
    parts += [table_markdown(t) + "\n" for t in terms.REGISTRY_TABLES]
    parts.append(END)
    return "\n".join(parts)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + tables_section() + tail


def write(path: Path = DOC) -> Path:
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Parse the (option-less) command line, so `--help` explains and writes nothing."""
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    print(write())
    return 0


if __name__ == "__main__":
    sys.exit(main())
