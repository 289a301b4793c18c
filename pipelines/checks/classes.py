"""A suite validated on the classes of rows its expectations cannot tell apart, not on every row.

A column-map expectation (not null, in a set, between) judges each row by one cell:
every row with the same value gets the same verdict, and for not-null every row with
the same null-ness. Whether a compound key is unique depends only on whether its
combination occurs once or more than once. A table-level expectation (its columns, its
row count) reads the table's shape, never a cell. So GX is handed, per suite:

- `cells`: each distinct value of each judged column once (for a column only checked
  for nulls: one non-null value and one null), columns padded to one length by
  repeating their first value;
- `keys`: for each compound-unique expectation, each combination at most twice;
- `shape`: the table's columns over its row count, cells zero.

GX's verdict on a representative is carried back to every row of its class: the
unexpected count is the number of rows in unexpected classes, the element count the
frame's rows, the examples the first unexpected rows in frame order — exactly what
GX reports when it judges every row (tests/test_gate_classes.py compares the two). An
expectation of any other kind, or with options that change which rows are judged
(`mostly`, `row_condition`, ...), is validated on the whole frame.

A province's ledger has over a million rows but a few thousand distinct dates and a
handful of categories: this is what keeps the raw-input gate in seconds (issue 10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines.publish.files import flat_frame

if TYPE_CHECKING:  # numpy and pandas are imported where a frame is validated (runner.py)
    import numpy as np
    import pandas as pd

CELL_KWARGS = {
    "expect_column_values_to_not_be_null": {"column"},
    "expect_column_values_to_be_in_set": {"column", "value_set"},
    "expect_column_values_to_be_between": {
        "column",
        "min_value",
        "max_value",
        "strict_min",
        "strict_max",
    },
}
KEY_KWARGS = {"expect_compound_columns_to_be_unique": {"column_list"}}
SHAPE_KWARGS = {
    "expect_table_columns_to_match_set": {"column_set", "exact_match"},
    "expect_table_row_count_to_be_between": {"min_value", "max_value"},
}
ORDER_META = "warmheart_order"
NULLNESS_ONLY = "expect_column_values_to_not_be_null"


@dataclass
class Verdict:
    """What GX said of one expectation, carried back to the whole frame."""

    result: Any  # GX's ExpectationValidationResult
    unexpected_count: int | None = None
    element_count: int | None = None
    example_rows: list[int] = field(default_factory=list)
    # Every unexpected row (frame positions, ascending) of a row-judging expectation
    # judged by class; None for table-level and whole-frame ones.
    unexpected_rows: np.ndarray | None = None


Validate = Callable[[list[dict[str, Any]], "pd.DataFrame", str], list[Any]]


def _kind(expectation: dict[str, Any], columns: set[str]) -> str:
    kwargs = set(expectation.get("kwargs", {}))
    etype = expectation["type"]
    if etype in CELL_KWARGS and kwargs <= CELL_KWARGS[etype]:
        return "cells" if expectation["kwargs"].get("column") in columns else "whole"
    if etype in KEY_KWARGS and kwargs <= KEY_KWARGS[etype]:
        return "keys" if set(expectation["kwargs"]["column_list"]) <= columns else "whole"
    if etype in SHAPE_KWARGS and kwargs <= SHAPE_KWARGS[etype]:
        return "shape"
    return "whole"


@dataclass
class _Classes:
    """Each row's class (an index into `reps`) for one column or key."""

    row_class: pl.Series  # UInt32, one per row of the frame
    reps: pl.DataFrame  # one row per class (the key's columns)


def _classes(frame: pl.DataFrame, columns: list[str], nullness: bool) -> _Classes:
    """Classes of rows by the values of `columns` (or, with `nullness`, by whether the one
    column is null); each class represented by its first row."""
    data = flat_frame(frame.select(columns))  # lists as text, as GX sees them
    key = data.select(pl.col(columns[0]).is_null().alias("_key")) if nullness else data
    key_cols = key.columns
    firsts = (
        key.with_row_index("_row")
        .unique(subset=key_cols, keep="first", maintain_order=True)
        .with_row_index("_class")
    )
    row_class = key.join(
        firsts.select("_class", *key_cols),
        on=key_cols,
        how="left",
        nulls_equal=True,
        maintain_order="left",
    ).get_column("_class")
    reps = data[firsts.get_column("_row")]
    return _Classes(row_class, reps)


def _carry_back(cls: _Classes, unexpected_classes: set[int], max_examples: int) -> Verdict:
    import numpy as np

    mask = cls.row_class.is_in(sorted(unexpected_classes)) if unexpected_classes else None
    if mask is None:
        return Verdict(None, 0, unexpected_rows=np.zeros(0, dtype=np.int64))
    rows = mask.arg_true()
    return Verdict(
        None,
        int(rows.len()),
        example_rows=rows.head(max_examples).to_list(),
        unexpected_rows=rows.to_numpy().astype(np.int64),
    )


def _unexpected_indices(result: Any) -> list[int]:
    return [int(i) for i in (dict(result.result or {}).get("unexpected_index_list") or [])]


def validate_by_class(
    expectations: list[dict[str, Any]],
    frame: pl.DataFrame,
    validate: Validate,
    to_pandas: Callable[[pl.DataFrame], pd.DataFrame],
    max_examples: int,
    by_class: bool = True,
) -> list[Verdict]:
    """One Verdict per expectation, in order. `validate(expectations, pandas_frame,
    result_format)` runs GX and returns its results (in any order); with
    `by_class` False every expectation is validated on the whole frame."""
    import numpy as np

    columns = set(frame.columns)
    kinds = [_kind(e, columns) if by_class else "whole" for e in expectations]
    verdicts: list[Verdict | None] = [None] * len(expectations)
    n = frame.height

    def run(indices: list[int], pdf: pd.DataFrame, result_format: str) -> list[Any]:
        # GX does not keep the suite's order: each expectation carries its index in meta.
        tagged = [
            {**expectations[i], "meta": {**expectations[i].get("meta", {}), ORDER_META: i}}
            for i in indices
        ]
        by_index = {
            (res.expectation_config.meta or {}).get(ORDER_META): res
            for res in validate(tagged, pdf, result_format)
        }
        return [by_index[i] for i in indices]

    whole = [i for i, k in enumerate(kinds) if k == "whole"]
    if whole:
        for i, res in zip(whole, run(whole, to_pandas(frame), "SUMMARY"), strict=True):
            r = dict(res.result or {})
            verdicts[i] = Verdict(
                res,
                r.get("unexpected_count"),
                r.get("element_count"),
                [int(x) for x in r.get("partial_unexpected_index_list") or []][:max_examples],
            )

    shape = [i for i, k in enumerate(kinds) if k == "shape"]
    if shape:
        import pandas as pd

        zeros = pd.DataFrame(np.zeros((n, frame.width), dtype=np.int8), columns=frame.columns)
        for i, res in zip(shape, run(shape, zeros, "SUMMARY"), strict=True):
            r = dict(res.result or {})
            verdicts[i] = Verdict(res, r.get("unexpected_count"), r.get("element_count"))

    cells = [i for i, k in enumerate(kinds) if k == "cells"]
    if cells:
        judged: dict[str, _Classes] = {}
        for col in dict.fromkeys(expectations[i]["kwargs"]["column"] for i in cells):
            only_nulls = all(
                expectations[i]["type"] == NULLNESS_ONLY
                for i in cells
                if expectations[i]["kwargs"]["column"] == col
            )
            judged[col] = _classes(frame, [col], only_nulls)
        length = max(c.reps.height for c in judged.values())
        padded = pl.DataFrame(
            [
                c.reps.get_column(col).gather(
                    np.concatenate(
                        [np.arange(c.reps.height), np.zeros(length - c.reps.height, np.int64)]
                    )
                )
                for col, c in judged.items()
            ]
        )
        for i, res in zip(cells, run(cells, to_pandas(padded), "COMPLETE"), strict=True):
            cls = judged[expectations[i]["kwargs"]["column"]]
            unexpected = {j if j < cls.reps.height else 0 for j in _unexpected_indices(res)}
            verdict = _carry_back(cls, unexpected, max_examples)
            verdict.result, verdict.element_count = res, n
            verdicts[i] = verdict

    for i in (i for i, k in enumerate(kinds) if k == "keys"):
        cls = _classes(frame, list(expectations[i]["kwargs"]["column_list"]), False)
        # At most two rows of each combination: once means unique, twice means repeated.
        kept = (
            pl.DataFrame({"_class": cls.row_class})
            .with_row_index("_row")
            .filter(pl.int_range(pl.len()).over("_class") < 2)
        )
        sample = frame.select(expectations[i]["kwargs"]["column_list"])[kept.get_column("_row")]
        (res,) = run([i], to_pandas(sample), "COMPLETE")
        kept_class = kept.get_column("_class")
        unexpected = {int(kept_class[j]) for j in _unexpected_indices(res)}
        verdict = _carry_back(cls, unexpected, max_examples)
        verdict.result, verdict.element_count = res, n
        verdicts[i] = verdict

    return [v for v in verdicts if v is not None]
