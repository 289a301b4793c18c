"""The operator's commands as the docs show them: usage text, and the demo only where promised."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from pipelines import settings
from tools.demo import ensure


@pytest.mark.filterwarnings("ignore:.*found in sys.modules:RuntimeWarning")
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["pipelines", "--help"], ["run", "ui", "parse"]),
        (["pipelines", "run", "--help"], ["usage: python -m pipelines run"]),
        (["pipelines", "ui", "--help"], ["--port"]),
        (["pipelines", "parse", "--help"], ["usage: python -m pipelines parse"]),
        (["tools.demo", "--help"], ["--out", "--seed", "--persons-per-city"]),
        (["tools.demo.ensure", "--help"], ["--persons-per-city", "WARMHEART_RAW_DIR"]),
        (["tools.rule_breaks", "--help"], ["--only", "--workers"]),
        (["tools.bench", "--help"], ["usage: python -m tools.bench"]),
        # The generators take no options: --help explains and writes nothing.
        (["tools.seeds", "--help"], ["usage: python -m tools.seeds", "dbt file"]),
        (
            ["tools.docs_tables", "--help"],
            ["usage: python -m tools.docs_tables", "docs/contract.md"],
        ),
        (["pipelines.checks.suites", "--help"], ["usage: python -m pipelines.checks.suites", "GX"]),
    ],
)
def test_help_prints_usage_and_exits_0(argv: list[str], words: list[str], monkeypatch, capsys):
    # docs/operations.md lists `python -m pipelines --help`, `... run --help`, `python -m tools.demo --help`.
    monkeypatch.setattr(sys, "argv", ["python -m " + argv[0], *argv[1:]])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module(argv[0], run_name="__main__", alter_sys=False)
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage:" in out and all(w in out for w in words), out


def _point_default_raw(monkeypatch: pytest.MonkeyPatch, raw: Path) -> None:
    # The default folder (data/raw) stands in for an empty checkout without touching the real one.
    monkeypatch.setattr(settings, "raw_dir", lambda: raw)


def test_make_run_generates_the_demo_into_an_empty_default_raw_folder(tmp_path: Path, monkeypatch):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / ".gitkeep").touch()
    _point_default_raw(monkeypatch, raw)
    assert ensure.ensure_demo_data(persons_per_city=2) is True
    assert any((raw / "submissions").rglob("*.*")) and any((raw / "registries").rglob("*.*"))
    assert (tmp_path / "data" / "ground_truth" / "expected_stats.parquet").exists()


def test_make_run_never_generates_when_raw_holds_files(tmp_path: Path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "registries").mkdir(parents=True)
    (raw / "registries" / "x.csv").write_text("a\n1\n", encoding="utf-8")
    _point_default_raw(monkeypatch, raw)
    assert ensure.ensure_demo_data(persons_per_city=2) is False
    assert [p.name for p in raw.rglob("*") if p.is_file()] == ["x.csv"]


def test_make_run_never_generates_when_warmheart_raw_dir_is_set_even_if_empty(
    tmp_path: Path, monkeypatch, capsys
):
    raw = tmp_path / "uploads"
    raw.mkdir()
    monkeypatch.setenv("WARMHEART_RAW_DIR", str(raw))
    assert ensure.main([]) == 0
    assert list(raw.iterdir()) == []
    assert not (tmp_path / "ground_truth").exists()
    assert "generating nothing" in capsys.readouterr().out
