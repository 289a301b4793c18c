"""The dbt project's own settings, as every dbt command sees them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from pipelines import settings
from pipelines.dbt_project import dbt_env, dbt_executable, dbt_project


def test_dbt_commands_send_no_anonymous_usage_statistics(tmp_path: Path):
    # dbt_project.yml alone turns the statistics off, so `dbt build` under Dagster and a dbt
    # command typed by hand send nothing either: no environment switch is involved.
    config = yaml.safe_load(
        (settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    )
    assert config["flags"]["send_anonymous_usage_stats"] is False
    assert "DBT_SEND_ANONYMOUS_USAGE_STATS" not in dbt_env()
    # A parse with the variable removed (conftest) records what dbt read: the project's flag.
    target = tmp_path / "target"
    subprocess.run(
        [
            dbt_executable(),
            "--quiet",
            "parse",
            "--project-dir",
            str(dbt_project.project_dir),
            "--profiles-dir",
            str(dbt_project.profiles_dir),
            "--target-path",
            str(target),
        ],
        env={**dbt_env(), "WARMHEART_WAREHOUSE": str(tmp_path / "w.duckdb")},
        check=True,
        capture_output=True,
    )
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False


def _copy_project(tmp_path: Path) -> Path:
    import shutil

    from pipelines.dbt_parse_key import NOT_PROJECT_FILES

    return Path(
        shutil.copytree(
            settings.DBT_PROJECT_DIR,
            tmp_path / "dbt_project",
            ignore=lambda _d, names: [n for n in names if n in NOT_PROJECT_FILES],
        )
    )


def test_the_parse_key_changes_with_a_model_or_a_setting_and_with_nothing_else(tmp_path):
    from pipelines.dbt_parse_key import parse_key

    project = _copy_project(tmp_path)
    env = {"WARMHEART_WAREHOUSE": "/a/warehouse.duckdb", "HOME": "/root"}
    key = parse_key(project, env)
    (project / "target").mkdir()
    (project / "target" / "run_results.json").write_text("{}")  # dbt's output: not read
    assert parse_key(project, {**env, "HOME": "/elsewhere"}) == key
    assert parse_key(project, env) == key
    assert parse_key(project, {**env, "WARMHEART_WAREHOUSE": "/b/other.duckdb"}) != key
    assert parse_key(project, {**env, "WARMHEART_ENGINE": "spark"}) != key
    model = next((project / "models").rglob("*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert parse_key(project, env) != key


def test_a_second_parse_with_nothing_changed_does_not_run_dbt(monkeypatch):
    from pipelines import dbt_project as module

    manifest = module.parse_dbt_project()  # parses unless the last parse had this key
    before = manifest.stat().st_mtime_ns

    def no_dbt(*_a, **_k):
        raise AssertionError("dbt parse ran although nothing changed")

    monkeypatch.setattr(module.subprocess, "run", no_dbt)
    assert module.parse_dbt_project() == manifest
    assert manifest.stat().st_mtime_ns == before
    # A manifest written by another parse (by hand, other settings) is not trusted.
    manifest.touch()
    assert not module.parse_is_current(
        Path(module.dbt_project.project_dir), manifest, module.dbt_env()
    )


def test_a_partial_parse_file_written_by_another_parse_is_parsed_again():
    """sqlfluff's dbt templater (make lint) writes target/partial_parse.msgpack with its own
    profile. Every build starts from that file: left there, each run parsed the whole
    project again inside its build. The next parse must replace it."""
    from pipelines import dbt_project as module

    manifest = module.parse_dbt_project()
    project_dir, env = Path(module.dbt_project.project_dir), module.dbt_env()
    assert module.parse_is_current(project_dir, manifest, env)
    partial = manifest.with_name(module.PARTIAL_PARSE)
    ours = partial.read_bytes()
    partial.write_bytes(ours + b"written by sqlfluff")
    assert not module.parse_is_current(project_dir, manifest, env)
    module.parse_dbt_project()  # dbt parses again and writes its own file
    assert module.parse_is_current(project_dir, manifest, env)
    assert not partial.read_bytes().endswith(b"written by sqlfluff")


def test_a_parse_replaces_the_manifest_whole(monkeypatch):
    """Another process may be reading target/manifest.json (a run under other settings, a
    parallel test): a parse must never leave it half-written. dbt writes in place, so the
    parse goes to a folder of its own and the finished file replaces the old one."""
    from pipelines import dbt_project as module

    manifest = module.parse_dbt_project()
    before = manifest.stat().st_ino
    folders: list[str] = []  # this parse's own folder (another process may be parsing too)
    real = module.tempfile.TemporaryDirectory

    def recorded(*args, **kwargs):
        folder = real(*args, **kwargs)
        folders.append(folder.name)
        return folder

    monkeypatch.setattr(module.tempfile, "TemporaryDirectory", recorded)
    monkeypatch.setenv("WARMHEART_PARSE_TEST", "1")  # another key: dbt parses again
    assert module.parse_dbt_project() == manifest
    assert manifest.stat().st_ino != before  # a new file, renamed over the old one
    assert (
        "model.warmheart.int_persons" in json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    )
    assert len(folders) == 1 and Path(folders[0]).parent == manifest.parent
    assert not Path(folders[0]).exists()  # nothing of the parse is left behind
    monkeypatch.delenv("WARMHEART_PARSE_TEST")
    module.parse_dbt_project()  # back to the suite's own key
