"""Break one business rule at a time and show that the test suite notices.

    python -m tools.rule_breaks                 # every break, writes docs/rule_breaks.md
    python -m tools.rule_breaks --only 3 7      # some breaks, prints the table only
    python -m tools.rule_breaks --only 3 --update  # reruns break 3, rewrites its row in the doc
    python -m tools.rule_breaks --list

Each break is a one-place edit of the SQL (or a macro) that implements a rule, applied
to a private copy of the repository; the tests that guard the rule run against that
copy and must fail. An unbroken copy runs the same tests first and must pass, so a
failure is the break's doing. An edit whose text is no longer in the file stops the
script (the rule moved: update the break), it is never skipped.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COPIED_DIRS = ("pipelines", "tools", "tests", "dbt_project", "config", "expectations")
COPIED_FILES = ("pyproject.toml", "dagster.yaml")
IGNORED = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__", ".user.yml")

PEOPLE = "tests/test_people_models.py"
MARTS = "tests/test_report_marts.py"
CAMPAIGN_RULES = "tests/test_campaign_rules_sql.py"


@dataclass(frozen=True)
class Break:
    rule: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


def _m(name: str) -> str:
    return f"dbt_project/models/{name}"


BREAKS: tuple[Break, ...] = (
    Break(
        "371200 (莱芜) is read as 370100 (济南)",
        "dbt_project/macros/people_text.sql",
        "where city_code_map.city_code_raw = trim(",
        "where city_code_map.city_code_raw || 'x' = trim(",
        (PEOPLE,),
    ),
    Break(
        "cross-city tie in receipt time: the lower city code owns the person",
        _m("intermediate/int_ledger_entries.sql"),
        "min(picked.city_code) as owner_city_code",
        "max(picked.city_code) as owner_city_code",
        (PEOPLE,),
    ),
    Break(
        "a person on two ledgers belongs to the ledger received last",
        _m("intermediate/int_ledger_entries.sql"),
        "max(received_at) as last_received_at",
        "min(received_at) as last_received_at",
        (PEOPLE,),
    ),
    Break(
        "a carried-forward ledger competes with its original receipt time",
        _m("intermediate/int_ledger_entries.sql"),
        "        max(received_at) as received_at\n    from ledger_rows",
        "        max(case when is_carried_forward then timestamp '1900-01-01' else received_at end)"
        " as received_at\n    from ledger_rows",
        (PEOPLE,),
    ),
    Break(
        "a city that sent no ledger for T keeps its latest earlier one (carry-forward)",
        "dbt_project/macros/current_list.sql",
        "on list_files.cutoff_date <= cutoffs.cutoff_date",
        "on list_files.cutoff_date = cutoffs.cutoff_date",
        (PEOPLE,),
    ),
    Break(
        "ownership is decided before the 认定日期 filter (owner identified after T: nobody's target)",
        _m("intermediate/int_ledger_entries.sql"),
        "    from ledger_rows\n    group by cutoff_date, city_code, person_id",
        "    from ledger_rows\n    where identified_on <= cutoff_date\n"
        "    group by cutoff_date, city_code, person_id",
        (PEOPLE,),
    ),
    Break(
        "a valid-ID row beats a name+phone row for one person in one ledger",
        _m("intermediate/int_ledger_entries.sql"),
        "min(case when resolution = 'valid_id' then source_row end)",
        "min(source_row)",
        (PEOPLE,),
    ),
    Break(
        "latest upload wins: the most recently received file of a slot counts",
        _m("intermediate/int_submissions.sql"),
        "order by received_at desc, file_path desc, file_sha256 desc",
        "order by received_at asc, file_path desc, file_sha256 desc",
        (PEOPLE,),
    ),
    Break(
        "long-term unemployed: 1 year is a calendar year, not 365 days",
        "dbt_project/macros/campaign_rules.sql",
        "when {{ threshold_days }} % 365 = 0 then",
        "when false then",
        (PEOPLE, CAMPAIGN_RULES),
    ),
    Break(
        "a registration cancelled on the 认定日期 still counts",
        _m("intermediate/int_target_facts.sql"),
        "registrations.cancelled_on >= targets.identified_on",
        "registrations.cancelled_on > targets.identified_on",
        (PEOPLE,),
    ),
    Break(
        "older worker: the age is reached on the birthday",
        _m("intermediate/int_target_facts.sql"),
        "then {{ add_years('facts.birth_date', 'campaign.older_worker_age_female') }} <= facts.identified_on",
        "then {{ add_years('facts.birth_date', 'campaign.older_worker_age_female') }} < facts.identified_on",
        (PEOPLE,),
    ),
    Break(
        "an unemployed graduate marked 已就业 in the registry is not one",
        _m("intermediate/int_registry_facts.sql"),
        "where coalesce(graduates.employment_status, {{ term('UNEMPLOYED') }}) <> {{ term('EMPLOYED') }}",
        "where true",
        (PEOPLE,),
    ),
    Break(
        "registry duplicates keep the copy of the most recently received file",
        "dbt_project/macros/latest_copies.sql",
        "'received_at desc, file_path desc, source_row desc'",
        "'received_at asc, file_path desc, source_row desc'",
        (PEOPLE,),
    ),
    Break(
        "ID birth dates before 1900 are invalid",
        "dbt_project/macros/people_id.sql",
        ">= date '1900-01-01'",
        ">= date '1800-01-01'",
        (PEOPLE,),
    ),
    Break(
        "ID birth dates after the campaign end are invalid",
        "dbt_project/macros/people_id.sql",
        "<= {{ reference_date }},",
        "<= date '2099-12-31',",
        (PEOPLE,),
    ),
    Break(
        "a 15-digit ID becomes 19xx",
        "dbt_project/macros/people_id.sql",
        "|| '19' ||",
        "|| '20' ||",
        (PEOPLE,),
    ),
    Break(
        "a referral's date is the earliest 推介日期 sent for it",
        _m("intermediate/int_referrals.sql"),
        "first_referred_on as referred_on",
        "(select max(r.referred_on) from records as r where r.person_id = ranked.person_id"
        " and r.city_code = ranked.city_code and r.post_id = ranked.post_id) as referred_on",
        (MARTS,),
    ),
    Break(
        "≥ 3 referrals per target (the threshold is inclusive)",
        _m("marts/fct_target_progress.sql"),
        "then referrals_in_window >= min_referrals_per_target",
        "then referrals_in_window > min_referrals_per_target",
        (MARTS,),
    ),
    Break(
        "special events: consecutive 14-day blocks from the campaign start",
        _m("marts/rpt_city_targets.sql"),
        "+ ((block.block_seq + 1) * campaign.special_event_block_days - 1)::integer,",
        "+ ((block.block_seq + 1) * campaign.special_event_block_days)::integer,",
        (MARTS,),
    ),
    Break(
        "window start: a visit or referral before the campaign start does not count",
        "dbt_project/macros/campaign_rules.sql",
        "{{ date_column }} between {{ cutoffs }}.window_start and {{ cutoffs }}.window_end",
        "{{ date_column }} <= {{ cutoffs }}.window_end",
        (MARTS,),
    ),
    Break(
        "window end: a relief payment after the cut-off does not count at that cut-off",
        "dbt_project/macros/campaign_rules.sql",
        "and relief.paid_on between cutoffs.window_start and cutoffs.window_end",
        "and relief.paid_on >= cutoffs.window_start",
        (MARTS,),
    ),
    Break(
        "relief eligibility: a 失业保险 payment in the window excludes the target",
        _m("marts/fct_target_progress.sql"),
        "and not has_ui_payment_in_window\n",
        "\n",
        (MARTS,),
    ),
    Break(
        "the province row is the sum of the cities",
        "dbt_project/macros/report_rows.sql",
        "sum({{ figure }}) as {{ figure }}",
        "max({{ figure }}) as {{ figure }}",
        (MARTS,),
    ),
    Break(
        "数据比对: a 大龄 claim the ID's age does not support is category_unsupported",
        _m("marts/rpt_data_comparison.sql"),
        "when 'older_worker' then claims.is_older_worker",
        "when 'older_worker' then true",
        (MARTS,),
    ),
    Break(
        "a rate with nobody in its denominator is null, not 0",
        "dbt_project/macros/report_rows.sql",
        "/ (2 * nullif(cast({{ whole }} as bigint), 0))",
        "/ (2 * coalesce(nullif(cast({{ whole }} as bigint), 0), 1))",
        (MARTS,),
    ),
    Break(
        "reporting completeness is judged on the current file of each slot",
        _m("marts/rpt_reporting_completeness.sql"),
        "select * from submissions where is_current",
        "select * from submissions",
        (MARTS,),
    ),
    Break(
        "发现一人: a person on any city's ledger at T is no candidate",
        _m("marts/restricted/restricted_discovery_candidates.sql"),
        "where on_ledgers.cutoff_date = reasons.cutoff_date",
        "where on_ledgers.cutoff_date < reasons.cutoff_date",
        (MARTS,),
    ),
    Break(
        "发现一人: the candidate's city is the open registration's before the other registries'",
        _m("intermediate/int_discovery_reasons.sql"),
        "coalesce(registered.city_code, registry_facts.city_code) as city_code",
        "coalesce(registry_facts.city_code, registered.city_code) as city_code",
        (MARTS,),
    ),
)


@dataclass
class Outcome:
    number: int
    brk: Break | None
    returncode: int
    failed: list[str]
    seconds: float
    log: str

    @property
    def caught(self) -> bool:
        return self.returncode != 0 and bool(self.failed)


def copy_repository(dest: Path) -> Path:
    for name in COPIED_DIRS:
        shutil.copytree(PROJECT_ROOT / name, dest / name, ignore=IGNORED, symlinks=True)
    for name in COPIED_FILES:
        shutil.copy2(PROJECT_ROOT / name, dest / name)
    return dest


def apply_break(root: Path, brk: Break) -> None:
    path = root / brk.path
    text = path.read_text(encoding="utf-8")
    if text.count(brk.old) != 1:
        raise SystemExit(
            f"break '{brk.rule}': the text to change occurs {text.count(brk.old)} times "
            f"in {brk.path} (expected once); the rule moved, update tools/rule_breaks.py"
        )
    path.write_text(text.replace(brk.old, brk.new), encoding="utf-8")


_RESULT = re.compile(r"^(FAILED|ERROR) (tests/\S+?)(?: - .*)?$", re.M)
# A fixture's dbt build that fails names the dbt test that failed: that test caught the break.
_DBT_FAILURE = re.compile(r"Failure in test (\w+)")


def run_tests(root: Path, tests: tuple[str, ...]) -> tuple[int, list[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMHEART_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", *tests],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    log = proc.stdout + proc.stderr
    failed = sorted(
        {
            f"{kind.lower()}: {node}" if kind == "ERROR" else node
            for kind, node in _RESULT.findall(log)
        }
    )
    dbt_tests = sorted({f"dbt test {name}" for name in _DBT_FAILURE.findall(log)})
    return proc.returncode, dbt_tests + failed, log


def run_one(number: int, brk: Break | None, tests: tuple[str, ...], workdir: Path) -> Outcome:
    started = time.monotonic()
    root = copy_repository(workdir / f"break{number:02d}")
    if brk is not None:
        apply_break(root, brk)
    code, failed, log = run_tests(root, tests)
    return Outcome(number, brk, code, failed, time.monotonic() - started, log)


HEADER = [
    "# Rule breaks: each business rule broken once, and the test that caught it",
    "",
    "Written by `python -m tools.rule_breaks` (do not edit by hand). Each row changes one",
    "place of the SQL that implements the rule, in a private copy of the repository, and",
    "runs the tests that guard it; the unbroken copy passes the same tests first.",
    "`tests/test_rule_breaks.py` fails when a break's text no longer occurs exactly once,",
    "so a rule that moves cannot leave this table describing code that is gone; rerun the",
    "moved break with `--only N --update`.",
    "",
]
_ROW = re.compile(r"^\| (\d+) \| .*$", re.M)
_NOTE = re.compile(r"^- (Breaks? [^:]+: .*)$", re.M)
_OLD_STATUS = re.compile(r"^\*\*Status:\*\* \d+ of \d+ breaks caught; (.*)$", re.M)


def run_note(
    outcomes: list[Outcome],
    control_seconds: float,
    total_seconds: float,
    workers: int,
    finished_at: datetime.datetime,
    loads: list[float],
) -> str:
    """One line on one run: which breaks, when, how long, how busy the machine was."""
    numbers = _ranges([o.number for o in outcomes])
    return (
        f"Break{'s' if len(outcomes) > 1 else ''} {numbers}: run finished "
        f"{finished_at:%Y-%m-%d %H:%M} UTC, {total_seconds / 60:.0f} min in all with {workers} "
        f"worker(s) (unbroken copy {control_seconds:.0f} s, breaks "
        f"{min(o.seconds for o in outcomes):.0f}-{max(o.seconds for o in outcomes):.0f} s each); "
        f"1-minute load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores."
    )


def where_cell(brk: Break) -> str:
    """The table's "where it was broken" cell: the file and the edit."""
    return f"`{brk.path.removeprefix('dbt_project/')}`: `{_short(brk.old)}` → `{_short(brk.new)}`"


def table_row(o: Outcome) -> str:
    assert o.brk is not None
    where = where_cell(o.brk)
    caught = (
        "<br>".join(f"`{t.split('::')[-1]}`" for t in o.failed[:4])
        if o.caught
        else "**NOT CAUGHT**"
    )
    if o.caught and len(o.failed) > 4:
        caught += f"<br>(+{len(o.failed) - 4} more)"
    return f"| {o.number} | {o.brk.rule} | {where} | {caught} | {o.seconds:.0f} |"


def markdown(outcomes: list[Outcome], note: str, previous: str | None = None) -> str:
    """The table of `outcomes`; with `previous` (an earlier table), its other rows and run
    notes are kept, so rerunning a few breaks updates their rows only."""
    rows: dict[int, str] = {}
    notes: list[str] = []
    if previous is not None:
        rows = {int(m.group(1)): m.group(0) for m in _ROW.finditer(previous)}
        notes = _NOTE.findall(previous)
        old = _OLD_STATUS.search(previous)
        if old and not notes:
            notes = [f"Break{'s' if len(rows) > 1 else ''} {_ranges(list(rows))}: {old.group(1)}"]
    # A rerun of the same breaks replaces their earlier note ("Break 25: …" once, not twice).
    notes = [n for n in notes if n.split(":", 1)[0] != note.split(":", 1)[0]]
    rows.update({o.number: table_row(o) for o in outcomes})
    rows = {n: row for n, row in rows.items() if 1 <= n <= len(BREAKS)}
    for n in range(1, len(BREAKS) + 1):
        rows.setdefault(n, f"| {n} | {BREAKS[n - 1].rule} | not run | **NOT RUN** | |")
    caught = sum(1 for row in rows.values() if "**NOT " not in row)
    lines = [
        *HEADER,
        f"**Status:** {caught} of {len(BREAKS)} breaks caught.",
        "",
        *(f"- {n}" for n in [*notes, note]),
        "",
        "| # | rule | where it was broken | caught by | s |",
        "|---|---|---|---|---|",
        *(rows[n] for n in sorted(rows)),
    ]
    return "\n".join(lines) + "\n"


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> '1-3, 5'."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return (text if len(text) <= 70 else text[:67] + "…").replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", type=int, nargs="*", help="break numbers (1-based); default all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="list the breaks and exit")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "rule_breaks.md")
    parser.add_argument(
        "--update",
        action="store_true",
        help="with --only: rewrite those rows of --out and keep its other rows",
    )
    args = parser.parse_args(argv)
    if args.list:
        for n, brk in enumerate(BREAKS, 1):
            print(f"{n:2d}  {brk.rule}  [{brk.path}]")
        return 0
    chosen = [(n, b) for n, b in enumerate(BREAKS, 1) if not args.only or n in args.only]
    started = time.monotonic()
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="rule_breaks_") as tmp:
        workdir = Path(tmp)
        for n, brk in chosen:  # every patch must apply before anything runs
            apply_break(copy_repository(workdir / f"check{n:02d}"), brk)
        all_tests = tuple(sorted({t for _, b in chosen for t in b.tests}))
        control = run_one(0, None, all_tests, workdir)
        print(
            f"unbroken copy: {'passed' if control.returncode == 0 else 'FAILED'} "
            f"({control.seconds:.0f} s)",
            flush=True,
        )
        if control.returncode != 0:
            print(control.log[-5000:])
            return 2
        outcomes: list[Outcome] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
            futures = [pool.submit(run_one, n, b, b.tests, workdir) for n, b in chosen]
            for future in concurrent.futures.as_completed(futures):
                o = future.result()
                outcomes.append(o)
                loads.append(os.getloadavg()[0])
                print(
                    f"{o.number:2d} {'caught' if o.caught else 'NOT CAUGHT'} ({o.seconds:.0f} s) "
                    f"{o.brk.rule if o.brk else ''}: {', '.join(o.failed[:3])}",
                    flush=True,
                )
                if not o.caught:
                    print(o.log[-3000:])
    outcomes.sort(key=lambda o: o.number)
    total = time.monotonic() - started
    finished = datetime.datetime.now(datetime.UTC)
    note = run_note(outcomes, control.seconds, total, args.workers, finished, loads)
    if args.only and not args.update:
        print(markdown(outcomes, note))
    else:
        previous = args.out.read_text(encoding="utf-8") if args.update else None
        args.out.write_text(markdown(outcomes, note, previous), encoding="utf-8")
        print(f"wrote {args.out}")
    missed = [o.number for o in outcomes if not o.caught]
    print(
        f"{len(outcomes) - len(missed)} of {len(outcomes)} caught in {total:.0f} s"
        + (f"; not caught: {missed}" if missed else "")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
