"""The semi-monthly schedule: a run on each report day, for that day's cut-off (China time).

Report days follow the policy: the 15th and the 30th of each month, the last day
of a month shorter than 30 days (February), and the campaign's end. The cron
expression fires on every candidate day (15th, 28th-31st); the evaluation decides
whether that day is a cut-off of the configured campaign, so the calendar rule
and the configuration both hold and nothing about a year is hard-coded.
"""

import calendar
import datetime as dt

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from pipelines.campaign import Campaign, load_campaign

SCHEDULE_NAME = "semi_monthly_cutoff"
# 23:30 in the campaign's time zone (China time): the day's uploads are in (a file after the end of the day is
# late and is picked up by the upload sensor anyway).
CRON = "30 23 15,28,29,30,31 * *"


def is_report_day(day: dt.date, campaign: Campaign) -> bool:
    """The 15th, the 30th, the last day of a shorter month, or the campaign end."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.day in (15, 30) or (day.day == last and last < 30) or day == campaign.end


def cutoff_key_for(day: dt.date, campaign: Campaign) -> str | None:
    """The partition key to run on `day`, or None when `day` is not a configured cut-off."""
    if not is_report_day(day, campaign):
        return None
    key = day.isoformat()
    return key if key in campaign.cutoff_keys else None


def build_cutoff_schedule(
    job: UnresolvedAssetJobDefinition | dg.JobDefinition, campaign: Campaign | None = None
) -> dg.ScheduleDefinition:
    """A schedule on `job` requesting the partition of each report day's cut-off."""
    campaign = campaign or load_campaign()

    @dg.schedule(
        name=SCHEDULE_NAME,
        job=job,
        cron_schedule=CRON,
        execution_timezone=campaign.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Runs on the 15th, the 30th and the last day of a shorter month (China time), "
        "for that day's cut-off; other days are skipped with the reason.",
    )
    def semi_monthly_cutoff(context: dg.ScheduleEvaluationContext):
        when = context.scheduled_execution_time
        day = when.astimezone(campaign.zone).date() if when.tzinfo else when.date()
        key = cutoff_key_for(day, campaign)
        if key is None:
            reason = (
                "not a report day"
                if not is_report_day(day, campaign)
                else f"no cut-off of campaign {campaign.id} on this day"
            )
            return dg.SkipReason(f"{day}: {reason}")
        return dg.RunRequest(
            run_key=f"schedule:{campaign.id}:{key}",
            partition_key=key,
            tags={"warmheart/trigger": "schedule", "warmheart/cutoff": key},
        )

    return semi_monthly_cutoff
