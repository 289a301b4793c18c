"""CLI: python -m tools.demo --out DIR --seed N --persons-per-city K [--truth DIR] [--campaign ID]
[--no-policy-tables]"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from pipelines.campaign import load_campaign
from tools.demo.generator import generate


def rss_mib() -> float:
    """Resident memory now (the peak alone hides which stage frees what)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:  # not Linux
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.demo",
        description="Generate a demo Warm Heart campaign (city uploads + registries) and its ground truth.",
    )
    ap.add_argument("--out", type=Path, required=True, help="raw root to write (e.g. data/raw)")
    ap.add_argument("--seed", type=int, required=True, help="random seed (same seed → same bytes)")
    ap.add_argument(
        "--persons-per-city", type=int, required=True, help="ledger people per city (K)"
    )
    ap.add_argument(
        "--truth",
        type=Path,
        default=None,
        help="ground-truth folder (default: ground_truth beside --out, outside the raw tree)",
    )
    ap.add_argument(
        "--campaign",
        default=None,
        help="campaign id (default: WARMHEART_CAMPAIGN or 2022-warm-heart)",
    )
    ap.add_argument(
        "--no-policy-tables",
        action="store_true",
        help="no city sends 援助基地, 结对帮扶, 联系人 or 典型案例/意见建议",
    )
    args = ap.parse_args(argv)
    out: Path = args.out
    truth: Path = args.truth or out.resolve().parent / "ground_truth"
    campaign = load_campaign(args.campaign)
    t0 = time.perf_counter()

    def say(msg: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(
            f"[demo {time.perf_counter() - t0:7.1f}s, rss {rss_mib():6.0f}, peak {peak:6.0f} MiB] {msg}",
            flush=True,
        )

    summary = generate(
        out,
        truth,
        args.seed,
        args.persons_per_city,
        campaign,
        progress=say,
        policy_tables=not args.no_policy_tables,
    )
    print(f"wrote {summary.files} files ({summary.rows} data rows) under {out}; truth in {truth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
