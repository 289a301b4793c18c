"""援助对象台账: every city's whole ledger at each cut-off (people identified so far,
plus people another city also claims)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise, tags
from tools.demo.tables.common import Context, guest_people
from tools.demo.writers import NUMBER, Sheet

TABLE = terms.LEDGER
FELL_BACK_RATE = 0.15  # of the people employed at some point
WHAT = "就业援助对象台账"


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (
        f"{city}就业援助对象台账{cut:%m%d}",
        f"{city}暖心活动台账（截至{cut.month}月{cut.day}日）",
        f"援助对象台账-{city}-{cut:%Y%m%d}",
    )


class Ledger:
    table = TABLE

    def prepare(self, ctx: Context) -> None:
        self.ctx = ctx
        # A few people lose their job again during the campaign: later ledgers show them
        # 未就业 (contract §8, fell_back_to_unemployed). Their own stream: nothing else moves.
        for city, persons in ctx.persons.items():
            r = ctx.rng("ledger", "job_lost", city)
            lost = (r.random(persons.height) < FELL_BACK_RATE) & persons[
                "employed_on"
            ].is_not_null().to_numpy()
            after = pl.Series(r.integers(15, 45, persons.height)).cast(pl.Int64)
            ctx.persons[city] = persons.with_columns(
                lost_on=pl.when(pl.Series(lost)).then(
                    pl.col("employed_on") + pl.duration(days=after)
                )
            )
        if ctx.everyone is not None:
            ctx.everyone = ctx.everyone.with_columns(lost_on=pl.lit(None, pl.Date))

    def people(self, city: str, idx: int) -> pl.DataFrame:
        ctx, plan = self.ctx, self.ctx.plan
        received = plan.received[(city, idx)].date()
        people = ctx.persons[city].filter(pl.col("identified_on") <= received)
        guests = plan.guests.get((city, idx))
        if guests:
            extra = (
                guest_people(ctx, guests)
                .with_columns(identified_on=pl.col("_ident"))
                .select(people.columns)
            )
            people = pl.concat([people, extra])
        return people

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        people = self.people(city, idx)
        cut = self.ctx.campaign.cutoffs[idx]
        cross = {pid for pid, i in self.ctx.plan.cross_city_keys if i == idx}

        def build(nz: CellNoise, fmt: str) -> Rows:
            return rows(people, nz, fmt, idx, cut, cross)

        rec.slot_table(city, idx, TABLE, WHAT, names, build, nrows=people.height)


def rows(p: pl.DataFrame, nz: CellNoise, fmt: str, idx: int, cut: dt.date, cross: set[str]) -> Rows:
    n = p.height
    ids = nz.ids(p["pid"], fmt, typo_rate=0.005)
    name, name_tag = nz.names(p["name"])
    phone_true = p.select(
        pl.when(pl.col("phone2").is_not_null() & (pl.col("phone_change_idx") <= idx))
        .then(pl.col("phone2"))
        .otherwise(pl.col("phone"))
    ).to_series()
    phone, phone_tag = nz.phones(phone_true)
    style, date_tag = nz.row_date_styles(n, nz.file_date_style(fmt), fmt)
    cats, cats_tag = nz.multi(p["cats"])
    needs, needs_tag = nz.multi(p["needs"])
    missing = nz.hit(n, 0.001)
    employed = p.select(
        ((pl.col("employed_on") <= cut) & ~(pl.col("lost_on") <= cut).fill_null(False)).fill_null(
            False
        )
    ).to_series()
    when_employed = pl.Series(employed)
    cols: dict[str, pl.Series] = {}
    types: dict[str, pl.Series | int] = {"seq": NUMBER, "id_number": ids.types}
    for col, values in (
        ("unemployment_registered_on", p["ledger_reg_on"]),
        ("graduated_on", p["grad_on"]),
        ("identified_on", p["identified_on"]),
        (
            "employed_on",
            p["employed_on"].zip_with(when_employed, pl.Series([None] * n, dtype=pl.Date)),
        ),
    ):
        cols[col], types[col] = nz.dates(values, style)
    cols["identified_on"] = cols["identified_on"].zip_with(
        pl.Series(~missing), pl.Series([None] * n, dtype=pl.String)
    )
    status = pl.Series(
        np.where(employed.to_numpy(), terms.EMPLOYED, terms.UNEMPLOYED), dtype=pl.String
    )
    plan = p.select(
        pl.when((pl.col("plan_from_idx") <= idx) & (pl.col("plan") != "")).then(pl.col("plan"))
    ).to_series()
    null = pl.Series([None] * n, dtype=pl.String)
    text = pl.DataFrame(
        {
            "seq": pl.int_range(1, n + 1, eager=True).cast(pl.String),
            "name": name,
            "id_number": ids.cell,
            "gender": pl.Series(np.where(p["male"].to_numpy(), "男", "女"), dtype=pl.String),
            "phone": phone,
            "district": p["district"],
            "categories": cats,
            "unemployment_registered_on": cols["unemployment_registered_on"],
            "graduated_on": cols["graduated_on"],
            "identified_on": cols["identified_on"],
            "employment_status": status,
            "job_wish": p["wish"],
            "service_needs": needs,
            "assistance_plan": plan,
            "employed_on": cols["employed_on"],
            "employment_channel": p["channel"].zip_with(when_employed, null),
            "employer": p["employer"].zip_with(when_employed, null),
        }
    )
    after = (p["identified_on"] > cut).to_numpy()
    noise = noise_list(
        ids.tag,
        name_tag,
        phone_tag,
        date_tag,
        cats_tag.fill_null(needs_tag),
        tags(missing, "missing_required"),
        tags(after, "identified_after_cutoff"),
        tags(p["pid"].is_in(list(cross)).to_numpy(), "cross_city"),
    )
    expected = pl.Series(np.where(missing, "quarantined", "loaded"), dtype=pl.String)
    logical = pl.DataFrame(
        {
            "id_text": ids.text,
            "name_text": name,
            "phone_text": phone,
            "identified_on": p["identified_on"].zip_with(
                pl.Series(~missing), pl.Series([None] * n, dtype=pl.Date)
            ),
            "employment_status": status,
            "employed_on": p["employed_on"].zip_with(
                when_employed, pl.Series([None] * n, dtype=pl.Date)
            ),
            "employment_channel": p["channel"].zip_with(when_employed, null),
            "employer": p["employer"].zip_with(when_employed, null),
            "categories": p["cats"],
            "ledger_registered_on": p["ledger_reg_on"],
        }
    )
    return Rows(Sheet([], text, types), truth_frame(p["pid"], noise, expected), logical)
