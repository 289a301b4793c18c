"""What dbt's process writes about the build and test memos, and the pipeline reads back
(the run's summary line, the tests): defined once, importable by both processes without
pulling in the other's libraries."""

import re

# macros/build_memo.sql: `build_memo_relation()` with `build_memo_version()`.
BUILD_MEMO_TABLE = "main.warmheart_build_memo_v1"
# The debug line the build memo logs for a kept model (macros/build_memo.sql).
KEPT_MODEL = re.compile(r"build memo: (\w+) has the inputs it was built from; kept")
# The adapter response of a test answered from the test memo (pipelines/dbt_test_memo.py),
# in run_results.json, and the debug line it logs.
TEST_REMEMBERED = "remembered: inputs unchanged"
REMEMBERED_TEST_NOTE = "test memo: {} has the inputs its result was computed on; remembered"
