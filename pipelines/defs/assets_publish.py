"""The last step: publish the marts once every blocking check upstream has passed.

Dagster already skips this asset when a blocking check upstream failed (raw tables,
dbt tests with severity error, among them the report's contract §6 invariants). The
asset also asks the instance for the latest result of every blocking dbt check on the
marts, so materialising it alone from the UI can never publish marts whose last tests
failed or never ran.
"""

import dagster as dg

from pipelines import settings
from pipelines.campaign import load_campaign
from pipelines.checks import report as gate_report
from pipelines.defs.assets_dbt import warehouse_models
from pipelines.defs.checks import blocking_checks_not_passed, dbt_test_rows, run_check_evaluations
from pipelines.defs.resources import WarehouseResource
from pipelines.key_guard import fingerprint_writer
from pipelines.publish.publisher import (
    PublicationRefused,
    analyst_copy_writer,
    official_xlsx_writer,
    publish_marts,
)

REPORT_KEY = dg.AssetKey(["marts", "rpt_campaign_stats"])
# Every analyst mart is published, so every one is upstream (and its blocking checks gate us).
MART_KEYS = sorted(
    {k for k in warehouse_models.keys if k.path[0] == "marts"} | {REPORT_KEY},
    key=lambda k: k.to_user_string(),
)


@dg.asset(
    key=["published", "marts"],
    deps=MART_KEYS,
    group_name="publish",
    description="One atomic publication in the marts folder (WARMHEART_MARTS_DIR): parquet/csv of "
    "every analyst mart, the official xlsx per cut-off, the analysts' DuckDB copy. "
    "Written only after every blocking check passed; a failure leaves the previous "
    "publication byte-for-byte unchanged.",
)
def published_marts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    marts_dir = settings.marts_dir()
    run_id = context.run.run_id
    campaign = load_campaign()
    failures = blocking_checks_not_passed(
        context.instance, [k for k in warehouse_models.check_keys if k.asset_key in MART_KEYS]
    )
    if failures:
        gate_report.record_extra(
            run_id, "publication", {"status": "refused", "detail": "; ".join(failures)}
        )
        raise PublicationRefused(
            "blocking checks of the marts did not pass, nothing published:\n" + "\n".join(failures)
        )
    with warehouse.connect() as con:
        writers = [
            official_xlsx_writer(campaign),
            analyst_copy_writer(
                settings.analyst_db_path().name, previous=settings.analyst_db_path()
            ),
            fingerprint_writer(settings.person_key_secret()),
        ]
        pub = publish_marts(con, marts_dir, writers)
    detail = f"{len(pub.files)} files in {marts_dir}"
    context.log.info(f"published {detail}")
    gate_report.record_extra(
        run_id, "dbt_tests", dbt_test_rows(run_check_evaluations(context.instance, run_id))
    )
    report_md = gate_report.record_extra(
        run_id,
        "publication",
        {
            "status": "published",
            "detail": detail,
            "marts_dir": str(marts_dir),
            "files": [p.name for p in pub.files],
            "rows": pub.rows,
        },
    )
    return dg.MaterializeResult(
        metadata={
            "marts_dir": str(marts_dir),
            "rows": dg.MetadataValue.json(pub.rows),
            "files": dg.MetadataValue.json([p.name for p in pub.files]),
            "gate_report": dg.MetadataValue.path(str(report_md)),
        }
    )
