"""Ingestion throughput on synthetic ledgers: `python -m tools.bench [--rows N]`.

Writes one large ledger per format (CSV UTF-8, CSV GB18030, xlsx, and an xls capped at
xls's 65,536-row limit) into a temporary raw root, ingests each into an in-memory DuckDB,
and prints rows/s. The figures cover the whole path: read, recognise, normalise, load.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from pathlib import Path

import duckdb
import xlsxwriter

from pipelines import terms
from pipelines.campaign import load_campaign
from pipelines.ingest import ingest_all

HEADER = [c.header for c in terms.LEDGER.columns]
XLS_MAX_ROWS = 65_000


def _rows(n: int, seed: int = 7) -> list[list[object]]:
    rnd = random.Random(seed)
    cats = terms.PERSON_CATEGORIES
    out: list[list[object]] = []
    for i in range(n):
        employed = rnd.random() < 0.3
        out.append([
            i + 1, f"测试{i}", f"370102{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}X",
            "男" if i % 2 else "女", f"138{i:08d}"[:11], "历下区",
            "、".join(rnd.sample(cats, rnd.randint(1, 2))), "2021/3/4", "", f"2022年8月{1 + i % 28}日",
            "已就业" if employed else "未就业", "求职就业", "岗位推荐,职业指导", "推荐岗位",
            "20220901" if employed else "", "企业吸纳" if employed else "", "某公司" if employed else "",
        ])
    return out


def _csv(path: Path, rows: list[list[object]], encoding: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _xlsx(path: Path, rows: list[list[object]]) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, ["援助对象台账"])
    ws.write_row(1, 0, HEADER)
    for r, row in enumerate(rows, start=2):
        ws.write_row(r, 0, row)
    wb.close()


def _xls(path: Path, rows: list[list[object]]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("台账")
    for c, h in enumerate(HEADER):
        ws.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))


def bench(n_rows: int) -> list[tuple[str, int, float]]:
    campaign = load_campaign()
    rows = _rows(n_rows)
    cases = {
        "csv utf-8": lambda p: _csv(p, rows, "utf-8"),
        "csv gb18030": lambda p: _csv(p, rows, "gb18030"),
        "xlsx": lambda p: _xlsx(p, rows),
        "xls": lambda p: _xls(p, rows[:XLS_MAX_ROWS]),
    }
    results = []
    for label, write in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            folder = root / "submissions" / campaign.id / campaign.cutoff_keys[0] / "370100"
            folder.mkdir(parents=True)
            ext = "csv" if label.startswith("csv") else label
            write(folder / f"ledger.{ext}")
            con = duckdb.connect()
            started = time.perf_counter()
            summary = ingest_all(con, root, campaign)
            seconds = time.perf_counter() - started
            results.append((label, summary.total_rows_loaded, seconds))
    return results


def bench_demo(persons_per_city: int, seed: int = 7) -> tuple[int, int, float]:
    """(files, rows read, seconds) for a whole generated campaign: many small files."""
    from tools.demo import generate

    campaign = load_campaign()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "raw"
        generate(root, Path(tmp) / "ground_truth", seed, persons_per_city, campaign)
        con = duckdb.connect()
        started = time.perf_counter()
        summary = ingest_all(con, root, campaign)
        seconds = time.perf_counter() - started
        rows = con.execute("select coalesce(sum(rows_read), 0) from raw.files").fetchone()[0]  # type: ignore[index]
        return summary.files_seen, int(rows), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000, help="rows per synthetic ledger")
    parser.add_argument("--persons-per-city", type=int, default=0,
                        help="also ingest a generated demo campaign of this size")
    args = parser.parse_args()
    print(f"{'format':<14} {'rows':>9} {'seconds':>8} {'rows/s':>10}")
    for label, n, seconds in bench(args.rows):
        print(f"{label:<14} {n:>9} {seconds:>8.2f} {n / seconds:>10,.0f}")
    if args.persons_per_city:
        files, rows, seconds = bench_demo(args.persons_per_city)
        print(f"{'demo K=' + str(args.persons_per_city):<14} {rows:>9} {seconds:>8.2f} {rows / seconds:>10,.0f}"
              f"   ({files} files, {files / seconds:.1f} files/s)")


if __name__ == "__main__":
    main()
