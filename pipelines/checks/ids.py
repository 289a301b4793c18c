"""ID-number validity in Python, the contract's rule (§5), for the gate's per-file validity rate.

The dbt macros (`dbt_project/macros/people_id.sql`) decide validity for the models; the
gate needs the same answer on raw tables *before* dbt runs (a ledger whose IDs are
mostly broken must stop the run before anything is built on it), so the rule is
restated here as polars expressions and tested against hand-computed IDs.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, remainder r -> "10X98765432"[r].
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_FULL = [chr(c) for c in range(0xFF10, 0xFF1A)] + ["Ｘ", "ｘ", "\u3000"]
_HALF = [str(d) for d in range(10)] + ["X", "X", " "]


def _check_char(id17: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        id17.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(_WEIGHTS)
    )
    return pl.lit(_CHECK_CHARS).str.slice(total % 11, 1)


def normalize_id(expr: pl.Expr) -> pl.Expr:
    """Trim, fold full-width, drop spaces, x -> X; 15-digit IDs upgraded to 18 characters."""
    return expr.map_batches(_normalized, return_dtype=pl.String)


# Each step below is materialised before the next: as one expression polars would
# evaluate the cleaned ID again in each of the ~20 sub-expressions that read it (15x
# slower on a province's ledger).
def _normalized(ids: pl.Series) -> pl.Series:
    clean = pl.col("clean")
    return (
        pl.DataFrame({"id": ids.cast(pl.String)})
        .select(
            clean=pl.col("id")
            .str.replace_many(_FULL, _HALF)
            .str.replace_all(r"\s", "")
            .str.to_uppercase()
        )
        .with_columns(
            id17=pl.when(clean.str.contains(r"^[0-9]{15}$")).then(
                clean.str.slice(0, 6) + pl.lit("19") + clean.str.slice(6, 9)
            )
        )
        .select(
            pl.when(pl.col("id17").is_not_null())
            .then(pl.col("id17") + _check_char(pl.col("id17")))
            .otherwise(clean)
        )
        .to_series()
        .alias(ids.name)
    )


def id_is_valid(expr: pl.Expr, reference_date: dt.date) -> pl.Expr:
    """18 characters, correct check character, a real birth date in [1900-01-01, reference_date].

    `reference_date` is the campaign end, as in dbt, so one ID is judged the same way
    by the gate and by the models whatever day the pipeline runs.
    """
    return expr.map_batches(lambda ids: _valid(ids, reference_date), return_dtype=pl.Boolean)


def _valid(ids: pl.Series, reference_date: dt.date) -> pl.Series:
    """Each distinct ID judged once (a ledger names each person at every cut-off)."""
    distinct = ids.cast(pl.String).unique()
    norm = pl.col("norm")
    birth = norm.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    judged = (
        pl.DataFrame({"id": distinct, "norm": _normalized(distinct)})
        .with_columns(birth=birth, shape=norm.str.contains(r"^[0-9]{17}[0-9X]$"))
        .select(
            "id",
            valid=(
                pl.col("shape")
                & (norm.str.slice(17, 1) == _check_char(norm.str.slice(0, 17)))
                & (pl.col("birth") >= dt.date(1900, 1, 1))
                & (pl.col("birth") <= reference_date)
            ).fill_null(False),
        )
    )
    return (
        pl.DataFrame({"id": ids.cast(pl.String)})
        .join(judged, on="id", how="left", nulls_equal=True, maintain_order="left")
        .get_column("valid")
        .alias(ids.name)
    )
