"""Write the dbt seeds of the report's rule sets (`python -m pipelines.rules`).

- rule_discrimination.csv from discrimination.toml;
- ref_report_figures.csv from terms.FIGURES (order, Chinese header, 其中 group, parent),
  so the marts read the figure headers from the one definition.
The seeds are committed; tests hold them equal to what this module writes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines import settings, terms
from pipelines.rules import discrimination

SEEDS_DIR = settings.DBT_PROJECT_DIR / "seeds"


def report_figures_text() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("figure_seq", "figure", "header", "figure_group", "parent", "is_money"))
    for seq, f in enumerate(terms.FIGURES, start=1):
        writer.writerow((seq, f.name, f.header, f.group or "", f.parent or "", str(f.money).lower()))
    return buf.getvalue()


def seed_texts() -> dict[str, str]:
    """Seed file name → CSV text."""
    return {
        "rule_discrimination.csv": discrimination.seed_text(),
        "ref_report_figures.csv": report_figures_text(),
    }


def write_seeds(directory: Path = SEEDS_DIR) -> list[Path]:
    written = []
    for name, text in seed_texts().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
