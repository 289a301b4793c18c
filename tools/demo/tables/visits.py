"""走访慰问记录: home visits and calls to the city's people, reported in the folder of
the cut-off after them (some a folder late, some sent again later)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.noise import pick
from tools.demo.tables.common import (
    date_of,
    days,
    guest_people,
    spread,
    uniform_days,
)
from tools.demo.tables.person_records import SentPersonRecords
from tools.demo.world import random_names

TABLE = terms.VISITS
WHAT = "走访慰问记录"


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"走访慰问记录{cut:%m%d}", f"{city}走访慰问情况", f"附件2 走访慰问{cut:%m%d}")


class Visits(SentPersonRecords):
    table = TABLE
    what = WHAT
    names = staticmethod(names)
    date_column = "visited_on"
    identity = ("visited_on", "visit_method")

    def records(self, city: str) -> pl.DataFrame:
        ctx = self.ctx
        rng = ctx.rng("visits", city)
        c = ctx.campaign
        p = ctx.persons[city]
        count = rng.choice(np.array([0, 1, 1, 1, 2, 3]), p.height)
        who = np.repeat(np.arange(p.height), count)
        people = p[who]
        lo = np.maximum(days(people["identified_on"]), date_of(c.start - dt.timedelta(days=20)))
        day = uniform_days(rng, lo, np.full(len(lo), date_of(c.end)))
        recs = pl.DataFrame(
            {
                "pid": people["pid"],
                "name": people["name"],
                "visited_on": pl.Series(day, dtype=pl.Date),
                "visit_method": pick(
                    terms.VISIT_METHODS, rng.integers(0, len(terms.VISIT_METHODS), len(who))
                ),
            }
        )
        # People another city also claims get a call from that city too.
        guests = [
            (pid, ident)
            for (g, _i), gs in ctx.plan.guests.items()
            if g == city
            for pid, ident in gs
        ]
        if guests:
            g = guest_people(ctx, guests)
            gday = uniform_days(rng, days(g["_ident"]), np.full(g.height, date_of(c.end)))
            recs = pl.concat(
                [
                    recs,
                    g.select(
                        "pid",
                        "name",
                        visited_on=pl.Series(gday, dtype=pl.Date),
                        visit_method=pl.lit("电话联系"),
                    ),
                ]
            )
        recs = recs.with_columns(visitor=random_names(ctx.world, rng, recs.height))
        return spread(ctx, rng, city, recs, days(recs["visited_on"]), resend=0.1)
