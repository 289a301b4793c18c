"""Person resolution on a generated campaign with every noise case of the demo
generator (15-digit IDs, lower-case x, full-width, typos, spreadsheet-mangled IDs,
shared names and phones, re-uploads), scored against its ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("tools.demo.generator", reason="demo generator not committed yet")
pytest.importorskip("pipelines.ingest.run", reason="ingestion not committed yet")

from tools.people.evaluate import evaluate  # noqa: E402


@pytest.mark.slow
def test_resolution_precision_and_recall_reach_99_percent_on_generated_data(tmp_path: Path):
    result = evaluate(tmp_path, seed=11, persons_per_city=10)
    assert result.rows > 500, result.report()
    assert result.precision >= 0.99, result.report()
    assert result.recall >= 0.99, result.report()
    assert result.unresolvable_linked == 0, result.report()
