"""Where things live on disk; every path can be redirected by environment (contract §8)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
CAMPAIGNS_DIR = PROJECT_ROOT / "config" / "campaigns"
DEFAULT_CAMPAIGN_ID = "2022-warm-heart"


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


def analyst_db_path() -> Path:
    """The analysts' read-only copy: published marts only, never the pipeline's file."""
    return marts_dir() / "warmheart_analyst.duckdb"


def campaign_id() -> str:
    return os.environ.get("WARMHEART_CAMPAIGN", DEFAULT_CAMPAIGN_ID)

