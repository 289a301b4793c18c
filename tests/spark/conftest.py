"""The Spark tests (marker `spark`): the same dbt models built on a local Spark.

They need `make install-spark` (pyspark) and a Java runtime, and take minutes, so they run
when asked for: `make test-spark` (`pytest -m spark tests/spark`). Without `-m spark` they
are deselected (listed as such by pytest), never skipped.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: builds the dbt models on a local Spark (minutes)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "spark" in (config.getoption("-m") or ""):
        return
    spark = [item for item in items if item.get_closest_marker("spark")]
    if spark:
        config.hook.pytest_deselected(items=spark)
        items[:] = [item for item in items if not item.get_closest_marker("spark")]
