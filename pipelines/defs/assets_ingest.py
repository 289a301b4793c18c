"""Ingestion assets: the campaign configuration and every file under the raw root."""

import dagster as dg

from pipelines import settings, terms
from pipelines.campaign import load_campaign, write_campaign_tables
from pipelines.defs.resources import WarehouseResource

RAW_GROUP = "raw"
CAMPAIGN_KEYS = [dg.AssetKey(["raw", "campaign"]), dg.AssetKey(["raw", "campaign_cutoffs"])]
FILES_KEY = dg.AssetKey(["raw", "files"])
QUARANTINE_KEYS = [dg.AssetKey(["raw", "quarantine"]), dg.AssetKey(["raw", "cell_issues"])]


def raw_table_key(table: terms.Table) -> dg.AssetKey:
    return dg.AssetKey(["raw", table.name])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            CAMPAIGN_KEYS[0],
            description="The configured campaign: window and thresholds.",
            group_name=RAW_GROUP,
        ),
        dg.AssetSpec(
            CAMPAIGN_KEYS[1], description="The campaign's report cut-offs.", group_name=RAW_GROUP
        ),
    ],
)
def campaign_config(warehouse: WarehouseResource):
    """Load config/campaigns/<id>.toml into raw.campaign and raw.campaign_cutoffs."""
    campaign = load_campaign()
    with warehouse.connect() as con:
        write_campaign_tables(con, campaign)
    meta = {"campaign_id": campaign.id, "cutoffs": ", ".join(campaign.cutoff_keys)}
    yield dg.MaterializeResult(asset_key=CAMPAIGN_KEYS[0], metadata=meta)
    yield dg.MaterializeResult(
        asset_key=CAMPAIGN_KEYS[1], metadata={"cutoffs": len(campaign.cutoffs)}
    )


def _ingest_specs() -> list[dg.AssetSpec]:
    deps = CAMPAIGN_KEYS
    specs = [
        dg.AssetSpec(
            FILES_KEY,
            group_name=RAW_GROUP,
            deps=deps,
            description="Register of every file seen: city, cut-off, table type, received time, "
            "lateness, row accounting.",
        ),
        dg.AssetSpec(
            QUARANTINE_KEYS[0],
            group_name=RAW_GROUP,
            deps=deps,
            description="Files and rows that could not be loaded, with file, row, column and reason.",
        ),
        dg.AssetSpec(
            QUARANTINE_KEYS[1],
            group_name=RAW_GROUP,
            deps=deps,
            description="Optional cells that could not be parsed and were set to NULL.",
        ),
    ]
    for table in terms.ALL_TABLES:
        where = (
            f"registries/{table.registry_folder}/"
            if table.source == "registry"
            else "submissions/<campaign>/<cut-off>/<city>/"
        )
        specs.append(
            dg.AssetSpec(
                raw_table_key(table),
                group_name=RAW_GROUP,
                deps=deps,
                description=f"{table.title} ({table.name}) as uploaded under {where}, one row per source row, "
                "with lineage (file, sha256, sheet, row, received time).",
            )
        )
    return specs


@dg.multi_asset(specs=_ingest_specs(), can_subset=False)
def raw_uploads(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Discover and load every upload and registry extract under the raw root."""
    from pipelines.checks.runner import warm_gx
    from pipelines.ingest import ingest_all
    from pipelines.ingest.raw_files import NOT_EXPORTED, export_raw_layer

    campaign = load_campaign()
    raw_root = settings.raw_dir()
    context.log.info(f"ingesting {raw_root}")
    with warehouse.connect() as con:
        summary = ingest_all(
            con,
            raw_root,
            campaign,
            log=context.log.info,
            cache_dir=settings.data_dir() / "raw_store",
            # A new file is judged by the gate, next: GX's import (2 s of Python) starts
            # now, while the parse worker reads the files.
            on_new_file=warm_gx,
        )
        counts = {
            name: con.execute(f"select count(*) from raw.{name}").fetchone()[0]
            for name in ["files", "quarantine", "cell_issues", *(t.name for t in terms.ALL_TABLES)]
        }
        late = con.execute("select count(*) from raw.files where is_late").fetchone()[0]
        # The same raw layer as Parquet files, for an engine that does not read this DuckDB.
        # The DuckDB models read schema raw itself: writing the files for them cost 19 s on
        # a first run at 20,000 persons per city, for no reader. The export is incremental
        # against the warehouse, so a first run on Spark catches up with every upload.
        if settings.engine() == "spark":
            exported = str(export_raw_layer(con, settings.raw_layer_dir()))
        else:
            exported = NOT_EXPORTED
        context.log.info(exported)
    yield dg.MaterializeResult(
        asset_key=FILES_KEY,
        metadata={
            "files": counts["files"],
            "late_files": late,
            "summary": str(summary),
            # What this run added (the totals above include earlier runs' files).
            "files_loaded_this_run": summary.files_loaded,
            "files_quarantined_this_run": summary.files_quarantined,
            "files_from_parse_store_this_run": summary.files_reused,
            "late_files_this_run": dg.MetadataValue.json(summary.late_files[:200]),
            "seconds": round(summary.seconds, 1),
            "raw_layer": str(settings.raw_layer_dir()),
            "raw_layer_export": exported,
        },
    )
    yield dg.MaterializeResult(
        asset_key=QUARANTINE_KEYS[0],
        metadata={
            "rows": counts["quarantine"],
            "rows_quarantined_this_run": summary.rows_quarantined,
        },
    )
    yield dg.MaterializeResult(
        asset_key=QUARANTINE_KEYS[1],
        metadata={"rows": counts["cell_issues"], "cell_issues_this_run": summary.cell_issues},
    )
    for table in terms.ALL_TABLES:
        yield dg.MaterializeResult(
            asset_key=raw_table_key(table), metadata={"rows": counts[table.name]}
        )
