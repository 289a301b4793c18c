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
BAD_REASON = {"date": "bad_date", "int": "bad_number", "money": "bad_number",
              "multi": "bad_enum", "enum": "bad_enum"}
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
        return (nz.parse_int(text) if col.kind == "int" else nz.parse_money(text)), BAD_REASON[col.kind]
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


def parse_grid(grid: Grid, match: HeaderMatch, file_path: str) -> Parsed:
    table = match.table
    cells = grid.cells
    all_cols = cells.columns
    below = cells.slice(match.header_row + 1)
    # Everything up to the checks is one lazy plan, collected once: on the many small
    # files of a campaign the fixed cost per polars pass dominates, not the rows.
    body = pl.concat(
        [
            pl.int_range(match.header_row + 2, match.header_row + 2 + below.height,
                         dtype=pl.Int32, eager=True).alias("_source_row").to_frame(),
            nz.clean_frame(below),
        ],
        how="horizontal",
    ).lazy()
    first_cell = pl.coalesce([pl.col(c) for c in all_cols]).str.replace_all(" ", "")
    body = body.with_columns(
        _blank=pl.all_horizontal([pl.col(c).is_null() for c in all_cols]),
        _footer=first_cell.str.contains(FOOTER_REGEX).fill_null(False),
    )

    id_cols = [match.columns[c.name] for c in table.columns if c.kind == "id" and c.name in match.columns]
    has_mask = grid.numeric_mask is not None and bool(id_cols) and below.height > 0
    if has_mask:
        mask = grid.numeric_mask(id_cols).rename(lambda c: f"_num_{c}")  # type: ignore[misc]
        mask = mask.with_row_index("_source_row", offset=1).with_columns(
            pl.col("_source_row").cast(pl.Int32)
        )
        body = body.join(mask.lazy(), on="_source_row", how="left", maintain_order="left")

    # Materialise each column's text, then its value, then its check flags, so every
    # parse runs once per column however many checks and messages refer to it.
    texts: list[pl.Expr] = []
    for col in table.columns:
        j = match.columns.get(col.name)
        if j is None:
            text = pl.lit(None, dtype=pl.String)
        else:
            text = pl.col(f"c{j}")
            if col.kind == "id" and has_mask and j in id_cols:
                text = pl.when(pl.col(f"_num_c{j}").fill_null(False)).then(nz.numeric_id(text)).otherwise(text)
        texts.append(text.alias(f"_t_{col.name}"))
    body = body.with_columns(texts)
    big = below.height >= UNIQUE_PARSE_MIN_ROWS
    if big:
        # Materialise once, so each column's distinct-value plan below starts from memory
        # instead of re-running the cleaning (and every earlier join) per column.
        body = body.collect().lazy()
    base = body

    # Parse each distinct cell text once: a column of 100k dates has a few hundred
    # distinct values, and a join is far cheaper than re-running the regexes per row.
    codes: dict[str, str] = {}
    in_place: list[pl.Expr] = []
    flag_exprs: list[pl.Expr] = []
    for col in table.columns:
        tname, vname = f"_t_{col.name}", f"_v_{col.name}"
        value, codes[col.name] = _value(col, pl.col(tname))
        value = value.cast(dtype_of(col))
        if codes[col.name] and big:
            loads, clean = _flags(col, pl.col(tname), pl.col(vname))
            parsed = (
                base.select(pl.col(tname)).unique()
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
    collected = body.collect()
    rows_blank = int(collected["_blank"].sum())
    body = collected.filter(~pl.col("_blank") & ~pl.col("_footer"))

    # (column, its text, failed, reason code, failure quarantines the row)
    checks: list[tuple[terms.Column, pl.Expr, pl.Expr, str, bool]] = []
    for col in table.columns:
        text, code = pl.col(f"_t_{col.name}"), codes[col.name]
        if col.required:
            checks.append((col, text, text.is_null(), MISSING_REASON, True))
        if code:
            loads, clean = pl.col(f"_l_{col.name}"), pl.col(f"_c_{col.name}")
            # A required cell that cannot load quarantines the row; any other flaw is a cell issue.
            checks.append((col, text, ~loads if col.required else ~clean, code, col.required))
            if col.required:
                checks.append((col, text, loads & ~clean, code, False))

    header_of = {c.name: match.headers.get(c.name, c.header) for c in table.columns}
    body = body.with_columns(f.alias(f"_k{k}") for k, (_, _, f, _, _) in enumerate(checks))
    # One pass tells which checks fail anywhere; messages are built only for those.
    failing = body.select(pl.col(f"_k{k}").any() for k in range(len(checks))).row(0) if checks else ()
    checks = [(c, t, pl.col(f"_k{k}"), code, hard)
              for k, (c, t, _, code, hard) in enumerate(checks) if failing[k]]
    required_fail = [(c, t, f, code) for c, t, f, code, hard in checks if hard]
    optional_fail = [(c, t, f, code) for c, t, f, code, hard in checks if not hard]

    def message(col: terms.Column, code: str) -> pl.Expr:
        return pl.format(
            "{}: row {}, column {}: value '{}' " + _WHAT[code],
            pl.lit(file_path), pl.col("_source_row"), pl.lit(header_of[col.name]),
            pl.col(f"c{match.columns[col.name]}") if col.name in match.columns else pl.lit(""),
        ) if code != MISSING_REASON else pl.format(
            "{}: row {}, column {}: " + (
                "value is empty but required" if col.name in match.columns
                else "the column is missing from the header but is required"
            ),
            pl.lit(file_path), pl.col("_source_row"), pl.lit(header_of[col.name]),
        )

    if required_fail:
        # One quarantine row per source row (row accounting), naming the first failing
        # column and listing every failing cell in the reason.
        fails = [pl.when(f).then(pl.lit(i)) for i, (_, _, f, _) in enumerate(required_fail)]
        body = body.with_columns(_fail=pl.min_horizontal(fails))
        is_bad = pl.col("_fail").is_not_null()
        first = lambda pick: pl.coalesce(  # noqa: E731
            [pl.when(pl.col("_fail") == i).then(pick(i, c, t, code))
             for i, (c, t, _, code) in enumerate(required_fail)]
        )
        reasons = pl.concat_str(
            [pl.when(f).then(message(c, code)) for c, _, f, code in required_fail],
            separator="; ", ignore_nulls=True,
        )
        row_json = pl.struct(
            [pl.col(c).alias(match.all_headers[i]) for i, c in enumerate(all_cols)]
        ).struct.json_encode()
        quarantine = body.filter(is_bad).select(
            source_row=pl.col("_source_row"),
            column_name=first(lambda i, c, t, code: pl.lit(header_of[c.name])),
            value=first(lambda i, c, t, code: t.cast(pl.String)),
            reason_code=first(lambda i, c, t, code: pl.lit(code)),
            reason=reasons,
            row_json=row_json,
        )
        body = body.filter(~is_bad)
    else:
        quarantine = empty_quarantine()

    issue_frames = [
        body.filter(f).select(
            source_row=pl.col("_source_row"),
            column_name=pl.lit(header_of[c.name]),
            value=t.cast(pl.String),
            reason_code=pl.lit(code),
            reason=pl.concat_str(message(c, code), pl.lit(" (the cell was set to empty, or unknown values dropped; the row was loaded)")),
        )
        for c, t, f, code in optional_fail
        if c.name in match.columns
    ]
    issues = pl.concat(issue_frames) if issue_frames else empty_issues()

    rows = body.select(pl.col("_source_row"), *(pl.col(f"_v_{c.name}").alias(c.name) for c in table.columns))
    return Parsed(
        rows=rows,
        quarantine=quarantine,
        issues=issues,
        rows_read=rows.height + quarantine.height,
        rows_blank=rows_blank,
    )


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
