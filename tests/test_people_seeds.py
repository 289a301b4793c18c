"""The dbt reference seeds are written from terms.py and must not drift from it."""

from __future__ import annotations

from pipelines import terms
from tools.seeds import SEEDS_DIR, seed_texts


def test_committed_seeds_equal_what_terms_would_write():
    for name, text in seed_texts().items():
        committed = (SEEDS_DIR / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} is stale: run python -m tools.seeds"


def test_city_seed_lists_the_16_cities_and_the_merged_laiwu_code():
    texts = seed_texts()
    assert len(texts["ref_cities.csv"].splitlines()) == 1 + len(terms.CITIES) == 17
    assert "371200,370100" in texts["ref_city_code_map.csv"].splitlines()
