"""Hand-built raw layers for testing the dbt people models without ingestion.

`RawBuilder` creates every raw.* table of docs/raw_layer.md (typed from terms.py)
in a DuckDB file and adds files row by row, so a test states exactly the rows it
needs (a 15-digit ID, a typo, two cities claiming one person) and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from pipelines import settings, terms
from pipelines.campaign import Campaign, load_campaign, write_campaign_tables

KIND_TYPES: dict[str, str] = {
    "text": "varchar",
    "id": "varchar",
    "name": "varchar",
    "phone": "varchar",
    "enum": "varchar",
    "city": "varchar",
    "date": "date",
    "int": "bigint",
    "money": "double",
    "multi": "varchar[]",
}

LINEAGE_DDL = (
    "_file_sha256 varchar, _file_path varchar, _sheet varchar, _source_row integer, "
    "_received_at timestamp, _campaign_id varchar, _cutoff_date date, _city_code varchar, "
    "_table_type varchar"
)

FILES_DDL = """
create table raw.files (
    file_sha256 varchar, file_path varchar, file_name varchar, file_format varchar,
    encoding varchar, source varchar, campaign_id varchar, cutoff_date date,
    city_code varchar, city_code_raw varchar, registry_source varchar, table_type varchar,
    sheet varchar, header_row integer, received_at timestamp, is_late boolean,
    rows_read bigint, rows_blank bigint, rows_loaded bigint, rows_quarantined bigint,
    status varchar, error varchar, ingested_at timestamp
)
"""

ISSUE_COLUMNS = (
    "file_sha256 varchar, file_path varchar, sheet varchar, source_row integer, "
    "column_name varchar, value varchar, reason_code varchar, reason varchar, "
    "table_type varchar, campaign_id varchar, city_code varchar, cutoff_date date"
)


class RawBuilder:
    """Writes a minimal but complete raw layer into one DuckDB file."""

    def __init__(self, warehouse: Path, campaign: Campaign | None = None) -> None:
        self.warehouse = warehouse
        self.campaign = campaign or load_campaign(settings.DEFAULT_CAMPAIGN_ID)
        self.con = duckdb.connect(str(warehouse))
        self.con.execute("create schema if not exists raw")
        write_campaign_tables(self.con, self.campaign)
        self.con.execute(FILES_DDL)
        self.con.execute(f"create table raw.quarantine ({ISSUE_COLUMNS}, row_json varchar)")
        self.con.execute(f"create table raw.cell_issues ({ISSUE_COLUMNS})")
        for table in terms.ALL_TABLES:
            cols = ", ".join(f"{c.name} {KIND_TYPES[c.kind]}" for c in table.columns)
            self.con.execute(f"create table raw.{table.name} ({LINEAGE_DDL}, {cols})")
        self._n = 0

    def add_file(
        self,
        table_type: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        city: str | None = None,
        cutoff: str | dt.date | None = None,
        received_at: str | dt.datetime | None = None,
        path: str | None = None,
    ) -> str:
        """Add one file of `table_type` holding `rows` (English column names); return its path."""
        table = terms.TABLES_BY_NAME[table_type]
        self._n += 1
        cutoff_date = dt.date.fromisoformat(str(cutoff)) if cutoff else None
        if received_at is None:
            received = dt.datetime.combine(
                cutoff_date or dt.date(2022, 10, 31), dt.time(12)
            ) + dt.timedelta(seconds=self._n)
        else:
            received = dt.datetime.fromisoformat(str(received_at))
        if table.source == "submission":
            path = (
                path
                or f"submissions/{self.campaign.id}/{cutoff_date}/{city}/{table_type}_{self._n}.csv"
            )
            registry = None
        else:
            path = path or f"registries/{table.registry_folder}/{table_type}_{self._n}.csv"
            registry = table.registry_folder
        sha = hashlib.sha256(f"{path}:{self._n}".encode()).hexdigest()
        is_sub = table.source == "submission"
        self.con.execute(
            "insert into raw.files values (?, ?, ?, 'csv', 'utf-8', ?, ?, ?, ?, ?, ?, ?, null, 1, ?, ?, "
            "?, 0, ?, 0, 'loaded', null, ?)",
            [
                sha,
                path,
                path.rsplit("/", 1)[-1],
                table.source,
                self.campaign.id if is_sub else None,
                cutoff_date,
                city if is_sub else None,
                city if is_sub else None,
                registry,
                table_type,
                received,
                (received.date() > cutoff_date) if is_sub and cutoff_date else None,
                len(rows),
                len(rows),
                dt.datetime(2026, 1, 1),
            ],
        )
        names = [c.name for c in table.columns]
        placeholders = ", ".join("?" for _ in range(9 + len(names)))
        for i, row in enumerate(rows):
            unknown = set(row) - set(names)
            if unknown:
                raise KeyError(f"{table_type} has no columns {unknown}")
            lineage = [
                sha,
                path,
                None,
                i + 2,
                received,
                self.campaign.id if is_sub else None,
                cutoff_date,
                city if is_sub else None,
                table_type,
            ]
            self.con.execute(
                f"insert into raw.{table_type} values ({placeholders})",
                lineage + [row.get(n) for n in names],
            )
        return path

    def close(self) -> None:
        self.con.close()


# What the people models need from the dbt project: their own folders and what they read.
PEOPLE_PROJECT_PARTS: tuple[str, ...] = (
    "dbt_project.yml",
    "profiles.yml",
    "macros",
    "seeds",
    "models/staging",
    "models/intermediate",
    "models/marts/restricted/dim_person.sql",
    "models/marts/restricted/dim_person.yml",
)


def people_project(destination: Path) -> Path:
    """A copy of the dbt project holding only the people models and what they read.

    Tests of the people models build this copy so that a mart being written at the
    same moment in the shared checkout cannot break them (and the build stays fast).
    """
    for part in PEOPLE_PROJECT_PARTS:
        source = settings.DBT_PROJECT_DIR / part
        target = destination / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, target)
    return destination


def run_dbt(
    warehouse: Path,
    *args: str,
    select: str | None = None,
    project_dir: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`dbt build` (or `args`) against `warehouse`; returns the finished process."""
    dbt = Path(settings.PROJECT_ROOT / ".venv" / "bin" / "dbt")
    command = [str(dbt), *(args or ("build",)), "--profiles-dir", ".", "--project-dir", "."]
    if select:
        # cautious: a test on a selected model is skipped when it also reads an
        # unselected one (e.g. a mart's relationship test to a seed).
        command += ["--select", select, "--indirect-selection", "cautious"]
    env = {**os.environ, "WARMHEART_WAREHOUSE": str(warehouse.resolve())}
    # Separate target/log folders per warehouse so parallel runs do not share state.
    env["DBT_TARGET_PATH"] = str(warehouse.parent / "dbt_target")
    env["DBT_LOG_PATH"] = str(warehouse.parent / "dbt_logs")
    return subprocess.run(
        command,
        cwd=project_dir or settings.DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
