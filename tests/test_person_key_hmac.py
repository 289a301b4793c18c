"""person_key is HMAC-SHA256(secret, 身份证号) (contract §11), computed in SQL.

The macro (dbt_project/macros/people_id.sql) is rendered here the way dbt renders it (plain
Jinja, DuckDB's dialect macros) with the pads pipelines/person_key.py exports, evaluated
by DuckDB and compared with Python's own `hmac` — on short keys, keys longer than
sha256's block (hashed first, RFC 2104), non-ASCII keys and non-ASCII input. Spark's
version is held to the same keys by the engine-equivalence test (tests/spark).
"""

from __future__ import annotations

import hashlib
import hmac
import re

import duckdb
import jinja2
import pytest

from pipelines import person_key, settings
from pipelines.person_key_plugin import set_pads

PEOPLE_ID = settings.DBT_PROJECT_DIR / "macros" / "people_id.sql"
DIALECT = settings.DBT_PROJECT_DIR / "macros" / "people_dialect.sql"


def render_person_key() -> str:
    """The macro as dbt renders it for DuckDB: no secret in it, only the pads' variables."""
    jinja = jinja2.Environment(extensions=["jinja2.ext.do"])
    dialect = jinja.from_string(DIALECT.read_text(encoding="utf-8")).module
    context = {
        "sha256_hex": dialect.default__sha256_hex,
        "hex_bytes": dialect.default__hex_bytes,
        "utf8_bytes": dialect.default__utf8_bytes,
        "person_key_pad": dialect.default__person_key_pad,
    }
    template = PEOPLE_ID.read_text(encoding="utf-8") + "{{ person_key('person_id') }}"
    return jinja.from_string(template).render(**context).strip()


def keys_in_sql(env_vars: dict[str, str], ids: list[str]) -> list[str]:
    sql = render_person_key()
    with duckdb.connect() as con:
        set_pads(con, env_vars)  # what the dbt-duckdb plugin does on each connection
        rows = con.execute(
            f"select {sql} from unnest(?::varchar[]) as t(person_id) order by person_id", [ids]
        ).fetchall()
    return [r[0] for r in rows]


IDS = sorted(["370102199001011234", "37010219900101123X", "身份证-张三", ""])


@pytest.mark.parametrize(
    "secret",
    ["s", "from-the-vault", "k" * 64, "长密钥" * 40, "quote'and\\backslash"],
    ids=["one-char", "short", "one-block", "longer-than-a-block", "quotes"],
)
def test_sql_person_key_equals_python_hmac_sha256(secret: str) -> None:
    got = keys_in_sql(person_key.dbt_env(secret), IDS)
    want = [hmac.new(secret.encode(), i.encode(), hashlib.sha256).hexdigest() for i in IDS]
    assert got == want
    assert got == [person_key.person_key(secret, i) for i in IDS]


def test_without_pads_in_the_environment_the_plugin_sets_the_demo_keys() -> None:
    secret = settings.DEV_PERSON_KEY_SECRET
    got = keys_in_sql({}, IDS)
    assert got == [hmac.new(secret.encode(), i.encode(), hashlib.sha256).hexdigest() for i in IDS]


def test_a_key_is_not_a_plain_hash_of_secret_and_id() -> None:
    # The pre-HMAC form sha256(secret ':' id) is open to length extension; keys changed once.
    secret, pid = "from-the-vault", IDS[0]
    assert keys_in_sql(person_key.dbt_env(secret), [pid]) != [
        hashlib.sha256(f"{secret}:{pid}".encode()).hexdigest()
    ]


def test_malformed_pads_stop_the_connection_with_a_message() -> None:
    with duckdb.connect() as con, pytest.raises(ValueError, match="128 lower-case hex"):
        set_pads(con, {person_key.IPAD_ENV: "not-hex", person_key.OPAD_ENV: "00" * 64})


def test_the_rendered_sql_holds_no_pad_of_any_secret() -> None:
    sql = render_person_key()
    for secret in ("from-the-vault", settings.DEV_PERSON_KEY_SECRET):
        assert not any(pad in sql for pad in person_key.hmac_pads(secret))
    assert "getvariable('warmheart_person_key_inner')" in sql


def test_without_the_plugin_every_key_is_null_not_a_silent_default() -> None:
    with duckdb.connect() as con:
        (key,) = con.execute(
            f"select {render_person_key()} from (select 'x' as person_id)"
        ).fetchone()
    assert key is None  # the not-null tests on person_key then stop the build


def test_a_different_secret_gives_a_different_fingerprint_and_the_same_secret_the_same() -> None:
    assert person_key.fingerprint("a") == person_key.fingerprint("a")
    assert person_key.fingerprint("a") != person_key.fingerprint("b")
    assert re.fullmatch("[0-9a-f]{16}", person_key.fingerprint("a"))
