"""The gate report of one run: JSON + Markdown under <data dir>/gate_reports/<run_id>/.

Each check step writes its own part (`parts/<section>.json`, atomically) and then
rebuilds report.json / report.md from every part present, so the report is complete
whichever step ran last and no step overwrites another's findings. The publish step
and the CLI add the publication outcome and the dbt tests of the run.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pipelines import settings
from pipelines.checks.outcomes import CheckOutcome
from pipelines.publish.files import write_bytes_atomic

EXTRA_PARTS = ("publication", "dbt_tests")


def gate_reports_dir() -> Path:
    return settings.data_dir() / "gate_reports"


def report_dir(run_id: str) -> Path:
    return gate_reports_dir() / run_id


def _write_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def record_section(
    run_id: str, section: str, outcomes: list[CheckOutcome], asset_key: str | None = None
) -> Path:
    """Store one step's outcomes and refresh the run's report; returns the Markdown path."""
    part = {"section": section, "asset_key": asset_key, "outcomes": [o.to_dict() for o in outcomes]}
    _write_atomic(
        report_dir(run_id) / "parts" / f"{section}.json",
        json.dumps(part, ensure_ascii=False, indent=1),
    )
    return rebuild(run_id)


def record_extra(run_id: str, name: str, payload: Any) -> Path:
    """Publication result or dbt test outcomes (not CheckOutcomes); refreshes the report."""
    assert name in EXTRA_PARTS
    _write_atomic(
        report_dir(run_id) / "parts" / f"_{name}.json",
        json.dumps(payload, ensure_ascii=False, indent=1, default=str),
    )
    return rebuild(run_id)


def load_report(run_id: str) -> dict[str, Any]:
    parts_dir = report_dir(run_id) / "parts"
    sections, extras = [], {}
    for path in sorted(parts_dir.glob("*.json")) if parts_dir.exists() else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.stem.startswith("_"):
            extras[path.stem[1:]] = data
        else:
            sections.append(data)
    outcomes = [o for s in sections for o in s["outcomes"]]
    failed_blocking = [o for o in outcomes if not o["success"] and o["severity"] == "blocking"]
    failed_warnings = [o for o in outcomes if not o["success"] and o["severity"] == "warning"]
    dbt_failed = [t for t in extras.get("dbt_tests", []) if not t.get("passed")]
    dbt_blocking = [t for t in dbt_failed if t.get("configured_severity", "error") != "warn"]
    status = (
        "failed"
        if failed_blocking or dbt_blocking
        else "passed_with_warnings"
        if failed_warnings or dbt_failed
        else "passed"
    )
    return {
        "run_id": run_id,
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "status": status,
        "counts": {
            "checks": len(outcomes),
            "passed": len(outcomes) - len(failed_blocking) - len(failed_warnings),
            "failed_blocking": len(failed_blocking),
            "failed_warnings": len(failed_warnings),
            "dbt_tests": len(extras.get("dbt_tests", [])),
            "dbt_tests_failed": len(dbt_failed),
        },
        "sections": sections,
        **extras,
    }


def rebuild(run_id: str) -> Path:
    report = load_report(run_id)
    folder = report_dir(run_id)
    _write_atomic(folder / "report.json", json.dumps(report, ensure_ascii=False, indent=1))
    _write_atomic(folder / "report.md", render_markdown(report))
    return folder / "report.md"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def outcomes_markdown(
    outcomes: list[dict[str, Any]] | list[CheckOutcome], title: str | None = None
) -> str:
    """A table of outcomes, failures first, then examples of each failure."""
    rows = [o.to_dict() if isinstance(o, CheckOutcome) else o for o in outcomes]
    rows.sort(key=lambda o: (o["success"], o["severity"] != "blocking", o["table"], o["name"]))
    lines = [f"### {title}", ""] if title else []
    lines += [
        "| result | severity | table | check | column | unexpected / rows | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in rows:
        result = (
            "✅ pass" if o["success"] else ("⛔ FAIL" if o["severity"] == "blocking" else "⚠️ warn")
        )
        counts = (
            ""
            if o.get("unexpected_count") is None
            else f"{o['unexpected_count']} / {o.get('element_count')}"
        )
        lines.append(
            f"| {result} | {o['severity']} | {_cell(o['table'])} | {_cell(o['name'])} | "
            f"{_cell(o.get('column') or '')} | {counts} | {_cell(o.get('error') or o['why'])} |"
        )
    for o in rows:
        if not o["success"] and o.get("examples"):
            lines += [
                "",
                f"**{o['name']}** on `{o['table']}`"
                + (f" ({o['column']})" if o.get("column") else "")
                + " — examples:",
                "",
            ]
            lines += [f"- `{json.dumps(e, ensure_ascii=False)}`" for e in o["examples"]]
    return "\n".join(lines) + "\n"


def render_markdown(report: dict[str, Any]) -> str:
    c = report["counts"]
    icon = {"passed": "✅", "passed_with_warnings": "⚠️", "failed": "⛔"}[report["status"]]
    lines = [
        f"# Quality gate — run {report['run_id']}",
        "",
        f"{icon} **{report['status'].replace('_', ' ')}** — {c['checks']} checks: {c['passed']} passed, "
        f"{c['failed_blocking']} blocking failures, {c['failed_warnings']} warnings; "
        f"dbt tests: {c['dbt_tests']} ({c['dbt_tests_failed']} failed).",
        "",
    ]
    pub = report.get("publication")
    if pub:
        lines += [f"Publication: **{pub.get('status')}** — {pub.get('detail', '')}", ""]
    elif report["status"] == "failed":
        lines += [
            "Publication: **not published** — a blocking check failed; the previous "
            "publication is unchanged.",
            "",
        ]
    findings = [o for s in report["sections"] for o in s["outcomes"] if not o["success"]]
    if findings:
        lines += ["## Findings", ""]
        for o in sorted(
            findings, key=lambda o: (o["severity"] != "blocking", o["table"], o["name"])
        ):
            label = "⛔ BLOCKING" if o["severity"] == "blocking" else "⚠️ warning"
            count = (
                ""
                if o.get("unexpected_count") is None
                else f" — {o['unexpected_count']} of {o.get('element_count')}"
            )
            lines.append(
                f"- {label} `{o['table']}` {o['name']}"
                + (f" ({o['column']})" if o.get("column") else "")
                + count
                + f": {o.get('error') or o['why']}"
            )
        lines.append("")
    lines += ["## All checks", ""]
    # Inputs first, then the report, as the data flows.
    for s in sorted(
        report["sections"], key=lambda s: (not s["section"].startswith("raw."), s["section"])
    ):
        lines.append(
            outcomes_markdown(
                s["outcomes"],
                f"{s['section']}" + (f" (`{s['asset_key']}`)" if s.get("asset_key") else ""),
            )
        )
    tests = report.get("dbt_tests")
    if tests:
        # 250+ passing tests would bury the findings: list failures, and the warn-severity
        # tests (they never block, so whoever reviews severities should see them).
        by_sev: dict[str, int] = {}
        for t in tests:
            by_sev[t.get("configured_severity", "error")] = (
                by_sev.get(t.get("configured_severity", "error"), 0) + 1
            )
        lines += [
            "### dbt tests",
            "",
            f"{len(tests)} tests ran: "
            + ", ".join(f"{n} with severity {s}" for s, n in sorted(by_sev.items()))
            + " (error = blocking, warn = reported).",
            "",
        ]
        shown = [t for t in tests if not t.get("passed") or t.get("configured_severity") == "warn"]
        if shown:
            lines += ["| result | severity | asset | test |", "|---|---|---|---|"]
            for t in sorted(
                shown,
                key=lambda t: (bool(t.get("passed")), str(t.get("asset_key")), str(t.get("name"))),
            ):
                result = (
                    "✅ pass"
                    if t.get("passed")
                    else ("⛔ FAIL" if t.get("configured_severity") != "warn" else "⚠️ warn")
                )
                lines.append(
                    f"| {result} | {t.get('configured_severity')} | "
                    f"{_cell(t.get('asset_key'))} | {_cell(t.get('name'))} |"
                )
    return "\n".join(lines) + "\n"
