"""Writes the demo campaign (docs/contract.md §2) and its ground truth, stage by stage.

How the cities report the world of `world.py`: one folder per city and cut-off,
free file names, mixed formats and encodings, and every kind of noise the contract
promises to survive, each applied on purpose and recorded per row.

Stages: world → upload plan → per-table records → every slot's files (one stage per
table, `SLOT_TABLES`) → registry extracts → expected statistics → statistics tables →
truth files. Rows travel as polars frames and files are written one at a time, so a
province-sized campaign fits in a few GB and a minute.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from tools.demo import truth as truth_mod
from tools.demo.emit import Recorder
from tools.demo.plan import Plan
from tools.demo.tables import city_stats, registries
from tools.demo.tables.bases import Bases
from tools.demo.tables.common import Context
from tools.demo.tables.contacts import Contacts
from tools.demo.tables.events import Events
from tools.demo.tables.job_posts import JobPosts
from tools.demo.tables.ledger import Ledger
from tools.demo.tables.pairings import Pairings
from tools.demo.tables.referrals import Referrals
from tools.demo.tables.summary_texts import SummaryTexts
from tools.demo.tables.visits import Visits
from tools.demo.world import World

Progress = Callable[[str], None]

# The tables every city sends per cut-off, in the order a slot's files are written.
# A stage: .table, .prepare(ctx) (draw the records), .write(recorder, city, idx).
SLOT_TABLES = (Ledger, Visits, JobPosts, Events, Referrals)
# The policy's further tables (contract §3): optional, sent by some cities only.
# Bases is prepared before the ledger is written: it puts some hires at a base.
POLICY_TABLES = (Bases, Pairings, Contacts, SummaryTexts)


@dataclass
class Summary:
    """What `generate` wrote (also saved as manifest.json in the truth dir)."""

    out: Path
    truth: Path
    seed: int
    persons_per_city: int
    campaign_id: str
    files: int
    rows: int
    seconds: float
    manifest: dict = field(default_factory=dict)


def generate(
    out: Path,
    truth: Path,
    seed: int,
    persons_per_city: int,
    campaign: Campaign,
    progress: Progress | None = None,
    policy_tables: bool = True,
) -> Summary:
    """Write a demo campaign under `out` and its ground truth under `truth`; with
    `policy_tables` off, no city sends 援助基地, 结对帮扶, 联系人 or 典型案例/意见建议."""
    say: Progress = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    out, truth = Path(out), Path(truth)
    if out.resolve() == truth.resolve() or truth.resolve().is_relative_to(out.resolve()):
        raise ValueError("the truth folder must lie outside the raw tree")
    out.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)

    world = World(campaign, seed, persons_per_city)
    world.build(say)
    plan = Plan(campaign, seed, persons_per_city, world)
    ctx = Context.build(campaign, seed, world, plan)
    # Small K: lift noise rates so every kind appears at least a few times.
    # The recorded rows wait on disk while the world is written (removed at the end).
    spill = tempfile.TemporaryDirectory(prefix=".spill-", dir=truth)
    rec = Recorder(
        out, plan, seed, scale=max(1.0, 100 / max(persons_per_city, 1)), spill_dir=Path(spill.name)
    )
    stages = [stage() for stage in (*SLOT_TABLES, *(POLICY_TABLES if policy_tables else ()))]
    for stage in stages:
        stage.prepare(ctx)
    say("records drawn: " + ", ".join(f"{s.table.name}" for s in stages))
    write_submissions(ctx, rec, stages, say)
    n = registries.write(ctx, rec)
    rec.spill()
    say(f"registries: {n} records")
    # The files are written: of the simulated world only its people's columns go on (to
    # persons.parquet); the rest is freed before the truth is computed.
    people = people_frame(world)
    del world, ctx, stages

    files = rec.files_frame()
    say("truth: resolving people and computing the expected statistics")
    result = truth_mod.compute(files, rec.logical_frames(), campaign, say)
    say("truth: expected statistics computed")
    city_stats.write(campaign, plan, rec, result.stats)
    manifest = write_truth(truth, rec, people, plan, result, seed, persons_per_city, campaign)
    spill.cleanup()
    secs = time.perf_counter() - t0
    say(f"done: {manifest['files']} files, {manifest['rows']} rows in {secs:.1f}s")
    return Summary(
        out,
        truth,
        seed,
        persons_per_city,
        campaign.id,
        manifest["files"],
        manifest["rows"],
        secs,
        manifest,
    )


def write_submissions(ctx: Context, rec: Recorder, stages: list, say: Progress) -> None:
    for city in terms.CITIES:
        for idx in range(len(ctx.campaign.cutoffs)):
            if (city, idx) in ctx.plan.missing:
                continue
            for stage in stages:
                stage.write(rec, city, idx)
        rec.spill()
        say(f"submissions: {terms.CITIES[city]} done ({len(rec.files)} files so far)")


def people_frame(world: World) -> pl.DataFrame:
    """Every simulated person (ledger and registry-only) as persons.parquet lists them."""
    persons = world.all_people()
    return pl.DataFrame(
        {
            "person_id": [p.pid for p in persons],
            "name": [p.name for p in persons],
            "gender": ["男" if p.male else "女" for p in persons],
            "birth_date": [p.birth for p in persons],
            "phone": [p.phone for p in persons],
            "home_city": [p.home_city for p in persons],
            "find_one_candidate": [p.role == "find_one" for p in persons],
        }
    )


def write_truth(
    truth: Path,
    rec: Recorder,
    people: pl.DataFrame,
    plan: Plan,
    result: truth_mod.Result,
    seed: int,
    k: int,
    campaign: Campaign,
) -> dict:
    files = rec.files_frame()
    rows = rec.rows_frame()
    # person_resolvable from the contract's resolution (computed in truth.py). A row's rid
    # is its position in rows: set the flags by position instead of joining 4 M rows.
    flags = np.zeros(rows.height, dtype=bool)
    flags[result.resolvable["rid"].to_numpy()] = result.resolvable["resolvable"].to_numpy()
    rows = rows.with_columns(
        person_resolvable=pl.col("person_id").is_not_null() & pl.Series(flags)
    ).rechunk()  # one chunk per column, as the join gave: the parquet bytes depend on it
    del flags
    rows.write_parquet(truth / "rows.parquet")
    files.write_parquet(truth / "files.parquet")
    ledger_ids = rows.select(
        pl.col("person_id").filter(pl.col("table_type") == "ledger").unique()
    ).to_series()
    people.select(
        pl.exclude("find_one_candidate"),
        on_any_ledger=pl.col("person_id").is_in(ledger_ids.implode()),
        find_one_candidate="find_one_candidate",
    ).write_parquet(truth / "persons.parquet")
    result.stats.write_parquet(truth / "expected_stats.parquet")
    result.stats.write_csv(truth / "expected_stats.csv")
    result.supplement.write_parquet(truth / "expected_supplement.parquet")
    result.job_pool.write_parquet(truth / "expected_job_pool.parquet")
    cut = campaign.cutoffs
    noise_counts = rec.noise_counts(rows)
    manifest = {
        "seed": seed,
        "persons_per_city": k,
        "campaign_id": campaign.id,
        "files": files.height,
        "rows": rows.height,
        "noise_counts": dict(sorted(noise_counts.items())),
        "file_noise_counts": {k: len(v) for k, v in sorted(rec.file_noise.items())},
        "file_noise": {k: sorted(v) for k, v in sorted(rec.file_noise.items())},
        "missing_slots": [
            {"city_code": c, "cutoff_date": cut[i].isoformat()} for c, i in sorted(plan.missing)
        ],
        "late_files": sorted(
            files.filter(pl.col("is_late").fill_null(False))["file_path"].to_list()
        ),
        "reuploaded_slots": [
            {"city_code": c, "cutoff_date": cut[i].isoformat(), "table_type": t}
            for c, i, t in sorted(plan.reuploads)
        ],
        "cross_city_persons": plan.cross_city,
        "cross_city_tie": None
        if not plan.tie
        else {"cities": sorted(plan.tie[:2]), "cutoff_date": cut[plan.tie[2]].isoformat()},
        "folder_371200": {
            "city_code": plan.laiwu_slot[0],
            "cutoff_date": cut[plan.laiwu_slot[1]].isoformat(),
        },
        "find_one_candidates": int(people["find_one_candidate"].sum()),
        "person_quarantine_rows": int(
            rows.filter(~pl.col("person_resolvable") & pl.col("person_id").is_not_null()).height
        ),
        "quarantined_rows": int((rows["expected"] == "quarantined").sum()),
    }
    (truth / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8"
    )
    return manifest
