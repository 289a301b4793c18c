"""Where things live on disk; every path can be redirected by environment (contract §8)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
CAMPAIGNS_DIR = PROJECT_ROOT / "config" / "campaigns"
DEFAULT_CAMPAIGN_ID = "2022-warm-heart"

# The pseudonymisation key for person_key (contract §11). The built-in key keeps demo
# runs reproducible and is used only for the generated demo: a run over real uploads
# (WARMHEART_RAW_DIR set) takes WARMHEART_PERSON_KEY_SECRET, or a random key created once
# in an owner-only file outside the marts and reused, so keys stay stable across runs.
DEV_PERSON_KEY_SECRET = "warmheart-dev-only-key"


def _path_from_env(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else default


def raw_dir() -> Path:
    return _path_from_env("WARMHEART_RAW_DIR", PROJECT_ROOT / "data" / "raw")


def raw_dir_overridden() -> bool:
    return bool(os.environ.get("WARMHEART_RAW_DIR"))


def marts_dir() -> Path:
    return _path_from_env("WARMHEART_MARTS_DIR", PROJECT_ROOT / "data" / "marts")


def warehouse_path() -> Path:
    return _path_from_env("WARMHEART_WAREHOUSE", PROJECT_ROOT / "data" / "warehouse.duckdb")


def data_dir() -> Path:
    """Folder for run-time state that sits beside the warehouse file."""
    return warehouse_path().parent


def restricted_dir() -> Path:
    """Per-city lists that name people: outside the analysts' marts folder."""
    return _path_from_env("WARMHEART_RESTRICTED_DIR", data_dir() / "restricted")


def raw_layer_dir() -> Path:
    """The raw layer as Parquet files (pipelines/ingest/raw_files.py): what Spark reads."""
    return _path_from_env("WARMHEART_RAW_LAYER", data_dir() / "raw_layer")


ENGINES = ("duckdb", "spark")


def engine() -> str:
    """The engine the dbt models run on: `duckdb` (default) or `spark` (WARMHEART_ENGINE)."""
    value = os.environ.get("WARMHEART_ENGINE", "duckdb").strip().lower() or "duckdb"
    if value not in ENGINES:
        raise ValueError(f"WARMHEART_ENGINE={value!r}: expected one of {', '.join(ENGINES)}")
    return value


def spark_dir() -> Path:
    """Spark's tables and catalog (the `spark` dbt target), beside the warehouse."""
    return _path_from_env("WARMHEART_SPARK_DIR", data_dir() / "spark")


def analyst_db_path() -> Path:
    """The analysts' read-only copy: published marts only, never the pipeline's file."""
    return marts_dir() / "warmheart_analyst.duckdb"


def campaign_id() -> str:
    return os.environ.get("WARMHEART_CAMPAIGN", DEFAULT_CAMPAIGN_ID)


def secret_file() -> Path:
    """Where the generated person_key secret lives: beside the warehouse, never in the marts."""
    return _path_from_env(
        "WARMHEART_PERSON_KEY_SECRET_FILE", data_dir() / "secrets" / "person_key_secret"
    )


def person_key_secret() -> str:
    """The person_key HMAC secret for this run (contract §11)."""
    given = os.environ.get("WARMHEART_PERSON_KEY_SECRET")
    if given:
        return given
    if not raw_dir_overridden():
        return DEV_PERSON_KEY_SECRET
    return _secret_from_file(secret_file())


def _secret_from_file(path: Path) -> str:
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)  # someone widened it: only the owner may read the key
        value = path.read_text(encoding="ascii").strip()
        if not value:
            raise RuntimeError(
                f"the person_key secret file {path} is empty; restore it from backup "
                "(a new key would change every person_key)"
            ) from None
        return value
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()
