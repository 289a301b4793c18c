"""Per-cut-off outputs (partitioned by cut-off) and the progress charts, all after the gate.

They depend on published/marts, which the quality gate guards: a failed check
stops the run before anything here is written.
"""

import datetime as dt

import dagster as dg
import polars as pl

from pipelines import settings
from pipelines.campaign import load_campaign
from pipelines.defs.partitions import cutoff_partitions
from pipelines.defs.resources import WarehouseResource
from pipelines.publish import feedback
from pipelines.publish.charts import write_charts
from pipelines.publish.files import SHARED, build_folder, write_frame
from pipelines.publish.restricted import EXPORTS, write_restricted_exports
from pipelines.publish.summary import write_summary

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])
PUBLISH_GROUP = "publish"
RESTRICTED_GROUP = "restricted"
# Outputs of one cut-off made from the published marts. One run may cover several
# cut-offs (make run covers them all): the asset then sees every key of the run in
# context.partition_keys.
PER_CUTOFF_OUTPUT = {
    "deps": [PUBLISHED_KEY],
    "partitions_def": cutoff_partitions,
    "backfill_policy": dg.BackfillPolicy.single_run(),
}


@dg.asset(
    key=["published", "report_by_cutoff"],
    **PER_CUTOFF_OUTPUT,
    group_name=PUBLISH_GROUP,
    description="The report of one cut-off: rows of rpt_campaign_stats with that cutoff_date "
    "(16 cities + province 370000) in <marts>/by_cutoff/<cut-off>/ as parquet and csv.",
)
def report_by_cutoff(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    marts_dir = settings.marts_dir()
    report = pl.read_parquet(marts_dir / "rpt_campaign_stats.parquet")
    rows: dict[str, int] = {}
    for key in context.partition_keys:
        part = report.filter(pl.col("cutoff_date") == dt.date.fromisoformat(key))
        folder = marts_dir / "by_cutoff" / key
        with build_folder(folder, SHARED) as staged:
            write_frame(part, staged, "rpt_campaign_stats")
        (marts_dir / "by_cutoff").chmod(SHARED.folder)
        rows[key] = part.height
        context.log.info(f"report slice {key}: {part.height} rows → {folder}")
    return dg.MaterializeResult(
        metadata={
            "rows_by_cutoff": dg.MetadataValue.json(rows),
            "folder": str(marts_dir / "by_cutoff"),
        }
    )


@dg.asset(
    key=["restricted", "city_exports"],
    **PER_CUTOFF_OUTPUT,
    group_name=RESTRICTED_GROUP,
    description="RESTRICTED (names, ID numbers, phones): per-city lists of one cut-off in "
    "<restricted>/<cut-off>/<city_code>/: the city's 问题反馈 workbook (files received, "
    "rows not loaded with 原因 and 如何修改, 数据比对, to-do list); "
    + "; ".join(f"{e.name}.csv = {e.description}" for e in EXPORTS)
    + ". Never written to the analysts' marts folder.",
)
def restricted_city_exports(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    root = settings.restricted_dir()
    rows: dict[str, dict[str, int]] = {}
    missing: dict[str, str] = {}
    files = feedback_files = feedback_rewritten = 0
    campaign_name = load_campaign().name
    with warehouse.connect() as con:
        fingerprints = (
            feedback.content_fingerprints(con) if len(context.partition_keys) > 1 else None
        )
        for key in context.partition_keys:
            result = write_restricted_exports(
                con,
                key,
                root,
                log=context.log.info,
                campaign_name=campaign_name,
                fingerprints=fingerprints,
            )
            rows[key] = result.rows
            missing.update(result.missing)
            files += len(result.files)
            feedback_files += len(result.feedback)
            feedback_rewritten += len(result.feedback_rewritten)
    return dg.MaterializeResult(
        metadata={
            "rows_by_cutoff": dg.MetadataValue.json(rows),
            "files": files,
            "feedback_workbooks": feedback_files,
            "feedback_workbooks_rewritten": feedback_rewritten,  # the rest: unchanged, kept
            "not_written": dg.MetadataValue.json(missing),
            "folder": str(root),
        }
    )


@dg.asset(
    key=["published", "charts"],
    deps=[PUBLISHED_KEY],
    group_name=PUBLISH_GROUP,
    description="Campaign progress charts (PNG) and an index.html in <marts>/charts/: targets, "
    ">=3 referral coverage, special-event cadence, employment by channel, reporting "
    "timeliness, province trend. Missing marts are listed on the page.",
)
def progress_charts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    result = write_charts(settings.marts_dir(), log=context.log.info)
    return dg.MaterializeResult(
        metadata={
            "page": dg.MetadataValue.path(str(result.folder / "index.html")),
            "latest_cutoff": str(result.cutoff),
            "charts": len(result.charts),
            "not_drawn": dg.MetadataValue.json(result.missing),
        }
    )


@dg.asset(
    key=["published", "summary"],
    deps=[PUBLISHED_KEY],
    group_name=PUBLISH_GROUP,
    description="The final summary (活动总结, contract §10) at the campaign's last cut-off, in Chinese, "
    "for the province and each city: <marts>/summary/活动总结.xlsx and the printable "
    "活动总结.html. Names no person; the cities' 典型案例 / 意见建议 shown as written.",
)
def final_summary(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        result = write_summary(con, load_campaign(), settings.marts_dir())
    context.log.info(f"summary at cut-off {result.cutoff} → {result.folder}")
    return dg.MaterializeResult(
        metadata={
            "cutoff": result.cutoff,
            "workbook": dg.MetadataValue.path(str(result.files[0])),
            "page": dg.MetadataValue.path(str(result.files[1])),
        }
    )
