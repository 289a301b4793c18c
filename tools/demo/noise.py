"""Cell-level noise: every spoiling the contract promises to survive, applied on purpose
and named, so the ground truth can count it (the `noise` list of rows.parquet).

Column-wise: a file's rows are spoiled together. Draws come from one numpy Generator
per file, the rare spoiled cells are rewritten in Python (a few percent of a column),
the common case stays vectorised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo import ids
from tools.demo.writers import DATE, NUMBER, TEXT

DATE_STYLES = ("iso", "slash", "dot", "compact", "cn", "cell")
_STRFTIME = {
    "iso": "%Y-%m-%d",
    "slash": "%Y/%-m/%-d",
    "dot": "%Y.%-m.%-d",
    "compact": "%Y%m%d",
    "cn": "%Y年%-m月%-d日",
    "cell": "%Y-%m-%d",
}
# Multi-value separators other than the usual 、 (docs/contract.md §3).
ODD_SEPARATORS = ("，", ",", "；", ";", "／", "/", " ")
NAME_DOT_VARIANTS = ("•", "・", "．")


def tags(values: np.ndarray | list, name: str) -> pl.Series:
    """A per-row noise tag column: `name` where true, null elsewhere."""
    return pick([None, name], np.asarray(values, dtype=bool).astype(np.int64))


def pick(options: Sequence[str | None], index: np.ndarray) -> pl.Series:
    """options[index[i]] for every i, as a string column."""
    return pl.Series(list(options), dtype=pl.String).gather(pl.Series(index, dtype=pl.Int64))


def _patched(base: pl.Series, at: list[int], values: list[str]) -> pl.Series:
    """`base` with the cells at `at` replaced (the few spoiled cells of a column)."""
    if not at:
        return base
    return base.clone().scatter(at, pl.Series(values, dtype=pl.String))


@dataclass
class Cells:
    """A spoiled column: the cell as written, its cell type, the text ingestion loads,
    and the noise tag of each row (null when clean)."""

    cell: pl.Series
    types: pl.Series | int
    text: pl.Series
    tag: pl.Series


class CellNoise:
    """Applies noise with given rates; `scale` lifts the rates at small K so every kind shows up."""

    def __init__(self, rng: np.random.Generator, scale: float = 1.0) -> None:
        self.rng = rng
        self.s = scale

    # ---------------------------------------------------------------- scalar draws
    def random(self) -> float:
        return float(self.rng.random())

    def choice(self, options: Sequence):
        return options[int(self.rng.integers(len(options)))]

    def rate(self, rate: float) -> float:
        return min(0.5, rate * self.s)

    def hit(self, n: int, rate: float) -> np.ndarray:
        return self.rng.random(n) < self.rate(rate)

    # ---------------------------------------------------------------- IDs
    def ids(
        self, pids: pl.Series, fmt: str, typo_rate: float, numeric_as_text: bool = False
    ) -> Cells:
        """One draw per cell against cumulative rates: typo, numeric cell, 15 digits,
        full-width, spaces; otherwise a lowercase x now and then."""
        n = len(pids)
        r = self.rng
        u, v, w = r.random(n), r.random(n), r.random(n)
        pos, delta = r.integers(0, 17, n), r.integers(1, 10, n)
        edges = np.cumsum([min(0.08, x * self.s) for x in (typo_rate, 0.004, 0.01, 0.01, 0.01)])
        kind = np.searchsorted(edges, u, side="right")
        ends_x = pids.str.ends_with("X").to_numpy()
        todo = np.flatnonzero((kind < 5) | (ends_x & (v < 0.3)))
        src = pids.gather(todo).to_list()
        at: list[int] = []
        cells: list[str] = []
        texts: list[str] = []
        tag_at: list[int] = []
        tag_of: list[str] = []
        numeric: list[int] = []
        for i, p in zip(todo.tolist(), src, strict=True):
            k = kind[i]
            if k == 0:
                q = int(pos[i])
                t = p[:q] + str((int(p[q]) + int(delta[i])) % 10) + p[q + 1 :]
                c, name = t, "id_typo"
            elif k == 1:
                value = ids.spoil_numeric(p)
                t = ids.sci_text(value)
                if fmt == "csv" or numeric_as_text:
                    c, name = t, "id_sci_text"
                else:
                    c, name = repr(value), "id_numeric_cell"
                    numeric.append(i)
            elif k == 2 and p[6:8] == "19":  # 15-digit IDs predate 2000 births
                c = t = ids.to_15(p)
                name = "id_15digit"
            elif k == 3:
                c = t = ids.to_fullwidth(p)
                name = "id_fullwidth"
            elif k == 4:
                c = t = f"{p[:6]} {p[6:14]} {p[14:]}" if w[i] < 0.5 else f" {p} "
                name = "id_spaces"
            elif p[-1] == "X" and v[i] < 0.3:
                c = t = p[:-1] + "x"
                name = "id_lowercase_x"
            else:
                continue
            at.append(i)
            cells.append(c)
            texts.append(t)
            tag_of.append(name)
        tag_at = at
        types: pl.Series | int = TEXT
        if numeric:
            types = pl.Series(np.zeros(n, dtype=np.uint8)).scatter(numeric, NUMBER)
        return Cells(
            _patched(pids, at, cells),
            types,
            _patched(pids, at, texts),
            _patched(pl.Series([None] * n, dtype=pl.String), tag_at, tag_of),
        )

    # ---------------------------------------------------------------- names, phones
    def names(self, names: pl.Series) -> tuple[pl.Series, pl.Series]:
        n = len(names)
        u, c = self.rng.random(n), self.rng.integers(0, len(NAME_DOT_VARIANTS), n)
        spaced, split = 1 - min(0.08, 0.01 * self.s), 1 - min(0.04, 0.005 * self.s)
        dotted = names.str.contains("·", literal=True).to_numpy()
        todo = np.flatnonzero(dotted | (u > spaced))
        at: list[int] = []
        out: list[str] = []
        tag: list[str] = []
        for i, name in zip(todo.tolist(), names.gather(todo).to_list(), strict=True):
            if dotted[i] and u[i] < 0.4:
                at.append(i)
                out.append(name.replace("·", NAME_DOT_VARIANTS[c[i]]))
                tag.append("name_dot_variant")
            elif len(name) >= 2 and u[i] > spaced:
                at.append(i)
                out.append(f"{name[0]} {name[1:]}" if u[i] > split else f" {name} ")
                tag.append("name_spaces")
        return _patched(names, at, out), _patched(pl.Series([None] * n, dtype=pl.String), at, tag)

    def phones(self, phones: pl.Series) -> tuple[pl.Series, pl.Series]:
        u = self.rng.random(len(phones))
        a = min(0.15, 0.04 * self.s)
        b = a + min(0.08, 0.02 * self.s)
        c = b + min(0.08, 0.02 * self.s)
        kind = np.searchsorted([a, b, c], u, side="right")
        p = pl.col("p")
        df = pl.DataFrame({"p": phones, "k": kind})
        out = df.select(
            cell=pl.when(pl.col("k") == 0)
            .then(
                pl.concat_str([p.str.slice(0, 3), p.str.slice(3, 4), p.str.slice(7)], separator="-")
            )
            .when(pl.col("k") == 1)
            .then(pl.lit("+86 ") + p)
            .when(pl.col("k") == 2)
            .then(
                pl.concat_str([p.str.slice(0, 3), p.str.slice(3, 4), p.str.slice(7)], separator=" ")
            )
            .otherwise(p),
            tag=pl.col("k").replace_strict(
                [0, 1, 2, 3],
                ["phone_dashes", "phone_plus86", "phone_spaces", None],
                return_dtype=pl.String,
            ),
        )
        return out["cell"], out["tag"]

    # ---------------------------------------------------------------- dates
    def file_date_style(self, fmt: str) -> str:
        if fmt != "csv" and self.random() < 0.5:
            return "cell"
        if self.random() < 0.5:
            return "iso"
        return self.choice(DATE_STYLES[1:5])

    def row_date_styles(self, n: int, file_style: str, fmt: str) -> tuple[np.ndarray, pl.Series]:
        """Each row's date style (mostly the file's, some rows another) and its noise tag."""
        choices = DATE_STYLES if fmt != "csv" else DATE_STYLES[:5]
        other = self.rng.random(n) < 0.12
        another = self.rng.integers(0, len(choices), n)
        style = np.where(other, another, DATE_STYLES.index(file_style)).astype(np.int8)
        return style, pick([None if s == "iso" else f"date_{s}" for s in DATE_STYLES], style)

    @staticmethod
    def dates(values: pl.Series, style: np.ndarray) -> tuple[pl.Series, pl.Series]:
        """Dates written in each row's style: (text, cell type)."""
        df = pl.DataFrame({"d": values.cast(pl.Date), "s": style})
        d, s = pl.col("d"), pl.col("s")
        text = pl.when(s == 0).then(d.dt.strftime(_STRFTIME["iso"]))
        for k, name in enumerate(DATE_STYLES[1:], 1):
            text = text.when(s == k).then(d.dt.strftime(_STRFTIME[name]))
        out = df.select(
            text=text,
            types=pl.when(s == DATE_STYLES.index("cell"))
            .then(pl.lit(DATE, pl.UInt8))
            .otherwise(pl.lit(TEXT, pl.UInt8)),
        )
        return out["text"], out["types"]

    # ---------------------------------------------------------------- multi, money
    def multi(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """List cells joined with 、, or with another separator now and then."""
        n = len(values)
        odd = self.hit(n, 0.15) & (values.list.len().fill_null(0).to_numpy() > 1)
        which = np.where(odd, self.rng.integers(0, len(ODD_SEPARATORS), n), len(ODD_SEPARATORS))
        df = pl.DataFrame({"v": values, "sep": pick([*ODD_SEPARATORS, "、"], which)})
        return df.select(pl.col("v").list.join(pl.col("sep"))).to_series(), tags(
            odd, "multi_separator"
        )

    def money(self, amounts: pl.Series, fmt: str) -> tuple[pl.Series, pl.Series | int, pl.Series]:
        n = len(amounts)
        spoil = self.hit(n, 0.03)
        comma = self.rng.random(n) < 0.5
        plain = amounts.cast(pl.Float64)
        cents = (plain * 100).round().cast(pl.Int64)
        two_places = (
            (cents // 100).cast(pl.String) + "." + (cents % 100).cast(pl.String).str.zfill(2)
        )
        cell = (two_places if fmt == "csv" else plain.cast(pl.String)).to_list()
        for i in np.flatnonzero(spoil):
            a = float(plain[int(i)])
            cell[i] = f"{a:,.2f}" if comma[i] else f"{a:.2f}元"
        types: pl.Series | int = (
            TEXT if fmt == "csv" else pl.Series(np.where(spoil, TEXT, NUMBER).astype(np.uint8))
        )
        return pl.Series(cell, dtype=pl.String), types, tags(spoil, "money_text")

    # ---------------------------------------------------------------- headers
    def header(self, col: terms.Column) -> tuple[str, list[str]]:
        kinds: list[str] = []
        h = col.header
        if col.aliases and self.random() < 0.2:
            h = self.choice(col.aliases)
            kinds.append("header_alias")
        if col.kind == "money" and self.random() < 0.6:
            h += self.choice(("（元）", "(元)"))
            kinds.append("header_unit")
        if "(" in h and self.random() < 0.6:
            h = h.replace("(", "（").replace(")", "）")
            kinds.append("header_fullwidth_bracket")
        if self.random() < 0.03:
            h = f" {h} "
            kinds.append("header_spaces")
        return h, kinds
