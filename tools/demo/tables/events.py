"""招聘活动开展情况: the city's recruitment events (专场 or not), reported after they are
held and often again later."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise, tags
from tools.demo.tables.common import SentRecords, dated_text, spread
from tools.demo.writers import NUMBER, Sheet

TABLE = terms.EVENTS
WHAT = "招聘活动开展情况"


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"招聘活动开展情况{cut:%m%d}", f"{city}专场招聘会", "招聘活动")


class Events(SentRecords):
    table = TABLE

    def records(self, city: str) -> pl.DataFrame:
        ctx = self.ctx
        evs = ctx.world.events[city]
        recs = pl.DataFrame(
            {
                "event_id": [e.event_id for e in evs],
                "event_name": [e.name for e in evs],
                "held_on": [e.held_on for e in evs],
                "event_form": [e.form for e in evs],
                "is_special": [terms.YES if e.special else terms.NO for e in evs],
                "employers_count": [e.employers for e in evs],
                "posts_offered": [e.posts for e in evs],
                "participants": [e.participants for e in evs],
            },
            schema_overrides={"held_on": pl.Date},
        )
        day = np.array([max(e.held_on, ctx.campaign.start) for e in evs], dtype="datetime64[D]")
        return spread(ctx, ctx.rng("events", city), city, recs, day, resend=0.5)

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        recs = self.sent_in(city, idx)

        def build(nz: CellNoise, fmt: str) -> Rows:
            text, types, date_tag = dated_text(recs, TABLE, nz, fmt, ("held_on",))
            types |= {
                "employers_count": NUMBER,
                "posts_offered": NUMBER,
                "participants": NUMBER,
            }
            noise = noise_list(date_tag, tags(recs["resent"].to_numpy(), "resent"))
            logical = recs.select("event_id", "held_on", "is_special", "event_form")
            return Rows(Sheet([], text, types), truth_frame(None, noise), logical)

        rec.slot_table(city, idx, TABLE, WHAT, names, build, ncols=8, nrows=recs.height)
