"""Score person resolution against the demo generator's ground truth.

    python -m tools.people.score --warehouse data/warehouse.duckdb --truth data/demo_truth

Truth (`<truth>/rows.parquet`): one row per generated person-bearing row with
file_path, source_row, table_type, person_id (the true ID) and person_resolvable
(whether the contract's evidence is enough to find the person). The prediction is
`intermediate.int_person_links.person_id` (null = quarantined).

Pairwise scores, the usual measure for entity resolution:
  * precision — of the record pairs the warehouse puts in one person, the share that
    truly are one person (over every predicted row);
  * recall — of the record pairs that truly are one person, the share the warehouse
    puts together, over rows that are resolvable (quarantining an unresolvable row is
    the correct outcome, so it must not count against recall).

Both are computed over the truth rows that reached the people models (rows of
int_person_links). Rows that never got there — a whole file or a row that ingestion
quarantined — are counted apart (`rows not in warehouse`, and `end-to-end recall`
treating them as unresolved), so an ingestion gap shows without blurring the
resolution score.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Score:
    rows: int
    rows_not_in_warehouse: int
    rows_resolvable: int
    rows_linked: int
    resolvable_quarantined: int
    unresolvable_linked: int
    predicted_pairs: int
    true_pairs: int
    precision: float
    recall: float
    end_to_end_recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total

    def report(self) -> str:
        return "\n".join(
            [
                f"rows scored            {self.rows}",
                f"rows not in warehouse  {self.rows_not_in_warehouse} (resolvable, not loaded)",
                f"rows resolvable        {self.rows_resolvable}",
                f"rows linked            {self.rows_linked}",
                f"resolvable quarantined {self.resolvable_quarantined}",
                f"unresolvable linked    {self.unresolvable_linked}",
                f"predicted pairs        {self.predicted_pairs}",
                f"true pairs             {self.true_pairs}",
                f"precision              {self.precision:.6f}",
                f"recall                 {self.recall:.6f}",
                f"F1                     {self.f1:.6f}",
                f"end-to-end recall      {self.end_to_end_recall:.6f}",
            ]
        )


# Pairs within a group of n rows: n(n-1)/2, summed over groups.
_PAIRS = "coalesce(sum(n * (n - 1) // 2), 0)"


def score(warehouse: Path, truth_dir: Path) -> Score:
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    truth_file = truth_dir / "rows.parquet"
    con.execute(
        f"""
        create temp table scored as
        select
            truth.file_path,
            truth.source_row,
            truth.person_id as true_id,
            coalesce(truth.person_resolvable, true) as resolvable,
            links.person_id as predicted_id,
            links.file_path is not null as in_warehouse
        from read_parquet('{truth_file}') as truth
        left join wh.intermediate.int_person_links as links
            on links.file_path = truth.file_path
            and links.source_row = truth.source_row
        where truth.person_id is not null
        """
    )

    def one(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    missing = one("select count(*) from scored where resolvable and not in_warehouse")
    all_true_pairs = one(
        f"select {_PAIRS} from (select count(*) as n from scored where resolvable group by true_id)"
    )
    con.execute("delete from scored where not in_warehouse")
    rows = one("select count(*) from scored")
    rows_resolvable = one("select count(*) from scored where resolvable")
    rows_linked = one("select count(*) from scored where predicted_id is not null")
    resolvable_quarantined = one(
        "select count(*) from scored where resolvable and predicted_id is null"
    )
    unresolvable_linked = one(
        "select count(*) from scored where not resolvable and predicted_id is not null"
    )
    predicted_pairs = one(
        f"select {_PAIRS} from (select count(*) as n from scored "
        "where predicted_id is not null group by predicted_id)"
    )
    correct_predicted_pairs = one(
        f"select {_PAIRS} from (select count(*) as n from scored "
        "where predicted_id is not null group by predicted_id, true_id)"
    )
    true_pairs = one(
        f"select {_PAIRS} from (select count(*) as n from scored where resolvable group by true_id)"
    )
    found_true_pairs = one(
        f"select {_PAIRS} from (select count(*) as n from scored "
        "where resolvable and predicted_id is not null group by predicted_id, true_id)"
    )
    con.close()
    return Score(
        rows=rows,
        rows_not_in_warehouse=missing,
        rows_resolvable=rows_resolvable,
        rows_linked=rows_linked,
        resolvable_quarantined=resolvable_quarantined,
        unresolvable_linked=unresolvable_linked,
        predicted_pairs=predicted_pairs,
        true_pairs=true_pairs,
        precision=correct_predicted_pairs / predicted_pairs if predicted_pairs else 1.0,
        recall=found_true_pairs / true_pairs if true_pairs else 1.0,
        end_to_end_recall=found_true_pairs / all_true_pairs if all_true_pairs else 1.0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the DuckDB warehouse file")
    parser.add_argument("--truth", type=Path, required=True, help="folder holding rows.parquet")
    args = parser.parse_args(argv)
    print(score(args.warehouse, args.truth).report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
