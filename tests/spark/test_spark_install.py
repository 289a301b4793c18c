"""The Spark install (`make install-spark`) must not break the DuckDB side's quality gate.

With pyspark present, great-expectations imports pyspark's Spark Connect modules, which
end the whole process with `sys.exit(0)` when their own dependencies are missing and
`__main__` has no file — as in pytest-xdist workers and `python -c`. `make test` after
`make install-spark` lost its gate tests that way; requirements-spark.lock now carries
those dependencies.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

GATE_LIKE = """
import great_expectations as gx
context = gx.get_context(mode="ephemeral")
context.data_sources.add_pandas("raw")
print("gate still running")
"""


@pytest.mark.spark
def test_great_expectations_survives_pyspark_in_a_process_without_a_main_file() -> None:
    import pyspark  # noqa: F401  (the condition under test: pyspark installed)

    proc = subprocess.run(
        [sys.executable, "-c", GATE_LIKE], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "gate still running" in proc.stdout, proc.stderr[-2000:]
