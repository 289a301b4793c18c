"""Write every dbt file generated from the one vocabulary (`python -m tools.seeds`).

- seeds: ref_cities, ref_city_code_map, ref_enum_values and ref_expected_tables (the
  tables due every cut-off) from `pipelines.terms`,
  ref_report_figures from terms.FIGURES, rule_discrimination from
  pipelines/rules/discrimination.toml;
- the macro file macros/terms.sql: the 17 report figures and the few contract
  literals the SQL models compare against (province code, 已就业, 现场招聘会, ...);
- the macro file macros/discrimination_rules.sql: each rule's pattern as a SQL constant.

They are committed (dbt reads them); tests/test_people_seeds.py holds them equal to
what this module writes, so an edit to terms.py not followed by
`python -m tools.seeds` fails the build.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from pipelines import reason_codes, settings, terms
from pipelines.rules import discrimination

SEEDS_DIR = settings.DBT_PROJECT_DIR / "seeds"
TERMS_MACRO_PATH = settings.DBT_PROJECT_DIR / "macros" / "terms.sql"

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
    "gender": terms.GENDERS,
}

# The single values SQL compares against, by the terms.py name the macro `term` takes.
SQL_TERMS: dict[str, str] = {
    "PROVINCE_CODE": terms.PROVINCE_CODE,
    "PROVINCE_NAME": terms.PROVINCE_NAME,
    "EMPLOYED": terms.EMPLOYED,
    "UNEMPLOYED": terms.UNEMPLOYED,
    "CHANNEL_ENTERPRISE": terms.CHANNEL_ENTERPRISE,
    "CHANNEL_FLEXIBLE": terms.CHANNEL_FLEXIBLE,
    "CHANNEL_PUBLIC_WELFARE": terms.CHANNEL_PUBLIC_WELFARE,
    "ONSITE_JOB_FAIR": terms.ONSITE_JOB_FAIR,
    "YES": terms.YES,
    "NO": terms.NO,
    "MALE": terms.MALE,
    "FEMALE": terms.FEMALE,
    "BASE_EMPLOYMENT_ASSISTANCE": terms.BASE_EMPLOYMENT_ASSISTANCE,
    "BASE_TRAINING": terms.BASE_TRAINING,
    "BASE_INTERNSHIP": terms.BASE_INTERNSHIP,
    "PAIRING_CADRE_TARGET": terms.PAIRING_CADRE_TARGET,
    "PAIRING_ENTERPRISE_COMMUNITY": terms.PAIRING_ENTERPRISE_COMMUNITY,
    "NOT_FILLED": terms.NOT_FILLED,
}


def _csv(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _report_figures_csv() -> str:
    return _csv(
        ("figure_seq", "figure", "header", "figure_group", "parent", "is_money"),
        [
            (seq, f.name, f.header, f.group or "", f.parent or "", str(f.money).lower())
            for seq, f in enumerate(terms.FIGURES, start=1)
        ],
    )


def seed_texts() -> dict[str, str]:
    """Seed file name → CSV text."""
    return {
        "ref_cities.csv": _csv(("city_code", "city_name"), sorted(terms.CITIES.items())),
        "ref_city_code_map.csv": _csv(
            ("city_code_raw", "city_code"), sorted(terms.MERGED_CITY_CODES.items())
        ),
        "ref_enum_values.csv": _csv(
            ("enum_name", "value"),
            [(enum, value) for enum, values in ENUMS.items() for value in values],
        ),
        "ref_report_figures.csv": _report_figures_csv(),
        "ref_category_evidence.csv": _csv(
            ("category", "evidence", "detail"),
            [(c, e, d) for c, (e, d) in terms.CATEGORY_EVIDENCE.items()],
        ),
        "ref_expected_tables.csv": _csv(
            ("table_type", "table_title", "display_order"),
            [(t.name, t.title, n) for n, t in enumerate(terms.EVERY_CUTOFF_TABLES, start=1)],
        ),
        "rule_discrimination.csv": discrimination.seed_text(),
        "ref_reason_codes.csv": _csv(
            ("code", "level", "title", "cause", "fix"),
            [
                (r.code, r.level, r.title, r.cause, r.fix)
                for r in sorted(reason_codes.REASONS.values(), key=lambda r: r.code)
            ],
        ),
    }


def _jinja(value: object) -> str:
    # JSON literals of strings and lists are valid Jinja literals.
    return json.dumps(value, ensure_ascii=False)


def terms_macro_text() -> str:
    """The generated macros/terms.sql: the figure list and the contract literals for SQL."""
    figures = _jinja(list(terms.FIGURE_NAMES))
    counts = _jinja([f.name for f in terms.FIGURES if not f.money])
    money = _jinja([f.name for f in terms.FIGURES if f.money])
    values = ",\n        ".join(f"{_jinja(k)}: {_jinja(v)}" for k, v in SQL_TERMS.items())
    return f"""{{# GENERATED by `python -m tools.seeds` from pipelines/terms.py: do not edit.
   tests/test_people_seeds.py fails when this file and terms.py disagree. #}}

{{# The 17 figures of the report (terms.FIGURE_NAMES), in the official table's order. #}}
{{% macro report_figures() -%}}
    {{{{ return({figures}) }}}}
{{%- endmacro %}}

{{# The figures that count something (bigint) and those that are amounts in yuan. #}}
{{% macro report_count_figures() -%}}
    {{{{ return({counts}) }}}}
{{%- endmacro %}}

{{% macro report_money_figures() -%}}
    {{{{ return({money}) }}}}
{{%- endmacro %}}

{{# A contract value as a quoted SQL literal: term('PROVINCE_CODE') → '{terms.PROVINCE_CODE}'. #}}
{{% macro term(name) -%}}
    {{%- set values = {{
        {values}
    }} -%}}
    {{%- if name not in values -%}}
        {{{{ exceptions.raise_compiler_error("term(): unknown name " ~ name ~ "; add it to tools/seeds.py SQL_TERMS") }}}}
    {{%- endif -%}}
    '{{{{ values[name] }}}}'
{{%- endmacro %}}
"""


def generated_texts() -> dict[Path, str]:
    """Every generated dbt file → its text."""
    texts = {SEEDS_DIR / name: text for name, text in seed_texts().items()}
    texts[TERMS_MACRO_PATH] = terms_macro_text()
    texts[discrimination.MACRO_FILE] = discrimination.macro_text()
    return texts


def write_generated() -> list[Path]:
    written = []
    for path, text in generated_texts().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Parse the (option-less) command line, so `--help` explains and writes nothing."""
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    for p in write_generated():
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
