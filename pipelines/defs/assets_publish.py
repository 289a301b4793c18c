"""The last step: publish the marts once every blocking check upstream has passed."""


import dagster as dg

from pipelines import settings
from pipelines.defs.resources import WarehouseResource
from pipelines.publish.publisher import publish_marts

REPORT_KEY = dg.AssetKey(["marts", "rpt_campaign_stats"])


@dg.asset(
    key=["published", "marts"],
    deps=[REPORT_KEY],
    group_name="publish",
    description="Parquet/CSV of every analyst mart in the marts folder (WARMHEART_MARTS_DIR).",
)
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    marts_dir = settings.marts_dir()
    with warehouse.connect() as con:
        pub = publish_marts(con, marts_dir)
    context.log.info(f"published {len(pub.files)} files to {marts_dir}")
    return dg.MaterializeResult(
        metadata={"marts_dir": str(marts_dir), "rows": dg.MetadataValue.json(pub.rows)}
    )
