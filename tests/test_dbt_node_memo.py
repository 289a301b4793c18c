"""The node memo's key and the build memo's table it reads (pipelines/dbt_node_memo.py).

Remembering on real builds (kept tables' tests answered, results equal to running every
test, a failing test failing again) is proven in tests/test_build_memo.py.
"""

from __future__ import annotations

import re

import pytest

from pipelines import settings
from pipelines.dbt_node_memo import node_key as key_of
from pipelines.memo_terms import BUILD_MEMO_TABLE
from pipelines.person_key import IPAD_ENV


def test_the_node_memo_reads_the_build_memo_table_the_macros_write():
    macros = (settings.DBT_PROJECT_DIR / "macros" / "build_memo.sql").read_text()
    version = re.search(r"macro build_memo_version\(\) %\}(\w+)\{%", macros)[1]
    relation = re.search(r"macro build_memo_relation\(\) -%\}\s*(\S+)\{\{", macros)[1]
    assert BUILD_MEMO_TABLE == relation + version


def test_a_node_key_changes_with_the_node_its_settings_and_its_inputs(monkeypatch):
    base = ("test.warmheart.not_null_x.1", {"severity": "ERROR"}, "model.warmheart.x=1:2:3")
    key = key_of(*base)
    assert key_of(*base) == key
    assert key_of("test.warmheart.not_null_y.2", *base[1:]) != key
    assert key_of(base[0], {"severity": "WARN"}, base[2]) != key
    assert key_of(*base[:2], "model.warmheart.x=1:2:4") != key
    monkeypatch.setenv(IPAD_ENV, "0" * 128)  # another person_key secret
    assert key_of(*base) != key


@pytest.mark.parametrize("name", ["DBT_TARGET_PATH", "DBT_LOG_PATH"])
def test_where_dbt_writes_is_not_part_of_a_node_key(monkeypatch, name):
    from pipelines.dbt_node_memo import _state

    monkeypatch.setattr(_state, "code_key", None)
    key = key_of("t", {}, "i")
    monkeypatch.setattr(_state, "code_key", None)
    monkeypatch.setenv(name, "/elsewhere/warehouse_models-abc")
    assert key_of("t", {}, "i") == key
    monkeypatch.setattr(_state, "code_key", None)
    monkeypatch.setenv("WARMHEART_ENGINE", "other")  # a setting dbt reads
    assert key_of("t", {}, "i") != key
