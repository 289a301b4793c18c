"""The terminal of `make run`: the event stream goes to a log file, the summary speaks Chinese."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pipelines import console, terms
from pipelines.dbt_project import build_summary
from pipelines.ingest.run import IngestSummary
from pipelines.memo_terms import TEST_REMEMBERED


def _summary(**overrides) -> list[str]:
    args = dict(
        success=True,
        published=True,
        blocking=[],
        warnings=2,
        report=Path("data/marts/r.parquet"),
        feedback_dir=Path("data/restricted"),
        cutoffs=["2022-08-15", "2022-08-30"],
        cities=[console.CityLine(c) for c in terms.CITIES],
        log_path=Path("data/logs/run.log"),
        gate_report=Path("data/gate_reports/x/report.md"),
        seconds=12.0,
    )
    return console.summary_lines(**{**args, **overrides})


def test_quiet_output_sends_subprocess_and_python_output_to_the_log(tmp_path):
    log = tmp_path / "logs" / "run.log"
    with console.quiet_output(log) as terminal:
        print("dagster event")
        subprocess.run(["echo", "dbt output"], check=True)
        terminal.write("progress line\n")
    text = log.read_text()
    assert "dagster event" in text and "dbt output" in text and "progress line" not in text


def test_the_ingest_summary_line_is_what_the_progress_display_parses():
    summary = IngestSummary(
        files_seen=12,
        files_loaded=9,
        files_skipped=2,
        files_quarantined=1,
        rows_loaded={"ledger": 1500, "visits": 20},
        rows_quarantined=7,
    )
    progress = console.Progress(terminal=open("/dev/null", "w"), run_id="x")  # noqa: SIM115
    progress._on_message(f"ingest: {summary}")
    assert progress.ingest_done == (
        "文件 files 12（新 new 10，未变 unchanged 2），读入行 rows 1,520，未读入 not loaded 7"
    )
    progress._on_message(
        "ingest [3/12] submissions/x/a.csv: loaded ledger read=5 loaded=4 quarantined=1"
    )
    assert (progress.files_done, progress.files_total, progress.rows_loaded) == (3, 12, 4)


def test_a_passing_run_summary_names_the_report_the_feedback_and_every_city():
    lines = _summary()
    text = "\n".join(lines)
    assert "通过 passed" in text and "data/marts/r.parquet" in text
    assert "data/restricted/<截止日期>/<城市代码>/问题反馈_<城市>_<截止日期>.xlsx" in text
    assert all(any(line.startswith(name) for line in lines) for name in terms.CITIES.values())
    assert len(lines) < 30


def test_a_failed_gate_is_explained_in_chinese_with_what_to_do():
    lines = _summary(
        success=False,
        published=False,
        blocking=[("expect_column_values_to_be_between", "raw.reg_temp_relief")],
    )
    text = "\n".join(lines)
    assert "未通过 FAILED" in text and "之前发布的报表保持不变" in text
    assert "raw.reg_temp_relief：数值超出合理范围" in text and "请核对" in text


def test_late_and_missing_uploads_show_their_cutoffs():
    city = console.CityLine(
        "370300", rows_not_loaded=4, late_cutoffs=["08-30"], missing_cutoffs=["09-15"]
    )
    [line] = [x for x in _summary(cities=[city]) if x.startswith("淄博市")]
    assert "4" in line and "08-30" in line and "09-15" in line


def test_every_step_of_a_run_has_a_chinese_name_in_the_progress_display():
    import dagster as dg

    from pipelines.defs import defs

    steps = {a.node_def.name for a in defs.assets if isinstance(a, dg.AssetsDefinition)}
    unnamed = sorted(s for s in steps if s not in console.STAGES)
    assert not unnamed, f"steps the progress display would show by their key: {unnamed}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in console.STAGES.values())


def test_the_dbt_step_shows_how_many_models_it_rebuilt_and_kept_and_tests_it_remembered(
    tmp_path,
):
    """The build's own files (run_results.json, dbt.log) give the counts the dbt step logs;
    the progress display shows them in Chinese."""
    target = tmp_path / "warehouse_models-x"
    target.mkdir()
    results = [
        {"unique_id": f"model.warmheart.{name}", "status": "success"}
        for name in ("stg_visits", "int_visits", "stg_ledger")
    ] + [
        {"unique_id": "test.warmheart.not_null_x", "status": "pass"},
        {"unique_id": "test.warmheart.not_null_y", "status": "skipped"},
        {
            "unique_id": "test.warmheart.unique_x",
            "status": "warn",
            "adapter_response": {"_message": TEST_REMEMBERED},
        },
    ]
    (target / "run_results.json").write_text(json.dumps({"results": results}))
    (target / "dbt.log").write_text(
        "00:01:02.3 [debug] build memo: stg_ledger has the inputs it was built from; kept\n"
    )
    progress = console.Progress(terminal=open("/dev/null", "w"), run_id="x")  # noqa: SIM115
    progress._on_message(build_summary(target))
    assert progress.dbt_done == (
        "模型 models 3（重建 rebuilt 2，未变保留 kept 1），"
        "检验 tests 2（运行 run 1，复用 remembered 1）"
    )


def test_models_kept_early_in_a_build_whose_log_dbt_rotated_are_counted(tmp_path):
    """dbt rotates dbt.log at 10 MB (dbt.log.1 holds the older part); a build that long
    still shows every model it kept."""
    target = tmp_path / "warehouse_models-x"
    target.mkdir()
    results = [
        {"unique_id": f"model.warmheart.{name}", "status": "success"}
        for name in ("stg_visits", "int_visits", "stg_ledger")
    ]
    (target / "run_results.json").write_text(json.dumps({"results": results}))
    kept = "00:01:02.3 [debug] build memo: {} has the inputs it was built from; kept\n"
    (target / "dbt.log.1").write_text(kept.format("stg_ledger"))
    (target / "dbt.log").write_text(kept.format("int_visits"))
    assert build_summary(target) == (
        "dbt: 1 models built, 2 kept (inputs unchanged); 0 tests run, 0 remembered"
    )


def test_the_progress_display_follows_a_run_without_reading_its_event_log_back(
    tmp_path, monkeypatch
):
    """Each stage's line comes from the events Dagster hands the display as it stores
    them; the run's event log is never read back (a run stores about 2,000 events)."""
    import io
    import time
    import uuid

    import dagster as dg

    @dg.op
    def ingest_like() -> int:
        time.sleep(0.3)  # a stage the display times by its events, not by when it looked
        return 1

    @dg.op
    def models_like(x: int) -> int:
        return x + 1

    @dg.job
    def two_steps():
        models_like(ingest_like())

    terminal = io.StringIO()  # not a terminal: one line per finished stage
    run_id = str(uuid.uuid4())
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:

        def no_reading_back(*_args, **_kwargs):
            raise AssertionError("the display read the event log back")

        monkeypatch.setattr(instance, "get_records_for_run", no_reading_back)
        progress = console.Progress(terminal, run_id)
        progress.start(instance)
        try:
            result = two_steps.execute_in_process(instance=instance, run_id=run_id)
        finally:
            progress.stop()
        steps = {}
        for entry in instance.all_logs(run_id):
            kind = entry.dagster_event.event_type_value if entry.dagster_event else None
            if kind in ("STEP_START", "STEP_SUCCESS"):
                steps.setdefault(entry.step_key, []).append(entry.timestamp)
    assert result.success
    lines = terminal.getvalue().splitlines()
    assert [line.split()[:2] for line in lines] == [["✓", "ingest_like"], ["✓", "models_like"]]
    # Each stage's seconds are its own events' (the display looks only every half second).
    shown = [float(line.split()[2].removesuffix("s")) for line in lines]
    taken = [round(end - start, 1) for start, end in steps.values()]
    assert shown == taken and shown[0] >= 0.3
