"""The resolution score counts record pairs the way entity-resolution scores do."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tools.people.score import score


def write_case(tmp_path: Path, rows: list[tuple[str, int, str, bool, str | None]]) -> Path:
    """rows: (file_path, source_row, true_id, resolvable, predicted_id)."""
    tmp_path = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
    tmp_path.mkdir()
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_person_links "
        "(file_path varchar, source_row integer, person_id varchar)"
    )
    con.executemany(
        "insert into intermediate.int_person_links values (?, ?, ?)",
        [(f, r, p) for f, r, _, _, p in rows],
    )
    con.execute(
        "create table truth (file_path varchar, source_row integer, table_type varchar, "
        "person_id varchar, person_resolvable boolean)"
    )
    con.executemany(
        "insert into truth values (?, ?, 'ledger', ?, ?)",
        [(f, r, t, ok) for f, r, t, ok, _ in rows],
    )
    con.execute(f"copy truth to '{tmp_path / 'rows.parquet'}' (format parquet)")
    con.close()
    return warehouse


def test_perfect_resolution_scores_one(tmp_path: Path):
    wh = write_case(
        tmp_path, [("a", 1, "P", True, "P"), ("b", 1, "P", True, "P"), ("c", 1, "Q", True, "Q")]
    )
    s = score(wh, wh.parent)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_a_split_person_lowers_recall_and_a_merge_lowers_precision(tmp_path: Path):
    split = write_case(
        tmp_path, [("a", 1, "P", True, "P"), ("b", 1, "P", True, "P"), ("c", 1, "P", True, "P2")]
    )
    s = score(split, split.parent)
    assert s.precision == 1.0 and s.recall == pytest.approx(1 / 3)
    merged = write_case(
        tmp_path, [("a", 1, "P", True, "P"), ("b", 1, "Q", True, "P"), ("c", 1, "P", True, "P")]
    )
    s = score(merged, merged.parent)
    assert s.precision == pytest.approx(1 / 3) and s.recall == 1.0


def test_quarantining_an_unresolvable_row_does_not_lower_recall(tmp_path: Path):
    wh = write_case(
        tmp_path, [("a", 1, "P", True, "P"), ("b", 1, "P", True, "P"), ("c", 1, "P", False, None)]
    )
    s = score(wh, wh.parent)
    assert (s.precision, s.recall) == (1.0, 1.0)
    assert s.unresolvable_linked == 0 and s.resolvable_quarantined == 0
