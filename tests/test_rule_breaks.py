"""The rule-break table (tools/rule_breaks.py, docs/rule_breaks.md) stays true to the code.

Running the breaks takes an hour of dbt builds, so the suite does not run them; it proves
instead that each break still edits the place that implements its rule. When a refactor moves
a rule, the break's text no longer occurs exactly once and this fails, instead of the table
quietly describing SQL that is gone.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from tools.rule_breaks import (
    BREAKS,
    PROJECT_ROOT,
    Break,
    Outcome,
    apply_break,
    markdown,
    run_note,
    where_cell,
)

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


def _outcome(number: int, failed: list[str], seconds: float = 100.0) -> Outcome:
    return Outcome(number, BREAKS[number - 1], 1 if failed else 0, failed, seconds, "")


def _note(outcomes: list[Outcome], hour: int) -> str:
    finished = dt.datetime(2026, 11, 30, hour, 0, tzinfo=dt.UTC)
    return run_note(outcomes, 200.0, 3000.0, 1, finished, [4.5, 9.25])


def test_a_rerun_of_some_breaks_rewrites_their_rows_and_keeps_the_others() -> None:
    everything = [
        _outcome(n, [f"tests/t.py::test_rule_{n}"] if n != 2 else [])
        for n in range(1, len(BREAKS) + 1)
    ]
    first = markdown(everything, _note(everything, 15))
    assert f"**Status:** {len(BREAKS) - 1} of {len(BREAKS)} breaks caught." in first
    assert f"- Breaks 1-{len(BREAKS)}: run finished 2026-11-30 15:00 UTC, 50 min" in first
    assert "load average 4.5-9.2 on" in first

    rerun = [_outcome(2, ["tests/t.py::test_the_new_one"], 42.0)]
    second = markdown(rerun, _note(rerun, 16), previous=first)

    assert f"**Status:** {len(BREAKS)} of {len(BREAKS)} breaks caught." in second
    assert "| `test_the_new_one` | 42 |" in second and "NOT CAUGHT" not in second
    assert "`test_rule_3`" in second  # rows not rerun are kept as they were
    assert f"- Breaks 1-{len(BREAKS)}: run finished 2026-11-30 15:00" in second
    assert "- Break 2: run finished 2026-11-30 16:00 UTC" in second
    assert len(re.findall(r"^\| \d+ \|", second, re.M)) == len(BREAKS)


def test_rerunning_the_same_break_again_replaces_its_earlier_note() -> None:
    rerun = [_outcome(2, ["tests/t.py::test_rule_2"])]
    first = markdown(rerun, _note(rerun, 15), previous="")
    second = markdown(rerun, _note(rerun, 16), previous=first)
    assert "- Break 2: run finished 2026-11-30 16:00 UTC" in second
    assert "- Break 2: run finished 2026-11-30 15:00 UTC" not in second


def test_a_break_never_run_is_shown_as_not_run() -> None:
    only = [_outcome(1, ["tests/t.py::test_rule_1"])]
    text = markdown(only, _note(only, 15), previous="")
    assert f"**Status:** 1 of {len(BREAKS)} breaks caught." in text
    assert f"| {len(BREAKS)} | {BREAKS[-1].rule} | not run | **NOT RUN** | |" in text


def test_a_table_with_a_one_line_status_keeps_that_run_as_a_note() -> None:
    previous = (
        "**Status:** 1 of 1 breaks caught; run finished 2026-11-30 15:55 UTC, 52 min.\n\n"
        "| 1 | r | w | `test_rule_1` | 99 |\n"
    )
    rerun = [_outcome(2, ["tests/t.py::test_rule_2"])]
    text = markdown(rerun, _note(rerun, 16), previous=previous)
    assert "- Break 1: run finished 2026-11-30 15:55 UTC, 52 min." in text
    assert "| 1 | r | w | `test_rule_1` | 99 |" in text


def test_the_rule_break_table_shows_every_current_break_caught() -> None:
    """docs/rule_breaks.md describes the breaks of this tree: same rules, same edits, all caught.
    A break whose edit changed is rerun with `python -m tools.rule_breaks --only N --update`."""
    table = (PROJECT_ROOT / "docs" / "rule_breaks.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (.+?) \| (.+) \| (.+?) \| \d* \|$", table, re.M)
    assert [(int(n), rule) for n, rule, _, _ in rows] == [
        (n, brk.rule) for n, brk in enumerate(BREAKS, 1)
    ], "docs/rule_breaks.md lists other breaks: run python -m tools.rule_breaks"
    stale = [int(n) for n, _, where, _ in rows if where != where_cell(BREAKS[int(n) - 1])]
    assert not stale, f"breaks edited since the table was written, rerun with --only: {stale}"
    missed = [int(n) for n, _, _, caught in rows if "**NOT " in caught]
    assert not missed, f"breaks the suite does not catch: {missed}"
