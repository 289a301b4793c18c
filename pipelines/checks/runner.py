"""Run the GX Core 1.x suites of expectations/ on polars frames read from the warehouse.

GX's SQL datasource does not work on DuckDB, so each table is read with DuckDB into
polars, shaped into the frame the suite names (`meta.warmheart.frame`), handed to an
ephemeral GX context as a pandas dataframe and validated. The result is turned into
`CheckOutcome`s: severity from the expectation (`critical` → blocking), counts, and
a few offending rows with their file and row so an operator can find them.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import datetime as dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from pipelines import settings
from pipelines.campaign import Campaign
from pipelines.checks.classes import CELL_KWARGS, KEY_KWARGS, SHAPE_KWARGS, validate_by_class
from pipelines.checks.ids import id_is_valid
from pipelines.checks.outcomes import MAX_EXAMPLES, CheckOutcome, json_safe
from pipelines.checks.suites import MIN_ROWS_FOR_ID_SHARE
from pipelines.publish.files import flat_frame

if TYPE_CHECKING:
    import pandas as pd

# numpy and pandas are imported where a suite runs: every entry point imports this module
# with the definitions (0.9 s of a run's start-up on a 2-core machine), and a run in which
# no raw table changed never validates a frame.

EXAMPLE_LINEAGE = ("_file_path", "_source_row", "_city_code", "_cutoff_date")
HISTORY_MIN = dt.date(1950, 1, 1)  # nobody in the campaign registered or graduated before


def campaign_parameters(campaign: Campaign) -> dict[str, Any]:
    """Suite parameters: the campaign's dates, so the JSON never spells a campaign."""
    import pandas as pd

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


def read_files(con: duckdb.DuckDBPyConnection, table: str, paths: list[str]) -> pl.DataFrame:
    """The rows of the files `paths` of `table`, in table order."""
    schema, name = table.split(".", 1)
    return query_frame(
        con, f'select * from "{schema}"."{name}" where list_contains(?, _file_path)', [paths]
    )


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


def _verdicts(
    suite: dict[str, Any], frame: pl.DataFrame, parameters: dict[str, Any], by_class: bool
):
    return validate_by_class(
        suite["expectations"],
        frame,
        lambda exps, pdf, fmt: _gx_validate(exps, pdf, parameters, fmt),
        _to_pandas,
        MAX_EXAMPLES,
        by_class,
    )


def _outcome(
    suite: dict[str, Any],
    result: Any,
    frame: pl.DataFrame,
    unexpected_count: int | None,
    element_count: int | None,
    example_rows: list[int],
    success: bool | None = None,
) -> CheckOutcome:
    """One expectation's outcome from GX's result; `success` overrides GX's (a file's share
    of a frame's verdict)."""
    cfg = result.expectation_config
    info = result.exception_info or {}
    if "raised_exception" not in info:  # keyed by metric id when a metric failed
        info = next(iter(info.values()), {}) if info else {}
    error = info.get("exception_message") if info.get("raised_exception") else None
    r = dict(result.result or {})
    passed = bool(result.success) if success is None else success
    return CheckOutcome(
        name=cfg.type,
        table=suite["meta"]["warmheart"]["table"],
        suite=suite["name"],
        severity="blocking"
        if str(getattr(cfg.severity, "value", cfg.severity)) == "critical"
        else "warning",
        success=passed and error is None,
        why=(cfg.meta or {}).get("why", ""),
        column=", ".join(_columns_of(cfg.kwargs)) or None,
        unexpected_count=unexpected_count,
        element_count=element_count,
        examples=_examples(frame, example_rows, cfg.kwargs) or _observed(passed, r),
        error=error,
    )


def run_suite(
    suite: dict[str, Any], frame: pl.DataFrame, parameters: dict[str, Any], by_class: bool = True
) -> list[CheckOutcome]:
    """Validate one suite on one frame; every expectation gives one outcome (errors fail).

    GX judges each class of rows once (classes.py), not each row: same outcomes, in
    seconds at a province's size.
    """
    return [
        _outcome(suite, v.result, frame, v.unexpected_count, v.element_count, v.example_rows)
        for v in _verdicts(suite, frame, parameters, by_class)
    ]


class NotFileWise(Exception):
    """A suite's verdict on a frame cannot be split into its files' verdicts."""


def file_wise(suite: dict[str, Any]) -> bool:
    """Whether the suite's outcome on a frame is the sum of its outcomes on each file's rows.

    True of a frame of rows, of exploded cells or of one row per file, judged by
    expectations that read one cell, a compound key that includes the file, or the
    frame's columns; and of "at least one row" on a frame of rows (every file in a
    table has a row).
    """
    spec = suite["meta"]["warmheart"]["frame"]
    if spec["kind"] not in ("rows", "explode", "id_validity_per_file"):
        return False
    for e in suite["expectations"]:
        etype, kwargs = e["type"], e.get("kwargs", {})
        if etype in CELL_KWARGS:
            ok = set(kwargs) <= CELL_KWARGS[etype]
        elif etype in KEY_KWARGS:
            ok = set(kwargs) <= KEY_KWARGS[etype] and "_file_path" in kwargs["column_list"]
        elif etype == "expect_table_columns_to_match_set":
            ok = set(kwargs) <= SHAPE_KWARGS[etype]
        elif etype == "expect_table_row_count_to_be_between":
            ok = (
                spec["kind"] == "rows"
                and set(kwargs) <= {"min_value"}
                and (kwargs.get("min_value") or 0) <= 1
            )
        else:
            ok = False
        if not ok:
            return False
    return True


def run_suite_by_file(
    suite: dict[str, Any], frame: pl.DataFrame, parameters: dict[str, Any], paths: list[str]
) -> dict[str, list[CheckOutcome]]:
    """`run_suite` once on the rows of several files, its verdicts split into the outcome
    each file's rows alone would get (`file_wise` suites only; merge_file_outcomes puts
    them together again). Raises NotFileWise when an expectation could not be judged by
    class (a column the frame lacks): its verdict names rows of the whole frame."""
    import numpy as np

    verdicts = _verdicts(suite, frame, parameters, True)
    positions = {
        path: np.asarray(rows, dtype=np.int64)
        for path, rows in frame.select("_file_path")
        .with_row_index("_row")
        .group_by("_file_path")
        .agg("_row")
        .iter_rows()
    }
    row_level = {*KEY_KWARGS, *CELL_KWARGS}
    out: dict[str, list[CheckOutcome]] = {}
    for path in paths:
        rows = positions.get(path, np.zeros(0, dtype=np.int64))
        outcomes = []
        for v in verdicts:
            if v.result.expectation_config.type not in row_level:  # the frame's shape
                outcomes.append(_outcome(suite, v.result, frame, v.unexpected_count, None, []))
                continue
            if v.unexpected_rows is None:
                raise NotFileWise(v.result.expectation_config.type)
            mine = v.unexpected_rows[np.isin(v.unexpected_rows, rows)]
            outcomes.append(
                _outcome(
                    suite,
                    v.result,
                    frame,
                    int(mine.size),
                    int(rows.size),
                    mine[:MAX_EXAMPLES].tolist(),
                    success=mine.size == 0,
                )
            )
        out[path] = outcomes
    return out


def merge_file_outcomes(per_file: list[list[CheckOutcome]]) -> list[CheckOutcome]:
    """The outcomes of a suite on several files' rows, from each file's (in frame order):
    counts add up, examples are the first offending rows in file order."""
    merged = []
    for same in zip(*per_file, strict=True):
        failing = [o for o in same if not o.success]
        first = failing[0] if failing else same[0]
        counts = [o.unexpected_count for o in same]
        elements = [o.element_count for o in same]
        row_level = all(c is not None for c in counts) and all(e is not None for e in elements)
        merged.append(
            dataclasses.replace(
                first,
                success=not failing,
                unexpected_count=sum(counts) if row_level else first.unexpected_count,  # type: ignore[arg-type]
                element_count=sum(elements) if row_level else first.element_count,  # type: ignore[arg-type]
                examples=[e for o in failing for e in o.examples][:MAX_EXAMPLES]
                if row_level
                else list(first.examples),
            )
        )
    return merged


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


def file_fingerprints(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """One row per file of the table, in table order: its lineage (city, cut-off, received),
    its row count and a digest of its rows in their order, computed inside DuckDB."""
    schema, name = table.split(".", 1)
    cur = con.cursor()
    try:
        columns = [
            c[0] for c in cur.execute(f'select * from "{schema}"."{name}" limit 0').description
        ]
    finally:
        cur.close()
    lineage = [
        f"any_value({c}) as {c}" if c != "_received_at" else "max(_received_at) as _received_at"
        for c in ("_city_code", "_cutoff_date", "_campaign_id", "_received_at")
        if c in columns
    ]
    return query_frame(
        con,
        f"select _file_path, {', '.join(lineage) + ',' if lineage else ''} count(*) as _rows, "
        "count(*)::varchar || ':' || sum(hash(t)::hugeint * (t.rowid + 1))::varchar || ':' "
        "|| bit_xor(hash(t))::varchar as _fp, min(t.rowid) as _first "
        f'from "{schema}"."{name}" as t group by _file_path order by _first',
    )


def _judge_by_file(
    con: duckdb.DuckDBPyConnection,
    table: str,
    suites: dict[int, dict[str, Any]],
    campaign: Campaign,
    params: dict[str, Any],
    store: Path,
) -> dict[int, list[CheckOutcome]]:
    """The outcomes of `file_wise` suites, from each file's stored outcomes; only the rows
    of files no suite judged before are read and validated (together, once per suite).
    A suite left out of the answer is judged whole by the caller."""
    try:
        files = file_fingerprints(con, table)
        columns = read_files(con, table, []).schema
    except duckdb.Error:
        return {}  # the caller reads the table and reports why it cannot
    if files.height == 0:
        return {}  # an empty table: judged whole ("at least one row")
    shape = [(c, str(t)) for c, t in columns.items()]
    current = current_files(files)
    plan: dict[int, list[tuple[str, Path]]] = {}
    known: dict[Path, list[CheckOutcome]] = {}
    for i, suite in suites.items():
        these = (
            current
            if suite["meta"]["warmheart"]["frame"].get("files", "current") == "current"
            else files
        )
        plan[i] = []
        for path, fp in these.select("_file_path", "_fp").iter_rows():
            key = _outcome_key(suite, params, "file", shape, path, fp).hexdigest()
            stored_at = store / "files" / f"{key}.json"
            plan[i].append((path, stored_at))
            if stored_at.exists() and (outcomes := _load_outcomes(stored_at)) is not None:
                known[stored_at] = outcomes
    pending = {i: [p for p, at in todo if at not in known] for i, todo in plan.items()}
    needed = sorted({p for paths in pending.values() for p in paths})
    rows = read_files(con, table, needed) if needed else None
    answered: dict[int, list[CheckOutcome]] = {}
    for i, todo in plan.items():
        if pending[i]:
            assert rows is not None
            frame = build_frame(
                suites[i]["meta"]["warmheart"]["frame"],
                rows.filter(pl.col("_file_path").is_in(pending[i])),
                campaign,
            )
            try:
                judged = run_suite_by_file(suites[i], frame, params, pending[i])
            except NotFileWise:
                continue
            for path, stored_at in todo:
                if path in judged:
                    known[stored_at] = judged[path]
                    _save_outcomes(stored_at, judged[path])
        answered[i] = merge_file_outcomes([known[at] for _, at in todo])
    return answered


def run_table_suites(
    con: duckdb.DuckDBPyConnection,
    table: str,
    campaign: Campaign,
    directory: Path = settings.EXPECTATIONS_DIR,
    store: Path | None = None,
) -> list[CheckOutcome]:
    """Every suite guarding `table`, run on the table as it is in the warehouse now.

    With `store`, outcomes are kept by content three times over: by the table's
    fingerprint (an unchanged table is not even read); for a `file_wise` suite by each
    file's rows (a corrected upload reads and validates that file alone); for any other
    suite by its frame (`run_suite_stored`: a changed table whose current files are
    unchanged is read but not validated again).
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
    judged: dict[int, list[CheckOutcome]] = {}
    if store is not None:
        by_file = {i: s for i, s in enumerate(suites) if file_wise(s)}
        if by_file:
            judged = _judge_by_file(con, table, by_file, campaign, params, store)
    if len(judged) < len(suites):
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
        for i, suite in enumerate(suites):
            if i not in judged:
                frame = build_frame(suite["meta"]["warmheart"]["frame"], df, campaign)
                judged[i] = run_suite_stored(suite, frame, params, store)
    outcomes: list[CheckOutcome] = []
    for i in range(len(suites)):
        if keys:
            _save_outcomes(keys[i], judged[i])
        outcomes.extend(judged[i])
    return outcomes


def _suite_severity(suite: dict[str, Any]) -> str:
    sev = {e.get("severity", "critical") for e in suite["expectations"]}
    return "blocking" if "critical" in sev else "warning"
