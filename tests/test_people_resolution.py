"""Person resolution on the session's demo campaign, which carries every noise case of the
demo generator (15-digit IDs, lower-case x, full-width, typos, spreadsheet-mangled IDs,
shared names and phones, re-uploads), scored against its ground truth.

The rule (contract §5) and the generator's truth are both exact, so the score is exact too:
a single wrongly merged or split person is a failure.
"""

from __future__ import annotations

import pytest
from conftest import DemoRun

from tools.people.score import score


@pytest.mark.slow
def test_resolution_is_exact_on_generated_data(demo_run: DemoRun):
    result = score(demo_run.root / "warehouse.duckdb", demo_run.root / "ground_truth")
    assert result.rows > 500, result.report()
    assert result.precision == 1.0, result.report()
    assert result.recall == 1.0, result.report()
    assert result.unresolvable_linked == 0, result.report()
