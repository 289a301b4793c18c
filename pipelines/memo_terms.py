"""What dbt's process writes about the build and node memos, and the pipeline reads back
(the run's summary line, the tests): defined once, importable by both processes without
pulling in the other's libraries."""

import re

# Every table the build memo (macros/build_memo.sql) and the node memo
# (pipelines/dbt_node_memo.py) keep about the DuckDB build starts so, in schema main (which
# holds nothing else): the memo itself, staged files, parts, changes, inputs, node results.
MEMO_TABLE_PREFIX = "warmheart_"
# macros/build_memo.sql: `build_memo_relation()` with `build_memo_version()`.
BUILD_MEMO_TABLE = "main.warmheart_build_memo_v1"
# `build_memo_parts_relation()`: a `rewrite_parts_by` model's parts and their fingerprints
# (the part columns, then n, s, x), followed by the model's name.
PARTS_TABLE_PREFIX = "main.warmheart_parts_v1__"
# The debug line logged for a kept model, by the build memo (macros/build_memo.sql) or
# the node memo (pipelines/dbt_node_memo.py).
KEPT_MODEL_NOTE = "build memo: {} has the inputs it was built from; kept"
KEPT_MODEL = re.compile(re.escape(KEPT_MODEL_NOTE).replace(r"\{\}", r"(\w+)"))
# The adapter responses of nodes answered from the node memo, in run_results.json.
MODEL_KEPT = "kept: inputs unchanged"
TEST_REMEMBERED = "remembered: inputs unchanged"
# The debug line logged for a remembered test.
REMEMBERED_TEST_NOTE = "test memo: {} has the inputs its result was computed on; remembered"
