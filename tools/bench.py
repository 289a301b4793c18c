"""Province-scale benchmark: `python -m tools.bench` (`make bench`) → docs/benchmarks.md.

For each campaign size (persons per city) it generates — or reuses from data/bench/,
outside git — a demo campaign, then measures on this machine, in one run:

- the bare read of every file (calamine via fastexcel for xlsx/xls, polars for CSV,
  nothing else): the floor ingestion is compared with;
- `python -m pipelines run` from raw files to published marts, as a child process: wall
  seconds, per-stage seconds (Dagster's step timings), peak RSS of the whole process tree;
- the same run again with nothing changed, and whether the marts are byte-identical;
- a corrected re-upload (one city, one table) and the run that refreshes the marts.

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


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and every descendant (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            pid, ppid = int(entry), int(parts[1])
            rss[pid] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


@dataclass
class Proc:
    seconds: float
    peak_rss: int
    returncode: int
    load: str
    output: str = ""


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> Proc:
    """Run `cmd`, sampling the peak RSS of its process tree every 0.2 s."""
    load = _load()
    started = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.PROJECT_ROOT
        )
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        stop.set()
        sampler.join()
    return Proc(
        time.perf_counter() - started, peak, code, f"{load} → {_load()}", log.read_text()[-3000:]
    )


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------------------- campaigns


def campaign_dir(k: int) -> Path:
    return BENCH_DIR / f"k{k}-seed{SEED}"


def ensure_campaign(k: int, say) -> dict:
    """Generate the campaign once (cached under data/bench/); its generation figures."""
    base = campaign_dir(k)
    done = base / "generated.json"
    if done.exists():
        return json.loads(done.read_text())
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
        "files": manifest["files"],
        "rows": manifest["rows"],
        "at": _now(),
    }
    done.write_text(json.dumps(info, indent=1))
    return info


# ---------------------------------------------------------------------------- bare read


def bare_read(raw: Path) -> tuple[int, int, float]:
    """(files, rows, seconds) to read every file's cells and nothing else."""
    started = time.perf_counter()
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
    return files, rows, time.perf_counter() - started


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


def step_seconds(dagster_home: Path) -> dict[str, float]:
    """Seconds per Dagster step of the latest run under `dagster_home`."""
    code = (
        "import json,dagster as dg\n"
        "i=dg.DagsterInstance.get()\n"
        "r=i.get_runs(limit=1)[0]\n"
        "print(json.dumps({s.step_key:(s.end_time or 0)-(s.start_time or 0) for s in i.get_run_step_stats(r.run_id)}))\n"
    )
    env = dict(os.environ, DAGSTER_HOME=str(dagster_home))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def marts_digest(marts: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(marts.glob("*.parquet")):
        h.update(p.name.encode())
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


def pipeline_run(label: str, run_dir: Path, raw: Path, say) -> Run:
    say(f"  {label}: python -m pipelines run")
    p = run_measured(
        [sys.executable, "-m", "pipelines", "run"],
        run_env(run_dir, raw),
        run_dir / f"{label.replace(' ', '_')}.log",
    )
    steps = step_seconds(run_dir / "dagster_home")
    stages: dict[str, float] = {}
    for key, secs in steps.items():
        stage = next((v for k, v in STAGES.items() if key.startswith(k)), "publish")
        stages[stage] = stages.get(stage, 0.0) + secs
    run = Run(
        label,
        p.seconds,
        p.peak_rss,
        p.load,
        p.returncode == 0,
        stages,
        marts_digest(run_dir / "marts") if p.returncode == 0 else "",
    )
    say(
        f"    {run.seconds:.1f}s, peak {run.peak_rss / 2**30:.2f} GiB, ok={run.ok}, "
        + ", ".join(f"{k} {v:.1f}s" for k, v in stages.items())
    )
    if not run.ok:
        say(p.output)
    return run


def correct_one_upload(raw: Path, campaign_id: str) -> str:
    """A city re-uploads one table (its last visits file, one row dropped) as a new file
    received a day later: what a correction looks like to the pipeline."""
    cutoffs = sorted((raw / "submissions" / campaign_id).iterdir())
    folder = cutoffs[-1] / "370200"
    files = sorted(
        p for p in folder.iterdir() if "走访" in p.name and not p.name.startswith("0-更正-")
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


def bench_size(k: int, say) -> SizeResult:
    gen = ensure_campaign(k, say)
    base = campaign_dir(k)
    # Every bench works on a copy, so the cached campaign never carries a correction.
    raw = base / "work_raw"
    if raw.exists():
        shutil.rmtree(raw)
    shutil.copytree(base / "raw", raw)
    load = _load()
    files, rows, bare = bare_read(raw)
    say(f"K={k}: bare read {files} files, {rows} rows in {bare:.1f}s (load {load})")
    run_dir = base / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir()
    runs = [
        pipeline_run("first run", run_dir, raw, say),
        pipeline_run("unchanged rerun", run_dir, raw, say),
    ]
    changed = correct_one_upload(raw, load_campaign().id)
    runs.append(pipeline_run("corrected upload", run_dir, raw, say))
    return SizeResult(k, gen, files, rows, bare, load, runs, changed)


# ---------------------------------------------------------------------------- report


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f}"


def render(results: list[SizeResult], cpu: str, label: str = "") -> str:
    lines = [
        "# Benchmarks (province scale, issue 10)",
        "",
        f"Written by `python -m tools.bench` (`make bench`) on {_now()} on this machine ({cpu})"
        + (f", code at {label}." if label else "."),
        "Campaigns: demo generator, seed 7, cached under `data/bench/` (not in git). The machine",
        "is shared with other work: the load average (1/5/15 min) is given with each figure;",
        "wall seconds scale with it.",
        "",
        "## Goals (at the largest size measured below)",
        "",
        "| goal | target | measured | met |",
        "|---|---|---|---|",
    ]
    big = max(results, key=lambda r: r.k)
    gen = max(generated_campaigns() or [big.generated], key=lambda g: g["k"])
    first, again, fix = big.runs
    ingest = first.steps.get("ingest", float("nan"))
    ratio = (big.rows / ingest) / (big.rows / big.bare_seconds) if ingest else float("nan")
    goals = [
        ("full run wall", "≤ 180 s", f"{first.seconds:.0f} s", first.seconds <= 180),
        (
            "peak RSS, process tree",
            "≤ 4 GiB",
            f"{_gib(first.peak_rss)} GiB",
            first.peak_rss <= 4 * 2**30,
        ),
        ("ingestion vs bare read", "≥ 50 %", f"{ratio:.0%}", ratio >= 0.5),
        (
            "raw-input checks",
            "≤ 15 s",
            f"{first.steps.get('raw checks', float('nan')):.0f} s",
            first.steps.get("raw checks", 1e9) <= 15,
        ),
        ("corrected re-upload refresh", "≤ 30 s", f"{fix.seconds:.0f} s", fix.seconds <= 30),
        (
            f"demo generator at {gen['k']:,}",
            "≤ 60 s, ≤ 2 GiB",
            f"{gen['seconds']:.0f} s, {_gib(gen['peak_rss'])} GiB",
            gen["seconds"] <= 60 and gen["peak_rss"] <= 2 * 2**30,
        ),
        (
            "marts byte-identical between reruns",
            "same digest",
            "same" if first.marts == again.marts else "DIFFER",
            first.marts == again.marts and bool(first.marts),
        ),
    ]
    lines[-2:-2] = [f"Pipeline figures below are for {big.k:,} persons per city.", ""]
    for name, target, got, ok in goals:
        lines.append(f"| {name} | {target} | {got} | {'yes' if ok else '**no**'} |")
    lines += [
        "",
        "## Per size",
        "",
        "| persons/city | files | rows | bare read s (rows/s) | run | wall s | peak GiB | "
        "ingest s | ingest rows/s | ingest ÷ bare | raw checks s | dbt s | publish s | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        bare_rate = r.rows / r.bare_seconds
        for run in r.runs:
            ing = run.steps.get("ingest", 0.0)
            rate = r.rows / ing if ing and run.label == "first run" else float("nan")
            lines.append(
                f"| {r.k:,} | {r.files} | {r.rows:,} | {r.bare_seconds:.1f} ({bare_rate:,.0f}) | {run.label} | "
                f"{run.seconds:.1f} | {_gib(run.peak_rss)} | {ing:.1f} | "
                f"{'' if math.isnan(rate) else f'{rate:,.0f}'} | "
                f"{'' if math.isnan(rate) else f'{rate / bare_rate:.0%}'} | "
                f"{run.steps.get('raw checks', 0):.1f} | {run.steps.get('dbt build', 0):.1f} | "
                f"{run.steps.get('publish', 0) + run.steps.get('report checks', 0):.1f} | {run.load} |"
            )
    lines += [
        "",
        "Corrected upload in each size: "
        + "; ".join(f"K={r.k}: `{r.reupload_file}`" for r in results),
        "",
        "## Demo generator",
        "",
        "Every campaign generated under `data/bench/` (seed 7).",
        "",
        "| persons/city | files | rows | wall s | peak GiB | load |",
        "|---|---|---|---|---|---|",
    ]
    for g in generated_campaigns():
        lines.append(
            f"| {g['k']:,} | {g['files']} | {g['rows']:,} | {g['seconds']:.1f} | {_gib(g['peak_rss'])} | "
            f"{g['load']} |"
        )
    lines += [
        "",
        "## Slope between sizes",
        "",
        "Exponent b in t ∝ rows^b between consecutive sizes (1 = linear); seconds per million rows.",
        "",
        "| stage | sizes | b | s per M rows |",
        "|---|---|---|---|",
    ]
    for a, b in zip(results, results[1:], strict=False):
        for stage in ("wall", "ingest", "raw checks", "dbt build"):
            ta = a.runs[0].seconds if stage == "wall" else a.runs[0].steps.get(stage, 0)
            tb = b.runs[0].seconds if stage == "wall" else b.runs[0].steps.get(stage, 0)
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
    results = []
    for k in (int(x) for x in args.sizes.split(",")):
        results.append(bench_size(k, say))
        (BENCH_DIR / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=1))
    cpu = f"{os.cpu_count()} cores"
    write_doc(args.out, render(results, cpu, args.label))
    say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
