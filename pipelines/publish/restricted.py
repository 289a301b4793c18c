"""Restricted per-city exports: lists that name people, for the city offices that contact them.

They carry ID numbers, names and phones, so they are written under
settings.restricted_dir() (data/restricted/ by default), never into the
analysts' marts folder:

    <restricted_dir>/<cut-off>/<city_code>/<export>.csv
    <restricted_dir>/<cut-off>/<city_code>/问题反馈_<city>_<cut-off>.xlsx   (pipelines/publish/feedback.py)

One cut-off's folder is built aside and swapped in whole (publish/files.py, owner-only), so a rerun of that
cut-off replaces its lists (a city that no longer has anyone to contact loses
its stale file) and leaves other cut-offs' folders untouched.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.publish import feedback
from pipelines.publish import files as files_module
from pipelines.publish.content_keys import (
    KeptFiles,
    content_key,
    cutoff_city_fingerprints,
    writer_key,
)
from pipelines.publish.files import RESTRICTED, build_folder, write_csv

Log = Callable[[str], object]


@dataclass(frozen=True)
class RestrictedExport:
    name: str
    description: str
    relation: str  # the dbt model (schema restricted) that holds the list


EXPORTS: tuple[RestrictedExport, ...] = (
    RestrictedExport(
        name="discovery_candidates",
        description="发现一人: people the registries show as likely targets who are on no city's ledger",
        relation="restricted.restricted_discovery_candidates",
    ),
    RestrictedExport(
        name="relief_eligible_unpaid",
        description="targets eligible for temporary relief (未就业, no UI payment, no 低保) not yet paid",
        relation="restricted.restricted_relief_eligible_unpaid",
    ),
    RestrictedExport(
        name="contact_register",
        description="联系人: the city's latest named campaign contact (has_contact = false: never named)",
        relation="restricted.restricted_contact_register",
    ),
)


# The code and libraries that decide a list's bytes besides its rows.
WRITER_KEY = writer_key(files_module, sys.modules[__name__])


@dataclass
class RestrictedResult:
    cutoff: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    feedback: dict[str, Path] = field(default_factory=dict)  # city code -> 问题反馈 workbook
    feedback_rewritten: list[str] = field(default_factory=list)  # the rest kept as they were
    rows: dict[str, int] = field(default_factory=dict)  # export -> rows (all cities)
    missing: dict[str, str] = field(default_factory=dict)  # part -> why it was not written


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".", 1)
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
        > 0
    )  # fetchall: a pending result would block the next query


def load_export(
    con: duckdb.DuckDBPyConnection, export: RestrictedExport, cutoff: dt.date
) -> pl.DataFrame:
    """The export's rows of one cut-off, every city."""
    return con.sql(f"select * from {export.relation} where cutoff_date = ?", params=[cutoff]).pl()


def write_restricted_exports(
    con: duckdb.DuckDBPyConnection,
    cutoff: str,
    root: Path,
    log: Log = print,
    campaign_name: str = "",
    fingerprints: feedback.Fingerprints | None = None,
) -> RestrictedResult:
    """Write every restricted list of one cut-off, one folder per city, and swap the cut-off in.

    `fingerprints`: feedback.content_fingerprints of every cut-off, when the caller
    writes several (taken once rather than once per cut-off)."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(RESTRICTED.folder)
    result = RestrictedResult(cutoff=cutoff, folder=root / cutoff)
    day = dt.date.fromisoformat(cutoff)
    with build_folder(result.folder, RESTRICTED) as staged:
        kept = KeptFiles(result.folder)
        for export in EXPORTS:
            # A city's list whose rows did not change keeps its file: only changed cities
            # load and write (a correction changes one city's lists, if any).
            found = cutoff_city_fingerprints(con, export.relation, day)
            parts = {(city,): fp for (_day, city), fp in found.items()}
            keys = {city: content_key(WRITER_KEY, fp) for (city,), fp in parts.items()}
            names = {city: f"{city}/{export.name}.csv" for city in keys}
            paths = {
                city: kept.keep(staged, f"{export.name}/{city}", keys[city], [names[city]])
                for city in keys
            }
            changed = [city for city, kept_paths in paths.items() if kept_paths is None]
            if changed:
                by_city = load_export(con, export, day).partition_by("city_code", as_dict=True)
                for city in changed:
                    path = write_csv(by_city[(city,)], staged / names[city])
                    kept.record(staged, f"{export.name}/{city}", keys[city], [path])
                    paths[city] = [path]
            for city in sorted(paths, key=str):
                result.files += [result.folder / p.relative_to(staged) for p in paths[city]]
            result.rows[export.name] = sum(fp.rows for fp in parts.values())
            log(
                f"restricted {cutoff}: {export.name} {result.rows[export.name]} rows from "
                f"{export.relation}, {len(parts)} cities"
            )
        kept.save(staged)
        if _relation_exists(con, feedback.FEEDBACK_RELATION):
            written = feedback.write_city_feedback(
                con,
                dt.date.fromisoformat(cutoff),
                staged,
                campaign_name,
                previous=result.folder,
                fingerprints=fingerprints,
            )
            result.feedback = {
                c: result.folder / p.relative_to(staged) for c, p in written.paths.items()
            }
            result.feedback_rewritten = written.rewritten
            log(
                f"restricted {cutoff}: 问题反馈 workbooks for {len(written.paths)} cities "
                f"({len(written.rewritten)} written, {len(written.kept)} unchanged and kept)"
            )
        else:
            result.missing["feedback"] = f"{feedback.FEEDBACK_RELATION} does not exist yet"
    return result
