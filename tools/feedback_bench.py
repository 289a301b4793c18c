"""Write every 问题反馈 workbook of a built warehouse and print CPU seconds per phase.

    python -m tools.feedback_bench <warehouse.duckdb> <output folder> [cut-offs]

Reads the warehouse read-only (use a copy: DuckDB allows one writer per file) and
writes the 16 cities × cut-offs workbooks the way the restricted exports do, every one
rewritten (no previous publication to keep files from). Figures, not a test: the phases
are loading the items, building the sheets' rows, the content digest, writing the xlsx.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

from pipelines import terms
from pipelines.campaign import load_campaign
from pipelines.publish import feedback


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(__doc__)
    warehouse, out = Path(argv[0]), Path(argv[1])
    limit = int(argv[2]) if len(argv) > 2 else None
    shutil.rmtree(out, ignore_errors=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    cutoffs = [
        r[0]
        for r in con.sql(
            f"select distinct cutoff_date from {feedback.FEEDBACK_RELATION} order by 1"
        ).fetchall()
    ][:limit]
    name = load_campaign().name
    phases = dict.fromkeys(("load", "build", "digest", "write"), 0.0)
    rows = books = size = 0
    start_cpu, start_wall = time.process_time(), time.perf_counter()

    def timed(phase: str, fn, *args):
        t = time.process_time()
        result = fn(*args)
        phases[phase] += time.process_time() - t
        return result

    for cutoff in cutoffs:
        items, files = timed("load", feedback.load_items, con, cutoff)
        fingerprints = timed("digest", feedback.content_fingerprints, con, cutoff)
        created = dt.datetime.combine(cutoff, dt.time())
        for code in terms.CITIES:
            fb = feedback.CityFeedback(
                name,
                cutoff,
                code,
                items.filter(pl.col("city_code") == code),
                files.filter(pl.col("city_code") == code),
            )
            path = out / cutoff.isoformat() / code / feedback.file_name(code, cutoff)
            path.parent.mkdir(parents=True, exist_ok=True)
            digest = timed(
                "digest",
                feedback.content_digest,
                fingerprints.get(code, ""),
                created,
                path.stem,
                name,
                code,
            )
            sheets = timed("build", feedback.build_sheets, fb)
            timed("write", feedback.write_workbook, path, sheets, created, digest)
            rows += sum(s.rows.height for s in sheets)
            books += 1
            size += path.stat().st_size
    cpu = time.process_time() - start_cpu
    print(
        f"{books} workbooks, {rows:,} rows, {size / 1e6:.1f} MB: CPU {cpu:.1f} s "
        f"(wall {time.perf_counter() - start_wall:.1f} s), {rows / cpu:,.0f} rows/CPU s"
    )
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
