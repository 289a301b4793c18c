"""The person_key secret (contract §11): never the built-in key over real uploads."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pipelines import settings


@pytest.fixture
def real_uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WARMHEART_RAW_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("WARMHEART_WAREHOUSE", str(tmp_path / "data" / "warehouse.duckdb"))
    monkeypatch.setenv("WARMHEART_MARTS_DIR", str(tmp_path / "data" / "marts"))
    monkeypatch.delenv("WARMHEART_PERSON_KEY_SECRET", raising=False)
    monkeypatch.delenv("WARMHEART_PERSON_KEY_SECRET_FILE", raising=False)
    return tmp_path


def test_real_uploads_get_a_random_secret_created_once_owner_only_outside_the_marts(
    real_uploads,
) -> None:
    first = settings.person_key_secret()
    path = settings.secret_file()
    assert first != settings.DEV_PERSON_KEY_SECRET and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert settings.marts_dir() not in path.parents
    assert settings.person_key_secret() == first  # reused: keys stay stable across runs


def test_a_widened_secret_file_is_made_owner_only_again(real_uploads) -> None:
    settings.person_key_secret()
    settings.secret_file().chmod(0o644)
    settings.person_key_secret()
    assert stat.S_IMODE(settings.secret_file().stat().st_mode) == 0o600


def test_the_environment_wins_and_the_demo_keeps_its_reproducible_key(
    real_uploads, monkeypatch
) -> None:
    monkeypatch.setenv("WARMHEART_PERSON_KEY_SECRET", "from-the-vault")
    assert settings.person_key_secret() == "from-the-vault"
    monkeypatch.delenv("WARMHEART_PERSON_KEY_SECRET")
    monkeypatch.delenv("WARMHEART_RAW_DIR")
    assert settings.person_key_secret() == settings.DEV_PERSON_KEY_SECRET
    assert not settings.secret_file().exists()
