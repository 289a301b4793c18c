"""The person_key secret is never written in clear by dbt or Dagster (contract §11).

dbt writes what it renders (compiled SQL, its manifest, its debug log) to disk; the pads
the key is made of reach the engine at run time instead (person_key_plugin.py)."""

from __future__ import annotations

from pathlib import Path

from pipelines import person_key, settings


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_no_file_of_a_run_holds_the_person_key_pads(demo_run):
    secret = (demo_run.root / "secrets" / "person_key_secret").read_text().strip()
    pads = [pad.encode() for pad in person_key.hmac_pads(secret)]
    target = settings.DBT_PROJECT_DIR / "target"
    builds = list(target.glob("warehouse_models-*"))
    assert builds, "the demo run's dbt build left no target folder to check"
    leaking = [
        str(path)
        for path in _files(target, settings.DBT_PROJECT_DIR / "logs", demo_run.root)
        if path.name != "person_key_secret" and any(pad in path.read_bytes() for pad in pads)
    ]
    assert leaking == []
