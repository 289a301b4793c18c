"""The benchmark report (tools/bench.py) says which code each size was measured at."""

from __future__ import annotations

from tools.bench import Run, SizeResult, render


def size(k: int, code: str) -> SizeResult:
    steps = {"ingest": 10.0, "raw checks": 5.0, "dbt build": 50.0, "publish": 20.0}
    run = Run("first run", 100.0, 2**30, "1 1 1", True, steps, "d", 90.0, steps)
    gen = {"k": k, "seconds": 10.0, "peak_rss": 2**29, "load": "1", "files": 5, "rows": k}
    return SizeResult(k, gen, 5, k * 10, 1.0, "1 1 1", [run], "f.csv", 1.0, code)


def test_sizes_measured_at_different_code_name_each_code() -> None:
    text = render([size(500, "main aaa"), size(20_000, "main bbb")], "2 cores")
    assert "Code measured per size: 500 at main aaa; 20,000 at main bbb." in text
    assert "code at" not in text.splitlines()[2]


def test_sizes_measured_at_one_code_name_it_once_in_the_header() -> None:
    text = render([size(500, "main aaa"), size(5_000, "main aaa")], "2 cores")
    assert ", code at main aaa." in text.splitlines()[2]
    assert "Code measured per size" not in text


def test_sizes_are_listed_smallest_first_whatever_order_they_were_measured_in() -> None:
    text = render([size(20_000, "main bbb"), size(500, "main aaa")], "2 cores")
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| 500 |") or line.startswith("| 20,000 |")
    ]
    assert rows and rows[0].startswith("| 500 |")
