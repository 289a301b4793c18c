"""Fixtures shared by several test modules.

`demo_run` is the one end-to-end `python -m pipelines run` of the suite: a generated demo
campaign (seed 11, 20 persons per city) in a temporary folder. Operations, feedback and
terminal tests all read it, so the whole pipeline runs once per session.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines import settings
from pipelines.campaign import load_campaign

DEMO_PERSONS_PER_CITY = 20
DEMO_SEED = 11  # the demo campaign the gate tests also publish cleanly (tests/test_gate_e2e.py)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """(root, env, stdout, stderr) of a full run on a generated campaign."""
    from tools.demo.generator import generate

    root = tmp_path_factory.mktemp("demo_run")
    generate(root / "raw", root / "ground_truth", DEMO_SEED, DEMO_PERSONS_PER_CITY, load_campaign())
    env = dict(os.environ, WARMHEART_RAW_DIR=str(root / "raw"), WARMHEART_MARTS_DIR=str(root / "marts"),
               WARMHEART_WAREHOUSE=str(root / "warehouse.duckdb"),
               WARMHEART_RESTRICTED_DIR=str(root / "restricted"), DAGSTER_HOME=str(root / "dagster_home"))
    proc = subprocess.run([sys.executable, "-m", "pipelines", "run"], env=env, cwd=settings.PROJECT_ROOT,
                          capture_output=True, text=True, timeout=900)
    output = proc.stdout + proc.stderr
    (root / "run.out").write_text(output)
    # The failure summary (which check failed on what) is what explains a red run.
    assert proc.returncode == 0, output[output.find("RUN FAILED"):][:6000] or output[-6000:]
    return root, env, proc.stdout, proc.stderr
