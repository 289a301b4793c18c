"""One run per warehouse: the second is told who holds it and what to do; a dead holder frees it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.runlock import RunLockHeld, lock_path, run_lock

# The holder takes SIGTERM's default action whatever it inherits: an xdist worker ignores
# SIGINT, and once Dagster has run in that worker (it maps SIGTERM onto SIGINT's handler)
# SIGTERM is ignored too, which a child inherits; the kill below then did nothing and the
# holder slept its 60 s out (CI, 2026-11-30: both waiting tests saw exit 0, not -15).
HOLD = """
import signal, sys, time
from pathlib import Path
from pipelines.runlock import run_lock
signal.signal(signal.SIGTERM, signal.SIG_DFL)
with run_lock(Path(sys.argv[1]), command="python -m pipelines run"):
    print("held", flush=True)
    time.sleep(60)
"""


def hold_in_child(warehouse: Path) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_run_is_refused_with_the_holder_and_what_to_do(tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    child = hold_in_child(wh)
    try:
        with pytest.raises(RunLockHeld) as info, run_lock(wh, wait_s=0):
            pass
        message = str(info.value)
        assert f"pid {child.pid} (python -m pipelines run), since " in message
        assert f"kill {child.pid}" in message and "previous marts are untouched" in message
        assert json.loads(lock_path(wh).read_text())["pid"] == child.pid
    finally:
        child.kill()
        child.wait()


def test_the_lock_is_free_as_soon_as_its_holder_is_killed(tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    child = hold_in_child(wh)
    child.kill()  # SIGKILL: no clean-up code runs
    child.wait()
    with run_lock(wh, wait_s=0):
        assert json.loads(lock_path(wh).read_text())["pid"] == os.getpid()


def test_a_waiting_run_goes_ahead_when_the_holder_finishes(tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    child = hold_in_child(wh)
    subprocess.Popen(["sh", "-c", f"sleep 1; kill {child.pid}"])
    # The holder would hold for 60 s; the waiting run gets the lock because it was killed.
    with run_lock(wh, wait_s=300):
        assert child.wait() == -15
        assert json.loads(lock_path(wh).read_text())["pid"] == os.getpid()


def test_warmheart_lock_wait_s_makes_a_second_run_wait_instead_of_exiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/operations.md: WARMHEART_LOCK_WAIT_S=600 makes the second run wait."""
    wh = tmp_path / "warehouse.duckdb"
    child = hold_in_child(wh)
    try:
        monkeypatch.delenv("WARMHEART_LOCK_WAIT_S", raising=False)
        with pytest.raises(RunLockHeld, match="WARMHEART_LOCK_WAIT_S=600"), run_lock(wh):
            pass  # unset: refused at once
        subprocess.Popen(["sh", "-c", f"sleep 1; kill {child.pid}"])
        monkeypatch.setenv("WARMHEART_LOCK_WAIT_S", "600")
        with run_lock(wh):
            assert child.wait() == -15
    finally:
        child.kill()
        child.wait()


def test_the_lock_is_reentrant_within_a_run(tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    with run_lock(wh, wait_s=0), run_lock(wh, wait_s=0):
        pass


def test_dbt_started_by_a_run_dies_with_it() -> None:
    """The run's main process killed alone leaves no dbt child holding the warehouse."""
    wrapper = Path(sys.executable).with_name("warmheart-dbt")
    assert wrapper.exists(), (
        "make install creates the warmheart-dbt wrapper (pyproject [project.scripts])"
    )
    # The wrapper runs dbt in its own process; a dbt whose build sleeps shows what happens
    # to a long dbt build when its parent dies.
    child = (
        "import time, dbt.cli.main; dbt.cli.main.cli = lambda: time.sleep(600); "
        "from pipelines.dbt_child import main; main()"
    )
    script = (
        f"import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', {child!r}, 'build'])\n"
        f"print(p.pid, flush=True)\ntime.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    dbt_pid = int(parent.stdout.readline())
    time.sleep(1.0)
    assert _alive(dbt_pid)
    parent.kill()
    parent.wait()
    # The fake dbt sleeps 600 s: gone within 300 s means it died with its parent, and
    # the margin holds on a machine busy enough to take minutes to reap it.
    deadline = time.monotonic() + 300
    try:
        while _alive(dbt_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(dbt_pid)
    finally:
        if _alive(dbt_pid):
            os.kill(dbt_pid, 9)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
