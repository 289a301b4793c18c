"""The dbt CLI resource starts `dbt build` without the start-up work this project does not use."""

from __future__ import annotations

import importlib.metadata
import subprocess

import dagster_dbt.core.resource as dagster_dbt_resource
import pytest
from packaging import version

from pipelines.dbt_project import dbt_executable, dbt_project
from pipelines.defs.resources import WarmHeartDbtCli, build_resources


def _refuse_subprocess(*args, **kwargs):
    raise AssertionError(f"a dbt process was started: {args}")


def test_the_dbt_version_comes_from_the_installed_package_without_a_dbt_process(monkeypatch):
    monkeypatch.setattr(dagster_dbt_resource, "check_output", _refuse_subprocess)
    resource = WarmHeartDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable())
    assert resource._cli_version == version.parse(importlib.metadata.version("dbt-core"))


def test_the_dbt_the_pipeline_runs_is_the_installed_dbt_core():
    # What the shortcut assumes: the executable dagster-dbt starts reports the version of
    # the dbt-core package (dagster-dbt picks its code path by that version's major).
    out = subprocess.run(
        [dbt_executable(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert f"installed: {importlib.metadata.version('dbt-core')}" in out


def test_no_dbt_adapter_is_opened_in_the_run_process():
    # The adapter only serves fetch_row_counts/fetch_column_metadata, which are not used.
    resource = build_resources()["dbt"]
    assert isinstance(resource, WarmHeartDbtCli)
    assert resource._initialize_dbt_core_adapter(["build"]) is None


@pytest.mark.parametrize("method", ["fetch_row_counts", "fetch_column_metadata"])
def test_the_pipeline_does_not_ask_dagster_dbt_for_what_needs_the_adapter(method):
    from pathlib import Path

    import pipelines

    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in Path(pipelines.__file__).parent.rglob("*.py")
    )
    assert f".{method}(" not in sources
