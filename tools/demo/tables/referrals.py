"""岗位推介记录: postings pushed to the city's people (only postings already published;
a person and a posting pushed twice is one referral, docs/contract.md §3)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.noise import pick
from tools.demo.tables.common import date_of, days, spread, uniform_days
from tools.demo.tables.person_records import SentPersonRecords

TABLE = terms.REFERRALS
WHAT = "岗位推介记录"


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"岗位推介记录{cut:%m%d}", f"{city}推送岗位明细", "推介记录")


class Referrals(SentPersonRecords):
    table = TABLE
    what = WHAT
    names = staticmethod(names)
    date_column = "referred_on"
    identity = ("post_id", "referred_on")

    def records(self, city: str) -> pl.DataFrame:
        ctx = self.ctx
        rng = ctx.rng("referrals", city)
        c = ctx.campaign
        p = ctx.persons[city]
        start, end = date_of(c.start), date_of(c.end)
        lo = np.maximum(days(p["identified_on"]), start)
        employed = days(p["employed_on"])
        hi = np.minimum(np.where(np.isnat(employed), end, employed), end)
        count = np.where(hi >= lo, rng.choice(np.array([0, 1, 2, 3, 3, 4, 5, 6]), p.height), 0)
        who = np.repeat(np.arange(p.height), count)
        day = uniform_days(rng, lo[who], hi[who])
        posts = sorted(ctx.world.posts[city], key=lambda x: x.published_on)
        published = np.array([x.published_on for x in posts], dtype="datetime64[D]")
        post_ids = [x.post_id for x in posts]
        available = np.searchsorted(published, day, side="right")  # postings already published
        chosen = np.floor(rng.random(len(who)) * available).astype(np.int64)
        ok = available > 0
        recs = pl.DataFrame(
            {
                "pid": p["pid"][who],
                "name": p["name"][who],
                "post_id": pick(post_ids, np.where(ok, chosen, 0)),
                "referred_on": pl.Series(day, dtype=pl.Date),
                "referral_method": pick(
                    terms.REFERRAL_METHODS, rng.integers(0, len(terms.REFERRAL_METHODS), len(who))
                ),
            }
        ).filter(pl.Series(ok))
        recs = recs.unique(["pid", "post_id"], keep="first", maintain_order=True)
        return spread(ctx, rng, city, recs, days(recs["referred_on"]), resend=0.1)
