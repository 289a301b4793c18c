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
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller parsed before it started the workers: one writer of target/
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


# Modules whose tests each work on their own copy of the demo run: under `--dist loadgroup`
# their tests are spread over both workers. Every other module keeps its tests on one worker,
# so a module-scoped warehouse fixture is built once.
SPREAD_OVER_WORKERS = {"test_faults_e2e.py", "test_ops_e2e.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name not in SPREAD_OVER_WORKERS:
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


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
    """The demo campaign generated and run once, through the operator's command.

    Under pytest-xdist (`make test` runs two workers) the first worker that needs it builds it
    in the session's shared temp folder while the other waits on a lock, so the campaign is
    still run once per session, not once per worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return _run_demo(tmp_path_factory.mktemp("demo_run"))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "demo_run"
    with FileLock(f"{shared}.lock"):
        if not (shared / "run.done").exists():
            shutil.rmtree(shared, ignore_errors=True)  # a half-built run of a crashed worker
            shared.mkdir()
            _run_demo(shared)
    return _finished_demo(shared)


def _run_demo(root: Path) -> DemoRun:
    from tools.demo.generator import generate

    generate(root / "raw", root / "ground_truth", DEMO_SEED, DEMO_PERSONS_PER_CITY, load_campaign())
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines", "run"],
        env=demo_env(root),
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    (root / "run.stdout").write_text(proc.stdout, encoding="utf-8")
    (root / "run.stderr").write_text(proc.stderr, encoding="utf-8")
    (root / "run.done").write_text(str(proc.returncode), encoding="utf-8")
    return _finished_demo(root)


def _finished_demo(root: Path) -> DemoRun:
    run = DemoRun(
        root,
        (root / "run.stdout").read_text(encoding="utf-8"),
        (root / "run.stderr").read_text(encoding="utf-8"),
    )
    returncode = int((root / "run.done").read_text(encoding="utf-8"))
    output = run.output
    # The failure summary (which check failed on what) is what explains a red run.
    assert returncode == 0, output[output.find("RUN FAILED") :][:6000] or output[-6000:]
    return run


# Run-time state that belongs to one Dagster instance, not to the campaign's data.
NOT_COPIED = {"dagster_home", "run.stdout", "run.stderr", "run.done"}


def copy_demo(run: DemoRun, dest: Path) -> Path:
    """A private copy of the run's inputs and outputs, for a test that changes them.

    Everything goes, the person_key secret and the raw layer included: without the secret a
    later run over the copy would create a new one and every person_key would change."""
    for item in sorted(run.root.iterdir()):
        if item.name in NOT_COPIED:
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, symlinks=True)
        else:
            shutil.copy2(item, dest / item.name)
    return dest


@pytest.fixture
def demo_copy(demo_run: DemoRun, tmp_path: Path) -> Path:
    return copy_demo(demo_run, tmp_path)
