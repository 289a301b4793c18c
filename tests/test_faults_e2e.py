"""Faults, end to end on a demo campaign: kills, two runs at once, a full disk, a damaged warehouse.

A copy of the suite's demo run is the baseline; then each fault hits a real `python -m pipelines run` (its own
process group, as `make run` is) and the published marts must stay byte for byte as they
were, no child may outlive its run holding the warehouse, and the next run must recover
and publish the same bytes (the same inputs give the same marts).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from fixtures.demo_copies import copy_demo_run, run_pipeline
from fixtures.snapshots import snapshot

from pipelines import settings, terms
from pipelines.campaign import load_campaign
from pipelines.publish import files, publisher

pytestmark = pytest.mark.slow

CAMPAIGN = load_campaign("2022-warm-heart")


def start(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "run"],
        env=env,
        cwd=settings.PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=1200)
    assert proc.returncode == 0, out[out.find("RUN FAILED") :][:6000] or out[-6000:]
    return out


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid`, with its command line."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                out[child] = (
                    (Path("/proc") / str(child) / "cmdline")
                    .read_bytes()
                    .replace(b"\0", b" ")
                    .decode()
                )
            except OSError:
                continue
            todo.append(child)
    return out


def wait_for(predicate, timeout: float = 600, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def dbt_build_of(proc: subprocess.Popen) -> int | None:
    found = [pid for pid, cmd in descendants(proc.pid).items() if "dbt" in cmd and " build" in cmd]
    return found[0] if found else None


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def baseline(demo_run, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the suite's demo run (conftest.demo_run): published, warehouse and all."""
    root = tmp_path_factory.mktemp("faults")
    env = copy_demo_run(demo_run, root)
    return root, env, snapshot(root / "marts")


def test_sigkill_during_the_dbt_build_leaves_the_marts_untouched(baseline):
    root, env, before = baseline
    proc = start(env)
    wait_for(lambda: dbt_build_of(proc))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(root / "marts") == before


def test_the_main_process_killed_alone_leaves_no_child_holding_the_warehouse(baseline):
    root, env, before = baseline
    proc = start(env)
    dbt = wait_for(lambda: dbt_build_of(proc))
    # dbt's process and the one started ahead that runs its build (pipelines/dbt_warm.py).
    dbts = {pid for pid, cmd in descendants(proc.pid).items() if "dbt" in cmd}
    assert len(dbts) >= 2, dbts
    proc.kill()  # the main process only; dbt is its child
    proc.wait()
    wait_for(lambda: not alive(dbt), timeout=300)  # a hang guard, not a speed limit
    wait_for(lambda: not any(alive(pid) for pid in dbts), timeout=300)
    assert snapshot(root / "marts") == before
    duckdb.connect(str(root / "warehouse.duckdb")).close()  # nobody holds it


def test_sigkill_during_publication_leaves_the_marts_untouched(baseline):
    root, env, before = baseline
    proc = start(env)
    wait_for(lambda: any(p.name.startswith(".marts.building-") for p in root.iterdir()), step=0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(root / "marts") == before


def test_a_full_disk_during_publication_leaves_the_marts_untouched(baseline, monkeypatch):
    root, _, before = baseline
    real, calls = files.write_atomic, []

    def fills_up(path, write, mode=None):
        calls.append(path)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, write, mode)

    # Every file is written (none kept from the baseline's publication), through the one
    # function every file of a publication is written with; the fourth finds the disk full.
    monkeypatch.setattr(publisher.KeptFiles, "keep", lambda *_args: None)
    monkeypatch.setattr(files, "write_atomic", fills_up)
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        with pytest.raises(
            publisher.PublicationFailed, match="the disk is full .* previous marts are untouched"
        ):
            publisher.publish_marts(con, root / "marts")
    finally:
        con.close()
    assert snapshot(root / "marts") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".marts.building-")]


def test_a_damaged_warehouse_is_rebuilt_and_a_second_run_meanwhile_names_the_first(baseline):
    """The recovery after every kill above: a full rebuild from the raw files, the same bytes.

    A second run started meanwhile does not start: its last line names the first.
    """
    root, env, before = baseline
    (root / "warehouse.duckdb").write_bytes(b"\x00garbage" * 4096)
    first = start(env)
    lock = root / "warehouse.duckdb.lock"
    wait_for(
        lambda: (
            lock.exists() and lock.read_text() and json.loads(lock.read_text())["pid"] == first.pid
        )
    )
    second = run_pipeline(env, timeout=300)
    last = second.stderr.strip().splitlines()[-1]
    assert second.returncode == 75
    assert (
        f"another run holds the warehouse: pid {first.pid} (python -m pipelines run), since "
        in last
    )
    assert "Traceback" not in second.stderr and "Conflicting lock" not in second.stderr
    out = finish(first)
    assert "is damaged" in out and "rebuilding it from the raw files" in out
    assert list(root.glob("warehouse.duckdb.damaged-*"))
    assert (
        snapshot(root / "marts") == before
    )  # same inputs, same bytes, even from a rebuilt warehouse
    assert not [
        p for p in root.iterdir() if p.name.startswith((".marts.building-", ".marts.replaced-"))
    ]
    got = pl.read_parquet(root / "marts" / "rpt_campaign_stats.parquet")
    expected = pl.read_parquet(root / "ground_truth" / "expected_stats.parquet")
    joined = expected.join(got, on=["cutoff_date", "city_code"], how="left", suffix="_got")
    for f in terms.FIGURES:
        tol = 0.005 if f.money else 0
        assert (
            joined.filter(
                (pl.col(f.name) - pl.col(f"{f.name}_got")).abs().fill_null(1) > tol
            ).height
            == 0
        )
