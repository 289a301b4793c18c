"""Cell normalisation, defined once as polars expressions (docs/raw_layer.md, "kind" table).

Every function takes and returns a `pl.Expr`, so a whole column is normalised in one
vectorised pass; nothing here loops over rows in Python.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines import terms

# Full-width ASCII (U+FF01..U+FF5E) sits exactly 0xFEE0 above its half-width twin;
# U+3000 is the ideographic space. ￥ and the fancy quotes are not in that block.
_FULL = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\uffe5", "\u00a0"]
_HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" ", "¥", " "]
_FOLD_TABLE = str.maketrans(dict(zip(_FULL, _HALF, strict=True)))

# Excel's day 0 (its serial numbers count from 1899-12-30 once the 1900 leap bug is absorbed).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers this small or large are not plausible dates for this domain (1927..2173).
_SERIAL_MIN, _SERIAL_MAX = 10_000, 99_999


def fold_str(text: str) -> str:
    """Python twin of `clean_text` for the few scalar strings (headers, folder names)."""
    return " ".join(text.translate(_FOLD_TABLE).split())


def fold(expr: pl.Expr) -> pl.Expr:
    """Full-width → half-width."""
    return expr.str.replace_many(_FULL, _HALF)


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Fold, trim, collapse inner whitespace to one space; empty → NULL."""
    out = fold(expr).str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(out.str.len_chars() > 0).then(out)


def parse_date(text: pl.Expr) -> pl.Expr:
    """Every date form of the contract → Date, NULL when it is none of them.

    `text` must already be cleaned. Spreadsheet date cells arrive as
    "2022-08-05 00:00:00" (fastexcel's string rendering), serial numbers as "44778".
    """
    # 2022年8月5日 / 2022/8/5 / 2022.8.5 all become 2022-8-5; a time part is dropped.
    unified = (
        text.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
        .str.replace_all(r"\s", "")
        .str.replace_all(r"[年月/.]", "-")
        .str.replace(r"日$", "")
    )
    separated = pl.when(unified.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$")).then(
        unified.str.to_date("%Y-%m-%d", strict=False)
    )
    compact = pl.when(unified.str.contains(r"^\d{8}$")).then(
        unified.str.to_date("%Y%m%d", strict=False)
    )
    serial_num = text.str.replace(r"\.0+$", "").cast(pl.Float64, strict=False)
    serial = pl.when(
        text.str.contains(r"^\d{5}(\.\d+)?$") & serial_num.is_between(_SERIAL_MIN, _SERIAL_MAX)
    ).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial_num.floor().cast(pl.Int64)))
    return pl.coalesce(separated, compact, serial.cast(pl.Date))


def _number(text: pl.Expr) -> pl.Expr:
    stripped = (
        text.str.replace_all(r"[,\s]", "")
        .str.replace(r"^[¥$]", "")
        .str.replace(r"(元|人民币元|人|个|场|次)$", "")
    )
    return stripped.cast(pl.Float64, strict=False)


def parse_int(text: pl.Expr) -> pl.Expr:
    """Whole numbers; '12.0' → 12, '12.5' → NULL (not a count)."""
    num = _number(text)
    return pl.when(num.is_finite() & (num == num.floor())).then(num.cast(pl.Int64))


def parse_money(text: pl.Expr) -> pl.Expr:
    """Yuan amounts; thousands separators, a currency sign and a trailing 元 removed."""
    num = _number(text)
    return pl.when(num.is_finite()).then(num)


def split_multi(text: pl.Expr) -> pl.Expr:
    """Split on the contract's separators; trimmed, empties dropped. NULL stays NULL."""
    parts = text.str.replace_all(terms.MULTI_VALUE_SPLIT_REGEX, "\x1f").str.split("\x1f")
    return parts.list.eval(
        pl.element().str.strip_chars().filter(pl.element().str.strip_chars().str.len_chars() > 0)
    )


def numeric_id(text: pl.Expr) -> pl.Expr:
    """An ID that a spreadsheet stored as a number (raw_layer.md, kind `id`).

    Up to 15 digits a float is exact, so the digits are the ID. Beyond that the
    trailing digits are already lost; writing the scientific form (3.70102198E+17)
    makes the loss visible instead of inventing digits that look valid.
    """
    num = text.cast(pl.Float64, strict=False)
    exponent = num.abs().log10().floor()
    mantissa = (num / pl.lit(10.0).pow(exponent)).round(8)
    scientific = pl.format(
        "{}E+{}", mantissa.cast(pl.String), exponent.cast(pl.Int64).cast(pl.String)
    )
    exact = (num == num.floor()) & (num.abs() < 1e15)
    return (
        pl.when(num.is_null())
        .then(text)
        .when(exact)
        .then(num.cast(pl.Int64).cast(pl.String))
        .otherwise(scientific)
    )


_NEEDS_FOLD = "[\uff01-\uff5e\u3000\uffe5\u00a0]"
_NEEDS_SQUEEZE = r"\s\s|[\t\n\r\f\v]"


def clean_frame(df: pl.DataFrame) -> pl.DataFrame:
    """`clean_text` on every column of a text grid, doing only the work a column needs.

    Most columns of a real file have no full-width characters and no runs of spaces;
    checking a column once is far cheaper than rewriting every cell of it.
    """
    if df.width == 0 or df.height == 0:
        return df
    flags = df.select(
        *(
            pl.col(c).str.contains(_NEEDS_FOLD).any().alias(f"f{i}")
            for i, c in enumerate(df.columns)
        ),
        *(
            pl.col(c).str.contains(_NEEDS_SQUEEZE).any().alias(f"s{i}")
            for i, c in enumerate(df.columns)
        ),
    ).row(0)
    exprs = []
    for i, c in enumerate(df.columns):
        e = pl.col(c)
        if flags[i]:
            e = fold(e)
        if flags[i] or flags[df.width + i]:
            e = e.str.replace_all(r"\s+", " ")
        exprs.append(e.str.strip_chars().alias(c))
    return df.select(exprs).select(pl.all().replace("", None))
