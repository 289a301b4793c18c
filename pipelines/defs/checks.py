"""The quality gate as Dagster asset checks, each declared blocking or warning on purpose.

On every raw input table (raw/<table>, produced by `raw_uploads`):
- `blocking_expectations` (blocking): the table's GX suites' `critical` expectations —
  required columns and cells, enumerations, non-negative counts and money, the share of
  valid ID numbers per file. A failure means a figure built on the table would be
  wrong, so dbt (downstream) does not run and nothing is published.
- `warning_expectations` (warning): plausible date windows, per-file key repeats,
  unknown values in multi-valued cells. Reported; never stops a run.
raw/city_stats (the city's own statistics table) has only the warning check: its
figures are the city's claims, kept for comparison; parts exceeding totals there are
the city's inconsistency to be shown, not a reason to withhold the province's report.
raw/files: `cities_reported` (warning): a city that sent nothing is shown, not fatal.

The marts are guarded by their dbt tests (dagster-dbt asset checks; every mart test
has severity error, so each blocks): the report's contract §6 invariants live there.

Every check writes its part of the run's gate report (data/gate_reports/<run_id>/)
and carries the same findings as Markdown / JSON metadata.
"""

import functools
import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from pipelines import terms
from pipelines.campaign import load_campaign
from pipelines.checks import coverage, gate
from pipelines.checks import report as gate_report
from pipelines.checks.outcomes import CheckOutcome
from pipelines.defs.assets_dbt import warehouse_models
from pipelines.defs.assets_ingest import FILES_KEY, raw_table_key
from pipelines.defs.resources import WarehouseResource

BLOCKING_CHECK = "blocking_expectations"
WARNING_CHECK = "warning_expectations"
REPORT_KEY = dg.AssetKey(["marts", "rpt_campaign_stats"])
MAX_SUMMARY_LINES = 8


def _result(
    spec_name: str,
    asset_key: dg.AssetKey,
    outcomes: list[CheckOutcome],
    blocking: bool,
    report_path: str,
) -> dg.AssetCheckResult:
    failed = [o for o in outcomes if not o.success]
    summary = "\n".join(o.summary() for o in failed[:MAX_SUMMARY_LINES]) or "all passed"
    if len(failed) > MAX_SUMMARY_LINES:
        summary += f"\n… and {len(failed) - MAX_SUMMARY_LINES} more (see the gate report)"
    return dg.AssetCheckResult(
        check_name=spec_name,
        asset_key=asset_key,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "summary": dg.MetadataValue.text(summary),
            "checks": len(outcomes),
            "failed": len(failed),
            "unexpected_rows": sum(o.unexpected_count or 0 for o in failed),
            "report": dg.MetadataValue.md(gate_report.outcomes_markdown(outcomes)),
            "outcomes": dg.MetadataValue.json([o.to_dict() for o in outcomes]),
            "gate_report": dg.MetadataValue.path(report_path),
        },
    )


def _raw_specs() -> list[dg.AssetCheckSpec]:
    specs = []
    for table in terms.ALL_TABLES:
        key = raw_table_key(table)
        if table is not terms.CITY_STATS:
            specs.append(
                dg.AssetCheckSpec(
                    BLOCKING_CHECK,
                    asset=key,
                    blocking=True,
                    description=f"{table.title}: contract expectations whose failure would make a "
                    "published figure wrong (expectations/raw.{table.name}*.json).",
                )
            )
        specs.append(
            dg.AssetCheckSpec(
                WARNING_CHECK,
                asset=key,
                blocking=False,
                description=f"{table.title}: expectations reported as warnings (plausible dates, "
                "repeats, unknown multi values; for 统计表 its parts vs totals).",
            )
        )
    specs.append(
        dg.AssetCheckSpec(
            "cities_reported",
            asset=FILES_KEY,
            blocking=False,
            description="Cities that sent nothing (or no ledger) for a cut-off others reported on.",
        )
    )
    return specs


@dg.multi_asset_check(
    specs=_raw_specs(),
    name="raw_input_gate",
    description="GX suites on every raw input table, before dbt builds on them.",
)
def raw_input_gate(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    campaign = load_campaign()
    run_id = context.run.run_id
    with warehouse.connect() as con:
        for table in terms.ALL_TABLES:
            name, key = f"raw.{table.name}", raw_table_key(table)
            try:
                outcomes = gate.raw_table_gate(con, name, campaign, gate.check_store())
            except Exception as exc:  # a crashed check must fail, never silently pass
                outcomes = [
                    CheckOutcome(
                        "gate_crashed",
                        name,
                        "python",
                        "blocking",
                        False,
                        "the gate ran",
                        error=repr(exc),
                        engine="python",
                    )
                ]
            if table is terms.CITY_STATS:
                for o in outcomes:  # the city's own table never blocks (see module doc)
                    o.severity = "warning"
            path = str(gate_report.record_section(run_id, name, outcomes, key.to_user_string()))
            if table is not terms.CITY_STATS:
                yield _result(
                    BLOCKING_CHECK,
                    key,
                    [o for o in outcomes if o.severity == "blocking"],
                    True,
                    path,
                )
            yield _result(
                WARNING_CHECK, key, [o for o in outcomes if o.severity == "warning"], False, path
            )
        try:
            reported = [coverage.cities_reported(con, campaign)]
        except Exception as exc:
            reported = [
                CheckOutcome(
                    "cities_reported",
                    "raw.files",
                    "python",
                    "warning",
                    False,
                    "the register of files can be read",
                    error=repr(exc),
                    engine="python",
                )
            ]
        path = str(
            gate_report.record_section(run_id, "raw.files", reported, FILES_KEY.to_user_string())
        )
        yield _result("cities_reported", FILES_KEY, reported, False, path)


GATE_CHECKS: list[dg.AssetChecksDefinition] = [raw_input_gate]


def dbt_test_severities() -> dict[str, str]:
    """Each dbt test's configured severity (error blocks, warn reports) from the manifest.

    A passing check evaluation always says ERROR, so the configuration is read here to let
    the gate report show which dbt tests actually guard publication.
    """
    from pipelines.dbt_project import manifest_path

    path = manifest_path()
    stat = path.stat()
    return dict(_test_severities(path, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=2)
def _test_severities(path: Path, _size: int, _mtime_ns: int) -> tuple[tuple[str, str], ...]:
    # Parsed once per manifest (2.7 MB of JSON, 0.3 s): a run asks three times.
    nodes = json.loads(path.read_text(encoding="utf-8")).get("nodes", {})
    return tuple(
        (n["name"], str(n.get("config", {}).get("severity", "error")).lower())
        for n in nodes.values()
        if n.get("resource_type") == "test"
    )


def dbt_test_rows(evaluations: list[dg.AssetCheckEvaluation]) -> list[dict[str, object]]:
    """The dbt tests of a run (dagster-dbt turns them into checks) for the gate report."""
    dbt_keys = warehouse_models.check_keys
    configured = dbt_test_severities()
    return [
        {
            "asset_key": e.asset_key.to_user_string(),
            "name": e.check_name,
            "passed": e.passed,
            "severity": e.severity.value,
            "configured_severity": configured.get(e.check_name, "error"),
        }
        for e in evaluations
        if dg.AssetCheckKey(e.asset_key, e.check_name) in dbt_keys
    ]


def run_check_evaluations(
    instance: dg.DagsterInstance, run_id: str
) -> list[dg.AssetCheckEvaluation]:
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    return [r.dagster_event.event_specific_data for r in records if r.dagster_event]


def blocking_checks_not_passed(
    instance: dg.DagsterInstance, check_keys: list[dg.AssetCheckKey]
) -> list[str]:
    """The blocking dbt checks among `check_keys` whose latest execution did not pass.

    Publication asks this so that materialising it alone (from the UI, without the dbt
    step in the same run) still refuses marts whose last tests failed or never ran.
    """
    severities = dbt_test_severities()
    wanted = [k for k in check_keys if severities.get(k.name, "error") == "error"]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(wanted)
    not_passed = []
    for key in wanted:
        record = latest.get(key)
        status = record.status.value.lower() if record else "never ran"
        if status != "succeeded":
            not_passed.append(f"{key.asset_key.to_user_string()} {key.name}: {status}")
    return not_passed
