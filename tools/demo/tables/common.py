"""What every table stage shares: the generation context and the spreading of dated
records over the cut-off folders they are reported in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from tools.demo.emit import file_rng
from tools.demo.noise import CellNoise
from tools.demo.plan import Plan
from tools.demo.world import World, persons_frame

BAD_DATES = ("待补充", "2022-09-31", "8月上旬", "2022.13.1")


@dataclass
class Context:
    campaign: Campaign
    seed: int
    world: World
    plan: Plan
    persons: dict[str, pl.DataFrame] = field(default_factory=dict)  # ledger people per city
    everyone: pl.DataFrame | None = None  # every ledger person (for cross-city guests)

    @classmethod
    def build(cls, campaign: Campaign, seed: int, world: World, plan: Plan) -> Context:
        persons = {city: persons_frame(people) for city, people in world.persons.items()}
        return cls(campaign, seed, world, plan, persons, pl.concat(list(persons.values())))

    def rng(self, *key: object) -> np.random.Generator:
        return file_rng(self.seed, *key)


def days(values: pl.Series) -> np.ndarray:
    return values.cast(pl.Date).to_numpy().astype("datetime64[D]")


def uniform_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A day in [lo, hi] for each pair (lo when hi < lo), like world.rand_date."""
    span = np.maximum((hi - lo).astype(np.int64), 0)
    return lo + np.floor(rng.random(len(lo)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


def spread(
    ctx: Context,
    rng: np.random.Generator,
    city: str,
    records: pl.DataFrame,
    day: np.ndarray,
    resend: float,
) -> pl.DataFrame:
    """Records per cut-off folder: first report (10 % one folder late, skipped slots moving
    them on), plus resends of older ones in later folders. Adds `idx` and `resent`,
    ordered by folder, then record order."""
    plan = ctx.plan
    n_cut = len(plan.c.cutoffs)
    m = records.height
    first = plan.report_idx(city, day, rng.random(m) < 0.1)
    parts = [
        records.with_columns(
            idx=pl.Series(first, dtype=pl.Int64),
            resent=pl.lit(False),
            _ord=pl.int_range(0, m, dtype=pl.Int64),
        )
    ]
    for j in range(n_cut):
        again = (first < j) & (rng.random(m) < resend)
        if (city, j) in plan.missing or not again.any():
            continue
        parts.append(
            records.with_columns(
                idx=pl.lit(j, pl.Int64),
                resent=pl.lit(True),
                _ord=pl.int_range(0, m, dtype=pl.Int64),
            ).filter(pl.Series(again))
        )
    out = pl.concat(parts).filter(pl.col("idx") < n_cut)
    return out.sort("idx", "_ord").drop("_ord")


def date_of(d: dt.date) -> np.datetime64:
    return np.datetime64(d, "D")


class SentRecords:
    """A table of dated records the cities send in their cut-off folders (events,
    postings, referrals, visits): each city's records are drawn once (`records`, spread
    over the folders by `spread`) and each folder writes the ones sent in it."""

    table: terms.Table

    def prepare(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_city = {city: self.records(city) for city in terms.CITIES}

    def records(self, city: str) -> pl.DataFrame:
        raise NotImplementedError

    def sent_in(self, city: str, idx: int) -> pl.DataFrame:
        return self.by_city[city].filter(pl.col("idx") == idx)


def dated_text(
    recs: pl.DataFrame, table: terms.Table, nz: CellNoise, fmt: str, date_columns: tuple[str, ...]
) -> tuple[pl.DataFrame, dict[str, pl.Series | int], pl.Series]:
    """`recs` as the text cells of `table`, its date columns written in the file's style
    (some rows another): (text, the date columns' cell types, the date-style noise tag)."""
    style, date_tag = nz.row_date_styles(recs.height, nz.file_date_style(fmt), fmt)
    written: dict[str, pl.Series] = {}
    types: dict[str, pl.Series | int] = {}
    for col in date_columns:
        written[col], types[col] = nz.dates(recs[col], style)
    text = recs.select([pl.col(c.name).cast(pl.String) for c in table.columns]).with_columns(
        **written
    )
    return text, types, date_tag


def guest_people(ctx: Context, guests: list[tuple[str, dt.date]]) -> pl.DataFrame:
    """People a city claims although another city has them on its ledger, given as
    (pid, date the city identified them): their ledger rows (`ctx.everyone`) in the
    given order, with that date as `_ident`."""
    claimed = pl.DataFrame(
        {"pid": [g[0] for g in guests], "_ident": [g[1] for g in guests]},
        schema={"pid": pl.String, "_ident": pl.Date},
    )
    return claimed.with_row_index("_o").join(ctx.everyone, on="pid", how="left").sort("_o")
