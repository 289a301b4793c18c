"""Province-scale benchmark: `python -m tools.bench` (`make bench`) → docs/benchmarks.md.

For each campaign size (persons per city) it generates — or reuses from data/bench/,
outside git — a demo campaign, then measures on this machine, in one run:

- the bare read of every file (calamine via fastexcel for xlsx/xls, polars for CSV,
  nothing else): the floor ingestion is compared with;
- `python -m pipelines run` from raw files to published marts, as a child process: wall
  seconds, per-stage seconds (Dagster's step timings), peak RSS of the whole process tree;
- the same run again with nothing changed, and whether the marts are byte-identical;
- a corrected re-upload (one city, one table) and the run that refreshes the marts: first
  a visits file, then a ledger file (the person spine: the dearest table to correct).

Figures, not a timed test: the machine is shared, so the load average is recorded
with every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from pipelines import settings
from pipelines.campaign import load_campaign

BENCH_DIR = settings.PROJECT_ROOT / "data" / "bench"
DOC = settings.PROJECT_ROOT / "docs" / "benchmarks.md"
SIZES = (500, 5_000, 20_000)
SEED = 7
CHINA = dt.timezone(dt.timedelta(hours=8))
# Dagster step → the stage of the table.
STAGES = {
    "campaign_config": "config",
    "raw_uploads": "ingest",
    "raw_input_gate": "raw checks",
    "warehouse_models": "dbt build",
}


# ---------------------------------------------------------------------------- process tree


TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_usage(root: int) -> tuple[int, float]:
    """(resident bytes, CPU seconds) of `root` and every descendant (from /proc).

    CPU is user + sys of each live process plus what its reaped children used (cutime,
    cstime), so the sum grows smoothly as dbt and worker processes come and go.
    """
    children: dict[int, list[int]] = {}
    usage: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            pid, ppid = int(entry), int(parts[1])
            ticks = sum(int(x) for x in parts[11:15])  # utime stime cutime cstime
            usage[pid] = (int(parts[21]) * PAGE, ticks / TICK)
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    rss, cpu, todo = 0, 0.0, [root]
    while todo:
        pid = todo.pop()
        r, c = usage.get(pid, (0, 0.0))
        rss, cpu = rss + r, cpu + c
        todo += children.get(pid, [])
    return rss, cpu


@dataclass
class Proc:
    seconds: float
    peak_rss: int
    returncode: int
    load: str
    output: str = ""
    cpu: float = 0.0  # user + sys seconds of the whole process tree (getrusage, exact)
    # (epoch seconds, tree CPU seconds so far) every 0.2 s: CPU of any stretch of the run
    cpu_samples: list[tuple[float, float]] = field(default_factory=list)

    def cpu_between(self, start: float, end: float) -> float:
        """Tree CPU seconds spent between two epoch times (sampled, ±0.2 s at each end)."""
        return _at(self.cpu_samples, end) - _at(self.cpu_samples, start)


def _at(samples: list[tuple[float, float]], t: float) -> float:
    """The sampled CPU total at time `t` (linear between samples)."""
    if not samples:
        return 0.0
    prev = samples[0]
    for cur in samples:
        if cur[0] >= t:
            if cur[0] == prev[0]:
                return cur[1]
            return prev[1] + (cur[1] - prev[1]) * (t - prev[0]) / (cur[0] - prev[0])
        prev = cur
    return samples[-1][1]


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> Proc:
    """Run `cmd`, sampling the RSS and CPU of its process tree every 0.2 s."""
    load = _load()
    cpu0 = _children_cpu()
    started = time.perf_counter()
    samples: list[tuple[float, float]] = [(time.time(), 0.0)]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.PROJECT_ROOT
        )
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                rss, cpu = _tree_usage(proc.pid)
                peak = max(peak, rss)
                samples.append((time.time(), max(cpu, samples[-1][1])))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        stop.set()
        sampler.join()
    cpu = _children_cpu() - cpu0
    samples.append((time.time(), max(cpu, samples[-1][1])))
    return Proc(
        time.perf_counter() - started,
        peak,
        code,
        f"{load} → {_load()}",
        log.read_text()[-3000:],
        cpu,
        samples,
    )


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------------------- campaigns


def campaign_dir(k: int) -> Path:
    return BENCH_DIR / f"k{k}-seed{SEED}"


def generator_digest() -> str:
    """sha256 of what decides a campaign's files: the generator's code, the contract's
    terms and the campaign config. A cached campaign from other code is regenerated."""
    root = settings.PROJECT_ROOT
    sources = sorted((root / "tools" / "demo").rglob("*.py")) + [
        root / "pipelines" / "terms.py",
        root / "pipelines" / "campaign.py",
        *sorted((root / "config").rglob("*.toml")),
    ]
    h = hashlib.sha256()
    for path in sources:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def ensure_campaign(k: int, say) -> dict:
    """Generate the campaign once (cached under data/bench/ while the generator's code is
    unchanged); its generation figures."""
    base = campaign_dir(k)
    done = base / "generated.json"
    digest = generator_digest()
    if done.exists():
        info = json.loads(done.read_text())
        if info.get("generator") == digest:
            return info
        say(f"K={k}: the cached campaign was made by other generator code: regenerating")
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    say(f"K={k}: generating the campaign")
    cmd = [
        sys.executable,
        "-m",
        "tools.demo",
        "--out",
        str(base / "raw"),
        "--truth",
        str(base / "truth"),
        "--seed",
        str(SEED),
        "--persons-per-city",
        str(k),
    ]
    p = run_measured(cmd, dict(os.environ), base / "generate.log")
    if p.returncode:
        raise SystemExit(f"generator failed:\n{p.output}")
    manifest = json.loads((base / "truth" / "manifest.json").read_text())
    info = {
        "k": k,
        "seconds": p.seconds,
        "peak_rss": p.peak_rss,
        "load": p.load,
        "cpu": p.cpu,
        "files": manifest["files"],
        "rows": manifest["rows"],
        "at": _now(),
        "generator": digest,
    }
    done.write_text(json.dumps(info, indent=1))
    return info


# ---------------------------------------------------------------------------- bare read


def speed_probe() -> float:
    """Seconds of a fixed pure-Python loop (median of three): how fast this machine runs
    Python right now. Hosts differ from day to day (session 10's ran the same campaign 2.5
    times slower than session 9's), so figures from different days are read with it."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(10_000_000))
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


def bare_read(raw: Path) -> tuple[int, int, float, float]:
    """(files, rows, wall seconds, CPU seconds) to read every file's cells and nothing else."""
    started, cpu0 = time.perf_counter(), time.process_time()
    files = rows = 0
    for path in sorted(p for p in raw.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files += 1
        if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            reader = fastexcel.read_excel(data)
            for name in reader.sheet_names:
                rows += reader.load_sheet(name, header_row=None, dtypes="string").height
        else:
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = data.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            rows += pl.read_csv(
                text.encode(), has_header=False, infer_schema=False, truncate_ragged_lines=True
            ).height
    return files, rows, time.perf_counter() - started, time.process_time() - cpu0


# ---------------------------------------------------------------------------- pipeline runs


def run_env(run_dir: Path, raw: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "WARMHEART_RAW_DIR": str(raw),
            "WARMHEART_WAREHOUSE": str(run_dir / "warehouse.duckdb"),
            "WARMHEART_MARTS_DIR": str(run_dir / "marts"),
            "WARMHEART_RESTRICTED_DIR": str(run_dir / "restricted"),
            "DAGSTER_HOME": str(run_dir / "dagster_home"),
        }
    )
    return env


def step_windows(dagster_home: Path) -> dict[str, tuple[float, float]]:
    """(start, end) epoch seconds of each Dagster step of the latest run under `dagster_home`."""
    code = (
        "import json,dagster as dg\n"
        "i=dg.DagsterInstance.get()\n"
        "r=i.get_runs(limit=1)[0]\n"
        "print(json.dumps({s.step_key:(s.start_time or 0,s.end_time or 0) for s in i.get_run_step_stats(r.run_id)}))\n"
    )
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return {k: tuple(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}


def marts_digest(marts: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(marts.rglob("*.parquet")):  # fct_target_progress/ and by_cutoff/ too
        h.update(p.relative_to(marts).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@dataclass
class Run:
    label: str
    seconds: float
    peak_rss: int
    load: str
    ok: bool
    steps: dict[str, float] = field(default_factory=dict)
    marts: str = ""
    cpu: float = 0.0  # user + sys seconds of the whole process tree
    steps_cpu: dict[str, float] = field(default_factory=dict)


def pipeline_run(label: str, run_dir: Path, raw: Path, say) -> Run:
    say(f"  {label}: python -m pipelines run")
    p = run_measured(
        [sys.executable, "-m", "pipelines", "run"],
        run_env(run_dir, raw),
        run_dir / f"{label.replace(' ', '_')}.log",
    )
    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}
    for key, (start, end) in step_windows(run_dir / "dagster_home").items():
        stage = next((v for k, v in STAGES.items() if key.startswith(k)), "publish")
        stages[stage] = stages.get(stage, 0.0) + (end - start)
        stages_cpu[stage] = stages_cpu.get(stage, 0.0) + p.cpu_between(start, end)
    run = Run(
        label,
        p.seconds,
        p.peak_rss,
        p.load,
        p.returncode == 0,
        stages,
        marts_digest(run_dir / "marts") if p.returncode == 0 else "",
        p.cpu,
        stages_cpu,
    )
    say(
        f"    {run.seconds:.1f}s wall, {run.cpu:.1f}s CPU, peak {run.peak_rss / 2**30:.2f} GiB, "
        f"ok={run.ok}, load {run.load}: "
        + ", ".join(f"{k} {v:.1f}s/{stages_cpu[k]:.1f} CPU s" for k, v in stages.items())
    )
    if not run.ok:
        say(p.output)
    return run


def correct_one_upload(raw: Path, campaign_id: str, table: str = "走访") -> str:
    """A city re-uploads one table (its last file whose name holds `table`, one row
    dropped) as a new file received a day later: what a correction looks like to the
    pipeline."""
    cutoffs = sorted((raw / "submissions" / campaign_id).iterdir())
    folder = cutoffs[-1] / "370200"
    files = sorted(
        p for p in folder.iterdir() if table in p.name and not p.name.startswith("0-更正-")
    )
    src = files[0]
    data = src.read_bytes()
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        grid = (
            fastexcel.read_excel(data).load_sheet(0, header_row=None, dtypes="string").to_polars()
        )
    else:
        enc = (
            "utf-8-sig"
            if data.startswith(b"\xef\xbb\xbf")
            else ("utf-8" if _decodes(data) else "gb18030")
        )
        grid = pl.read_csv(
            data.decode(enc).encode(),
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    dst = folder / f"0-更正-{src.stem}.csv"
    grid.head(grid.height - 1).write_csv(dst, include_header=False)
    later = src.stat().st_mtime + 86_400
    os.utime(dst, (later, later))
    return dst.relative_to(raw).as_posix()


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# ---------------------------------------------------------------------------- one size


@dataclass
class SizeResult:
    k: int
    generated: dict
    files: int
    rows: int
    bare_seconds: float
    bare_load: str
    runs: list[Run]
    reupload_file: str
    bare_cpu: float = 0.0
    code: str = ""  # what code was measured (--label), kept per size: sizes may be rerun apart
    reupload_ledger: str = ""
    probe: float = 0.0  # speed_probe() before this size's runs


def bench_size(k: int, say, first_only: bool = False) -> SizeResult:
    gen = ensure_campaign(k, say)
    base = campaign_dir(k)
    # Every bench works on a copy, so the cached campaign never carries a correction.
    raw = base / "work_raw"
    if raw.exists():
        shutil.rmtree(raw)
    shutil.copytree(base / "raw", raw)
    load = _load()
    probe = speed_probe()
    files, rows, bare, bare_cpu = bare_read(raw)
    say(
        f"K={k}: bare read {files} files, {rows} rows in {bare:.1f}s wall, "
        f"{bare_cpu:.1f}s CPU (load {load})"
    )
    run_dir = base / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir()
    runs = [pipeline_run("first run", run_dir, raw, say)]
    changed = ""
    if not first_only:
        runs.append(pipeline_run("unchanged rerun", run_dir, raw, say))
        changed = correct_one_upload(raw, load_campaign().id)
        runs.append(pipeline_run("corrected upload", run_dir, raw, say))
        ledger = correct_one_upload(raw, load_campaign().id, "台账")
        runs.append(pipeline_run("corrected ledger", run_dir, raw, say))
    else:
        ledger = ""
    return SizeResult(
        k,
        gen,
        files,
        rows,
        bare,
        load,
        runs,
        changed,
        bare_cpu,
        reupload_ledger=ledger,
        probe=probe,
    )


# ---------------------------------------------------------------------------- report


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f}"


def _stage(run: Run, stage: str) -> str:
    if stage not in run.steps:
        return ""
    return f"{run.steps[stage]:.1f} / {run.steps_cpu.get(stage, float('nan')):.1f}"


def _other(run: Run) -> str:
    """Outside the Dagster steps: start-up (imports, dbt parse, definitions) and wind-down."""
    wall = run.seconds - sum(run.steps.values())
    cpu = run.cpu - sum(run.steps_cpu.values()) if run.steps_cpu else float("nan")
    return f"{wall:.1f} / {cpu:.1f}"


def _code_label(results: list[SizeResult], label: str) -> str:
    """The code every size was measured at, or "" when sizes were measured at different code."""
    codes = {r.code for r in results if r.code}
    if len(codes) > 1:
        return ""
    return next(iter(codes), label)


def render(results: list[SizeResult], cpu: str, label: str = "") -> str:
    results = sorted(results, key=lambda r: r.k)  # sizes measured apart are merged in any order
    lines = [
        "# Benchmarks (province scale, issue 10)",
        "",
        f"Written by `python -m tools.bench` (`make bench`) on {_now()} on this machine ({cpu})"
        + (f", code at {shown}." if (shown := _code_label(results, label)) else "."),
        *(
            [
                "Code measured per size: "
                + "; ".join(f"{r.k:,} at {r.code}" for r in sorted(results, key=lambda r: r.k))
                + "."
            ]
            if len({r.code for r in results}) > 1
            else []
        ),
        "Campaigns: demo generator, seed 7, cached under `data/bench/` (not in git). The machine",
        "is shared with other work: the load average (1/5/15 min) is given with each figure;",
        "wall seconds scale with it, CPU seconds (user + sys of the whole process tree) do not.",
        *(
            [
                "Machine speed (a pure-Python loop, `speed_probe`, seconds, before each size): "
                + ", ".join(f"{r.probe:.2f} at {r.k:,}" for r in results)
                + ". Recorded since session 10: compare days with it.",
            ]
            if any(r.probe for r in results)
            else []
        ),
        "",
        "## Goals (at the largest size measured below)",
        "",
        "| goal | target | measured wall | CPU s | met (wall) |",
        "|---|---|---|---|---|",
    ]
    big = max(results, key=lambda r: r.k)
    gen = max(generated_campaigns() or [big.generated], key=lambda g: g["k"])
    first = big.runs[0]
    again = big.runs[1] if len(big.runs) > 1 else None
    fix = big.runs[2] if len(big.runs) > 2 else None
    fix_ledger = big.runs[3] if len(big.runs) > 3 else None
    ingest = first.steps.get("ingest", float("nan"))
    ingest_cpu = first.steps_cpu.get("ingest", float("nan"))
    ratio = big.bare_seconds / ingest if ingest else float("nan")
    ratio_cpu = big.bare_cpu / ingest_cpu if ingest_cpu and big.bare_cpu else float("nan")
    checks = first.steps.get("raw checks", float("nan"))
    nan = float("nan")
    goals = [
        ("full run", "≤ 180 s", f"{first.seconds:.0f} s", f"{first.cpu:.0f}", first.seconds <= 180),
        (
            "peak RSS, process tree",
            "≤ 4 GiB",
            f"{_gib(first.peak_rss)} GiB",
            "",
            first.peak_rss <= 4 * 2**30,
        ),
        (
            "ingestion vs bare read",
            "≥ 50 %",
            f"{ratio:.0%}",
            f"{ratio_cpu:.0%} (by CPU s)",
            ratio >= 0.5,
        ),
        (
            "raw-input checks",
            "≤ 15 s",
            f"{checks:.0f} s",
            f"{first.steps_cpu.get('raw checks', nan):.0f}",
            checks <= 15,
        ),
        (
            "corrected re-upload refresh: visits",
            "≤ 30 s",
            f"{fix.seconds:.0f} s" if fix else "not run",
            f"{fix.cpu:.0f}" if fix else "",
            bool(fix) and fix.seconds <= 30,
        ),
        (
            "corrected re-upload refresh: ledger",
            "≤ 30 s",
            f"{fix_ledger.seconds:.0f} s" if fix_ledger else "not run",
            f"{fix_ledger.cpu:.0f}" if fix_ledger else "",
            bool(fix_ledger) and fix_ledger.seconds <= 30,
        ),
        (
            f"demo generator at {gen['k']:,}",
            "≤ 60 s, ≤ 2 GiB",
            f"{gen['seconds']:.0f} s, {_gib(gen['peak_rss'])} GiB",
            f"{gen['cpu']:.0f}" if "cpu" in gen else "",
            gen["seconds"] <= 60 and gen["peak_rss"] <= 2 * 2**30,
        ),
        (
            "marts byte-identical between reruns",
            "same digest",
            ("same" if first.marts == again.marts else "DIFFER") if again else "not run",
            "",
            bool(again) and first.marts == again.marts and bool(first.marts),
        ),
    ]
    lines[-2:-2] = [f"Pipeline figures below are for {big.k:,} persons per city.", ""]
    for name, target, got, cpu_s, ok in goals:
        lines.append(f"| {name} | {target} | {got} | {cpu_s} | {'yes' if ok else '**no**'} |")
    lines += [
        "",
        "## Inputs and the bare read",
        "",
        "| persons/city | files | rows | bare read wall s | bare read CPU s | rows/s (wall) | load |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.k:,} | {r.files} | {r.rows:,} | {r.bare_seconds:.1f} | {r.bare_cpu:.1f} | "
            f"{r.rows / r.bare_seconds:,.0f} | {r.bare_load} |"
        )
    lines += [
        "",
        "## Per size and run",
        "",
        "Each stage as wall s / CPU s; *other* is outside the Dagster steps (start-up: imports,",
        "dbt parse, loading definitions). Ingest ÷ bare compares rows per second with the bare",
        "read of the same files, by wall and by CPU.",
        "",
        "| persons/city | run | wall s | CPU s | peak GiB | ingest | ingest ÷ bare (wall, CPU) | "
        "raw checks | dbt build | publish | other | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for run in r.runs:
            ing, ing_cpu = run.steps.get("ingest", 0.0), run.steps_cpu.get("ingest", 0.0)
            vs_bare = (
                f"{r.bare_seconds / ing:.0%}, "
                + (f"{r.bare_cpu / ing_cpu:.0%}" if ing_cpu and r.bare_cpu else "")
                if ing and run.label == "first run"
                else ""
            )
            lines.append(
                f"| {r.k:,} | {run.label} | {run.seconds:.1f} | {run.cpu:.1f} | "
                f"{_gib(run.peak_rss)} | {_stage(run, 'ingest')} | {vs_bare} | "
                f"{_stage(run, 'raw checks')} | {_stage(run, 'dbt build')} | "
                f"{_stage(run, 'publish')} | {_other(run)} | {run.load} |"
            )
    lines += [
        "",
        "Corrected upload in each size: "
        + "; ".join(f"K={r.k}: `{r.reupload_file}`" for r in results if r.reupload_file),
        "",
        "Corrected ledger in each size (after the visits): "
        + "; ".join(f"K={r.k}: `{r.reupload_ledger}`" for r in results if r.reupload_ledger),
        "",
        "## Demo generator",
        "",
        "Every campaign generated under `data/bench/` (seed 7).",
        "",
        "| persons/city | files | rows | wall s | CPU s | peak GiB | load |",
        "|---|---|---|---|---|---|---|",
    ]
    for g in generated_campaigns():
        cpu_s = f"{g['cpu']:.1f}" if "cpu" in g else ""
        lines.append(
            f"| {g['k']:,} | {g['files']} | {g['rows']:,} | {g['seconds']:.1f} | {cpu_s} | "
            f"{_gib(g['peak_rss'])} | {g['load']} |"
        )
    lines += [
        "",
        "## Slope between sizes",
        "",
        "Exponent b in t ∝ rows^b between consecutive sizes (1 = linear), on CPU seconds of the",
        "first run; CPU seconds per million rows.",
        "",
        "| stage | sizes | b | CPU s per M rows |",
        "|---|---|---|---|",
    ]
    for a, b in zip(results, results[1:], strict=False):
        for stage in ("whole run", "ingest", "raw checks", "dbt build", "publish"):
            ra, rb = a.runs[0], b.runs[0]
            ta = ra.cpu if stage == "whole run" else ra.steps_cpu.get(stage, 0)
            tb = rb.cpu if stage == "whole run" else rb.steps_cpu.get(stage, 0)
            if ta > 0 and tb > 0:
                exp = math.log(tb / ta) / math.log(b.rows / a.rows)
                per_m = (tb - ta) / ((b.rows - a.rows) / 1e6)
                lines.append(f"| {stage} | {a.k:,} → {b.k:,} | {exp:.2f} | {per_m:.1f} |")
    return "\n".join(lines) + "\n"


def generated_campaigns() -> list[dict]:
    return sorted(
        (json.loads(p.read_text()) for p in BENCH_DIR.glob("*/generated.json")),
        key=lambda g: g["k"],
    )


ANALYSIS_MARK = "<!-- analysis: kept when the figures above are rewritten -->"


def write_doc(out: Path, text: str) -> None:
    """Write the figures, keeping the hand-written analysis below the marker."""
    kept = ""
    if out.exists() and ANALYSIS_MARK in (old := out.read_text(encoding="utf-8")):
        kept = old[old.index(ANALYSIS_MARK) :]
    out.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")


def _result_from_dict(d: dict) -> SizeResult:
    return SizeResult(**{**d, "runs": [Run(**r) for r in d["runs"]]})


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="persons per city, comma-separated"
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=DOC,
        help="where to write the Markdown (default docs/benchmarks.md)",
    )
    ap.add_argument(
        "--label", default="", help="what code was measured (e.g. a commit id), shown in the report"
    )
    ap.add_argument(
        "--generate-only", action="store_true", help="only generate (and time) the campaigns"
    )
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="write the Markdown from data/bench/results.json without running anything",
    )
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the other sizes of data/bench/results.json (measured earlier) in the report",
    )
    ap.add_argument(
        "--first-only",
        action="store_true",
        help="only the first run of each size (no rerun, no corrected upload): for profiling",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.render_only:
        results = [
            _result_from_dict(d) for d in json.loads((BENCH_DIR / "results.json").read_text())
        ]
        write_doc(args.out, render(results, f"{os.cpu_count()} cores", args.label))
        return 0

    def say(msg: str) -> None:
        print(f"[bench {time.perf_counter() - t0:7.1f}s] {msg}", flush=True)

    if args.generate_only:
        for k in (int(x) for x in args.sizes.split(",")):
            say(f"K={k}: {ensure_campaign(k, say)}")
        return 0
    saved = BENCH_DIR / "results.json"
    results = (
        [_result_from_dict(d) for d in json.loads(saved.read_text())]
        if args.merge and saved.exists()
        else []
    )
    for k in (int(x) for x in args.sizes.split(",")):
        results = [r for r in results if r.k != k]
        results.append(bench_size(k, say, args.first_only))
        results[-1].code = args.label
        saved.write_text(
            json.dumps([asdict(r) for r in sorted(results, key=lambda r: r.k)], indent=1)
        )
    cpu = f"{os.cpu_count()} cores"
    write_doc(args.out, render(results, cpu, args.label))
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
