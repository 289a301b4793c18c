"""联系人: the campaign contact a city names with its first report (some name a new one
later: the latest upload wins; a few cities never name one and get a reminder)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise
from tools.demo.tables.bases import never_sending
from tools.demo.tables.common import Context
from tools.demo.world import random_names
from tools.demo.writers import TEXT, Sheet

TABLE = terms.CONTACTS
WHAT = "暖心活动联系人"
POSITIONS = ("科长", "副科长", "科员", "主任")


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"{city}联系人", "联系人信息", "暖心活动联系人登记表")


class Contacts:
    table = TABLE

    def prepare(self, ctx: Context) -> None:
        self.ctx = ctx
        never = never_sending(ctx, "contacts")
        n = len(ctx.campaign.cutoffs)
        self.sent: dict[tuple[str, int], dict] = {}
        for city in terms.CITIES:
            if city in never:
                continue
            r = ctx.rng("contacts", city)
            first = 0 if r.random() < 0.8 else min(1, n - 1)
            slots = [first] + (
                [int(r.integers(first + 1, n))] if n > first + 1 and r.random() < 0.3 else []
            )
            for i in slots:
                if (city, i) in ctx.plan.missing:
                    continue
                phone = "13" + "".join(str(int(d)) for d in r.integers(0, 10, 9))
                self.sent[(city, i)] = {
                    "name": random_names(ctx.world, r, 1)[0],
                    "unit": terms.CITIES[city] + "人力资源和社会保障局就业促进科",
                    "position": POSITIONS[int(r.integers(len(POSITIONS)))],
                    "office_phone": "0531-" + "".join(str(int(d)) for d in r.integers(0, 10, 8)),
                    "mobile": phone,
                    "email": f"jy{city}@example.cn",
                }

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        contact = self.sent.get((city, idx))
        if contact is None:
            return
        recs = pl.DataFrame([contact])

        def build(nz: CellNoise, fmt: str) -> Rows:
            text = recs.select([c.name for c in TABLE.columns])
            return Rows(
                Sheet([], text, {"name": pl.Series([TEXT], dtype=pl.UInt8)}),
                truth_frame(None, noise_list(pl.Series([None], dtype=pl.String))),
                recs.select("name", "mobile"),
            )

        rec.slot_table(city, idx, TABLE, WHAT, names, build, nrows=1)
