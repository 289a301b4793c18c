"""岗位信息: postings the city collected, reported once published and often again later
(a removed posting carries its 清理日期, never later than the folder it first arrives in)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise, tags
from tools.demo.tables.common import SentRecords, dated_text, spread
from tools.demo.writers import NUMBER, Sheet

TABLE = terms.JOB_POSTS
USCC_TYPO_RATE = 0.05
WHAT = "岗位信息"


def names(city: str, cut: dt.date) -> tuple[str, ...]:
    return (f"{city}岗位信息汇总{cut:%m%d}", "收集岗位信息", f"岗位信息（{cut:%m%d}）")


class JobPosts(SentRecords):
    table = TABLE

    def records(self, city: str) -> pl.DataFrame:
        ctx = self.ctx
        start = ctx.campaign.start
        posts = ctx.world.posts[city]
        recs = pl.DataFrame(
            {
                "post_id": [x.post_id for x in posts],
                "employer": [x.employer for x in posts],
                "employer_uscc": [x.uscc for x in posts],
                "title": [x.title for x in posts],
                "category": [x.category for x in posts],
                "openings": [x.openings for x in posts],
                "requirements": [x.requirements for x in posts],
                "salary_min": [x.salary_min for x in posts],
                "salary_max": [x.salary_max for x in posts],
                "published_on": [x.published_on for x in posts],
                "is_discriminatory": [terms.YES if x.discriminatory else terms.NO for x in posts],
                "_removed": [x.removed_on for x in posts],
            },
            schema_overrides={"published_on": pl.Date, "_removed": pl.Date},
        )
        # A few employers' credit codes carry a typo (the check fails; the row still loads).
        typo = ctx.rng("job_posts", "uscc", city).random(recs.height) < USCC_TYPO_RATE
        recs = recs.with_columns(
            uscc_typo=pl.Series(typo),
            employer_uscc=pl.when(pl.Series(typo))
            .then(
                pl.col("employer_uscc").str.slice(0, 17)
                + pl.when(pl.col("employer_uscc").str.ends_with("0"))
                .then(pl.lit("1"))
                .otherwise(pl.lit("0"))
            )
            .otherwise(pl.col("employer_uscc")),
        )
        day = np.array([max(x.published_on, start) for x in posts], dtype="datetime64[D]")
        out = spread(ctx, ctx.rng("job_posts", city), city, recs, day, resend=0.3)
        cuts = list(ctx.campaign.cutoffs)
        first = out.group_by("post_id").agg(pl.col("idx").min().alias("_first"))
        first_cut = pl.col("_first").replace_strict(
            list(range(len(cuts))), cuts, return_dtype=pl.Date
        )
        return (
            out.join(first, on="post_id", how="left", maintain_order="left")
            .with_columns(
                removed_on=pl.when(pl.col("_removed").is_not_null()).then(
                    pl.min_horizontal("_removed", first_cut)
                )
            )
            .drop("_removed", "_first")
        )

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        recs = self.sent_in(city, idx)

        def build(nz: CellNoise, fmt: str) -> Rows:
            text, types, date_tag = dated_text(recs, TABLE, nz, fmt, ("published_on", "removed_on"))
            types |= {"openings": NUMBER, "salary_min": NUMBER, "salary_max": NUMBER}
            noise = noise_list(
                date_tag,
                tags(recs["resent"].to_numpy(), "resent"),
                tags(recs["uscc_typo"].to_numpy(), "uscc_typo"),
            )
            logical = recs.select(
                "post_id",
                "published_on",
                "is_discriminatory",
                "removed_on",
                "category",
                "openings",
                "employer_uscc",
            )
            return Rows(Sheet([], text, types), truth_frame(None, noise), logical)

        rec.slot_table(city, idx, TABLE, WHAT, names, build, ncols=12, nrows=recs.height)
