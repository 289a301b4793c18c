"""Parsing an upload is untrusted work: it runs in a worker process with memory and time limits.

The readers are native code (calamine via fastexcel) fed with whatever a city's machine
produced. A crafted record can make them panic (pyo3's PanicException derives from
BaseException, so `except Exception` does not see it), abort on a multi-gigabyte
allocation, or loop. In the worker none of this can end the run: the worker dies or is
stopped, the file is quarantined as `reader_crashed` with what happened, a fresh worker
takes the next file, and every other file — every other city — is read as usual.

One long-lived worker parses the files one after another (starting it costs about a
second; a crash costs one restart). The run hands it the next file before storing the
current one (`submit`, then `collect`), so parsing and writing overlap on two cores; a
file queued behind one that crashed or hung is handed to the fresh worker again, never
blamed. Limits, overridable by environment:

    WARMHEART_PARSE_MEMORY_MB   address space of the worker (default 3072)
    WARMHEART_PARSE_TIMEOUT_S   seconds for one file (default 300)
    WARMHEART_PARSE_ISOLATION   "process" (default) or "inline" (same process; debugging)
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_MEMORY_MB = 3072
DEFAULT_TIMEOUT_S = 300.0


class ParseCrashed(Exception):
    """The parse of one file died, ran out of memory or time; the detail says which."""


class ParseFailed(Exception):
    """The parse raised an ordinary exception (a reader's or parser's error), described as text."""


def _limit_memory(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashing reader leaves no core file


def _describe(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class _Guarded:
    """Call fn in the worker, turning BaseException (a reader's panic) into a plain result."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> tuple[str, Any]:
        # Results travel as text: a reader's own exception types may not survive pickling.
        try:
            return "ok", self.fn(*args)
        except MemoryError:
            return (
                "crash",
                "the reader ran out of memory (the file asks for more than the worker's limit)",
            )
        except Exception as exc:
            return "error", _describe(exc)
        except BaseException as exc:  # a panic in native code is a BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            return "crash", f"the reader panicked: {_describe(exc)}"


@dataclass
class Pending:
    """A call handed to the worker: its future, and the worker generation it went to."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: cf.Future | None = None
    generation: int = 0
    value: tuple[str, Any] | None = None  # inline mode: done at once


class ParseWorker:
    """Run one callable per file in a limited worker process, restarting it after a crash."""

    def __init__(
        self, memory_mb: int | None = None, timeout_s: float | None = None, mode: str | None = None
    ) -> None:
        self.memory_mb = memory_mb or int(
            os.environ.get("WARMHEART_PARSE_MEMORY_MB", DEFAULT_MEMORY_MB)
        )
        self.timeout_s = timeout_s or float(
            os.environ.get("WARMHEART_PARSE_TIMEOUT_S", DEFAULT_TIMEOUT_S)
        )
        self.mode = mode or os.environ.get("WARMHEART_PARSE_ISOLATION", "process")
        self._pool: cf.ProcessPoolExecutor | None = None
        self.restarts = 0

    def _start(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fresh interpreter, no copy of the run's DuckDB connection or threads.
            self._pool = cf.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_limit_memory,
                initargs=(self.memory_mb,),
            )
        return self._pool

    def _kill(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for proc in list(getattr(pool, "_processes", {}).values()):
            if proc.is_alive():
                proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)
        self.restarts += 1

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args); ParseFailed for its ordinary error, ParseCrashed when it could not finish."""
        return self.collect(self.submit(fn, *args))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Pending:
        """Hand fn(*args) to the worker and return at once; `collect` gives its result."""
        pending = Pending(fn, args)
        if self.mode == "inline":
            pending.value = _Guarded(fn)(*args)
        else:
            self._send(pending)
        return pending

    def _send(self, pending: Pending) -> None:
        try:
            pending.future = self._start().submit(_Guarded(pending.fn), *pending.args)
        except cf.process.BrokenProcessPool:
            # The worker already died under an earlier call nobody has collected yet: this
            # call is not its cause and waits for the fresh worker (`collect` sends it).
            pending.future = None
        pending.generation = self.restarts

    def collect(self, pending: Pending) -> Any:
        """The result of a submitted call, as `run` gives it. The timeout counts from here:
        a file parsed while the previous one was being stored has had that time too."""
        if pending.value is not None:
            status, value = pending.value
        else:
            if pending.future is None and pending.generation == self.restarts:
                self._kill()  # refused by a dead worker that nothing has replaced yet
            if pending.generation != self.restarts:
                # Queued behind a call that crashed or hung: the worker it went to is gone.
                self._send(pending)
            if pending.future is None:
                raise ParseCrashed("the reader's worker process could not be started")
            try:
                status, value = pending.future.result(timeout=self.timeout_s)
            except cf.TimeoutError:
                self._kill()
                raise ParseCrashed(
                    f"reading took longer than {self.timeout_s:.0f} s and was stopped"
                ) from None
            except cf.process.BrokenProcessPool:
                self._kill()
                raise ParseCrashed(
                    "the reader crashed (its process died, e.g. out of memory or an "
                    "abort in native code)"
                ) from None
        if status == "crash":
            raise ParseCrashed(value)
        if status == "error":
            raise ParseFailed(value)
        return value

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
