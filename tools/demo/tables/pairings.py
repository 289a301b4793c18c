"""结对帮扶: a city's list of pairings (cadres paired with targets, enterprises with
communities), a snapshot sent with some reports; a few cities never send one. Cadre rows
name the target by ID (with the usual ID noise: a typo cannot be linked, the table has
no phone); some pairings end before the campaign does."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise
from tools.demo.tables.bases import SentLists, never_sending, sending_slots, uscc_code
from tools.demo.tables.common import Context
from tools.demo.writers import Sheet

TABLE = terms.PAIRINGS
WHAT = "结对帮扶台账"
COMMUNITIES = ("幸福", "和谐", "阳光", "康宁", "兴隆", "朝阳", "新华", "福泉")
CADRE_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "孙")
SCHEMA = {
    "pairing_id": pl.String,
    "pairing_type": pl.String,
    "helper": pl.String,
    "helper_uscc": pl.String,
    "pid": pl.String,
    "name": pl.String,
    "community": pl.String,
    "paired_on": pl.Date,
    "ended_on": pl.Date,
}


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"{city}结对帮扶台账{cut:%m%d}", "结对帮扶", f"干部结对帮扶情况（{cut:%m%d}）")


class Pairings(SentLists):
    table = TABLE
    dated_by = "paired_on"
    known_ahead = dt.timedelta(days=10)

    def prepare(self, ctx: Context) -> None:
        self.ctx = ctx
        start, end = ctx.campaign.start, ctx.campaign.end
        span = (end - start).days
        never = never_sending(ctx, "pairings")
        self.lists: dict[str, pl.DataFrame] = {}
        self.slots: dict[str, list[int]] = {}
        for city in terms.CITIES:
            if city in never:
                continue
            r = ctx.rng("pairings", city)
            persons = ctx.persons[city]
            chosen = persons.filter(pl.Series(r.random(persons.height) < 0.2))
            n = chosen.height
            paired = [
                start - dt.timedelta(days=20) + dt.timedelta(days=int(d))
                for d in r.integers(0, span + 20, n)
            ]
            ended = [
                p + dt.timedelta(days=int(d)) if u < 0.15 else None
                for p, d, u in zip(paired, r.integers(5, 60, n), r.random(n), strict=True)
            ]
            cadre = pl.DataFrame(
                {
                    "pairing_id": [f"JD-{k + 1:04d}" for k in range(n)],
                    "pairing_type": [terms.PAIRING_CADRE_TARGET] * n,
                    "helper": [
                        CADRE_SURNAMES[int(i)] + "干部"
                        for i in r.integers(0, len(CADRE_SURNAMES), n)
                    ],
                    "helper_uscc": [None] * n,
                    "pid": chosen["pid"],
                    "name": chosen["name"],
                    "community": [None] * n,
                    "paired_on": paired,
                    "ended_on": ended,
                },
                schema=SCHEMA,
            )
            m = int(r.integers(1, 5))
            enterprise = pl.DataFrame(
                {
                    "pairing_id": [f"QS-{k + 1:03d}" for k in range(m)],
                    "pairing_type": [terms.PAIRING_ENTERPRISE_COMMUNITY] * m,
                    "helper": [
                        terms.CITIES[city].removesuffix("市") + "爱心企业" + str(k + 1)
                        for k in range(m)
                    ],
                    "helper_uscc": [uscc_code(city, r) for _ in range(m)],
                    "pid": [None] * m,
                    "name": [None] * m,
                    "community": [
                        COMMUNITIES[int(i)] + "社区" for i in r.integers(0, len(COMMUNITIES), m)
                    ],
                    "paired_on": [
                        start + dt.timedelta(days=int(d)) for d in r.integers(0, span, m)
                    ],
                    "ended_on": [None] * m,
                },
                schema=SCHEMA,
            )
            self.lists[city] = pl.concat([cadre, enterprise])
            self.slots[city] = sending_slots(ctx, "pairings", city, r)

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        recs = self.list_sent(city, idx)
        if recs.is_empty():
            return

        def build(nz: CellNoise, fmt: str) -> Rows:
            n = recs.height
            cadre = (recs["pairing_type"] == terms.PAIRING_CADRE_TARGET).to_numpy()
            at = np.flatnonzero(cadre)
            ids = nz.ids(recs["pid"].gather(at), fmt, typo_rate=0.02, numeric_as_text=True)

            def spread(values: pl.Series) -> pl.Series:
                out: list[str | None] = [None] * n
                for k, v in zip(at, values.to_list(), strict=True):
                    out[k] = v
                return pl.Series(out, dtype=pl.String)

            cell, text_id, id_tag = spread(ids.cell), spread(ids.text), spread(ids.tag)
            style, date_tag = nz.row_date_styles(n, nz.file_date_style(fmt), fmt)
            paired, paired_type = nz.dates(recs["paired_on"], style)
            ended, ended_type = nz.dates(recs["ended_on"], style)
            text = (
                recs.select(
                    pl.col("pairing_id"),
                    pl.col("pairing_type"),
                    pl.col("helper"),
                    pl.col("helper_uscc"),
                    pl.col("name"),
                    pl.lit(None, pl.String).alias("id_number"),
                    pl.col("community"),
                )
                .with_columns(id_number=cell, paired_on=paired, ended_on=ended)
                .select([c.name for c in TABLE.columns])
            )
            noise = noise_list(id_tag, date_tag)
            logical = recs.select(
                "pairing_id", "pairing_type", "helper_uscc", "paired_on", "ended_on"
            ).with_columns(id_text=text_id, name_text=recs["name"])
            return Rows(
                Sheet([], text, {"paired_on": paired_type, "ended_on": ended_type}),
                truth_frame(recs["pid"], noise),
                logical,
            )

        rec.slot_table(city, idx, TABLE, WHAT, names, build, nrows=recs.height)
