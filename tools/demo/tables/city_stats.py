"""统计表: each city's own 17 figures per cut-off, in the policy attachment's layout
(title, 填报单位, 填报时间, two-row header, one data row, signatures). About a third
of the cities' figures differ from the truth (数据比对)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from tools.demo import writers
from tools.demo.emit import Recorder
from tools.demo.plan import Plan
from tools.demo.writers import StatsLayout

TABLE = terms.CITY_STATS


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"附件：暖心活动统计表（{city}）", f"统计表{cut:%m%d}", f"{city}暖心活动统计{cut:%m%d}")


def write(campaign: Campaign, plan: Plan, rec: Recorder, stats: pl.DataFrame) -> None:
    """Needs no world: written after the truth, once the world has been freed."""
    by_key = {(row["cutoff_date"], row["city_code"]): row for row in stats.iter_rows(named=True)}
    for city in terms.CITIES:
        for idx, cut in enumerate(campaign.cutoffs):
            if (city, idx) in plan.missing:
                continue
            pick = rec.noise("city_stats", city, idx)
            exp = by_key[(cut, city)]
            values: list[str | int | float | None] = [terms.CITIES[city]]
            deviates = pick.random() < 0.35  # cities' own counts differ (数据比对)
            for f in terms.FIGURES:
                v = exp[f.name]
                if deviates and pick.random() < 0.3:
                    v = (
                        round(v * (1.0 + 0.2 * pick.random()), 2)
                        if f.money
                        else int(v) + int(pick.rng.integers(0, 6))
                    )
                values.append(float(v) if f.money else int(v))
            layout = StatsLayout(
                title=f"{campaign.name}统计表",
                unit_line=f"填报单位：{terms.CITIES[city]}人力资源和社会保障局（盖章）",
                date_line=f"填报时间：{cut.year}年{cut.month}月{cut.day}日",
                first_header=TABLE.columns[0].header,
                figures=[(f.header, f.group) for f in terms.FIGURES],
                values=values,
                footer=f"单位负责人：{pick.choice(('王', '李', '张'))}主任        填表人：{pick.choice(('刘', '陈', '杨'))}科员",
            )
            fmt = "xls" if plan.habit[city] == "xls" else "xlsx"
            received = plan.file_time(city, idx, "city_stats")
            rel = f"{plan.folder(city, idx)}/{plan.file_name(pick, names(terms.CITIES[city], cut), fmt, False)}"
            path: Path = rec.out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            row = (writers.write_stats_xlsx if fmt == "xlsx" else writers.write_stats_xls)(
                path, layout
            )
            noise = ["title_rows", "two_row_header"] + (["format_xls"] if fmt == "xls" else [])
            if received.date() > cut:
                noise.append("late_file")
            if (city, idx) == plan.laiwu_slot:
                noise.append("folder_371200")
            rec.register(rel, TABLE.name, fmt, None, received, city, cut, noise)
            rec.single_row(rel, TABLE.name, row, ["self_reported_differs"] if deviates else [])
