"""The upload sensor starts one run per cut-off with a new or changed file, and only once."""

import os
from pathlib import Path

import dagster as dg
import pytest

from pipelines.campaign import load_campaign
from pipelines.defs.partitions import cutoff_partitions
from pipelines.defs.sensors import build_upload_sensor


@pytest.fixture
def sensor(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMHEART_RAW_DIR", str(tmp_path))

    @dg.asset(partitions_def=cutoff_partitions)
    def per_cutoff() -> None: ...

    job = dg.define_asset_job("test_job", selection=[per_cutoff])
    sensor = build_upload_sensor(job, load_campaign())
    return sensor, dg.Definitions(assets=[per_cutoff], jobs=[job], sensors=[sensor])


def _upload(raw: Path, cutoff: str, city: str, name: str, content: bytes, mtime: int) -> Path:
    path = raw / "submissions" / "2022-warm-heart" / cutoff / city / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


def _tick(sensor_and_defs, cursor):
    sensor, defs = sensor_and_defs
    data = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, definitions=defs))
    return data.run_requests, data.cursor


def test_new_file_starts_one_run_for_its_cutoff_and_a_second_tick_none(sensor, tmp_path):
    _upload(tmp_path, "2022-08-15", "370100", "济南台账.xlsx", b"old", 1_660_000_000)
    requests, cursor = _tick(sensor, None)
    assert requests == []  # the first tick records what is already there

    _upload(tmp_path, "2022-09-15", "370200", "青岛市暖心活动台账0915.xlsx", b"new", 1_663_000_000)
    requests, cursor = _tick(sensor, cursor)
    assert [r.partition_key for r in requests] == ["2022-09-15"]
    assert requests[0].run_key.startswith("upload:2022-09-15:")

    again, cursor = _tick(sensor, cursor)
    assert again == []


def test_run_key_is_deterministic_for_the_same_upload(sensor, tmp_path):
    _, baseline = _tick(sensor, None)
    _upload(tmp_path, "2022-08-30", "370300", "a.csv", b"x", 1_661_800_000)
    first, _ = _tick(sensor, baseline)
    second, _ = _tick(sensor, baseline)
    assert [r.run_key for r in first] == [r.run_key for r in second]


def test_corrected_upload_triggers_again_with_a_new_run_key(sensor, tmp_path):
    _, cursor = _tick(sensor, None)
    path = _upload(tmp_path, "2022-08-30", "370300", "a.csv", b"x", 1_661_800_000)
    first, cursor = _tick(sensor, cursor)
    _upload(tmp_path, "2022-08-30", "370300", path.name, b"corrected", 1_661_900_000)
    second, cursor = _tick(sensor, cursor)
    assert [r.partition_key for r in second] == ["2022-08-30"]
    assert second[0].run_key != first[0].run_key


def test_files_of_several_cities_in_one_cutoff_make_one_run(sensor, tmp_path):
    _, cursor = _tick(sensor, None)
    for city in ("370100", "370200", "371200"):
        _upload(tmp_path, "2022-10-15", city, "ledger.xlsx", city.encode(), 1_665_800_000)
    requests, _ = _tick(sensor, cursor)
    assert [r.partition_key for r in requests] == ["2022-10-15"]
    assert requests[0].tags["warmheart/files"] == "3"


def test_folder_that_is_not_a_cutoff_and_lock_files_start_nothing(sensor, tmp_path):
    _, cursor = _tick(sensor, None)
    _upload(tmp_path, "2022-08-16", "370100", "ledger.xlsx", b"x", 1_660_700_000)
    _upload(tmp_path, "2022-08-15", "370100", "~$ledger.xlsx", b"x", 1_660_700_000)
    _upload(tmp_path, "2022-08-15", "370100", "notes.txt", b"x", 1_660_700_000)
    requests, _ = _tick(sensor, cursor)
    assert requests == []
