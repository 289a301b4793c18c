"""What `make run` shows in the terminal: a progress display per stage and a closing summary.

Dagster's event stream (and dbt's output) is written to a log file under data/logs/;
the terminal gets one line per stage and, at the end, a summary in Chinese and
English: whether the quality gate passed (or which check stopped it), where the
report is, per city the rows not loaded and the late or missing uploads, and where
the 问题反馈 workbooks are. `python -m pipelines run --verbose` shows the stream instead.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pipelines import reason_codes, settings, terms

# Step key → what an operator calls that stage (Chinese / English).
STAGES: dict[str, str] = {
    "campaign_config": "活动配置 / campaign config",
    "raw_uploads": "读取上传文件 / reading uploads",
    "raw_input_gate": "输入质量检查 / input checks",
    "warehouse_models": "建模计算 (dbt) / models",
    "published__marts": "发布报表 / publishing marts",
    "published__report_by_cutoff": "分期报表 / per cut-off report",
    "restricted__city_exports": "问题反馈与名单 / city feedback",
    "published__charts": "图表 / charts",
    "published__summary": "活动总结 / final summary",
}
INGEST_PROGRESS = re.compile(r"^ingest \[(\d+)/(\d+)\] .* loaded=(\d+) quarantined=(\d+)")
INGEST_TOTAL = re.compile(r"^ingest: (\d+) files under ")
# Logged by the dbt step (pipelines/defs/assets_dbt.py) once its build is done.
DBT_DONE = re.compile(
    r"^dbt: (\d+) models built, (\d+) kept.*?(?:; (\d+) tests run, (\d+) remembered)?$"
)
# IngestSummary.__str__, logged once at the end of ingestion.
INGEST_DONE = re.compile(
    r"^ingest: (\d+) files seen: (\d+) loaded(?: \(\d+ from the parse store\))?, (\d+) unchanged, (\d+) quarantined, "
    r"(\d+) late; rows loaded (\d+) .*rows quarantined (\d+)"
)


def log_dir() -> Path:
    """Beside the warehouse file (data/logs/ by default), so a redirected run logs with its data."""
    return settings.warehouse_path().parent / "logs"


@contextlib.contextmanager
def quiet_output(log_path: Path) -> Iterator[IO[str]]:
    """Send everything written meanwhile (Python, Dagster's console logger, dbt subprocesses)
    to `log_path`; yield a stream to the real terminal."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8", errors="replace")
    with open(log_path, "a", buffering=1, encoding="utf-8", errors="replace") as log:
        os.dup2(log.fileno(), 1)  # subprocesses and anything holding the raw descriptors
        os.dup2(log.fileno(), 2)
        try:
            # Python-level streams too: they may not be fd 1/2 (a test runner swaps them).
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                yield terminal
        finally:
            log.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()


@dataclass
class _Stage:
    label: str
    started: float  # seconds since the epoch, as Dagster stamps its events
    finished: float | None = None
    failed: bool = False
    detail: str = ""


@dataclass
class Progress:
    """Follows one run's events and draws the stages on the terminal.

    On a terminal the current stage is redrawn in place (files read of total, rows,
    elapsed); elsewhere (CI, a pipe) each stage prints one line when it ends.
    """

    terminal: IO[str]
    run_id: str
    interval: float = 0.5
    stages: dict[str, _Stage] = field(default_factory=dict)
    files_total: int = 0
    files_done: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    ingest_done: str = ""
    dbt_done: str = ""
    _entries: collections.deque[Any] = field(default_factory=collections.deque)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _live: bool = False

    def __post_init__(self) -> None:
        self._live = self.terminal.isatty()
        self._t0 = time.monotonic()

    def note(self, text: str) -> None:
        """What happens before the first stage (on a terminal only; it is overwritten)."""
        if self._live:
            self.terminal.write(f"\r\033[K… {text}")
            self.terminal.flush()

    def start(self, instance: Any) -> None:
        # Dagster hands each event of the run to its listeners as it stores it: the display
        # takes them from there instead of reading the run's event log back (every event
        # deserialised again, 2 s sampled in a corrected ledger's run here).
        instance.add_event_listener(self.run_id, self._entries.append)
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._take()  # the events stored after the last look
        for key, stage in self.stages.items():
            if stage.finished is None:
                stage.finished = time.time()
                self._print_stage(key, stage)

    def _follow(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(Exception):  # the display must never break the run
                self._take()

    def _take(self) -> None:
        while self._entries:
            self._on_entry(self._entries.popleft())
        if self._live:
            self._draw()

    def _on_entry(self, entry: Any) -> None:
        key = entry.step_key
        event = entry.dagster_event
        if event is None:
            self._on_message(entry.user_message or "")
            return
        if key is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START" and key not in self.stages:
            # The event's own time: the display looks at its queue only every half second.
            self.stages[key] = _Stage(STAGES.get(key, key), entry.timestamp)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED") and key in self.stages:
            stage = self.stages[key]
            stage.finished, stage.failed = entry.timestamp, kind == "STEP_FAILURE"
            if key == "raw_uploads":
                stage.detail = self._ingest_text()
            elif key == "warehouse_models":
                stage.detail = self.dbt_done
            self._print_stage(key, stage)

    def _on_message(self, message: str) -> None:
        if m := DBT_DONE.match(message):
            built, kept, run, remembered = (int(g or 0) for g in m.groups())
            self.dbt_done = (
                f"模型 models {built + kept}（重建 rebuilt {built}，未变保留 kept {kept}），"
                f"检验 tests {run + remembered}（运行 run {run}，复用 remembered {remembered}）"
            )
        elif m := INGEST_DONE.match(message):
            seen, loaded, unchanged, bad, _late, rows, rows_bad = (int(g) for g in m.groups())
            self.ingest_done = (
                f"文件 files {seen}（新 new {loaded + bad}，未变 unchanged {unchanged}），"
                f"读入行 rows {rows:,}，未读入 not loaded {rows_bad:,}"
            )
        elif m := INGEST_TOTAL.match(message):
            self.files_total = int(m.group(1))
        elif m := INGEST_PROGRESS.match(message):
            self.files_done = int(m.group(1))
            self.files_total = int(m.group(2))
            self.rows_loaded += int(m.group(3))
            self.rows_quarantined += int(m.group(4))

    def _ingest_text(self) -> str:
        if self.ingest_done:
            return self.ingest_done
        return (
            f"文件 files {self.files_done}/{self.files_total}，读入行 rows {self.rows_loaded:,}，"
            f"未读入 not loaded {self.rows_quarantined:,}"
        )

    def _print_stage(self, key: str, stage: _Stage) -> None:
        mark = "✗" if stage.failed else "✓"
        took = (stage.finished or time.time()) - stage.started
        line = f"{mark} {_pad(stage.label, 34)} {took:6.1f}s  {stage.detail}".rstrip()
        if self._live:
            self.terminal.write("\r\033[K")
        self.terminal.write(line + "\n")
        self.terminal.flush()

    def _draw(self) -> None:
        running = [(k, s) for k, s in self.stages.items() if s.finished is None]
        if not running:
            return
        key, stage = running[-1]
        detail = self._ingest_text() if key == "raw_uploads" else ""
        elapsed = time.monotonic() - self._t0
        self.terminal.write(
            f"\r\033[K… {stage.label}  {time.time() - stage.started:5.0f}s  "
            f"{detail}  (总计 total {elapsed:.0f}s)"
        )
        self.terminal.flush()


# ------------------------------------------------------------------------------ summary


@dataclass
class CityLine:
    city_code: str
    rows_not_loaded: int = 0
    files_not_loaded: int = 0
    late_cutoffs: list[str] = field(default_factory=list)
    missing_cutoffs: list[str] = field(default_factory=list)


def city_lines(warehouse: Path, campaign_id: str) -> list[CityLine]:
    """Per city, over the campaign's cut-offs so far: rows not loaded (quarantined at ingestion or
    because their person could not be identified), whole files not loaded, late and missing uploads."""
    import duckdb

    lines = {code: CityLine(code) for code in terms.CITIES}
    if not warehouse.exists():
        return list(lines.values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            r[0]
            for r in con.sql(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        }
        if "raw.files" not in tables:
            return list(lines.values())
        for code, rows, files in con.sql(
            "select city_code, count(source_row), count(*) - count(source_row) from raw.quarantine "
            "where campaign_id = ? and city_code is not null group by all",
            params=[campaign_id],
        ).fetchall():
            if code in lines:
                lines[code].rows_not_loaded, lines[code].files_not_loaded = rows, files
        if (
            "intermediate.int_person_quarantine" in tables
        ):  # rows whose person is unknown count nowhere
            for code, rows in con.sql(
                "select city_code, count(*) from intermediate.int_person_quarantine "
                "where campaign_id = ? and city_code is not null and table_type not like 'reg%' "
                "group by all",
                params=[campaign_id],
            ).fetchall():
                if code in lines:
                    lines[code].rows_not_loaded += rows
        files = con.sql(
            "select city_code, cutoff_date, bool_or(coalesce(is_late, false)) from raw.files "
            "where campaign_id = ? and city_code is not null and cutoff_date is not null group by all",
            params=[campaign_id],
        ).fetchall()
    begun = sorted({cutoff for _, cutoff, _ in files})
    sent = {(code, cutoff) for code, cutoff, _ in files}
    for code, cutoff, late in files:
        if late and code in lines:
            lines[code].late_cutoffs.append(f"{cutoff:%m-%d}")
    for code, line in lines.items():
        line.late_cutoffs.sort()
        line.missing_cutoffs = [f"{c:%m-%d}" for c in begun if (code, c) not in sent]
    return list(lines.values())


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def summary_lines(
    *,
    success: bool,
    published: bool,
    blocking: list[tuple[str, str]],
    warnings: int,
    report: Path,
    feedback_dir: Path,
    cutoffs: list[str],
    cities: list[CityLine],
    log_path: Path,
    gate_report: Path,
    seconds: float,
) -> list[str]:
    """The closing summary. `blocking` is (check name, table) per blocking failure."""
    out = ["", "── 运行结果 Summary " + "─" * 50]
    if success:
        gate = "通过 passed" + (
            f"（{warnings} 项提醒 warnings，见质量报告 see gate report）" if warnings else ""
        )
        out.append(f"质量检查 Quality gate : {gate}")
        out.append(f"统计报表 Report       : {report}（及 .csv，官方表 official xlsx 每期一份）")
        out.append(
            f"活动总结 Final summary: {report.parent / 'summary' / '活动总结.xlsx'}（及可打印的 printable .html）"
        )
    else:
        out.append(
            "质量检查 Quality gate : 未通过 FAILED — 本次未发布，之前发布的报表保持不变 "
            "(nothing new published; the previous marts are untouched)"
        )
        for name, where in blocking[:8]:
            reason = reason_codes.explain(name)
            out.append(f"  ✗ {where}：{reason.title}（{name}）— {reason.cause}。{reason.fix}")
        if len(blocking) > 8:
            out.append(f"  … 另有 {len(blocking) - 8} 项 more, see the gate report")
        if published:
            out.append(
                "  （报表已发布，之后的步骤出错 the marts were published; a later step failed）"
            )
    out.append(
        f"问题反馈 City feedback: {feedback_dir}/<截止日期>/<城市代码>/问题反馈_<城市>_<截止日期>.xlsx"
        + (f"（{len(terms.CITIES)} 个城市 × {len(cutoffs)} 期）" if cutoffs else "")
    )
    out.append("")
    out.append(
        _pad("城市 City", 12)
        + _pad("未读入行 rows not loaded", 26)
        + _pad("逾期 late", 22)
        + "缺报 missing"
    )
    for line in cities:
        rows = f"{line.rows_not_loaded}" + (
            f"（另 {line.files_not_loaded} 个文件 files）" if line.files_not_loaded else ""
        )
        out.append(
            _pad(terms.CITIES[line.city_code], 12)
            + _pad(rows, 26)
            + _pad("、".join(line.late_cutoffs) or "—", 22)
            + ("、".join(line.missing_cutoffs) or "—")
        )
    out.append("")
    out.append(f"质量报告 Gate report  : {gate_report}")
    out.append(
        f"运行日志 Run log      : {log_path}（--verbose 在终端显示 shows the full event stream）"
    )
    out.append(f"用时 Elapsed          : {seconds:.0f}s   {dt.datetime.now():%Y-%m-%d %H:%M}")
    return out
