"""From a recognised grid to typed rows, quarantined rows and cell issues, vectorised.

Per file we loop over the table's columns (a dozen); every row-level decision is a
polars expression over the whole column.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines import terms
from pipelines.ingest import normalize as nz
from pipelines.ingest.headers import HeaderMatch
from pipelines.ingest.readers import Grid

# Below this many rows a file is parsed cell by cell rather than by distinct value.
UNIQUE_PARSE_MIN_ROWS = 2_000

# Footer lines under a table (the statistics table's 单位负责人 / 填表人 line) are
# signatures, not data rows.
FOOTER_REGEX = r"^(单位负责人|负责人|填表人|填报人|制表人|审核人|联系电话)"

KIND_DTYPE: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "int": pl.Int64(),
    "money": pl.Float64(),
    "multi": pl.List(pl.String()),
}
# Reason codes by column kind; their Chinese text lives in pipelines/reason_codes.py.
BAD_REASON = {
    "date": "bad_date",
    "int": "bad_number",
    "money": "bad_number",
    "multi": "bad_enum",
    "enum": "bad_enum",
}
MISSING_REASON = "missing_required"
# The English detail kept in `reason` for operators' logs.
_WHAT = {
    "bad_date": "is not a date",
    "bad_number": "is not a number",
    "bad_enum": "is not one of the allowed values",
    "missing_required": "is empty but required",
}


def dtype_of(col: terms.Column) -> pl.DataType:
    return KIND_DTYPE.get(col.kind, pl.String())


@dataclass
class Parsed:
    rows: pl.DataFrame  # data columns only, plus _source_row
    quarantine: pl.DataFrame  # source_row, column_name, value, reason_code, reason, row_json
    issues: pl.DataFrame  # source_row, column_name, value, reason_code, reason
    rows_read: int
    rows_blank: int


def _value(col: terms.Column, text: pl.Expr) -> tuple[pl.Expr, str]:
    """The parsed value of a cleaned cell, and the reason code when it cannot be parsed."""
    if col.kind == "date":
        return nz.parse_date(text), BAD_REASON["date"]
    if col.kind in ("int", "money"):
        return (nz.parse_int(text) if col.kind == "int" else nz.parse_money(text)), BAD_REASON[
            col.kind
        ]
    if col.kind == "multi":
        parts = nz.split_multi(text)
        if not col.values:
            return parts, ""
        # Unknown values are dropped (and reported as a cell issue); known ones still count.
        valid = parts.list.eval(pl.element().filter(pl.element().is_in(col.values)))
        return pl.when(valid.list.len() > 0).then(valid), BAD_REASON["multi"]
    if col.kind == "enum" and col.values:
        return pl.when(text.is_in(col.values)).then(text), BAD_REASON["enum"]
    return text, ""


def _flags(col: terms.Column, text: pl.Expr, value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(cell loads, cell is fully clean), given the materialised text and value columns.

    "Loads" decides quarantine for a required column; "fully clean" false with
    "loads" true is a cell issue (a multi-value cell with some unknown values).
    """
    loads = text.is_null() | value.is_not_null()
    if col.kind == "multi":
        clean = text.is_null() | (nz.split_multi(text).list.len() == value.list.len().fill_null(0))
        return loads, clean
    return loads, loads


@dataclass(frozen=True)
class Check:
    """One row-level check of one column: `failed` is a boolean column of the body;
    a failing `quarantines` check sends the row to quarantine, any other is a cell issue."""

    col: terms.Column
    text: pl.Expr
    failed: pl.Expr
    code: str
    quarantines: bool


def parse_grid(grid: Grid, match: HeaderMatch, file_path: str) -> Parsed:
    """Typed rows, quarantined rows and cell issues of one recognised grid.

    Stages: the body below the header (cleaned, blank/footer rows marked) → each
    column's text → each column's value and check flags → the checks that fail
    somewhere → quarantine (required cells) → cell issues (optional cells) → rows."""
    body, below_height = _body(grid, match)
    body, codes = _values(body, match, big=below_height >= UNIQUE_PARSE_MIN_ROWS)
    collected = body.collect()
    rows_blank = int(collected["_blank"].sum())
    body = collected.filter(~pl.col("_blank") & ~pl.col("_footer"))
    body, checks = _failing_checks(body, _checks(match.table, codes))
    messages = _Messages(file_path, match)
    required = [c for c in checks if c.quarantines]
    if required:
        body, quarantine = _quarantine(body, required, grid.cells.columns, match, messages)
    else:
        quarantine = empty_quarantine()
    issues = _issues(
        body, [c for c in checks if not c.quarantines and c.col.name in match.columns], messages
    )
    rows = body.select(
        pl.col("_source_row"), *(pl.col(f"_v_{c.name}").alias(c.name) for c in match.table.columns)
    )
    return Parsed(
        rows=rows,
        quarantine=quarantine,
        issues=issues,
        rows_read=rows.height + quarantine.height,
        rows_blank=rows_blank,
    )


def _body(grid: Grid, match: HeaderMatch) -> tuple[pl.LazyFrame, int]:
    """The rows below the header as a lazy plan: source row, cleaned cells, blank and
    footer marks, the numeric-cell mask of ID columns, and each table column's text."""
    cells = grid.cells
    below = cells.slice(match.header_row + 1)
    # Everything up to the checks is one lazy plan, collected once: on the many small
    # files of a campaign the fixed cost per polars pass dominates, not the rows.
    # Prose (典型案例, 意见建议) is kept as written: only blank-only cells become empty.
    prose = {
        match.columns[c.name]
        for c in match.table.columns
        if c.kind == "prose" and c.name in match.columns
    }
    body = pl.concat(
        [
            pl.int_range(
                match.header_row + 2,
                match.header_row + 2 + below.height,
                dtype=pl.Int32,
                eager=True,
            )
            .alias("_source_row")
            .to_frame(),
            nz.clean_frame(below),
            below.select(
                pl.when(pl.col(f"c{j}").str.strip_chars().str.len_chars() > 0)
                .then(pl.col(f"c{j}"))
                .alias(f"_prose_c{j}")
                for j in sorted(prose)
            ),
        ],
        how="horizontal",
    ).lazy()
    first_cell = pl.coalesce([pl.col(c) for c in cells.columns]).str.replace_all(" ", "")
    body = body.with_columns(
        _blank=pl.all_horizontal([pl.col(c).is_null() for c in cells.columns]),
        _footer=first_cell.str.contains(FOOTER_REGEX).fill_null(False),
    )
    table = match.table
    id_cols = [
        match.columns[c.name] for c in table.columns if c.kind == "id" and c.name in match.columns
    ]
    has_mask = grid.numeric_mask is not None and bool(id_cols) and below.height > 0
    if has_mask:
        mask = grid.numeric_mask(id_cols)  # type: ignore[misc]
        mask = mask.rename({c: f"_num_{c}" for c in mask.columns}).with_row_index(
            "_source_row", offset=1
        )
        mask = mask.with_columns(pl.col("_source_row").cast(pl.Int32))
        body = body.join(mask.lazy(), on="_source_row", how="left", maintain_order="left")
    return body.with_columns(
        _text(col, match, has_mask and match.columns.get(col.name) in id_cols)
        for col in table.columns
    ), below.height


def _text(col: terms.Column, match: HeaderMatch, numeric_id: bool) -> pl.Expr:
    """A table column's cleaned text (NULL when the header lacks the column); an ID that a
    spreadsheet stored as a number gets the numeric-ID rendering."""
    j = match.columns.get(col.name)
    if j is None:
        return pl.lit(None, dtype=pl.String).alias(f"_t_{col.name}")
    if col.kind == "prose":
        return pl.col(f"_prose_c{j}").alias(f"_t_{col.name}")
    text = pl.col(f"c{j}")
    if numeric_id:
        text = (
            pl.when(pl.col(f"_num_c{j}").fill_null(False)).then(nz.numeric_id(text)).otherwise(text)
        )
    return text.alias(f"_t_{col.name}")


def _values(
    body: pl.LazyFrame, match: HeaderMatch, big: bool
) -> tuple[pl.LazyFrame, dict[str, str]]:
    """Each column's value `_v_*` and, for columns that can fail to parse, its flags
    `_l_*` (the cell loads) and `_c_*` (the cell is fully clean). Returns the reason
    code per column ('' when nothing can fail)."""
    if big:
        # Materialise once, so each column's distinct-value plan below starts from memory
        # instead of re-running the cleaning (and every earlier join) per column.
        body = body.collect().lazy()
    base = body
    codes: dict[str, str] = {}
    in_place: list[pl.Expr] = []
    flag_exprs: list[pl.Expr] = []
    for col in match.table.columns:
        tname, vname = f"_t_{col.name}", f"_v_{col.name}"
        value, codes[col.name] = _value(col, pl.col(tname))
        value = value.cast(dtype_of(col))
        if codes[col.name] and big:
            # Parse each distinct cell text once: a column of 100k dates has a few hundred
            # distinct values, and a join is far cheaper than re-running the regexes per row.
            loads, clean = _flags(col, pl.col(tname), pl.col(vname))
            parsed = (
                base.select(pl.col(tname))
                .unique()
                .with_columns(value.alias(vname))
                .with_columns(loads.alias(f"_l_{col.name}"), clean.alias(f"_c_{col.name}"))
            )
            body = body.join(parsed, on=tname, how="left", nulls_equal=True, maintain_order="left")
            continue
        in_place.append(value.alias(vname))
        if codes[col.name]:
            loads, clean = _flags(col, pl.col(tname), pl.col(vname))
            flag_exprs += [loads.alias(f"_l_{col.name}"), clean.alias(f"_c_{col.name}")]
    body = body.with_columns(in_place)
    if flag_exprs:
        body = body.with_columns(flag_exprs)
    return body, codes


def _checks(table: terms.Table, codes: dict[str, str]) -> list[Check]:
    checks: list[Check] = []
    for col in table.columns:
        text, code = pl.col(f"_t_{col.name}"), codes[col.name]
        if col.required:
            checks.append(Check(col, text, text.is_null(), "missing_required", True))
        elif col.required_when is not None:
            other, value = col.required_when
            needed = (pl.col(f"_t_{other}") == value).fill_null(False)
            checks.append(Check(col, text, text.is_null() & needed, "missing_required", True))
        if code:
            loads, clean = pl.col(f"_l_{col.name}"), pl.col(f"_c_{col.name}")
            # A required cell that cannot load quarantines the row; any other flaw is a cell issue.
            checks.append(Check(col, text, ~loads if col.required else ~clean, code, col.required))
            if col.required:
                checks.append(Check(col, text, loads & ~clean, code, False))
    return checks


def _failing_checks(body: pl.DataFrame, checks: list[Check]) -> tuple[pl.DataFrame, list[Check]]:
    """The checks that fail on some row, their failure column materialised as `_k<i>`.
    One pass over the body; messages are then built only for these."""
    if not checks:
        return body, []
    body = body.with_columns(c.failed.alias(f"_k{i}") for i, c in enumerate(checks))
    failing = body.select(pl.col(f"_k{i}").any() for i in range(len(checks))).row(0)
    return body, [
        Check(c.col, c.text, pl.col(f"_k{i}"), c.code, c.quarantines)
        for i, c in enumerate(checks)
        if failing[i]
    ]


class _Messages:
    """The operator's message for a failed cell: file, row, column (as headed), value."""

    def __init__(self, file_path: str, match: HeaderMatch) -> None:
        self.file_path = file_path
        self.match = match
        self.header_of = {c.name: match.headers.get(c.name, c.header) for c in match.table.columns}

    def header(self, col: terms.Column) -> pl.Expr:
        return pl.lit(self.header_of[col.name])

    def __call__(self, col: terms.Column, code: str) -> pl.Expr:
        where = (pl.lit(self.file_path), pl.col("_source_row"), self.header(col))
        if code != "missing_required":
            raw = (
                pl.col(f"c{self.match.columns[col.name]}")
                if col.name in self.match.columns
                else pl.lit("")
            )
            return pl.format("{}: row {}, column {}: value '{}' " + _WHAT[code], *where, raw)
        what = (
            "value is empty but required"
            if col.name in self.match.columns
            else "the column is missing from the header but is required"
        )
        return pl.format("{}: row {}, column {}: " + what, *where)


def _first_failing(required: list[Check], values: list[pl.Expr]) -> pl.Expr:
    """values[i] of the first failing required check (`_fail` holds its index)."""
    return pl.coalesce([pl.when(pl.col("_fail") == i).then(v) for i, v in enumerate(values)])


def _quarantine(
    body: pl.DataFrame,
    required: list[Check],
    cell_columns: list[str],
    match: HeaderMatch,
    messages: _Messages,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows that load, quarantine): one quarantine row per source row (row accounting),
    naming the first failing column and listing every failing cell in the reason."""
    body = body.with_columns(
        _fail=pl.min_horizontal([pl.when(c.failed).then(pl.lit(i)) for i, c in enumerate(required)])
    )
    is_bad = pl.col("_fail").is_not_null()
    reasons = pl.concat_str(
        [pl.when(c.failed).then(messages(c.col, c.code)) for c in required],
        separator="; ",
        ignore_nulls=True,
    )
    row_json = pl.struct(
        [pl.col(c).alias(match.all_headers[i]) for i, c in enumerate(cell_columns)]
    ).struct.json_encode()
    quarantine = body.filter(is_bad).select(
        source_row=pl.col("_source_row"),
        column_name=_first_failing(required, [messages.header(c.col) for c in required]),
        value=_first_failing(required, [c.text.cast(pl.String) for c in required]),
        reason_code=_first_failing(required, [pl.lit(c.code) for c in required]),
        reason=reasons,
        row_json=row_json,
    )
    return body.filter(~is_bad), quarantine


def _issues(body: pl.DataFrame, optional: list[Check], messages: _Messages) -> pl.DataFrame:
    frames = [
        body.filter(c.failed).select(
            source_row=pl.col("_source_row"),
            column_name=messages.header(c.col),
            value=c.text.cast(pl.String),
            reason_code=pl.lit(c.code),
            reason=pl.concat_str(
                messages(c.col, c.code),
                pl.lit(
                    " (the cell was set to empty, or unknown values dropped; the row was loaded)"
                ),
            ),
        )
        for c in optional
    ]
    return pl.concat(frames) if frames else empty_issues()


ISSUE_SCHEMA = {
    "source_row": pl.Int32,
    "column_name": pl.String,
    "value": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
}


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema={**ISSUE_SCHEMA, "row_json": pl.String})
