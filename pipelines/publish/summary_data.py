"""What the final summary (活动总结, contract §10) says, gathered from the gated warehouse.

The summary is for the last cut-off, for the province and for each city: completion
of every target (§7) with the cities' ranks, the 17 figures and their trend over the
cut-offs, bases and pairings (§8), reporting timeliness, data quality, and the city's
典型案例 and 意见建议 as written. It names no person: it reads only marts (pseudonymous)
and the cities' own free text; from the contact register it takes whether a contact
was named, never who.

This module only assembles tables with Chinese headers; summary_xlsx and summary_page
lay them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign

RATE_MEASURES = {m for m in terms.COMPLETION_MEASURES if m.endswith("_rate")}


@dataclass
class Section:
    title: str
    table: pl.DataFrame  # every column already has its Chinese header; cells are text
    note: str = ""


@dataclass
class CityText:
    kind: str  # 典型案例 | 意见建议
    title: str | None
    content: str
    people_involved: int | None


@dataclass
class Scope:
    code: str
    name: str
    sections: list[Section] = field(default_factory=list)
    texts: list[CityText] = field(default_factory=list)


@dataclass
class Summary:
    campaign: Campaign
    cutoff: dt.date
    scopes: list[Scope]  # the province first, then the cities in code order

    @property
    def title(self) -> str:
        return f"{self.campaign.name}活动总结"


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    cur = con.cursor()  # DuckDB 2.0 refuses a new query while another result is open
    try:
        return cur.sql(sql, params=params or None).pl()
    finally:
        cur.close()


def fmt_value(measure: str, value: float | None) -> str:
    if value is None:
        return "—"
    if measure in RATE_MEASURES:
        return f"{value * 100:.1f}%"
    return f"{value:.2f}"


def fmt_number(value: object, money: bool = False) -> str:
    if value is None:
        return "—"
    if money:
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"  # type: ignore[call-overload]


def _completion(rankings: pl.DataFrame, province: pl.DataFrame, code: str) -> Section:
    rows = []
    for measure, label in terms.COMPLETION_MEASURES.items():
        if code == terms.PROVINCE_CODE:
            value = province.filter(pl.col("measure") == measure)["value"]
            rows.append(
                {"完成指标": label, "数值": fmt_value(measure, value[0] if value.len() else None)}
            )
            continue
        r = rankings.filter((pl.col("measure") == measure) & (pl.col("city_code") == code))
        value = r["value"][0] if r.height else None
        rank = r["city_rank"][0] if r.height else None
        ranked = r["cities_ranked"][0] if r.height else 0
        rows.append(
            {
                "完成指标": label,
                "数值": fmt_value(measure, value),
                "全省排名": f"{rank}/{ranked}" if rank is not None else "未排名",
            }
        )
    return Section(
        "一、完成情况",
        pl.DataFrame(rows),
        "推送岗位、走访、一人一策、就业、临时救助按截止日的援助对象计算；专场招聘按每14天一个周期计算。",
    )


def _ranking_table(rankings: pl.DataFrame) -> Section:
    """The province's supervision table: each city's value and rank on every measure."""
    cities = rankings.select("city_code", "city_name").unique().sort("city_code")
    rows = []
    for code, name in cities.iter_rows():
        row: dict[str, str] = {"城市": name}
        for measure, label in terms.COMPLETION_MEASURES.items():
            r = rankings.filter((pl.col("measure") == measure) & (pl.col("city_code") == code))
            value, rank = (r["value"][0], r["city_rank"][0]) if r.height else (None, None)
            row[label] = fmt_value(measure, value) + (f"\n第{rank}名" if rank is not None else "")
        rows.append(row)
    return Section(
        "各市完成情况排名", pl.DataFrame(rows), "名次按数值从高到低；无分母的城市不排名。"
    )


def _trend(stats: pl.DataFrame, code: str) -> Section:
    mine = stats.filter(pl.col("city_code") == code).sort("cutoff_date")
    rows = []
    for f in terms.FIGURES:
        row = {"指标": f.header}
        for cutoff, value in zip(mine["cutoff_date"], mine[f.name], strict=True):
            row[cutoff.strftime("%m-%d")] = fmt_number(value, f.money)
        rows.append(row)
    return Section(
        "二、主要数据（截至各截止日的累计数）",
        pl.DataFrame(rows),
        "最后一列为活动结束时的数字；金额单位为元。",
    )


def _supplement(supplement: pl.DataFrame, pool: pl.DataFrame, code: str) -> list[Section]:
    r = supplement.filter(pl.col("city_code") == code).row(0, named=True)
    rows = [
        {"指标": header, "数值": fmt_number(r[name])}
        for name, header in terms.SUPPLEMENT_FIGURES.items()
    ]
    order = {c: i for i, c in enumerate((*terms.JOB_CATEGORIES, terms.NOT_FILLED))}
    mine = pool.filter((pl.col("city_code") == code) & (pl.col("postings") > 0)).sort(
        pl.col("post_category").replace_strict(order, default=len(order))
    )
    pool_rows = [
        {"岗位类别": c, "岗位数": fmt_number(p), "招聘人数": fmt_number(o)}
        for c, p, o in mine.select("post_category", "postings", "openings").iter_rows()
    ]
    return [
        Section("三、援助基地、结对帮扶及其他", pl.DataFrame(rows)),
        Section(
            "岗位归集（按岗位类别）",
            pl.DataFrame(pool_rows)
            if pool_rows
            else pl.DataFrame({"岗位类别": ["无"], "岗位数": ["0"], "招聘人数": ["0"]}),
        ),
    ]


def _timeliness(completeness: pl.DataFrame, code: str | None) -> Section:
    df = completeness if code is None else completeness.filter(pl.col("city_code") == code)
    by = ["city_code", "city_name"] if code is None else []
    agg = (
        df.group_by(by or pl.lit(1).alias("_all"))
        .agg(
            expected=pl.col("expected").cast(pl.Int64).sum(),
            received=pl.col("received").cast(pl.Int64).sum(),
            on_time=pl.col("on_time").cast(pl.Int64).sum(),
            late=pl.col("late").cast(pl.Int64).sum(),
            carried=pl.col("is_carried_forward").cast(pl.Int64).sum(),
        )
        .sort(by or "_all")
    )
    rows = []
    for r in agg.iter_rows(named=True):
        row = {"城市": r["city_name"]} if code is None else {}
        row |= {
            "应报": fmt_number(r["expected"]),
            "已报": fmt_number(r["received"]),
            "按时": fmt_number(r["on_time"]),
            "迟报": fmt_number(r["late"]),
            "台账沿用上期": fmt_number(r["carried"]),
            "按时报送率": f"{r['on_time'] / r['expected'] * 100:.1f}%" if r["expected"] else "—",
        }
        rows.append(row)
    return Section(
        "四、报送及时性（全部截止日）",
        pl.DataFrame(rows),
        "应报为每个截止日的台账、走访、岗位、招聘活动、推介记录和统计表。",
    )


def _quality(quality: pl.DataFrame, code: str | None) -> Section:
    df = quality if code is None else quality.filter(pl.col("city_code") == code)
    labels = {
        "rows_quarantined": "未能入库的行",
        "cells_emptied": "置空的单元格",
        "files_unusable": "未能识别或读取的文件",
        "persons_unresolved": "身份证号无法确认的记录",
        "invalid_credit_codes": "统一社会信用代码校验不通过",
        "contact_named": "已报送联系人",
    }
    rows = []
    for r in df.sort("city_code").iter_rows(named=True):
        row = {"城市": r["city_name"]} if code is None else {}
        for k, label in labels.items():
            row[label] = ("是" if r[k] else "否") if k == "contact_named" else fmt_number(r[k])
        rows.append(row)
    return Section(
        "五、数据质量",
        pl.DataFrame(rows),
        "未能入库的行不计入任何数字；各市可在问题反馈表中查看每一行的原因并更正后重新上传。",
    )


def _quality_frame(con: duckdb.DuckDBPyConnection, cutoff: dt.date) -> pl.DataFrame:
    return _query(
        con,
        """
        with cities as (select city_code::varchar as city_code, city_name from reference.ref_cities),
        q as (
            select city_code,
                   count(*) filter (where issue_level = 'row' and file_is_current) as rows_quarantined,
                   count(*) filter (where issue_level = 'cell' and file_is_current) as cells_emptied,
                   count(*) filter (where issue_level = 'file') as files_unusable
            from marts.rpt_quarantine group by city_code
        ),
        p as (
            select city_code, count(*) as persons_unresolved
            from intermediate.int_person_quarantine
            where is_current_file and cutoff_date is not null group by city_code
        ),
        s as (
            select city_code, invalid_credit_codes from marts.rpt_campaign_supplement where cutoff_date = $1
        ),
        c as (
            select city_code, bool_or(has_contact) as contact_named
            from restricted.restricted_contact_register where cutoff_date = $1 group by city_code
        )
        select cities.city_code, cities.city_name,
               coalesce(q.rows_quarantined, 0) as rows_quarantined,
               coalesce(q.cells_emptied, 0) as cells_emptied,
               coalesce(q.files_unusable, 0) as files_unusable,
               coalesce(p.persons_unresolved, 0) as persons_unresolved,
               coalesce(s.invalid_credit_codes, 0) as invalid_credit_codes,
               coalesce(c.contact_named, false) as contact_named
        from cities
        left join q using (city_code) left join p using (city_code)
        left join s using (city_code) left join c using (city_code)
    """,
        [cutoff],
    )


def _texts(texts: pl.DataFrame, code: str) -> list[CityText]:
    mine = texts.filter(pl.col("city_code") == code).sort(
        "text_kind", "source_cutoff_date", "file_path", "source_row"
    )
    return [
        CityText(r["text_kind"], r["title"], r["content"], r["people_involved"])
        for r in mine.iter_rows(named=True)
    ]


def load_summary(con: duckdb.DuckDBPyConnection, campaign: Campaign) -> Summary:
    """The summary at the campaign's last cut-off, from the built (and gated) warehouse."""
    cutoff = max(campaign.cutoffs)
    stats = _query(con, "select * from marts.rpt_campaign_stats")
    targets = _query(con, "select * from marts.rpt_city_targets where cutoff_date = $1", [cutoff])
    rankings = _query(con, "select * from marts.rpt_city_rankings where cutoff_date = $1", [cutoff])
    supplement = _query(
        con, "select * from marts.rpt_campaign_supplement where cutoff_date = $1", [cutoff]
    )
    pool = _query(con, "select * from marts.rpt_job_pool where cutoff_date = $1", [cutoff])
    completeness = _query(
        con, "select * from marts.rpt_reporting_completeness where cutoff_date <= $1", [cutoff]
    )
    texts = _query(
        con, "select * from intermediate.int_summary_texts where source_cutoff_date <= $1", [cutoff]
    )
    quality = _quality_frame(con, cutoff)
    prov_stats = stats.filter(
        (pl.col("city_code") == terms.PROVINCE_CODE) & (pl.col("cutoff_date") == cutoff)
    )
    prov = targets.filter(pl.col("city_code") == terms.PROVINCE_CODE)
    visits_per_target = (
        prov_stats["visits"][0] / prov_stats["targets_identified"][0]
        if prov_stats.height and prov_stats["targets_identified"][0]
        else None
    )
    province_measures = pl.DataFrame(
        {
            "measure": list(terms.COMPLETION_MEASURES),
            "value": [
                visits_per_target
                if m == "visits_per_target"
                else (prov[m][0] if prov.height else None)
                for m in terms.COMPLETION_MEASURES
            ],
        },
        schema={"measure": pl.String, "value": pl.Float64},
    )

    province = Scope(terms.PROVINCE_CODE, terms.PROVINCE_NAME)
    province.sections = [
        _completion(rankings, province_measures, terms.PROVINCE_CODE),
        _ranking_table(rankings),
        _trend(stats, terms.PROVINCE_CODE),
        *_supplement(supplement, pool, terms.PROVINCE_CODE),
        _timeliness(completeness, None),
        _quality(quality, None),
    ]
    counts = texts.group_by("city_code", "text_kind").len()
    province.sections.append(
        Section(
            "六、各市报送的典型案例和意见建议",
            pl.DataFrame(
                [
                    {
                        "城市": name,
                        "典型案例": str(
                            counts.filter(
                                (pl.col("city_code") == code) & (pl.col("text_kind") == "典型案例")
                            )["len"].sum()
                        ),
                        "意见建议": str(
                            counts.filter(
                                (pl.col("city_code") == code) & (pl.col("text_kind") == "意见建议")
                            )["len"].sum()
                        ),
                    }
                    for code, name in terms.CITIES.items()
                ]
            ),
            "全文见各市部分，按原文照录。",
        )
    )
    scopes = [province]
    for code, name in terms.CITIES.items():
        scope = Scope(
            code,
            name,
            [
                _completion(rankings, province_measures, code),
                _trend(stats, code),
                *_supplement(supplement, pool, code),
                _timeliness(completeness, code),
                _quality(quality, code),
            ],
            _texts(texts, code),
        )
        scopes.append(scope)
    return Summary(campaign, cutoff, scopes)
