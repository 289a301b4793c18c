"""援助基地: a city's list of recognised assistance bases, a snapshot sent with some of its
reports (a city that sends none keeps its last list; a few cities never send one).

Some targets employed by 企业吸纳 work at a base: the ledger's 就业单位 names the base's
运营单位 or 基地名称, sometimes written slightly differently (a stray space or a
full-width character, which the contract's name folding forgives; or a shortened name,
which it does not). Their employer is set here, before the ledger is written."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from stdnum.cn import uscc

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise, tags
from tools.demo.tables.common import Context, dated_text
from tools.demo.writers import NUMBER, Sheet

TABLE = terms.BASES
WHAT = "就业援助基地名单"
WORDS = ("暖心", "众诚", "鲁信", "安康", "惠民", "齐鲁", "同心", "润泽", "恒信", "泰和")
OPERATORS = ("人力资源有限公司", "职业培训学校", "科技有限公司", "就业服务中心")
KINDS = {
    terms.BASE_EMPLOYMENT_ASSISTANCE: "就业援助基地",
    terms.BASE_TRAINING: "职业技能培训基地",
    terms.BASE_INTERNSHIP: "就业见习基地",
}
NEVER_SENDING_CITIES = 4
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"{city}援助基地名单{cut:%m%d}", "就业援助基地", f"附件 援助基地（{cut:%m%d}）")


def never_sending(ctx: Context, what: str) -> set[str]:
    """The cities that never send a table (not 济南, whose uploads carry other noise)."""
    r = ctx.rng(what, "never")
    cities = [c for c in terms.CITIES if c != "370100"]
    return {cities[i] for i in r.choice(len(cities), NEVER_SENDING_CITIES, replace=False)}


def sending_slots(ctx: Context, what: str, city: str, r: np.random.Generator) -> list[int]:
    """The first report, and now and then a later one (a snapshot resent with news)."""
    n = len(ctx.campaign.cutoffs)
    slots = [0] + [i for i in range(1, n) if r.random() < 0.35]
    return [i for i in slots if (city, i) not in ctx.plan.missing]


class SentLists:
    """A list the cities send as a snapshot (bases, pairings): each city's whole list
    (`lists`, built by prepare), sent in some folders (`slots`, see sending_slots). The
    list of a folder is the list as the city knows it: entries dated (`dated_by`) up to
    `known_ahead` after the cut-off are already on it (their date keeps them out of
    earlier counts)."""

    ctx: Context
    dated_by: str
    known_ahead: dt.timedelta
    lists: dict[str, pl.DataFrame]
    slots: dict[str, list[int]]

    def list_sent(self, city: str, idx: int) -> pl.DataFrame:
        """The list `city` sends in folder `idx`; empty when it sends none there."""
        if idx not in self.slots.get(city, ()):
            return pl.DataFrame()
        cut = self.ctx.campaign.cutoffs[idx]
        return self.lists[city].filter(pl.col(self.dated_by) <= cut + self.known_ahead)


def uscc_code(city: str, r: np.random.Generator, typo_rate: float = 0.15) -> str:
    """A 统一社会信用代码 of the city's region; now and then with a typo (the GB 32100 check
    fails, the row still loads)."""
    body = (
        "91" + city + "".join(USCC_ALPHABET[int(x)] for x in r.integers(0, len(USCC_ALPHABET), 9))
    )
    good = body + uscc.calc_check_digit(body)
    if r.random() < typo_rate:
        return good[:-1] + ("0" if good[-1] != "0" else "1")
    return good


def spelled_differently(name: str, r: np.random.Generator) -> tuple[str, bool]:
    """The name as a ledger clerk writes it, and whether the contract's folding matches it."""
    u = r.random()
    if u < 0.35:
        k = int(r.integers(1, len(name)))
        return name[:k] + " " + name[k:], True
    if u < 0.5:
        return name.replace("有限公司", "有限公司　"), True  # an ideographic space
    if u < 0.65 and "有限公司" in name:
        return name.replace("有限公司", "公司"), False
    return name, True


class Bases(SentLists):
    table = TABLE
    dated_by = "recognised_on"
    known_ahead = dt.timedelta(days=20)

    def prepare(self, ctx: Context) -> None:
        self.ctx = ctx
        start, end = ctx.campaign.start, ctx.campaign.end
        never = never_sending(ctx, "bases")
        self.lists: dict[str, pl.DataFrame] = {}
        self.slots: dict[str, list[int]] = {}
        for city in terms.CITIES:
            if city in never:
                continue
            r = ctx.rng("bases", city)
            n = int(r.integers(2, 7))
            short = terms.CITIES[city].removesuffix("市")
            words = r.choice(len(WORDS), n, replace=False)
            kinds = list(KINDS)
            rows = []
            for k in range(n):
                kind = kinds[int(r.integers(len(kinds)))]
                operator = short + WORDS[words[k]] + OPERATORS[int(r.integers(len(OPERATORS)))]
                # Recognised before the campaign or during it (after an early cut-off, so
                # the 认定日期 ≤ T rule matters).
                if r.random() < 0.6:
                    recognised = dt.date(2021, 1, 1) + dt.timedelta(days=int(r.integers(0, 500)))
                else:
                    recognised = start + dt.timedelta(days=int(r.integers(0, (end - start).days)))
                code = uscc_code(city, r)
                rows.append(
                    {
                        "base_id": f"JD{city[:4]}{k + 1:02d}",
                        "base_name": short + WORDS[words[k]] + KINDS[kind],
                        "base_type": kind,
                        "operator": operator,
                        "operator_uscc": code,
                        "recognised_on": recognised,
                        "posts_offered": int(r.integers(5, 80)),
                        "contact_name": None,
                        "contact_phone": None,
                    }
                )
            self.lists[city] = pl.DataFrame(rows, schema_overrides={"recognised_on": pl.Date})
            self.slots[city] = sending_slots(ctx, "bases", city, r)
            self.employ_at_bases(city, r)

    def employ_at_bases(self, city: str, r: np.random.Generator) -> None:
        """Some 企业吸纳 hires of the city work at one of its bases."""
        persons = self.ctx.persons[city]
        hired = persons.filter(pl.col("channel") == terms.CHANNEL_ENTERPRISE)["pid"].to_list()
        if not hired:
            return
        bases = self.lists[city]
        chosen = [hired[i] for i in np.flatnonzero(r.random(len(hired)) < 0.3)]
        employers = {}
        for pid in chosen:
            b = int(r.integers(bases.height))
            name = bases["operator"][b] if r.random() < 0.7 else bases["base_name"][b]
            employers[pid] = spelled_differently(name, r)[0]
        if employers:
            new = pl.DataFrame({"pid": list(employers), "_employer": list(employers.values())})
            self.ctx.persons[city] = (
                persons.join(new, on="pid", how="left", maintain_order="left")
                .with_columns(employer=pl.coalesce("_employer", "employer"))
                .drop("_employer")
            )

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        recs = self.list_sent(city, idx)
        if recs.is_empty():
            return

        def build(nz: CellNoise, fmt: str) -> Rows:
            text, types, date_tag = dated_text(recs, TABLE, nz, fmt, ("recognised_on",))
            bad = (
                recs["operator_uscc"]
                .map_elements(lambda c: not uscc.is_valid(c), return_dtype=pl.Boolean)
                .to_numpy()
            )
            noise = noise_list(date_tag, tags(bad, "uscc_typo"))
            logical = recs.select(
                "base_id", "base_name", "base_type", "operator", "operator_uscc", "recognised_on"
            )
            return Rows(
                Sheet([], text, types | {"posts_offered": NUMBER}),
                truth_frame(None, noise),
                logical,
            )

        rec.slot_table(city, idx, TABLE, WHAT, names, build, nrows=recs.height)
