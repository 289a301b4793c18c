"""Recognising a table from its header row (contract §3: never from the file name).

Headers are compared after folding full-width characters, removing every space, a
trailing required-marker (*) and a trailing unit in brackets (发放金额（元）).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import polars as pl

from pipelines import terms
from pipelines.ingest.normalize import fold_str

# The header must sit in the first rows; a title block is never longer than this.
HEADER_SEARCH_ROWS = 20
_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")
_MARKERS = re.compile(r"^[*※]+|[*※:]+$")


@functools.lru_cache(maxsize=65536)
def fold_header(text: str | None) -> str:
    if text is None:
        return ""
    return _MARKERS.sub("", re.sub(r"\s+", "", fold_str(str(text))))


def _lookup(table: terms.Table) -> dict[str, terms.Column]:
    return {fold_header(h): col for col in table.columns for h in col.headers}


_LOOKUPS: dict[str, dict[str, terms.Column]] = {t.name: _lookup(t) for t in terms.ALL_TABLES}


def match_header(table: terms.Table, text: str | None) -> terms.Column | None:
    """The column a header cell names, trying it as written, then without its unit."""
    key = fold_header(text)
    if not key:
        return None
    lookup = _LOOKUPS[table.name]
    if key in lookup:
        return lookup[key]
    return lookup.get(_UNIT_SUFFIX.sub("", key))


@dataclass
class HeaderMatch:
    table: terms.Table
    header_row: int  # 0-based index of the last header row in the grid
    columns: dict[str, int]  # column name → grid column index
    headers: dict[str, str]  # column name → header text as written (for messages)
    all_headers: list[str]  # a label for every grid column (row_json keys)


def _row_matches(table: terms.Table, row: list[str | None]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for j, cell in enumerate(row):
        col = match_header(table, cell)
        if col is not None and col.name not in found:
            found[col.name] = (j, str(cell).strip())
    return found


def _signature_ok(table: terms.Table, found: dict[str, tuple[int, str]]) -> bool:
    needed = {match_header(table, h).name for h in table.signature}  # type: ignore[union-attr]
    return needed <= found.keys()


def _labels(rows: list[list[str | None]], width: int) -> list[str]:
    labels: list[str] = []
    for j in range(width):
        parts = [str(r[j]).strip() for r in rows if j < len(r) and r[j] not in (None, "")]
        label = "/".join(parts) or f"列{j + 1}"
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def find_header(cells: pl.DataFrame, candidates: tuple[terms.Table, ...]) -> HeaderMatch | None:
    """The best header among the first rows: signature complete, most columns matched."""
    head = cells.head(HEADER_SEARCH_ROWS).rows()
    best: tuple[int, int, terms.Table, dict[str, tuple[int, str]]] | None = None
    for i, row in enumerate(head):
        for table in candidates:
            found = _row_matches(table, list(row))
            if found and _signature_ok(table, found):
                score = len(found)
                if best is None or score > best[0]:
                    best = (score, i, table, found)
    if best is None:
        return None
    _, i, table, found = best
    header_rows = [list(head[i])]
    if table.name == terms.CITY_STATS.name:
        i, found, header_rows = _stats_header(table, head, i, found)
    return HeaderMatch(
        table=table,
        header_row=i,
        columns={k: v[0] for k, v in found.items()},
        headers={k: v[1] for k, v in found.items()},
        all_headers=_labels(header_rows, cells.width),
    )


def _stats_header(
    table: terms.Table, head: list[tuple], top: int, found: dict[str, tuple[int, str]]
) -> tuple[int, dict[str, tuple[int, str]], list[list[str | None]]]:
    """The statistics table's two-row header: 其中 merged over its sub-columns.

    The figures are named in either header row; any figure whose header cannot be
    read is taken by position (the attachment's fixed order, terms.FIGURES),
    counted from the first figure's column.
    """
    rows = [list(head[top])]
    last = top
    if top + 1 < len(head):
        sub = _row_matches(table, list(head[top + 1]))
        if sub:
            rows.append(list(head[top + 1]))
            last = top + 1
            for k, v in sub.items():
                found.setdefault(k, v)
    first = found.get(terms.FIGURES[0].name)
    if first is not None:
        for pos, fig in enumerate(terms.FIGURES):
            found.setdefault(fig.name, (first[0] + pos, fig.header))
    if "unit" not in found and first is not None and first[0] > 0:
        found["unit"] = (first[0] - 1, "城市")
    return last, found, rows
