"""The dbt seeds and macros/terms.sql are written from terms.py and must not drift from it."""

from __future__ import annotations

from pipelines import terms
from tools.seeds import generated_texts, seed_texts


def test_committed_generated_files_equal_what_terms_would_write():
    for path, text in generated_texts().items():
        committed = path.read_text(encoding="utf-8")
        assert committed == text, f"{path.name} is stale: run python -m tools.seeds"


def test_city_seed_lists_the_16_cities_and_the_merged_laiwu_code():
    texts = seed_texts()
    assert len(texts["ref_cities.csv"].splitlines()) == 1 + len(terms.CITIES) == 17
    assert "371200,370100" in texts["ref_city_code_map.csv"].splitlines()
