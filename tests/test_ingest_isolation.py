"""Parsing in a limited worker: a panic, an abort, a huge allocation or a hang costs one file."""

from __future__ import annotations

import concurrent.futures as cf
import os
import time

import pytest

from pipelines.ingest.isolation import ParseCrashed, ParseFailed, ParseWorker


class FakePanic(BaseException):
    """Stands in for pyo3's PanicException, which derives from BaseException."""


def panics() -> None:
    raise FakePanic("range start index 4 out of range for slice of length 2")


def aborts() -> None:
    os.abort()  # what a Rust allocation failure does


def allocates_gigabytes() -> bytes:
    return bytes(8 * 1024**3)


HANG_S = 120


def hangs() -> None:
    time.sleep(HANG_S)


def raises() -> None:
    raise ValueError("the workbook cannot be opened\nsecond line with cell data")


def adds(a: int, b: int) -> int:
    return a + b


@pytest.fixture(scope="module")
def worker():
    with ParseWorker(memory_mb=1024, timeout_s=5, mode="process") as w:
        yield w


def test_a_reader_panic_is_a_crash_of_one_file(worker) -> None:
    with pytest.raises(ParseCrashed, match="panicked: FakePanic: range start index 4"):
        worker.run(panics)
    assert worker.run(adds, 1, 2) == 3


def test_an_abort_in_native_code_kills_the_worker_alone(worker) -> None:
    with pytest.raises(ParseCrashed, match="process died"):
        worker.run(aborts)
    assert worker.run(adds, 2, 3) == 5  # a fresh worker takes the next file


def test_a_huge_allocation_hits_the_memory_limit_not_the_machine(worker) -> None:
    with pytest.raises(ParseCrashed, match="out of memory"):
        worker.run(allocates_gigabytes)
    assert worker.run(adds, 3, 4) == 7


def test_a_hang_is_stopped_at_the_time_limit(worker) -> None:
    started = time.monotonic()
    with pytest.raises(ParseCrashed, match="longer than 5 s"):
        worker.run(hangs)
    # Stopped, not finished: a bound from the hang itself, not from the machine's speed.
    assert time.monotonic() - started < HANG_S
    assert worker.run(adds, 4, 5) == 9


def test_a_file_queued_behind_a_crash_is_parsed_by_the_fresh_worker_not_blamed(worker) -> None:
    crashing = worker.submit(aborts)
    queued = worker.submit(adds, 5, 6)  # handed over while the worker is busy
    with pytest.raises(ParseCrashed, match="process died"):
        worker.collect(crashing)
    assert worker.collect(queued) == 11


def test_a_file_handed_over_after_the_worker_died_is_parsed_by_the_fresh_one(worker) -> None:
    crashing = worker.submit(aborts)
    assert crashing.future is not None
    cf.wait([crashing.future], timeout=60)  # dead before the next file is handed over
    queued = worker.submit(adds, 7, 8)
    with pytest.raises(ParseCrashed, match="process died"):
        worker.collect(crashing)
    assert worker.collect(queued) == 15
    assert worker.run(adds, 1, 1) == 2


def test_a_file_queued_behind_a_hang_is_parsed_after_the_hang_is_stopped(worker) -> None:
    hanging = worker.submit(hangs)
    queued = worker.submit(adds, 6, 7)
    with pytest.raises(ParseCrashed, match="longer than 5 s"):
        worker.collect(hanging)
    assert worker.collect(queued) == 13


def test_parsing_goes_on_while_the_caller_stores_the_previous_file(worker) -> None:
    first = worker.submit(adds, 1, 1)
    second = worker.submit(adds, 2, 2)
    # Nobody collects (the caller is writing file 1): the worker still parses both.
    assert second.future is not None
    done, _ = cf.wait([second.future], timeout=60)
    assert done == {second.future}
    assert (worker.collect(first), worker.collect(second)) == (2, 4)


def test_an_ordinary_reader_error_is_reported_by_its_first_line(worker) -> None:
    with pytest.raises(ParseFailed) as info:
        worker.run(raises)
    assert str(info.value) == "ValueError: the workbook cannot be opened"


def test_inline_mode_still_catches_a_panic() -> None:
    with pytest.raises(ParseCrashed):
        ParseWorker(mode="inline").run(panics)
