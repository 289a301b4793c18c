"""Write the dbt reference seeds from `pipelines.terms`, so terms stay the one definition.

The seeds are committed (dbt reads them from `dbt_project/seeds/`); a test checks
they equal what this module would write, so an edit to terms.py that is not
followed by `python -m tools.seeds` fails the build.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines import settings, terms

SEEDS_DIR = settings.DBT_PROJECT_DIR / "seeds"

# Enumerations the dbt tests check values against (generic test `value_in_enum`).
ENUMS: dict[str, tuple[str, ...]] = {
    "person_category": terms.PERSON_CATEGORIES,
    "employment_status": terms.EMPLOYMENT_STATUSES,
    "job_wish": terms.JOB_WISHES,
    "service_need": terms.SERVICE_NEEDS,
    "employment_channel": terms.EMPLOYMENT_CHANNELS,
    "visit_method": terms.VISIT_METHODS,
    "job_category": terms.JOB_CATEGORIES,
    "event_form": terms.EVENT_FORMS,
    "referral_method": terms.REFERRAL_METHODS,
    "yes_no": terms.YES_NO,
    "ui_benefit_type": terms.UI_BENEFIT_TYPES,
    "dibao_type": terms.DIBAO_TYPES,
    "base_type": terms.BASE_TYPES,
    "pairing_type": terms.PAIRING_TYPES,
    "graduate_category": terms.GRADUATE_CATEGORIES,
    "job_pool_category": (*terms.JOB_CATEGORIES, terms.NOT_FILLED),
    "gender": ("男", "女"),
}


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def seed_texts() -> dict[str, str]:
    """File name → CSV text of every seed derived from terms."""
    return {
        "ref_cities.csv": _csv(("city_code", "city_name"), sorted(terms.CITIES.items())),
        "ref_city_code_map.csv": _csv(
            ("city_code_raw", "city_code"), sorted(terms.MERGED_CITY_CODES.items())
        ),
        "ref_enum_values.csv": _csv(
            ("enum_name", "value"),
            [(enum, value) for enum, values in ENUMS.items() for value in values],
        ),
    }


def write_seeds(directory: Path = SEEDS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in seed_texts().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_seeds():
        print(p)
