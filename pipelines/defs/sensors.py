"""The upload sensor: a new or changed file in a city's cut-off folder starts a run for that cut-off.

Uploads land in raw/submissions/<campaign>/<cut-off>/<city>/ (contract §2). The
cursor maps each file (path relative to the raw root) to its modification time
and size, so a file triggers once when it appears and once more only when it is
replaced (a city's correction). The first evaluation only records what is
already there: those files were processed by `make run` or the schedule, and a
restart of the daemon must not queue a rerun of every cut-off.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from pipelines import settings
from pipelines.campaign import Campaign, load_campaign

SENSOR_NAME = "city_upload_sensor"
UPLOAD_SUFFIXES = {".xlsx", ".xls", ".csv"}


def scan_uploads(raw_root: Path, campaign: Campaign) -> dict[str, str]:
    """{relative path: "mtime_ns:size"} for every upload file of the campaign."""
    base = raw_root / "submissions" / campaign.id
    found: dict[str, str] = {}
    if not base.exists():
        return found
    for path in base.glob("*/*/*"):
        # Spreadsheet lock files (~$x.xlsx) and hidden files are not uploads.
        if (
            path.is_file()
            and path.suffix.lower() in UPLOAD_SUFFIXES
            and not path.name.startswith(("~$", "."))
        ):
            st = path.stat()
            found[path.relative_to(raw_root).as_posix()] = f"{st.st_mtime_ns}:{st.st_size}"
    return found


def cutoff_of(rel_path: str) -> str:
    """The cut-off folder of submissions/<campaign>/<cut-off>/<city>/<file>."""
    return rel_path.split("/")[2]


def plan_runs(
    previous: dict[str, str] | None,
    current: dict[str, str],
    campaign: Campaign,
) -> tuple[list[dg.RunRequest], list[str]]:
    """Run requests (one per cut-off with new or changed files) and log lines for the rest."""
    if previous is None:
        return [], [f"first evaluation: recorded {len(current)} existing upload(s) as the baseline"]
    changed: dict[str, list[str]] = {}
    notes: list[str] = []
    for rel, sig in sorted(current.items()):
        if previous.get(rel) == sig:
            continue
        key = cutoff_of(rel)
        if key not in campaign.cutoff_keys:
            notes.append(f"{rel}: folder {key} is not a cut-off of {campaign.id}; no run")
            continue
        changed.setdefault(key, []).append(f"{rel}@{sig}")
    requests = []
    for key, files in sorted(changed.items()):
        digest = hashlib.sha256("\n".join(files).encode()).hexdigest()[:16]
        requests.append(
            dg.RunRequest(
                run_key=f"upload:{key}:{digest}",
                partition_key=key,
                tags={
                    "warmheart/trigger": "upload",
                    "warmheart/cutoff": key,
                    "warmheart/files": str(len(files)),
                },
            )
        )
        notes.append(f"cut-off {key}: {len(files)} new or changed file(s), e.g. {files[0]}")
    return requests, notes


def build_upload_sensor(
    job: UnresolvedAssetJobDefinition | dg.JobDefinition, campaign: Campaign | None = None
) -> dg.SensorDefinition:
    campaign = campaign or load_campaign()

    @dg.sensor(
        name=SENSOR_NAME,
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts a run for the cut-off of each new or changed file under "
        "raw/submissions/<campaign>/<cut-off>/<city>/.",
    )
    def city_upload_sensor(context: dg.SensorEvaluationContext):
        current = scan_uploads(settings.raw_dir(), campaign)
        previous = json.loads(context.cursor) if context.cursor else None
        requests, notes = plan_runs(previous, current, campaign)
        for note in notes:
            context.log.info(note)
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not requests:
            return dg.SkipReason(notes[-1] if notes else "no new or changed uploads")
        return requests

    return city_upload_sensor
