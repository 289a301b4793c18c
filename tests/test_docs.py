"""The README and docs are self-contained: nothing they cite lies outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from tools import docs_tables

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    *sorted((ROOT / "tools").rglob("*.md")),
]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_docs_never_point_outside_the_repository():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text and "/work/" not in text, doc
        for target in LINK.findall(text):
            if re.match(r"https?://", target):
                continue
            resolved = (doc.parent / target).resolve()
            assert resolved.is_relative_to(ROOT) and resolved.exists(), (doc.name, target)


def test_every_contract_section_cited_exists_in_docs_contract():
    headings = set(
        re.findall(
            r"^## §(\d+) ", (ROOT / "docs" / "contract.md").read_text(encoding="utf-8"), re.M
        )
    )
    cited = set()
    for path in [
        *DOCS,
        *ROOT.joinpath("pipelines").rglob("*.py"),
        *ROOT.joinpath("dbt_project", "models").rglob("*.sql"),
    ]:
        cited |= set(re.findall(r"contract(?:\.md)? §(\d+)", path.read_text(encoding="utf-8")))
    assert cited and cited <= headings, sorted(cited - headings)


def test_column_reference_of_the_contract_page_matches_terms():
    text = docs_tables.DOC.read_text(encoding="utf-8")
    assert text == docs_tables.render(text), (
        "docs/contract.md is stale: run python -m tools.docs_tables"
    )
