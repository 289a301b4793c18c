"""The rule-break table (tools/rule_breaks.py, docs/rule_breaks.md) stays true to the code.

Running the breaks takes an hour of dbt builds, so the suite does not run them; it proves
instead that each break still edits the place that implements its rule. When a refactor moves
a rule, the break's text no longer occurs exactly once and this fails, instead of the table
quietly describing SQL that is gone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.rule_breaks import BREAKS, PROJECT_ROOT, Break, apply_break

NUMBERED = [pytest.param(n, brk, id=f"{n:02d}") for n, brk in enumerate(BREAKS, 1)]


@pytest.mark.parametrize(("number", "brk"), NUMBERED)
def test_each_rule_break_edits_text_found_exactly_once_in_its_file(number: int, brk: Break) -> None:
    source = PROJECT_ROOT / brk.path
    assert source.is_file(), f"break {number} ({brk.rule}): {brk.path} does not exist"
    count = source.read_text(encoding="utf-8").count(brk.old)
    assert count == 1, (
        f"break {number} ({brk.rule}): its text occurs {count} times in {brk.path}; "
        "the rule moved, update tools/rule_breaks.py and rerun it with --only"
    )


@pytest.mark.parametrize(("number", "brk"), NUMBERED)
def test_each_rule_break_changes_the_file_it_breaks(
    number: int, brk: Break, tmp_path: Path
) -> None:
    copy = tmp_path / brk.path
    copy.parent.mkdir(parents=True)
    shutil.copy2(PROJECT_ROOT / brk.path, copy)
    before = copy.read_text(encoding="utf-8")

    apply_break(tmp_path, brk)

    after = copy.read_text(encoding="utf-8")
    assert brk.new != brk.old
    assert after != before
    assert after.count(brk.old) == 0 or brk.old in brk.new


@pytest.mark.parametrize(("number", "brk"), NUMBERED)
def test_each_rule_break_runs_test_modules_that_exist(number: int, brk: Break) -> None:
    assert brk.tests
    for module in brk.tests:
        assert (PROJECT_ROOT / module).is_file(), f"break {number}: {module} does not exist"


def test_rule_break_names_are_unique() -> None:
    rules = [brk.rule for brk in BREAKS]
    assert len(set(rules)) == len(rules)


def test_a_moved_rule_stops_the_break_script(tmp_path: Path) -> None:
    brk = BREAKS[0]
    copy = tmp_path / brk.path
    copy.parent.mkdir(parents=True)
    copy.write_text("-- the rule lives elsewhere now\n", encoding="utf-8")

    with pytest.raises(SystemExit, match="occurs 0 times"):
        apply_break(tmp_path, brk)
