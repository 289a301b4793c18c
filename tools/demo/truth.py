"""The expected report, computed from what the files say, following docs/contract.md §5-§6 literally.

This is deliberately an independent implementation (polars, not SQL) used to check
the warehouse. Its input is the "logical" content of every written data row (the
values a correct ingestion would load, the ID/name/phone exactly as written) plus
the register of files; it knows nothing of the simulated world behind them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from tools.demo import truth_policy
from tools.demo.ids import ID_CHECK_CHARS, ID_WEIGHTS

_FULL = [chr(0xFF10 + i) for i in range(10)] + ["Ｘ", "ｘ", "\u3000"]
_HALF = [str(i) for i in range(10)] + ["X", "x", " "]
_NAME_FULL = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"]
_NAME_HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" "]


@dataclass
class Result:
    stats: pl.DataFrame
    resolvable: pl.DataFrame  # rid, resolvable
    supplement: pl.DataFrame | None = None  # the expected rpt_campaign_supplement (§8)
    job_pool: pl.DataFrame | None = None  # the expected rpt_job_pool (§8)


def _check_char(body17: pl.Expr) -> pl.Expr:
    # Vectorised form of tools/demo/ids.id_check_char: the truth's own implementation,
    # independent of the warehouse's on purpose (a shared bug would hide in both).
    total = sum(
        body17.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(ID_WEIGHTS)
    )
    return (total % 11).replace_strict(
        list(range(11)), list(ID_CHECK_CHARS), default=None, return_dtype=pl.Utf8
    )


EARLIEST_BIRTH = dt.date(1900, 1, 1)
# How a row wrote its person, and the columns resolving it: once person_id is known,
# nothing reads them (dropped, so the per-table frames hold half as much).
SPELLINGS = (
    "id_text",
    "name_text",
    "phone_text",
    "id_norm",
    "id_valid",
    "name_norm",
    "phone_norm",
    "linked_id",
)


def with_normalized_id(df: pl.DataFrame, latest_birth: dt.date) -> pl.DataFrame:
    """Adds id_norm (normalised ID or null) and id_valid, per docs/contract.md §5 and docs/decisions.md:
    a birth date from 1900 up to `latest_birth` (the campaign end, never today's date).

    Done in steps on materialised columns: one nested expression is very slow to plan."""
    df = df.with_columns(
        _s=pl.col("id_text")
        .cast(pl.Utf8)
        .str.replace_many(_FULL, _HALF)
        .str.replace_all(r"\s", "")
        .str.to_uppercase()
    )
    df = df.with_columns(
        _b15=pl.col("_s").str.slice(0, 6) + pl.lit("19") + pl.col("_s").str.slice(6, 9)
    )
    df = df.with_columns(_c15=_check_char(pl.col("_b15")))
    df = df.with_columns(
        id_norm=pl.when(pl.col("_s").str.contains(r"^\d{15}$"))
        .then(pl.col("_b15") + pl.col("_c15"))
        .when(pl.col("_s").str.contains(r"^\d{17}[\dX]$"))
        .then(pl.col("_s"))
        .otherwise(None)
    )
    df = df.with_columns(
        _c18=_check_char(pl.col("id_norm").str.slice(0, 17)),
        _birth=pl.col("id_norm").str.slice(6, 8).str.to_date("%Y%m%d", strict=False),
    )
    return df.with_columns(
        id_valid=(
            pl.col("id_norm").is_not_null()
            & (pl.col("id_norm").str.slice(17, 1) == pl.col("_c18"))
            & pl.col("_birth").is_between(pl.lit(EARLIEST_BIRTH), pl.lit(latest_birth))
        ).fill_null(False)
    ).drop("_s", "_b15", "_c15", "_c18", "_birth")


def name_norm(text: pl.Expr) -> pl.Expr:
    dots = "[" + "".join("\\" + c if c in ".\\" else c for c in terms.NAME_DOTS) + "]"
    return (
        text.str.replace_many(_NAME_FULL, _NAME_HALF)
        .str.replace_all(r"\s", "")
        .str.replace_all(dots, "·")
    )


def phone_norm(text: pl.Expr) -> pl.Expr:
    digits = text.str.replace_all(r"\D", "")
    return (
        pl.when((digits.str.len_chars() == 13) & digits.str.starts_with("86"))
        .then(digits.str.slice(2))
        .otherwise(digits)
    )


def age_years(birth: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Age in full years on `day` (the birthday itself counts as reached)."""

    # month()/day() are Int8: widen before arithmetic (month * 100 overflows Int8).
    def month_day(d: pl.Expr) -> pl.Expr:
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    had_birthday = month_day(day) >= month_day(birth)
    return (
        day.dt.year().cast(pl.Int32)
        - birth.dt.year().cast(pl.Int32)
        - pl.when(had_birthday).then(0).otherwise(1)
    )


Logical = dict[str, pl.DataFrame | pl.LazyFrame]


def _frame(logical: Logical, table: str) -> pl.DataFrame:
    df = logical.get(table, pl.DataFrame())
    return df.collect() if isinstance(df, pl.LazyFrame) else df


def compute(
    files: pl.DataFrame,
    logical: Logical,
    campaign: Campaign,
    say: Callable[[str], None] | None = None,
) -> Result:
    """The expected report from the files' logical rows (frames, or lazy frames read when
    their table's turn comes). `logical` is consumed: each person table is taken out of it
    as it is resolved (pass a dict nobody else holds on to)."""
    say = say or (lambda _msg: None)
    start = campaign.start
    th = campaign.thresholds
    cutoffs = list(campaign.cutoffs)
    fileinfo = files.select("file_path", "city_code", "cutoff_date", "received_at", "is_current")

    # ------------------------------------------------------------ people (§5)
    # One table at a time, when it is first needed: only the ledger carries phones, so its
    # own rows are the whole linking evidence and the other tables never link an invalid ID.
    person_tables = ["ledger", "visits", "referrals", "pairings"] + [
        t.name for t in terms.REGISTRY_TABLES
    ]
    resolved_parts: dict[str, pl.DataFrame] = {}

    def resolve(t: str) -> pl.DataFrame | None:
        """Table t with person_id (null: not resolvable), its spellings dropped."""
        df = _frame(logical, t)
        # truth_policy reads the pairings' own spellings; nothing else reads these again.
        if t != "pairings":
            logical.pop(t, None)
        if df.is_empty():
            return None
        # Normalise each distinct spelling once: a person's ID is written on many rows.
        df = df.with_columns(pl.col("id_text", "name_text").cast(pl.Utf8))
        ids = with_normalized_id(df.select("id_text").unique(), campaign.end)
        names = (
            df.select("name_text").unique().with_columns(name_norm=name_norm(pl.col("name_text")))
        )
        df = df.join(ids, on="id_text", how="left", nulls_equal=True, maintain_order="left").join(
            names, on="name_text", how="left", nulls_equal=True, maintain_order="left"
        )
        del ids, names
        if t == "ledger":
            df = df.with_columns(phone_norm=phone_norm(pl.col("phone_text").cast(pl.Utf8)))
        df = df.join(fileinfo, on="file_path", how="left")
        if t == "ledger":
            # Linking evidence: name + phone of valid-ID people on any current ledger
            # (loaded rows).
            index = (
                df.filter(
                    pl.col("is_current")
                    & pl.col("loaded")
                    & pl.col("id_valid")
                    & pl.col("phone_norm").is_not_null()
                    & (pl.col("phone_norm") != "")
                )
                .group_by("name_norm", "phone_norm")
                .agg(pl.col("id_norm").unique().alias("ids"))
                .filter(pl.col("ids").list.len() == 1)
                .select("name_norm", "phone_norm", pl.col("ids").list.first().alias("linked_id"))
            )
            df = df.join(index, on=["name_norm", "phone_norm"], how="left")
            del index
        else:
            df = df.with_columns(linked_id=pl.lit(None, pl.Utf8))
        df = df.with_columns(
            person_id=pl.when(pl.col("id_valid"))
            .then(pl.col("id_norm"))
            .otherwise(pl.col("linked_id"))
        )
        resolved_parts[t] = df.select("rid", pl.col("person_id").is_not_null().alias("resolvable"))
        return df.drop(SPELLINGS, strict=False)

    def usable(t: str) -> pl.DataFrame:
        """Loaded rows whose person is known: quarantined ones count nowhere. Each table is
        read once: resolved here and freed when the caller is done with it."""
        return resolve(t).filter(pl.col("loaded") & pl.col("person_id").is_not_null())

    # ------------------------------------------------------------ ledger entries and targets
    cur_ledgers = files.filter((pl.col("table_type") == "ledger") & pl.col("is_current")).select(
        "file_path", "city_code", "cutoff_date", "received_at"
    )
    entries_parts = []
    for cut in cutoffs:
        # The city's ledger for T, or its latest earlier one (carried forward).
        src = (
            cur_ledgers.filter(pl.col("cutoff_date") <= cut)
            .sort("cutoff_date")
            .group_by("city_code")
            .last()
            .with_columns(T=pl.lit(cut))
        )
        entries_parts.append(src)
    sources = pl.concat(entries_parts)
    led_rows = usable("ledger").drop("city_code", "cutoff_date", "received_at", "is_current")
    # The ledger rows are replicated over every T they are carried to: the sorting and
    # de-duplicating is done on the keys only, the other columns joined to what is left.
    entries = (
        sources.join(led_rows.select("file_path", "rid", "person_id"), on="file_path")
        .sort("rid")  # a person twice in one ledger: the upper row counts
        .unique(["T", "city_code", "person_id"], keep="first", maintain_order=True)
    )
    # Several cities at one T: the ledger received last wins; tie → the lower city code.
    entries = entries.sort(
        ["T", "person_id", "received_at", "city_code"], descending=[False, False, True, False]
    )
    winners = entries.unique(["T", "person_id"], keep="first", maintain_order=True)
    columns = [*sources.columns, *(c for c in led_rows.columns if c != "file_path")]
    targets = (
        winners.join(
            led_rows.drop("file_path", "person_id"), on="rid", how="left", maintain_order="left"
        )
        .select(columns)
        .filter(pl.col("identified_on") <= pl.col("T"))
    )
    entries = entries.join(
        led_rows.select("rid", "employment_status"), on="rid", how="left", maintain_order="left"
    ).select("T", "city_code", "person_id", "employment_status")
    del led_rows, winners
    say("truth: ledger resolved, its entries at every T")

    # ------------------------------------------------------------ categories
    birth = pl.col("person_id").str.slice(6, 8).str.to_date("%Y%m%d")
    male = pl.col("person_id").str.slice(16, 1).cast(pl.Int64) % 2 == 1
    ident = pl.col("identified_on")
    age = age_years(birth, ident)
    targets = targets.with_columns(
        older=pl.when(male)
        .then(age >= th.older_worker_age_male)
        .otherwise(age >= th.older_worker_age_female)
    )

    reg = usable("reg_unemployment_registration").unique(
        ["person_id", "registered_on"], keep="first"
    )
    reg_match = (
        targets.select("T", "person_id", "identified_on")
        .join(reg.select("person_id", "registered_on", "cancelled_on"), on="person_id")
        .filter(
            (pl.col("registered_on") <= pl.col("identified_on"))
            & (
                pl.col("cancelled_on").is_null()
                | (pl.col("cancelled_on") >= pl.col("identified_on"))
            )
        )
        .group_by("T", "person_id")
        .agg(pl.col("registered_on").max().alias("reg_registry"))
    )
    targets = targets.join(reg_match, on=["T", "person_id"], how="left").with_columns(
        reg_date=pl.coalesce("reg_registry", "ledger_registered_on")
    )
    targets = targets.with_columns(
        long_term=(
            (pl.col("identified_on") - pl.col("reg_date")).dt.total_days()
            >= th.long_term_unemployed_days
        ).fill_null(False)
    )
    dis = (
        usable("reg_disability")
        .unique(["person_id"], keep="first")
        .select("person_id", "certified_on")
    )
    targets = targets.join(dis, on="person_id", how="left").with_columns(
        disabled=(pl.col("certified_on") <= pl.col("T")).fill_null(False)
    )
    dibao = usable("reg_dibao").unique(["person_id", "started_on"], keep="first")
    dibao_hit = (
        targets.select("T", "person_id")
        .join(dibao.select("person_id", "started_on", "ended_on"), on="person_id")
        .filter(
            (pl.col("started_on") <= pl.col("T"))
            & (pl.col("ended_on").is_null() | (pl.col("ended_on") >= start))
        )
        .select("T", "person_id")
        .unique()
        .with_columns(dibao=pl.lit(True))
    )
    targets = targets.join(dibao_hit, on=["T", "person_id"], how="left").with_columns(
        dibao=pl.col("dibao").fill_null(False)
    )
    in_window = pl.col("employed_on").is_between(pl.lit(start), pl.col("T"))
    targets = targets.with_columns(
        employed=(pl.col("employment_status") == terms.EMPLOYED) & in_window.fill_null(False)
    )
    targets = targets.rename({"city_code": "C"})
    per_target = targets.group_by("T", "C").agg(
        targets_identified=pl.len(),
        long_term_unemployed=pl.col("long_term").sum(),
        older_workers=pl.col("older").sum(),
        disabled=pl.col("disabled").sum(),
        dibao_members=pl.col("dibao").sum(),
        employed=pl.col("employed").sum(),
        employed_by_enterprise=(
            pl.col("employed") & (pl.col("employment_channel") == terms.CHANNEL_ENTERPRISE)
        ).sum(),
        employed_flexibly=(
            pl.col("employed") & (pl.col("employment_channel") == terms.CHANNEL_FLEXIBLE)
        ).sum(),
        employed_public_welfare=(
            pl.col("employed") & (pl.col("employment_channel") == terms.CHANNEL_PUBLIC_WELFARE)
        ).sum(),
    )
    target_keys = targets.select("T", "C", "person_id")
    say("truth: targets and categories")

    # ------------------------------------------------------------ city records known at T
    def known(t: str, df: pl.DataFrame | None = None) -> pl.DataFrame:
        """Rows of the current file of every cut-off folder ≤ T, per T (what the province knew)."""
        base = df if df is not None else _frame(logical, t)
        if base.is_empty():
            return base
        if "is_current" not in base.columns:
            base = base.join(fileinfo, on="file_path", how="left")
        base = base.filter(pl.col("is_current") & pl.col("loaded"))
        parts = [base.filter(pl.col("cutoff_date") <= c).with_columns(T=pl.lit(c)) for c in cutoffs]
        return pl.concat(parts).rename({"city_code": "C"})

    def dated(col: str) -> pl.Expr:
        return pl.col(col).is_between(pl.lit(start), pl.col("T"))

    def about_targets(t: str, day: str, identity: list[str], figure: str) -> pl.DataFrame:
        """Distinct records about C's targets at T, one T at a time (a province's visits
        and referrals replicated over every cut-off would not fit in memory)."""
        base = (
            usable(t)
            .filter(pl.col("is_current"))
            .rename({"city_code": "C"})
            .select("C", "cutoff_date", "person_id", *dict.fromkeys([day, *identity]))
        )
        parts = []
        for c in cutoffs:
            parts.append(
                base.filter(
                    (pl.col("cutoff_date") <= c) & pl.col(day).is_between(pl.lit(start), pl.lit(c))
                )
                .with_columns(T=pl.lit(c))
                .join(target_keys.filter(pl.col("T") == c), on=["T", "C", "person_id"])
                .unique(["T", "C", "person_id", *identity])
                .group_by("T", "C")
                .agg(pl.len().alias(figure))
            )
        return pl.concat(parts)

    visits = about_targets("visits", "visited_on", ["visited_on", "visit_method"], "visits")
    referrals = about_targets("referrals", "referred_on", ["post_id"], "jobs_pushed")
    posts_known = known("job_posts")
    posts = (
        posts_known.filter(dated("published_on"))
        .unique(["T", "C", "post_id"])
        .group_by("T", "C")
        .agg(job_posts_collected=pl.len())
    )
    removed = (
        posts_known.filter((pl.col("is_discriminatory") == terms.YES) & dated("removed_on"))
        .unique(["T", "C", "post_id"])
        .group_by("T", "C")
        .agg(discriminatory_posts_removed=pl.len())
    )
    events = (
        known("events")
        .filter((pl.col("is_special") == terms.YES) & dated("held_on"))
        .unique(["T", "C", "event_id"])
        .group_by("T", "C")
        .agg(
            special_recruitment_events=pl.len(),
            onsite_job_fairs=(pl.col("event_form") == terms.ONSITE_JOB_FAIR).sum(),
        )
    )
    # ------------------------------------------------------------ temporary relief (registry)
    relief = (
        usable("reg_temp_relief")
        .unique(["payment_id"], keep="first")
        .select("payment_id", "person_id", "paid_on", "amount_yuan")
    )
    relief = (
        target_keys.join(relief, on="person_id")
        .filter(dated("paid_on"))
        .group_by("T", "C")
        .agg(temp_relief_payments=pl.len(), temp_relief_amount_yuan=pl.col("amount_yuan").sum())
    )

    say("truth: city records known at T")
    # ------------------------------------------------------------ assemble
    grid = pl.DataFrame(
        {
            "T": [c for c in cutoffs for _ in terms.CITIES],
            "C": [code for _ in cutoffs for code in terms.CITIES],
        },
        schema={"T": pl.Date, "C": pl.Utf8},
    )
    stats = grid
    for part in (per_target, visits, posts, events, referrals, removed, relief):
        stats = stats.join(part, on=["T", "C"], how="left")
    money = {f.name for f in terms.FIGURES if f.money}
    stats = stats.with_columns(
        [
            pl.col(n).fill_null(0).cast(pl.Float64 if n in money else pl.Int64)
            for n in terms.FIGURE_NAMES
        ]
    )
    stats = stats.with_columns([pl.col(n).round(2) for n in money])
    province = (
        stats.group_by("T")
        .agg([pl.col(n).sum() for n in terms.FIGURE_NAMES])
        .with_columns(C=pl.lit(terms.PROVINCE_CODE))
    )
    province = province.with_columns([pl.col(n).round(2) for n in money])
    out = truth_policy.report_rows(stats, province, terms.FIGURE_NAMES)
    graduates = resolve("reg_graduates")
    unemployed_graduates = (
        graduates.filter(
            pl.col("loaded")
            & pl.col("person_id").is_not_null()
            & (pl.col("employment_status").fill_null(terms.UNEMPLOYED) != terms.EMPLOYED)
        ).select("person_id")
        if graduates is not None and "employment_status" in graduates.columns
        else pl.DataFrame(schema={"person_id": pl.Utf8})
    )
    policy = truth_policy.compute_policy(
        campaign,
        files,
        {t: _frame(logical, t) for t in ("bases", "pairings")},
        targets,
        entries,
        posts_known,
        unemployed_graduates,
        name_norm,
        with_normalized_id,
    )
    for t in person_tables:  # the tables no figure reads still say who is resolvable
        if t not in resolved_parts:
            resolve(t)
    resolvable = pl.concat([resolved_parts[t] for t in person_tables if t in resolved_parts])
    return Result(out, resolvable, policy.supplement, policy.job_pool)
