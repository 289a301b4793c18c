"""Every reason code the pipeline can emit has Chinese 原因 and 如何修改 text.

The emitted set is read from the code itself (see the rules in pipelines/reason_codes.py),
so a new code added anywhere without a translation fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pipelines import reason_codes
from pipelines.checks import suites

ROOT = Path(__file__).resolve().parents[1]
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")
EMIT_CALLS = {"fail", "refuse", "explain"}
CODE_KEYS = {"reason_code", "error_code"}


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _call_name(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _target_names(node: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    out = []
    for t in targets:
        if isinstance(t, ast.Name):
            out.append(t.id)
        elif isinstance(t, ast.Attribute):
            out.append(t.attr)
    return out


def python_codes(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in EMIT_CALLS and node.args and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
            if name == "CheckOutcome":
                if node.args and isinstance(node.args[0], ast.Constant):
                    found.add(node.args[0].value)
                found |= {s for k in node.keywords if k.arg == "name" for s in _strings(k.value)}
            found |= {s for k in node.keywords if k.arg in CODE_KEYS for s in _strings(k.value)}
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in CODE_KEYS:
                    found |= _strings(value)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            names = _target_names(node)
            if any(n in CODE_KEYS for n in names):
                found |= _strings(node.value)
    for node in tree.body:  # module-level *REASON* names: their values are codes
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            if any("REASON" in n for n in _target_names(node)):
                value = node.value
                found |= (
                    set().union(*(_strings(v) for v in value.values))
                    if isinstance(value, ast.Dict)
                    else _strings(value)
                )
    return {s for s in found if CODE_SHAPE.match(s)}


_CASE_AS_CODE = re.compile(r"\bcase\b((?:(?!\bcase\b).)*?)\bend\s+as\s+reason_code\b", re.S | re.I)
_LITERAL_AS_CODE = re.compile(r"'([a-z][a-z0-9_]*)'\s+as\s+(?:reason_code|check_type)\b", re.I)


def sql_codes(path: Path) -> set[str]:
    text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
    found = set(_LITERAL_AS_CODE.findall(text))
    for block in _CASE_AS_CODE.findall(text):
        found |= set(re.findall(r"\b(?:then|else)\s+'([a-z][a-z0-9_]*)'", block))
    return found


def gate_codes() -> set[str]:
    return {e["type"] for s in suites.build_suites().values() for e in s["expectations"]}


def emitted_codes() -> dict[str, set[str]]:
    where: dict[str, set[str]] = {}
    sources = [
        (p, python_codes(p))
        for p in sorted((ROOT / "pipelines").rglob("*.py"))
        if p.name != "reason_codes.py"
    ]
    sources += [
        (p, sql_codes(p))
        for folder in ("models", "macros")  # a model's codes may be written by its macro
        for p in sorted((ROOT / "dbt_project" / folder).rglob("*.sql"))
    ]
    sources.append((Path("pipelines/checks/suites.py:build_suites()"), gate_codes()))
    for path, codes in sources:
        for code in codes:
            where.setdefault(code, set()).add(
                str(path.relative_to(ROOT)) if path.is_absolute() else str(path)
            )
    return where


def test_every_emitted_reason_code_has_chinese_text():
    missing = {
        code: sorted(paths)
        for code, paths in emitted_codes().items()
        if code not in reason_codes.REASONS
    }
    assert not missing, (
        f"reason codes without a translation in pipelines/reason_codes.py: {missing}"
    )


def test_the_scan_finds_codes_of_every_emitting_layer():
    # Guards the scanner itself: if a refactor hid codes from it, the test above would pass vacuously.
    found = set(emitted_codes())
    for code in (
        "unknown_table",
        "bad_date",
        "missing_required",
        "bad_enum",  # ingest
        "invalid_id_no_match",
        "ambiguous_name_phone",  # person resolution (SQL)
        "figure_difference",
        "multi_city_claim",  # 数据比对 (SQL)
        "cities_reported",
        "expect_column_values_to_not_be_null",
    ):  # gate
        assert code in found, code


def test_the_scan_catches_a_new_untranslated_code(tmp_path):
    py = tmp_path / "new.py"
    py.write_text(
        'rec.fail("zip_too_large", "detail")\nrow = {"reason_code": "link_outside_root"}\n'
    )
    sql = tmp_path / "new.sql"
    sql.write_text(
        "select case when x then 'fifo_refused' else 'socket_refused' end as reason_code"
    )
    assert python_codes(py) == {"zip_too_large", "link_outside_root"}
    assert sql_codes(sql) == {"fifo_refused", "socket_refused"}


def test_every_reason_says_what_is_wrong_and_what_to_change_in_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    for reason in reason_codes.REASONS.values():
        for text in (reason.title, reason.cause, reason.fix):
            assert han.search(text), (reason.code, text)
        cause, fix = reason_codes.render(reason.code, column="走访日期", value="8月上旬")
        assert "{" not in cause + fix, reason.code


def test_render_fills_the_column_and_the_value_as_written():
    cause, fix = reason_codes.render("bad_date", column="走访日期", value="8月上旬")
    assert cause == "「走访日期」中的“8月上旬”不是有效日期"
    assert "2022年8月5日" in fix


def test_an_unknown_code_still_gives_an_actionable_chinese_text():
    cause, fix = reason_codes.render("never_seen_before")
    assert "never_seen_before" in cause and "行号" in fix
