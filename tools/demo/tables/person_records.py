"""Rows of the dated per-person records (visits, referrals): the same row now and then
twice in a file, IDs and names spoiled, a few dates missing or unreadable."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise, pick, tags
from tools.demo.tables.common import BAD_DATES, SentRecords
from tools.demo.writers import TEXT, Sheet


class SentPersonRecords(SentRecords):
    """Sent records naming a person (visits, referrals). Each names its file-name
    variants (`names`), the date column and the columns that identify a record."""

    what: str
    date_column: str
    identity: tuple[str, ...]

    @staticmethod
    def names(city: str, cut: dt.date) -> tuple[str, ...]:
        raise NotImplementedError

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        recs = self.sent_in(city, idx)

        def build(nz: CellNoise, fmt: str) -> Rows:
            return rows(recs, nz, fmt, self.table, self.date_column, self.identity)

        rec.slot_table(city, idx, self.table, self.what, self.names, build, nrows=recs.height)


def rows(
    recs: pl.DataFrame,
    nz: CellNoise,
    fmt: str,
    table: terms.Table,
    day_col: str,
    logical_cols: tuple[str, ...],
) -> Rows:
    """`recs`: pid, name, `day_col`, the table's other columns, `resent`."""
    dup = nz.hit(recs.height, 0.01)  # the same row twice in one file
    recs = (
        recs.with_columns(_n=pl.Series(1 + dup.astype(np.int64)))
        .with_row_index("_i")
        .select(pl.all().repeat_by("_n").explode())
        .with_columns(_dup=pl.int_range(pl.len()).over("_i") > 0)
        .drop("_i", "_n")
    )
    n = recs.height
    ids = nz.ids(recs["pid"], fmt, typo_rate=0.005)
    name, name_tag = nz.names(recs["name"])
    style, date_tag = nz.row_date_styles(n, nz.file_date_style(fmt), fmt)
    day_text, day_type = nz.dates(recs[day_col], style)
    missing = nz.hit(n, 0.002)
    bad = ~missing & nz.hit(n, 0.002)
    bad_text = pick(BAD_DATES, nz.rng.integers(0, len(BAD_DATES), n))
    day_cell = (
        pl.DataFrame({"d": day_text, "m": missing, "b": bad, "x": bad_text})
        .select(pl.when("m").then(None).when("b").then(pl.col("x")).otherwise(pl.col("d")))
        .to_series()
    )
    day_type = day_type.zip_with(pl.Series(~bad), pl.Series([TEXT] * n, dtype=pl.UInt8))
    cells = {"name": name, "id_number": ids.cell, day_col: day_cell}
    text = pl.DataFrame(
        {
            c.name: cells.get(c.name, recs[c.name] if c.name in recs.columns else None)
            for c in table.columns
        },
        schema={c.name: pl.String for c in table.columns},
    )
    noise = noise_list(
        tags(recs["resent"].to_numpy(), "resent"),
        tags(recs["_dup"].to_numpy(), "duplicate_row"),
        ids.tag,
        name_tag,
        date_tag,
        tags(missing, "missing_required"),
        tags(bad, "bad_date"),
    )
    quarantined = missing | bad
    expected = pl.Series(np.where(quarantined, "quarantined", "loaded"), dtype=pl.String)
    logical = pl.DataFrame({"id_text": ids.text, "name_text": name}).with_columns(
        recs.select(logical_cols)
    )
    return Rows(
        Sheet([], text, {"id_number": ids.types, day_col: day_type}),
        truth_frame(recs["pid"], noise, expected),
        logical,
    )
