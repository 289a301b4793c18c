"""The shipped package (`pipelines/`) never imports the development tooling (`tools/`)."""

from __future__ import annotations

import ast
from pathlib import Path

from pipelines import settings

PACKAGE = settings.PROJECT_ROOT / "pipelines"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_the_product_package_imports_the_tooling() -> None:
    offenders = {
        str(path.relative_to(settings.PROJECT_ROOT)): sorted(
            name for name in imported_modules(path) if name == "tools" or name.startswith("tools.")
        )
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}


def test_the_import_walk_sees_a_tooling_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from tools.demo import generate\n    return generate\n")
    assert "tools.demo" in imported_modules(sample)


def test_the_product_package_is_the_only_one_installed() -> None:
    pyproject = (settings.PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'include = ["pipelines*"]' in pyproject
