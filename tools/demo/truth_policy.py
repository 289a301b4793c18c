"""The expected contract §8 figures (rpt_campaign_supplement, rpt_job_pool), computed from
what the files say, independently of the warehouse (polars, not SQL), like truth.py.

Inputs are truth.py's own intermediate frames (targets at T, every ledger entry, the
postings known at T, the unemployed graduates) plus the logical rows of the policy
tables. Interpretations follow the contract and docs/decisions.md:

- a city's base / pairing list for T is its current file of folder T, else of its
  latest earlier folder (carried forward); a key twice in one list: the upper row;
- a cadre pairing's person is its valid ID (the table has no phone, so an invalid ID
  is never linked and the pairing counts nowhere);
- names are compared folded like people's names (spaces removed, full-width folded,
  dots unified); credit codes are checked with python-stdnum after removing spaces and
  hyphens, upper-cased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from stdnum.cn import uscc

from pipelines import terms
from pipelines.campaign import Campaign

SUMMED = [n for n in terms.SUPPLEMENT_FIGURES if n != "median_days_to_employment"]


@dataclass
class PolicyTruth:
    supplement: pl.DataFrame
    job_pool: pl.DataFrame


def code_is_invalid(code: str | None) -> bool:
    if code is None:
        return False
    text = "".join(code.split()).replace("-", "").upper()
    return bool(text) and not uscc.is_valid(text)


def _invalid(col: str) -> pl.Expr:
    return (
        pl.col(col)
        .map_elements(code_is_invalid, return_dtype=pl.Boolean, skip_nulls=False)
        .fill_null(False)
    )


def current_lists(
    files: pl.DataFrame, logical: pl.DataFrame, table: str, key: str, cutoffs: list[dt.date]
) -> pl.DataFrame:
    """Rows of each city's current list for every cut-off T (column T, C), loaded rows only."""
    if logical.is_empty():
        return pl.DataFrame()
    cur = files.filter((pl.col("table_type") == table) & pl.col("is_current")).select(
        "file_path", "city_code", "cutoff_date"
    )
    parts = []
    for cut in cutoffs:
        src = (
            cur.filter(pl.col("cutoff_date") <= cut)
            .sort("cutoff_date")
            .group_by("city_code", maintain_order=True)
            .last()
            .with_columns(T=pl.lit(cut))
        )
        parts.append(src)
    sources = pl.concat(parts).rename({"city_code": "C"}).drop("cutoff_date")
    rows = logical.filter(pl.col("loaded")).sort("rid")
    return (
        sources.join(rows, on="file_path")
        .sort("T", "C", "rid")
        .unique(["T", "C", key], keep="first", maintain_order=True)
    )


def report_rows(
    cities: pl.DataFrame, province: pl.DataFrame, figures: Iterable[str]
) -> pl.DataFrame:
    """The city rows and the province rows (keyed T, C) as a mart: cutoff_date, city_code,
    city_name and `figures`, sorted."""
    names = {**terms.CITIES, terms.PROVINCE_CODE: terms.PROVINCE_NAME}
    return (
        pl.concat([cities, province.select(cities.columns)])
        .rename({"T": "cutoff_date", "C": "city_code"})
        .with_columns(city_name=pl.col("city_code").replace_strict(names))
        .select("cutoff_date", "city_code", "city_name", *figures)
        .sort("cutoff_date", "city_code")
    )


def compute_policy(
    campaign: Campaign,
    files: pl.DataFrame,
    logical: dict[str, pl.DataFrame],
    targets: pl.DataFrame,
    entries: pl.DataFrame,
    posts_known: pl.DataFrame,
    unemployed_graduates: pl.DataFrame,
    name_norm,
    with_normalized_id,
) -> PolicyTruth:
    """targets: T, C, person_id, employment_status, employed (bool), employed_on, reg_date,
    employer, categories. entries: T, city_code, person_id, employment_status (every city).
    posts_known: T, C, post_id, published_on, category, openings, employer_uscc."""
    start = campaign.start
    cutoffs = list(campaign.cutoffs)
    grid = pl.DataFrame(
        {
            "T": [c for c in cutoffs for _ in terms.CITIES],
            "C": [code for _ in cutoffs for code in terms.CITIES],
        },
        schema={"T": pl.Date, "C": pl.Utf8},
    )

    # ------------------------------------------------------------ bases
    bases = current_lists(files, logical.get("bases", pl.DataFrame()), "bases", "base_id", cutoffs)
    parts = []
    if not bases.is_empty():
        counted = bases.filter(pl.col("recognised_on") <= pl.col("T"))
        parts.append(
            counted.group_by("T", "C").agg(
                bases_employment_assistance=(
                    pl.col("base_type") == terms.BASE_EMPLOYMENT_ASSISTANCE
                ).sum(),
                bases_training=(pl.col("base_type") == terms.BASE_TRAINING).sum(),
                bases_internship=(pl.col("base_type") == terms.BASE_INTERNSHIP).sum(),
            )
        )
        names = pl.concat(
            [
                counted.select("T", "C", name=name_norm(pl.col("operator"))),
                counted.select("T", "C", name=name_norm(pl.col("base_name"))),
            ]
        ).unique()
        at_bases = (
            targets.filter(pl.col("employed"))
            .with_columns(name=name_norm(pl.col("employer")))
            .join(names, on=["T", "C", "name"])
            .unique(["T", "C", "person_id"])
            .group_by("T", "C")
            .agg(employed_at_bases=pl.len())
        )
        parts.append(at_bases)

    # ------------------------------------------------------------ pairings
    pairings = current_lists(
        files, logical.get("pairings", pl.DataFrame()), "pairings", "pairing_id", cutoffs
    )
    if not pairings.is_empty():
        pairings = with_normalized_id(pairings, campaign.end).with_columns(
            person_id=pl.when(pl.col("id_valid")).then(pl.col("id_norm"))
        )
        active = pairings.filter(
            (pl.col("paired_on") <= pl.col("T"))
            & (pl.col("ended_on").is_null() | (pl.col("ended_on") > pl.col("T")))
        )
        cadre = active.filter(
            (pl.col("pairing_type") == terms.PAIRING_CADRE_TARGET)
            & pl.col("person_id").is_not_null()
        )
        parts.append(
            targets.select("T", "C", "person_id")
            .join(cadre.select("T", "C", "person_id"), on=["T", "C", "person_id"])
            .unique()
            .group_by("T", "C")
            .agg(targets_paired=pl.len())
        )
        parts.append(
            active.filter(pl.col("pairing_type") == terms.PAIRING_ENTERPRISE_COMMUNITY)
            .unique(["T", "C", "pairing_id"])
            .group_by("T", "C")
            .agg(enterprise_community_pairs=pl.len())
        )

    # ------------------------------------------------------------ graduates, days, fall-backs
    grads = targets.filter(
        pl.col("categories")
        .list.eval(pl.element().is_in(list(terms.GRADUATE_CATEGORIES)))
        .list.any()
    )
    parts.append(
        grads.join(unemployed_graduates.select("person_id").unique(), on="person_id")
        .group_by("T", "C")
        .agg(graduate_targets=pl.len())
    )
    employed = targets.filter(pl.col("employed")).with_columns(
        days=(pl.col("employed_on") - pl.col("reg_date")).dt.total_days()
    )
    parts.append(employed.group_by("T", "C").agg(median_days_to_employment=pl.col("days").median()))
    was_employed = (
        entries.filter(pl.col("employment_status") == terms.EMPLOYED)
        .select(pl.col("T").alias("T_earlier"), "person_id")
        .unique()
    )
    fell = (
        targets.filter(pl.col("employment_status") == terms.UNEMPLOYED)
        .select("T", "C", "person_id")
        .join(was_employed, on="person_id")
        .filter(pl.col("T_earlier") < pl.col("T"))
        .unique(["T", "C", "person_id"])
        .group_by("T", "C")
        .agg(fell_back_to_unemployed=pl.len())
    )
    parts.append(fell)

    # ------------------------------------------------------------ credit codes
    bad = [
        posts_known.filter(_invalid("employer_uscc")).select(
            "T", "C", key=pl.lit("job_posts:") + pl.col("post_id")
        )
    ]
    if not bases.is_empty():
        bad.append(
            bases.filter(_invalid("operator_uscc")).select(
                "T", "C", key=pl.lit("bases:") + pl.col("base_id")
            )
        )
    if not pairings.is_empty():
        bad.append(
            pairings.filter(
                (pl.col("pairing_type") == terms.PAIRING_ENTERPRISE_COMMUNITY)
                & _invalid("helper_uscc")
            ).select("T", "C", key=pl.lit("pairings:") + pl.col("pairing_id"))
        )
    parts.append(pl.concat(bad).unique().group_by("T", "C").agg(invalid_credit_codes=pl.len()))

    # ------------------------------------------------------------ assemble
    sup = grid
    for part in parts:
        sup = sup.join(part, on=["T", "C"], how="left")
    for name in terms.SUPPLEMENT_FIGURES:
        if name not in sup.columns:
            sup = sup.with_columns(pl.lit(None, pl.Int64).alias(name))
    sup = sup.with_columns([pl.col(n).fill_null(0).cast(pl.Int64) for n in SUMMED]).with_columns(
        pl.col("median_days_to_employment").cast(pl.Float64)
    )
    province = (
        sup.group_by("T")
        .agg([pl.col(n).sum() for n in SUMMED])
        .join(
            employed.group_by("T").agg(
                median_days_to_employment=pl.col("days").median().cast(pl.Float64)
            ),
            on="T",
            how="left",
        )
        .with_columns(C=pl.lit(terms.PROVINCE_CODE))
    )
    supplement = report_rows(sup, province, terms.SUPPLEMENT_FIGURES)

    # ------------------------------------------------------------ job pool
    categories = [*terms.JOB_CATEGORIES, terms.NOT_FILLED]
    pool = (
        posts_known.filter(pl.col("published_on").is_between(pl.lit(start), pl.col("T")))
        .unique(["T", "C", "post_id"])
        .with_columns(post_category=pl.col("category").fill_null(terms.NOT_FILLED))
        .group_by("T", "C", "post_category")
        .agg(postings=pl.len(), openings=pl.col("openings").sum())
    )
    full = (
        grid.join(pl.DataFrame({"post_category": categories}), how="cross")
        .join(pool, on=["T", "C", "post_category"], how="left")
        .with_columns(
            postings=pl.col("postings").fill_null(0).cast(pl.Int64),
            openings=pl.col("openings").fill_null(0).cast(pl.Int64),
        )
    )
    prov_pool = (
        full.group_by("T", "post_category")
        .agg(pl.col("postings").sum(), pl.col("openings").sum())
        .with_columns(C=pl.lit(terms.PROVINCE_CODE))
    )
    job_pool = (
        pl.concat([full, prov_pool.select(full.columns)])
        .rename({"T": "cutoff_date", "C": "city_code"})
        .select("cutoff_date", "city_code", "post_category", "postings", "openings")
        .sort("cutoff_date", "city_code", "post_category")
    )
    return PolicyTruth(supplement, job_pool)
