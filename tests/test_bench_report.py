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


def test_the_machine_speed_probe_of_each_size_is_reported() -> None:
    small, big = size(500, "main aaa"), size(20_000, "main aaa")
    small.probe, big.probe = 0.61, 0.74
    text = render([big, small], "2 cores")
    assert (
        "a pure-Python loop, `speed_probe`, seconds, before each size): 0.61 at 500, 0.74 at 20,000."
        in text
    )
    assert "speed_probe" not in render([size(500, "main aaa")], "2 cores")


def _fake_generator(calls: list[list[str]]):
    """Stands in for `python -m tools.demo`: writes the manifest the bench reads."""
    import json
    from pathlib import Path

    from tools.bench import Proc

    def run(cmd: list[str], env: dict[str, str], log: Path) -> Proc:
        calls.append(cmd)
        truth = Path(cmd[cmd.index("--truth") + 1])
        truth.mkdir(parents=True, exist_ok=True)
        (truth / "manifest.json").write_text(json.dumps({"files": 3, "rows": 30}))
        return Proc(1.0, 2**20, 0, "1 1 1", "", 1.0, [])

    return run


def test_cached_campaign_is_reused_while_the_generator_code_is_unchanged(
    tmp_path, monkeypatch
) -> None:
    from tools import bench

    calls: list[list[str]] = []
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path)
    monkeypatch.setattr(bench, "run_measured", _fake_generator(calls))
    first = bench.ensure_campaign(500, lambda _m: None)
    again = bench.ensure_campaign(500, lambda _m: None)
    assert len(calls) == 1
    assert again == first and first["generator"] == bench.generator_digest()


def test_cached_campaign_from_other_generator_code_is_regenerated(tmp_path, monkeypatch) -> None:
    from tools import bench

    calls: list[list[str]] = []
    said: list[str] = []
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path)
    monkeypatch.setattr(bench, "run_measured", _fake_generator(calls))
    bench.ensure_campaign(500, said.append)
    monkeypatch.setattr(bench, "generator_digest", lambda: "0" * 64)
    info = bench.ensure_campaign(500, said.append)
    assert len(calls) == 2
    assert info["generator"] == "0" * 64
    assert any("regenerating" in m for m in said)


def test_generator_digest_changes_with_the_generator_code(tmp_path, monkeypatch) -> None:
    from tools import bench

    demo = tmp_path / "tools" / "demo"
    demo.mkdir(parents=True)
    (demo / "world.py").write_text("A = 1\n")
    monkeypatch.setattr(bench.settings, "PROJECT_ROOT", tmp_path)
    before = bench.generator_digest()
    (demo / "world.py").write_text("A = 2\n")
    assert bench.generator_digest() != before


def test_a_corrected_ledger_is_measured_and_judged_as_its_own_goal() -> None:
    result = size(20_000, "main aaa")
    steps = result.runs[0].steps
    result.runs += [
        Run(label, seconds, 2**30, "1 1 1", True, steps, "d", seconds, steps)
        for label, seconds in [
            ("unchanged rerun", 14.0),
            ("corrected upload", 28.0),
            ("corrected ledger", 40.0),
        ]
    ]
    text = render([result], "2 cores")
    assert "| corrected re-upload refresh: visits | ≤ 30 s | 28 s | 28 | yes |" in text
    assert "| corrected re-upload refresh: ledger | ≤ 30 s | 40 s | 40 | **no** |" in text


def test_a_correction_drops_the_last_row_of_the_citys_file_as_a_later_upload(tmp_path) -> None:
    import os

    from tools.bench import correct_one_upload

    folder = tmp_path / "submissions" / "c" / "2022-10-31" / "370200"
    folder.mkdir(parents=True)
    ledger = folder / "青岛市台账.csv"
    ledger.write_text("姓名,身份证号\n甲,1\n乙,2\n", encoding="utf-8")
    (folder / "青岛市走访.csv").write_text("姓名\n丙\n", encoding="utf-8")
    written = correct_one_upload(tmp_path, "c", "台账")
    fixed = tmp_path / written
    assert fixed.name == "0-更正-青岛市台账.csv"
    assert fixed.read_text(encoding="utf-8").splitlines() == ["姓名,身份证号", "甲,1"]
    assert os.stat(fixed).st_mtime > os.stat(ledger).st_mtime
