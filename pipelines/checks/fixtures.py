"""Hand-made raw tables and report marts for the gate's tests (no ingestion, no dbt needed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from pipelines import terms

KIND_TYPES = {"date": "DATE", "int": "BIGINT", "money": "DOUBLE", "multi": "VARCHAR[]"}
LINEAGE_TYPES = {
    "_file_sha256": "VARCHAR", "_file_path": "VARCHAR", "_sheet": "VARCHAR", "_source_row": "INTEGER",
    "_received_at": "TIMESTAMP", "_campaign_id": "VARCHAR", "_cutoff_date": "DATE",
    "_city_code": "VARCHAR", "_table_type": "VARCHAR",
}


def check_char(id17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(id17, weights, strict=True)) % 11]


def valid_id(n: int, region: str = "370102", birth: str = "19800101") -> str:
    """A valid 18-character ID number (distinct for distinct n < 1000)."""
    id17 = f"{region}{birth}{n:03d}"
    return id17 + check_char(id17)


def create_raw_table(con: duckdb.DuckDBPyConnection, table: terms.Table, rows: list[dict[str, Any]],
                     file_path: str = "file.csv", city: str | None = None,
                     cutoff: dt.date | None = None) -> None:
    """raw.<table> with the raw layer's columns; `rows` give data columns, lineage is filled in.

    Appends when the table exists, so several files can be added one after the other.
    """
    con.execute("create schema if not exists raw")
    cols = {**LINEAGE_TYPES, **{c.name: KIND_TYPES.get(c.kind, "VARCHAR") for c in table.columns}}
    ddl = ", ".join(f'"{c}" {t}' for c, t in cols.items())
    con.execute(f"create table if not exists raw.{table.name} ({ddl})")
    start = con.execute(f"select count(*) from raw.{table.name} where _file_path = ?",
                        [file_path]).fetchone()[0]
    for i, row in enumerate(rows):
        lineage = {"_file_sha256": f"sha-{file_path}", "_file_path": file_path, "_source_row": start + i + 2,
                   "_city_code": city, "_cutoff_date": cutoff, "_table_type": table.name,
                   "_campaign_id": "2022-warm-heart" if table.source == "submission" else None}
        values = {**lineage, **row}
        names = [c for c in cols if c in values]
        con.execute(
            f"insert into raw.{table.name} ({', '.join(f'{chr(34)}{n}{chr(34)}' for n in names)}) "
            f"values ({', '.join('?' for _ in names)})",
            [values[n] for n in names],
        )


def clean_report_rows(cutoffs: list[dt.date]) -> list[dict[str, Any]]:
    """A report that satisfies every invariant: each city's figures, province = their sum."""
    rows = []
    for cutoff in cutoffs:
        city_rows = []
        for i, (code, name) in enumerate(terms.CITIES.items()):
            base = 10 + i
            figs = {f: 0 for f in terms.FIGURE_NAMES}
            figs.update(targets_identified=base, long_term_unemployed=base // 2, older_workers=base // 3,
                        disabled=1, dibao_members=2, visits=base * 2, job_posts_collected=5,
                        special_recruitment_events=3, onsite_job_fairs=1, jobs_pushed=base * 3,
                        employed=4, employed_by_enterprise=2, employed_flexibly=1,
                        employed_public_welfare=1, discriminatory_posts_removed=0,
                        temp_relief_payments=2, temp_relief_amount_yuan=1000.5 + i)
            city_rows.append({"cutoff_date": cutoff, "city_code": code, "city_name": name, **figs})
        province = {f: sum(r[f] for r in city_rows) for f in terms.FIGURE_NAMES}
        rows += city_rows + [{"cutoff_date": cutoff, "city_code": terms.PROVINCE_CODE,
                              "city_name": terms.PROVINCE_NAME, **province}]
    return rows


def create_report(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    con.execute("create schema if not exists marts")
    figs = ", ".join(f'"{f.name}" {"DOUBLE" if f.money else "BIGINT"}' for f in terms.FIGURES)
    con.execute(f"create or replace table marts.rpt_campaign_stats "
                f"(cutoff_date DATE, city_code VARCHAR, city_name VARCHAR, {figs})")
    cols = list(terms.REPORT_HEADERS)
    con.executemany(f"insert into marts.rpt_campaign_stats values ({', '.join('?' for _ in cols)})",
                    [[r[c] for c in cols] for r in rows])
