"""`python -m tools.demo.ensure`: fill an empty data/raw/ with the demo campaign before `make run`.

It lives beside the product, not in it: the pipeline never imports the generator.
With WARMHEART_RAW_DIR set, the folder is real uploads and nothing is generated.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipelines import settings
from pipelines.campaign import load_campaign
from tools.demo.generator import generate

DEMO_SEED = 7
DEFAULT_PERSONS_PER_CITY = 200


def raw_is_empty(raw: Path) -> bool:
    return not raw.exists() or not any(
        p for p in raw.rglob("*") if p.is_file() and p.name != ".gitkeep"
    )


def ensure_demo_data(persons_per_city: int | None = None) -> bool:
    """Generate the demo campaign when the default raw folder is empty; True when it did."""
    raw = settings.raw_dir()
    if settings.raw_dir_overridden():
        print(f"WARMHEART_RAW_DIR={raw}: real uploads, generating nothing")
        return False
    if not raw_is_empty(raw):
        return False
    k = persons_per_city or int(os.environ.get("WARMHEART_DEMO_PERSONS", DEFAULT_PERSONS_PER_CITY))
    truth = raw.parent / "ground_truth"
    print(
        f"{raw} is empty: generating a demo campaign (seed {DEMO_SEED}, {k} persons per city); "
        f"ground truth in {truth}"
    )
    generate(out=raw, truth=truth, seed=DEMO_SEED, persons_per_city=k, campaign=load_campaign())
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.demo.ensure", description=__doc__)
    ap.add_argument(
        "--persons-per-city",
        type=int,
        default=None,
        help=f"persons per city (default WARMHEART_DEMO_PERSONS or {DEFAULT_PERSONS_PER_CITY})",
    )
    args = ap.parse_args(argv)
    ensure_demo_data(args.persons_per_city)
    return 0


if __name__ == "__main__":
    sys.exit(main())
