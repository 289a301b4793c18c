"""Shared fixtures: a clean environment for every test, and one demo campaign run end to end.

The end-to-end tests (gate, operations, feedback, terminal output, report vs truth, person
resolution, dbt tests) all read the same published demo campaign: it is generated and run
through `python -m pipelines run` once per session. A test that changes files works on its
own copy (`demo_copy`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines import settings
from pipelines.campaign import load_campaign

# The demo campaign every end-to-end test reads: seed 11 with 20 persons per city
# publishes cleanly through the gate and gives every one of the 17 figures a non-zero
# value somewhere (tests/test_report_matches_truth.py holds both).
DEMO_SEED = 11
DEMO_PERSONS_PER_CITY = 20

# Variables that redirect the pipeline: a developer's shell may set any of them.
REDIRECTS = (
    "WARMHEART_RAW_DIR",
    "WARMHEART_MARTS_DIR",
    "WARMHEART_WAREHOUSE",
    "WARMHEART_RESTRICTED_DIR",
    "DAGSTER_HOME",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Parse the dbt project when its manifest is older than the project (a checkout that
    just pulled new models): test modules import pipelines.defs at collection, and Dagster's
    dbt assets are built from the manifest that exists at that moment."""
    from pipelines.dbt_project import dbt_project, parse_dbt_project

    manifest = dbt_project.manifest_path
    skip = {"target", "logs", "dbt_packages"}
    sources = [
        p
        for p in settings.DBT_PROJECT_DIR.rglob("*")
        if p.is_file() and not skip & set(p.relative_to(settings.DBT_PROJECT_DIR).parts)
    ]
    if not manifest.exists() or manifest.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        parse_dbt_project()


@pytest.fixture(scope="session", autouse=True)
def clean_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test depends on the caller's WARMHEART_* variables, dbt's usage-stats switch or
    DAGSTER_HOME: they are removed (or pointed at a scratch folder) for the whole session."""
    with pytest.MonkeyPatch.context() as mp:
        for var in list(os.environ):
            if var.startswith("WARMHEART_") or var == "DBT_SEND_ANONYMOUS_USAGE_STATS":
                mp.delenv(var)
        mp.setenv("DAGSTER_HOME", str(tmp_path_factory.mktemp("dagster_home")))
        yield


@pytest.fixture(autouse=True)
def no_leaked_environment() -> Iterator[None]:
    """A test that runs the CLI in-process (it exports the person_key secret for dbt) must not
    change what later tests see: the WARMHEART_* variables are put back after every test."""
    before = {k: v for k, v in os.environ.items() if k.startswith("WARMHEART_")}
    yield
    for var in [k for k in os.environ if k.startswith("WARMHEART_")]:
        if var not in before:
            del os.environ[var]
    os.environ.update(before)


@dataclass(frozen=True)
class DemoRun:
    """A generated campaign after `python -m pipelines run`: every folder under `root`."""

    root: Path
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __iter__(self):
        """It also unpacks as (root, env, stdout, stderr), as some tests read it."""
        return iter((self.root, self.env, self.stdout, self.stderr))

    def __getitem__(self, index: int):
        return tuple(self)[index]

    @property
    def env(self) -> dict[str, str]:
        return demo_env(self.root)


def demo_env(root: Path) -> dict[str, str]:
    """The process environment that points the pipeline at `root`'s folders only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMHEART_")}
    env.update(
        WARMHEART_RAW_DIR=str(root / "raw"),
        WARMHEART_MARTS_DIR=str(root / "marts"),
        WARMHEART_WAREHOUSE=str(root / "warehouse.duckdb"),
        WARMHEART_RESTRICTED_DIR=str(root / "restricted"),
        DAGSTER_HOME=str(root / "dagster_home"),
    )
    return env


def point_env(mp: pytest.MonkeyPatch, root: Path) -> None:
    """Point this process (settings.*, DagsterInstance.get) at `root`'s folders."""
    env = demo_env(root)
    for var in REDIRECTS:
        mp.setenv(var, env[var])


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo campaign generated and run once, through the operator's command."""
    from tools.demo.generator import generate

    root = tmp_path_factory.mktemp("demo_run")
    generate(root / "raw", root / "ground_truth", DEMO_SEED, DEMO_PERSONS_PER_CITY, load_campaign())
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines", "run"],
        env=demo_env(root),
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    output = proc.stdout + proc.stderr
    (root / "run.out").write_text(output, encoding="utf-8")
    # The failure summary (which check failed on what) is what explains a red run.
    assert proc.returncode == 0, output[output.find("RUN FAILED") :][:6000] or output[-6000:]
    return DemoRun(root, proc.stdout, proc.stderr)


def copy_demo(run: DemoRun, dest: Path) -> Path:
    """A private copy of the run's inputs and outputs, for a test that changes them.

    The person_key secret goes with the warehouse: without it a later run over the copy would
    create a new secret and every person_key would change (settings.person_key_secret)."""
    for name in ("raw", "marts", "restricted", "ground_truth", "secrets", "raw_store"):
        if (run.root / name).exists():
            shutil.copytree(run.root / name, dest / name, symlinks=True)
    shutil.copy2(run.root / "warehouse.duckdb", dest / "warehouse.duckdb")
    return dest


@pytest.fixture
def demo_copy(demo_run: DemoRun, tmp_path: Path) -> Path:
    return copy_demo(demo_run, tmp_path)
