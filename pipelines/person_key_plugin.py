"""dbt-duckdb plugin: hands the person_key pads to each DuckDB connection dbt opens.

The macro `person_key` reads them with `getvariable(...)` when the query runs, so the
secret is never part of the SQL text dbt renders, and so never in its compiled SQL, its
manifest (dbt records the env_var() values a project reads) or its logs. The pads come
from the environment the pipeline gives dbt (person_key.dbt_env); without it, the
built-in demo key's pads (demo runs only: a run over real uploads always sets them).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

from pipelines import settings
from pipelines.person_key import IPAD_ENV, OPAD_ENV, dbt_env

VARIABLES = {IPAD_ENV: "warmheart_person_key_inner", OPAD_ENV: "warmheart_person_key_outer"}
_PAD = re.compile("[0-9a-f]{128}")


def set_pads(con: duckdb.DuckDBPyConnection, environ: Mapping[str, str] = os.environ) -> None:
    """Set both pads as session variables of `con` (validated: 128 lower-case hex digits)."""
    demo = dbt_env(settings.DEV_PERSON_KEY_SECRET)
    for env, variable in VARIABLES.items():
        pad = environ.get(env) or demo[env]
        if not _PAD.fullmatch(pad):
            raise ValueError(f"{env} must be 128 lower-case hex digits (pipelines/person_key.py)")
        con.execute(f"set variable {variable} = '{pad}'")


class Plugin(BasePlugin):
    # DuckDB's variables belong to one client context: dbt runs its queries on cursors of
    # the connection, so each cursor gets them.
    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        set_pads(conn)

    def configure_cursor(self, cursor: duckdb.DuckDBPyConnection) -> None:
        set_pads(cursor)
