"""The semi-monthly schedule fires on report days (China time) for that day's cut-off."""

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.campaign import Campaign, load_campaign
from pipelines.defs.schedules import SCHEDULE_NAME, build_cutoff_schedule, is_report_day

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A campaign across a February, so the "last day of a shorter month" rule is exercised.
WINTER = Campaign(
    id="2023-winter-test",
    name="test",
    start=dt.date(2023, 1, 20),
    end=dt.date(2023, 3, 31),
    cutoffs=(
        dt.date(2023, 1, 30),
        dt.date(2023, 2, 15),
        dt.date(2023, 2, 28),
        dt.date(2023, 3, 15),
        dt.date(2023, 3, 30),
        dt.date(2023, 3, 31),
    ),
)


def _job(campaign: Campaign):
    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(campaign.cutoff_keys))
    def per_cutoff() -> None: ...

    return dg.define_asset_job("test_job", selection=[per_cutoff]), per_cutoff


def _tick(campaign: Campaign, when: dt.datetime):
    job, asset = _job(campaign)
    schedule = build_cutoff_schedule(job, campaign)
    repo = dg.Definitions(assets=[asset], jobs=[job], schedules=[schedule]).get_repository_def()
    return schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=when, repository_def=repo)
    )


@pytest.mark.parametrize(
    "day", ["2023-01-30", "2023-02-15", "2023-02-28", "2023-03-15", "2023-03-30", "2023-03-31"]
)
def test_schedule_requests_the_cutoff_of_each_report_day(day):
    when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 30), SHANGHAI)
    data = _tick(WINTER, when)
    assert [r.partition_key for r in data.run_requests] == [day]
    assert data.run_requests[0].run_key == f"schedule:{WINTER.id}:{day}"


@pytest.mark.parametrize("day", ["2023-02-14", "2023-03-28", "2023-03-29", "2023-01-31"])
def test_schedule_skips_days_that_are_not_cutoffs(day):
    when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 30), SHANGHAI)
    data = _tick(WINTER, when)
    assert not data.run_requests
    assert data.skip_message


def test_report_days_are_the_15th_the_30th_and_the_end_of_february():
    days = [dt.date(2023, 1, 1) + dt.timedelta(d) for d in range(365)]
    report = [d for d in days if is_report_day(d, WINTER)]
    # 12 × 15th, 11 × 30th (not in February), February 28th, and the campaign end (2023-03-31).
    assert len(report) == 12 + 11 + 1 + 1
    assert dt.date(2023, 2, 28) in report
    assert is_report_day(dt.date(2024, 2, 29), WINTER) and not is_report_day(
        dt.date(2024, 2, 28), WINTER
    )


def test_configured_schedule_fires_in_china_time_on_2022_cutoffs():
    from pipelines.defs import defs

    schedule = defs.resolve_schedule_def(SCHEDULE_NAME)
    assert schedule.execution_timezone == "Asia/Shanghai"
    campaign = load_campaign()
    keys = []
    for cutoff in campaign.cutoffs:
        when = dt.datetime.combine(cutoff, dt.time(23, 30), SHANGHAI)
        data = schedule.evaluate_tick(
            dg.build_schedule_context(
                scheduled_execution_time=when, repository_def=defs.get_repository_def()
            )
        )
        keys += [r.partition_key for r in data.run_requests]
    assert keys == campaign.cutoff_keys


def test_the_cron_string_itself_fires_at_2330_china_time_on_every_cutoff_and_matches_the_docs():
    from pipelines.defs import defs
    from pipelines.settings import PROJECT_ROOT

    schedule = defs.resolve_schedule_def(SCHEDULE_NAME)
    documented = re.search(
        r"cron `([^`]+)`", (PROJECT_ROOT / "docs" / "operations.md").read_text()
    ).group(1)
    assert schedule.cron_schedule == documented
    campaign = load_campaign()
    start = dt.datetime.combine(campaign.start, dt.time(0, 0), SHANGHAI)
    fires = []
    # The daemon's own reading of the cron string (dagster has no public iterator).
    from dagster._utils.schedules import cron_string_iterator

    for when in cron_string_iterator(
        start.timestamp(), schedule.cron_schedule, schedule.execution_timezone
    ):
        if when.date() > campaign.end:
            break
        fires.append(when.astimezone(SHANGHAI))
    assert {f.time() for f in fires} == {dt.time(23, 30)}
    fired_days = {f.date() for f in fires}
    assert set(campaign.cutoffs) <= fired_days
    # Only candidate days: the 15th and the 28th-31st.
    assert {d.day for d in fired_days} <= {15, 28, 29, 30, 31}


def test_schedule_day_is_judged_in_the_campaign_time_zone_from_its_configuration():
    # 2023-02-15 23:30 in Urumqi (UTC+6) is already the 16th in Shanghai: a schedule that
    # ignored the configured zone would skip the cut-off.
    urumqi = dataclasses.replace(WINTER, timezone="Asia/Urumqi")
    job, _ = _job(urumqi)
    assert build_cutoff_schedule(job, urumqi).execution_timezone == "Asia/Urumqi"
    when = dt.datetime(2023, 2, 15, 23, 30, tzinfo=ZoneInfo("Asia/Urumqi"))
    assert [r.partition_key for r in _tick(urumqi, when).run_requests] == ["2023-02-15"]
