"""Run the GX Core 1.x suites of expectations/ on polars frames read from the warehouse.

GX's SQL datasource does not work on DuckDB, so each table is read with DuckDB into
polars, shaped into the frame the suite names (`meta.warmheart.frame`), handed to an
ephemeral GX context as a pandas dataframe and validated. The result is turned into
`CheckOutcome`s: severity from the expectation (`critical` → blocking), counts, and
a few offending rows with their file and row so an operator can find them.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl

from pipelines import settings
from pipelines.campaign import Campaign
from pipelines.checks.classes import validate_by_class
from pipelines.checks.ids import id_is_valid
from pipelines.checks.outcomes import MAX_EXAMPLES, CheckOutcome, json_safe
from pipelines.checks.suites import MIN_ROWS_FOR_ID_SHARE
from pipelines.publish.files import flat_frame

EXAMPLE_LINEAGE = ("_file_path", "_source_row", "_city_code", "_cutoff_date")
HISTORY_MIN = dt.date(1950, 1, 1)  # nobody in the campaign registered or graduated before


def campaign_parameters(campaign: Campaign) -> dict[str, Any]:
    """Suite parameters: the campaign's dates, so the JSON never spells a campaign."""
    ts = pd.Timestamp
    return {
        "campaign_start": ts(campaign.start),
        "campaign_end": ts(campaign.end),
        "cutoffs": [ts(c) for c in campaign.cutoffs],
        # Activity records (visits, referrals, events, postings) a year before the campaign
        # are plausible resends; a quarter after the end is plausible for late uploads.
        "activity_min": ts(campaign.start - dt.timedelta(days=366)),
        "activity_max": ts(campaign.end + dt.timedelta(days=92)),
        "history_min": ts(HISTORY_MIN),
        "history_max": ts(campaign.end + dt.timedelta(days=366)),
    }


def load_suites(directory: Path = settings.EXPECTATIONS_DIR) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]


def suites_for_table(
    table: str, directory: Path = settings.EXPECTATIONS_DIR
) -> list[dict[str, Any]]:
    return [s for s in load_suites(directory) if s["meta"]["warmheart"]["table"] == table]


def query_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> pl.DataFrame:
    """A query as polars, on a cursor of `con`.

    DuckDB 2.0 refuses relation queries on a connection whose last execute() result was
    not fetched to the end (a `fetchone()` elsewhere); a cursor has its own state, so the
    gate works whatever the caller did with the connection before.
    """
    cur = con.cursor()
    try:
        return cur.sql(sql, params=params).pl() if params else cur.sql(sql).pl()
    finally:
        cur.close()


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    schema, name = table.split(".", 1)
    return query_frame(con, f'select * from "{schema}"."{name}"')


def current_files(df: pl.DataFrame) -> pl.DataFrame:
    """City uploads: only the current file of each (city, cut-off), as the models use.

    Raw keeps every file ever received; a broken upload the city has since corrected
    counts nowhere, so it must not block every later run. Registries (no cut-off) are
    full extracts that are all used, and are kept whole.
    """
    needed = {"_file_path", "_city_code", "_cutoff_date", "_received_at"}
    if not needed <= set(df.columns) or df.get_column("_cutoff_date").null_count() == df.height:
        return df
    keys = ["_city_code", "_cutoff_date"] + (
        ["_campaign_id"] if "_campaign_id" in df.columns else []
    )
    files = df.select(*keys, "_file_path", "_received_at").unique()
    current = (
        files.sort(["_received_at", "_file_path"], nulls_last=False)
        .group_by(keys, maintain_order=True)
        .last()
        .select("_file_path")
    )
    return df.filter(
        pl.col("_cutoff_date").is_null()
        | pl.col("_file_path").is_in(current.get_column("_file_path").implode())
    )


def build_frame(spec: dict[str, Any], df: pl.DataFrame, campaign: Campaign) -> pl.DataFrame:
    """The frame a suite validates: the rows, one row per file, or a multi column exploded."""
    kind = spec["kind"]
    if spec.get("files", "current") == "current":
        df = current_files(df)
    if kind == "rows":
        return df
    if kind == "id_validity_per_file":
        if spec.get("only_when"):
            column, value = spec["only_when"]
            df = df.filter(pl.col(column) == value)
        keys = [c for c in ("_file_path", "_city_code", "_cutoff_date") if c in df.columns]
        return (
            df.with_columns(_valid=id_is_valid(pl.col("id_number"), campaign.end))
            .group_by(keys, maintain_order=True)
            .agg(rows=pl.len(), valid_ids=pl.col("_valid").sum())
            .with_columns(
                valid_id_share=pl.when(pl.col("rows") >= MIN_ROWS_FOR_ID_SHARE).then(
                    pl.col("valid_ids") / pl.col("rows")
                )
            )
        )
    if kind == "explode":
        col = spec["column"]
        lineage = [c for c in EXAMPLE_LINEAGE if c in df.columns]
        return df.select(*lineage, col).explode(col).drop_nulls(col)
    raise ValueError(f"unknown frame kind {kind!r}")


_GX_LOCK = threading.Lock()
_gx_loading: cf.Future[Any] | None = None


def warm_gx() -> None:
    """Start importing GX in a background thread, if not started yet.

    Importing GX is about two seconds of pure Python. The gate calls this before it reads
    a table it must judge: DuckDB and Polars release the GIL while they read and shape the
    table, so the import costs the gate nearly nothing. A gate with nothing to judge (every
    table unchanged) never imports GX at all.
    """
    global _gx_loading
    with _GX_LOCK:
        if _gx_loading is None or (_gx_loading.done() and _gx_loading.exception()):
            future: cf.Future[Any] = cf.Future()
            threading.Thread(target=_load_gx, args=(future,), name="gx-import", daemon=True).start()
            _gx_loading = future


def _load_gx(future: cf.Future[Any]) -> None:
    try:
        future.set_result(_new_gx_batch_definition())
    except BaseException as exc:  # handed to whoever waits for GX (the gate reports it)
        future.set_exception(exc)


def _gx_batch_definition() -> Any:
    """The process's one ephemeral GX context's batch definition (imported once)."""
    warm_gx()
    assert _gx_loading is not None
    return _gx_loading.result()


def _new_gx_batch_definition() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every batch under HASH_THRESHOLD bytes (pandas' hash of each row,
    # then md5) for its batch markers, which nothing here reads: about 2 s of a province's
    # first gate. Checked by test_gx_batches_are_not_fingerprinted, should GX rename it.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("warehouse_frames")
    return source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    # Lists are not validated as such (multi columns are exploded first); as text they
    # cost nothing and keep the frame convertible.
    return flat_frame(frame).to_pandas()


def _columns_of(kwargs: dict[str, Any]) -> list[str]:
    cols = [kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")]
    return [c for c in cols if c] + list(kwargs.get("column_list") or [])


def _examples(
    frame: pl.DataFrame, indices: list[int], kwargs: dict[str, Any]
) -> list[dict[str, Any]]:
    wanted = [
        c
        for c in (
            *EXAMPLE_LINEAGE,
            "rows",
            "valid_ids",
            "city_code",
            "cutoff_date",
            *_columns_of(kwargs),
        )
        if c in frame.columns
    ]
    wanted = list(dict.fromkeys(wanted))
    out = []
    for i in indices[:MAX_EXAMPLES]:
        row = frame.row(int(i), named=True)
        out.append({c: json_safe(row[c]) for c in wanted})
    return out


def _observed(success: bool, result: dict[str, Any]) -> list[dict[str, Any]]:
    """For table-level expectations (no rows to show): what GX observed, e.g. the columns."""
    if success or "observed_value" not in result:
        return []
    details = result.get("details") or {}
    mismatched = details.get("mismatched") if isinstance(details, dict) else None
    return [
        {
            "observed": json_safe(result["observed_value"]),
            **({"mismatched": json_safe(mismatched)} if mismatched else {}),
        }
    ]


def _gx_validate(
    expectations: list[dict[str, Any]],
    pdf: pd.DataFrame,
    parameters: dict[str, Any],
    result_format: str,
) -> list[Any]:
    """GX's results for `expectations` on one pandas frame (not necessarily in their order)."""
    import great_expectations as gx

    batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": pdf})
    result = batch.validate(
        gx.ExpectationSuite(name="warmheart", expectations=expectations),
        expectation_parameters=parameters,
        result_format={"result_format": result_format, "partial_unexpected_count": MAX_EXAMPLES},
    )
    return list(result.results)


def run_suite(
    suite: dict[str, Any], frame: pl.DataFrame, parameters: dict[str, Any], by_class: bool = True
) -> list[CheckOutcome]:
    """Validate one suite on one frame; every expectation gives one outcome (errors fail).

    GX judges each class of rows once (classes.py), not each row: same outcomes, in
    seconds at a province's size.
    """
    table = suite["meta"]["warmheart"]["table"]
    verdicts = validate_by_class(
        suite["expectations"],
        frame,
        lambda exps, pdf, fmt: _gx_validate(exps, pdf, parameters, fmt),
        _to_pandas,
        MAX_EXAMPLES,
        by_class,
    )
    outcomes = []
    for v in verdicts:
        res = v.result
        cfg = res.expectation_config
        info = res.exception_info or {}
        if "raised_exception" not in info:  # keyed by metric id when a metric failed
            info = next(iter(info.values()), {}) if info else {}
        error = info.get("exception_message") if info.get("raised_exception") else None
        r = dict(res.result or {})
        outcomes.append(
            CheckOutcome(
                name=cfg.type,
                table=table,
                suite=suite["name"],
                severity="blocking"
                if str(getattr(cfg.severity, "value", cfg.severity)) == "critical"
                else "warning",
                success=bool(res.success) and error is None,
                why=(cfg.meta or {}).get("why", ""),
                column=", ".join(_columns_of(cfg.kwargs)) or None,
                unexpected_count=v.unexpected_count,
                element_count=v.element_count,
                examples=_examples(frame, v.example_rows, cfg.kwargs) or _observed(res.success, r),
                error=error,
            )
        )
    return outcomes


# What else decides an outcome besides the suite and the rows: how the gate builds frames
# and judges them. A change to this code judges every table again.
_GATE_CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))
).hexdigest()


def _outcome_key(suite: dict[str, Any], parameters: dict[str, Any], *parts: Any) -> Any:
    """A sha256 started with what decides every stored outcome (the suite, its parameters,
    the gate's code, the polars and DuckDB versions) and `parts`, what the store adds."""
    return hashlib.sha256(
        json.dumps(
            [
                suite,
                {k: str(v) for k, v in parameters.items()},
                _GATE_CODE,
                pl.__version__,
                duckdb.__version__,
                *parts,
            ],
            sort_keys=True,
            default=str,
        ).encode()
    )


def frame_digest(suite: dict[str, Any], frame: pl.DataFrame, parameters: dict[str, Any]) -> str:
    """What decides a suite's outcome: `_outcome_key`, and the validated frame's schema and
    rows (in order: examples are row positions)."""
    h = _outcome_key(suite, parameters, "frame", [(c, str(t)) for c, t in frame.schema.items()])
    if frame.height:
        # Two independent 64-bit row hashes (stable within a polars version, which is in the key).
        h.update(frame.hash_rows(seed=0).to_numpy().tobytes())
        h.update(frame.hash_rows(seed=1).to_numpy().tobytes())
    return h.hexdigest()


def run_suite_stored(
    suite: dict[str, Any], frame: pl.DataFrame, parameters: dict[str, Any], store: Path | None
) -> list[CheckOutcome]:
    """`run_suite`, or its stored outcomes when the same suite already judged the same frame:
    an unchanged table is validated once, however many runs follow."""
    if store is None:
        return run_suite(suite, frame, parameters)
    path = store / f"{frame_digest(suite, frame, parameters)}.json"
    if path.exists() and (stored := _load_outcomes(path)) is not None:
        return stored
    outcomes = run_suite(suite, frame, parameters)
    _save_outcomes(path, outcomes)
    return outcomes


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A digest of the table's columns and rows, in their order, computed inside DuckDB.

    Reading a province's ledger into polars costs seconds; hashing it where it lies costs
    a fraction of one. Row order counts (examples are row positions): each row's hash is
    weighted by its position.
    """
    schema, name = table.split(".", 1)
    cur = con.cursor()
    try:
        columns = cur.execute(f'select * from "{schema}"."{name}" limit 0').description
        rows = cur.execute(
            f"select count(*), sum(hash(t)::hugeint * (t.rowid + 1))::varchar, "
            f'bit_xor(hash(t)) from "{schema}"."{name}" as t'
        ).fetchall()
    finally:
        cur.close()
    return hashlib.sha256(
        json.dumps([[(c[0], str(c[1])) for c in columns], rows], default=str).encode()
    ).hexdigest()


def _table_key(suite: dict[str, Any], parameters: dict[str, Any], fingerprint: str) -> str:
    return _outcome_key(suite, parameters, "table", fingerprint).hexdigest()


def _load_outcomes(path: Path) -> list[CheckOutcome] | None:
    try:
        return [CheckOutcome(**o) for o in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None


def _save_outcomes(path: Path, outcomes: list[CheckOutcome]) -> None:
    if any(o.error for o in outcomes):  # a crashed metric is retried next run, never remembered
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(
        json.dumps([o.to_dict() for o in outcomes], ensure_ascii=False), encoding="utf-8"
    )
    os.replace(tmp, path)


def run_table_suites(
    con: duckdb.DuckDBPyConnection,
    table: str,
    campaign: Campaign,
    directory: Path = settings.EXPECTATIONS_DIR,
    store: Path | None = None,
) -> list[CheckOutcome]:
    """Every suite guarding `table`, run on the table as it is in the warehouse now.

    With `store`, outcomes are kept by content twice over: by the table's fingerprint (an
    unchanged table is not even read) and by each suite's frame (`run_suite_stored`: a
    changed table whose current files are unchanged is read but not validated again).
    """
    suites = suites_for_table(table, directory)
    params = campaign_parameters(campaign)
    keys: list[Path] = []
    if store is not None and suites:
        try:
            fingerprint = table_fingerprint(con, table)
        except duckdb.Error:
            fingerprint = None  # unreadable: reported below, when the table is read
        if fingerprint is not None:
            keys = [store / "tables" / f"{_table_key(s, params, fingerprint)}.json" for s in suites]
            stored = [_load_outcomes(k) if k.exists() else None for k in keys]
            if all(o is not None for o in stored):
                return [o for outcomes in stored for o in outcomes or []]
    warm_gx()  # imports while the table is read and shaped
    try:
        df = read_table(con, table)
    except duckdb.Error as exc:
        # A table the gate cannot read is a failure of every suite on it, never a pass.
        return [
            CheckOutcome(
                "table_readable",
                table,
                s["name"],
                _suite_severity(s),
                False,
                "the guarded table exists and can be read",
                error=str(exc).splitlines()[0],
            )
            for s in suites
        ]
    outcomes: list[CheckOutcome] = []
    for i, suite in enumerate(suites):
        frame = build_frame(suite["meta"]["warmheart"]["frame"], df, campaign)
        judged = run_suite_stored(suite, frame, params, store)
        if keys:
            _save_outcomes(keys[i], judged)
        outcomes.extend(judged)
    return outcomes


def _suite_severity(suite: dict[str, Any]) -> str:
    sev = {e.get("severity", "critical") for e in suite["expectations"]}
    return "blocking" if "critical" in sev else "warning"
