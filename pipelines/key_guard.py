"""The person_key secret must not change under published marts unnoticed (contract §11).

Every person_key is an HMAC with the run's secret. If the secret file is lost (a new
data folder, a restored backup without `data/secrets/`), the next run over real uploads
creates a new random secret and every person_key in the refreshed marts changes: an
analyst's saved lists and joins across publications silently stop matching. So each
publication records the key's fingerprint (`person_key_fingerprint.txt`, 16 hex digits of
an HMAC of a fixed label: it tells keys apart and reveals nothing) and a run keyed
differently stops before building anything, unless the operator rotates on purpose.
Marts keyed with the built-in demo key never hold real people: replacing them is normal.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines import person_key, settings
from pipelines.publish.publisher import Writer

FINGERPRINT_FILE = "person_key_fingerprint.txt"
ROTATE_ENV = "WARMHEART_PERSON_KEY_ROTATE"


class PersonKeyChanged(RuntimeError):
    """The run's secret is not the one the published marts were keyed with."""


def published_fingerprint(marts_dir: Path) -> str | None:
    path = Path(marts_dir) / FINGERPRINT_FILE
    if not path.is_file():
        return None
    return path.read_text(encoding="ascii").strip() or None


def check_key_unchanged(marts_dir: Path, secret: str) -> None:
    """Raise PersonKeyChanged when `secret` would re-key the published marts by accident."""
    before = published_fingerprint(marts_dir)
    now = person_key.fingerprint(secret)
    demo = person_key.fingerprint(settings.DEV_PERSON_KEY_SECRET)
    if before in (None, now, demo) or os.environ.get(ROTATE_ENV) == "1":
        return
    raise PersonKeyChanged(
        f"person_key 密钥与已发布数据所用的不一致（指纹 {before} → {now}），继续运行会改变每个人的 "
        f"person_key，分析人员保存的名单将对不上。请恢复原密钥文件 {settings.secret_file()} 或设置 "
        f"WARMHEART_PERSON_KEY_SECRET；确需更换密钥时，设置 {ROTATE_ENV}=1 运行一次。\n"
        f"The person_key secret is not the one the published marts in {marts_dir} were keyed "
        f"with (fingerprint {before}, this run {now}): every person_key would change. Restore "
        f"the secret file {settings.secret_file()} or set WARMHEART_PERSON_KEY_SECRET to the old "
        f"key; to change the key on purpose, run once with {ROTATE_ENV}=1. Nothing was built "
        "or published."
    )


def fingerprint_writer(secret: str) -> Writer:
    """A publication writer (pipelines.publish.publisher.Writer) recording the key's fingerprint."""

    def write(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
        path = folder / FINGERPRINT_FILE
        path.write_text(person_key.fingerprint(secret) + "\n", encoding="ascii")
        return [path]

    return write
