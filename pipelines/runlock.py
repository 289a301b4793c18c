"""One run at a time per warehouse: a lock file beside it, held for the whole run.

DuckDB allows one writer per file; two runs at once (``make run`` twice, or ``make
run`` while the daemon runs the schedule) would end in a DuckDB lock traceback that
tells an operator nothing. So a run first takes ``<warehouse>.lock`` with ``flock``:

- the kernel releases it when the holder dies, however it dies (no stale lock);
- the file says who holds it (pid, command, since when), so a run that cannot go
  ahead says which run is in the way and what to do, in its last line;
- it waits up to ``WARMHEART_LOCK_WAIT_S`` seconds (default 0: exit at once).

The lock is re-entrant within a process: the CLI takes it for the whole run, and the
assets that write the warehouse take it again (a no-op then), so runs started by the
Dagster daemon are guarded too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

_held: dict[str, int] = {}  # lock path -> depth, for this process


class RunLockHeld(RuntimeError):
    """Another run holds the warehouse."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    pid = info.get("pid")
    if not pid:
        return f"another run holds the warehouse (lock file {path})"
    who = f"pid {pid} ({info.get('command', '?')}), since {info.get('since', '?')}"
    if not _alive(int(pid)):
        return (
            f"another run holds the warehouse: {who}; that process has ended but a process it "
            f"started still holds the lock — find it with `fuser {path}` and stop it"
        )
    return f"another run holds the warehouse: {who}"


def what_to_do(path: Path) -> str:
    try:
        pid = json.loads(path.read_text(encoding="utf-8") or "{}").get("pid")
    except (OSError, ValueError):
        pid = None
    stop = f"if it is stuck, stop it (kill {pid}) and " if pid else "if it is stuck, stop it and "
    return (
        f"Wait for it to finish and run again (or set WARMHEART_LOCK_WAIT_S=600 to wait); {stop}"
        "run again — the previous marts are untouched."
    )


@contextlib.contextmanager
def run_lock(
    warehouse: Path, wait_s: float | None = None, command: str | None = None
) -> Iterator[Path]:
    """Hold the warehouse's run lock for the block, or raise RunLockHeld naming the holder."""
    path = lock_path(Path(warehouse))
    key = str(path.resolve())
    if key in _held:  # this process already holds it
        _held[key] += 1
        try:
            yield path
        finally:
            _held[key] -= 1
        return
    wait = float(os.environ.get("WARMHEART_LOCK_WAIT_S", "0")) if wait_s is None else wait_s
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLockHeld(f"{describe_holder(path)}. {what_to_do(path)}") from None
                time.sleep(min(1.0, max(deadline - time.monotonic(), 0.05)))
        info = {
            "pid": os.getpid(),
            "command": command or " ".join(sys.argv)[:200],
            "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        _held[key] = 1
        try:
            yield path
        finally:
            del _held[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
