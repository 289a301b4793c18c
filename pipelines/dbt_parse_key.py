"""The key of a dbt parse: what the manifest, and every SQL text dbt compiles from it,
depends on. Kept apart from pipelines/dbt_project.py (which imports dagster-dbt) because
dbt's own process reads it too (pipelines/dbt_node_memo.py)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Mapping
from pathlib import Path

# What `dbt parse` reads besides the project's files: the variables profiles.yml and the
# macros read (the warehouse path names the database every node records, the engine picks
# the adapter).
PARSE_ENV_PREFIXES = ("WARMHEART_", "DBT_")
# Written by dbt, not read by a parse.
NOT_PROJECT_FILES = {"target", "logs", "dbt_packages"}


def parse_key(project_dir: Path, env: Mapping[str, str]) -> str:
    """sha256 of everything a parse's manifest depends on: every project file's path and
    bytes, the variables dbt reads, and dbt's version. Same key, same manifest."""
    h = hashlib.sha256(importlib.metadata.version("dbt-core").encode())
    for name in sorted(env):
        if name.startswith(PARSE_ENV_PREFIXES):
            h.update(f"\0{name}={env[name]}".encode())
    for path in _project_files(project_dir):
        h.update(f"\0{path.relative_to(project_dir).as_posix()}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _project_files(project_dir: Path) -> list[Path]:
    """Every file of the project, sorted; dbt's outputs are not walked (target/ holds
    thousands of files from every run)."""
    found = []
    for folder, dirs, names in os.walk(project_dir):
        dirs[:] = [d for d in dirs if d not in NOT_PROJECT_FILES]
        found += [Path(folder, n) for n in names]
    return sorted(found)
