"""The campaign as configuration: id, window, cut-offs and thresholds from a TOML file."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines import settings


@dataclass(frozen=True)
class Thresholds:
    min_referrals_per_target: int = 3
    special_event_block_days: int = 14
    long_term_unemployed_days: int = 365
    older_worker_age_female: int = 40
    older_worker_age_male: int = 50


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    start: dt.date
    end: dt.date
    cutoffs: tuple[dt.date, ...]
    timezone: str = "Asia/Shanghai"
    policy: str = ""
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"campaign {self.id}: start {self.start} is after end {self.end}")
        if list(self.cutoffs) != sorted(set(self.cutoffs)):
            raise ValueError(f"campaign {self.id}: cut-offs must be distinct and ascending")
        outside = [c for c in self.cutoffs if not (self.start <= c <= self.end)]
        if outside:
            raise ValueError(f"campaign {self.id}: cut-offs outside the window: {outside}")

    @property
    def cutoff_keys(self) -> list[str]:
        """Partition keys, one per cut-off (YYYY-MM-DD)."""
        return [c.isoformat() for c in self.cutoffs]

    def cutoff_for(self, day: dt.date) -> dt.date | None:
        """The first cut-off on or after `day` (the report a file received that day feeds)."""
        return next((c for c in self.cutoffs if c >= day), None)

    @property
    def zone(self) -> ZoneInfo:
        """The campaign's time zone: receipt times and report days are its local time."""
        return ZoneInfo(self.timezone)


def campaign_file(campaign_id: str) -> Path:
    return settings.CAMPAIGNS_DIR / f"{campaign_id}.toml"


def load_campaign(campaign_id: str | None = None, path: Path | None = None) -> Campaign:
    """Read a campaign file; `path` wins over `campaign_id` (default: WARMHEART_CAMPAIGN)."""
    path = path or campaign_file(campaign_id or settings.campaign_id())
    if not path.exists():
        known = sorted(p.stem for p in settings.CAMPAIGNS_DIR.glob("*.toml"))
        raise FileNotFoundError(f"no campaign file {path}; known campaigns: {known}")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return Campaign(
        id=raw["id"],
        name=raw["name"],
        start=raw["start"],
        end=raw["end"],
        cutoffs=tuple(raw["cutoffs"]),
        timezone=raw.get("timezone", "Asia/Shanghai"),
        policy=raw.get("policy", ""),
        thresholds=Thresholds(**raw.get("thresholds", {})),
    )


def write_campaign_tables(con, campaign: Campaign) -> None:
    """Publish the campaign configuration into raw.campaign and raw.campaign_cutoffs.

    dbt models read the window, cut-offs and thresholds from these tables, so SQL
    never spells a date or a threshold of a particular campaign.
    """
    t = campaign.thresholds
    con.execute("create schema if not exists raw")
    con.execute(
        """
        create or replace table raw.campaign as
        select ?::varchar as campaign_id, ?::varchar as campaign_name,
               ?::date as campaign_start, ?::date as campaign_end, ?::varchar as timezone,
               ?::integer as min_referrals_per_target, ?::integer as special_event_block_days,
               ?::integer as long_term_unemployed_days,
               ?::integer as older_worker_age_female, ?::integer as older_worker_age_male
        """,
        [
            campaign.id,
            campaign.name,
            campaign.start,
            campaign.end,
            campaign.timezone,
            t.min_referrals_per_target,
            t.special_event_block_days,
            t.long_term_unemployed_days,
            t.older_worker_age_female,
            t.older_worker_age_male,
        ],
    )
    con.execute(
        "create or replace table raw.campaign_cutoffs "
        "(campaign_id varchar, cutoff_seq integer, cutoff_date date)"
    )
    con.executemany(
        "insert into raw.campaign_cutoffs values (?, ?, ?)",
        [(campaign.id, i + 1, c) for i, c in enumerate(campaign.cutoffs)],
    )
