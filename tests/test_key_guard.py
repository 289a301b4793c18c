"""A lost person_key secret cannot silently re-key the published marts (contract §11)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from fixtures.demo_copies import copy_demo_run, run_pipeline

from pipelines import person_key, settings
from pipelines.key_guard import (
    FINGERPRINT_FILE,
    ROTATE_ENV,
    PersonKeyChanged,
    check_key_unchanged,
    fingerprint_writer,
)


def publish_fingerprint(marts: Path, secret: str) -> None:
    marts.mkdir(parents=True, exist_ok=True)
    fingerprint_writer(secret)(None, marts)


def test_first_publication_and_the_same_key_pass(tmp_path: Path) -> None:
    check_key_unchanged(tmp_path, "old-secret")  # nothing published yet
    publish_fingerprint(tmp_path, "old-secret")
    check_key_unchanged(tmp_path, "old-secret")
    assert (tmp_path / FINGERPRINT_FILE).read_text() == person_key.fingerprint("old-secret") + "\n"


def test_a_different_key_under_published_marts_stops_with_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ROTATE_ENV, raising=False)
    publish_fingerprint(tmp_path, "old-secret")
    with pytest.raises(PersonKeyChanged) as caught:
        check_key_unchanged(tmp_path, "new-random-secret")
    message = str(caught.value)
    assert "密钥" in message and "every person_key would change" in message
    assert person_key.fingerprint("old-secret") in message and ROTATE_ENV in message
    assert "old-secret" not in message  # the fingerprint, never the key


def test_a_deliberate_rotation_is_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_fingerprint(tmp_path, "old-secret")
    monkeypatch.setenv(ROTATE_ENV, "1")
    check_key_unchanged(tmp_path, "new-random-secret")


def test_marts_of_the_demo_key_may_be_replaced_by_real_uploads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ROTATE_ENV, raising=False)
    publish_fingerprint(tmp_path, settings.DEV_PERSON_KEY_SECRET)
    check_key_unchanged(tmp_path, "the-provinces-real-secret")


@pytest.mark.slow
def test_a_run_whose_secret_file_was_lost_stops_and_leaves_the_marts_untouched(
    demo_run, tmp_path: Path
) -> None:
    env = copy_demo_run(demo_run, tmp_path)
    marts = tmp_path / "marts"
    secret = (tmp_path / "secrets" / "person_key_secret").read_text(encoding="ascii").strip()
    assert (marts / FINGERPRINT_FILE).read_text().strip() == person_key.fingerprint(secret)
    before = {p: hashlib.sha256(p.read_bytes()).digest() for p in marts.rglob("*") if p.is_file()}
    shutil.rmtree(tmp_path / "secrets")  # a new data folder, a backup without secrets/ …
    env.pop(ROTATE_ENV, None)
    proc = run_pipeline(env, timeout=600)
    assert proc.returncode != 0
    assert "person_key" in proc.stderr and "WARMHEART_PERSON_KEY_ROTATE" in proc.stderr
    after = {p: hashlib.sha256(p.read_bytes()).digest() for p in marts.rglob("*") if p.is_file()}
    assert after == before
