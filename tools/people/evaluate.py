"""End to end on generated data: demo generator → ingestion → people models → score.

    python -m tools.people.evaluate --workdir /tmp/people_eval --seed 7 --persons-per-city 40

Used by tests/test_people_resolution.py and by hand to read the resolution figures.
The dbt build runs on a copy of the project holding only the people models
(fixtures.people_project), so the score does not depend on the marts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipelines.campaign import load_campaign, write_campaign_tables
from tools.fixtures.raw_builder import people_project, run_dbt
from tools.people.score import Score, score


def evaluate(workdir: Path, seed: int, persons_per_city: int) -> Score:
    # Imported here: the generator and ingestion are other packages' work; a missing
    # one should fail this function, not importing the module.
    from pipelines.ingest.run import ingest_all
    from tools.demo.generator import generate

    workdir.mkdir(parents=True, exist_ok=True)
    raw, truth, warehouse = workdir / "raw", workdir / "truth", workdir / "warehouse.duckdb"
    campaign = load_campaign()
    generate(raw, truth, seed, persons_per_city, campaign)
    con = duckdb.connect(str(warehouse))
    con.execute("create schema if not exists raw")
    write_campaign_tables(con, campaign)
    ingest_all(con, raw, campaign)
    con.close()
    # Only what the score reads, without data tests: the model tests run elsewhere and
    # this keeps the end-to-end test quick.
    result = run_dbt(
        warehouse,
        "build",
        "--exclude-resource-type",
        "test",
        select="+int_person_links",
        project_dir=people_project(workdir / "dbt_project"),
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt build failed:\n{result.stdout[-5000:]}")
    return score(warehouse, truth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="an empty folder to work in")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--persons-per-city", type=int, default=40)
    args = parser.parse_args(argv)
    print(evaluate(args.workdir, args.seed, args.persons_per_city).report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
