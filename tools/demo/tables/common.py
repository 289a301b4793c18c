"""What every table stage shares: the generation context and the spreading of dated
records over the cut-off folders they are reported in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipelines.campaign import Campaign
from tools.demo.emit import file_rng
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
