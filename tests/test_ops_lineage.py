"""The Dagster webserver serves the asset graph: raw/ledger → staging → intermediate → report → published."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

import pytest

from pipelines import settings

QUERY = "{ assetNodes { assetKey { path } groupName description dependencyKeys { path } } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("webserver")
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copyfile(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = dict(os.environ, DAGSTER_HOME=str(home), WARMHEART_RAW_DIR=str(tmp / "raw"),
               WARMHEART_MARTS_DIR=str(tmp / "marts"), WARMHEART_WAREHOUSE=str(tmp / "wh.duckdb"))
    port = _free_port()
    exe = Path(sys.executable).with_name("dagster-webserver")
    proc = subprocess.Popen([str(exe), "-m", "pipelines.defs", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=settings.PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(tmp / "webserver.log", "w"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"webserver did not start:\n{(tmp / 'webserver.log').read_text()[-3000:]}")
            time.sleep(1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _asset_nodes(base: str) -> list[dict]:
    # The code location loads in the background: retry until the graph is there.
    deadline = time.monotonic() + 90
    while True:
        req = urllib.request.Request(f"{base}/graphql", data=json.dumps({"query": QUERY}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            body = json.load(r)
        nodes = (body.get("data") or {}).get("assetNodes") or []
        if nodes or time.monotonic() > deadline:
            return nodes
        time.sleep(1)


def _shortest_path(children: dict[str, list[str]], start: str, goal) -> list[str] | None:
    queue, seen = deque([[start]]), {start}
    while queue:
        path = queue.popleft()
        if goal(path[-1]):
            return path
        for nxt in children.get(path[-1], []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(path + [nxt])
    return None


def test_graphql_asset_graph_leads_from_raw_ledger_to_the_published_report(webserver):
    nodes = _asset_nodes(webserver)
    assert nodes, "no asset nodes served"
    deps = {"/".join(n["assetKey"]["path"]): ["/".join(d["path"]) for d in n["dependencyKeys"]] for n in nodes}
    children: dict[str, list[str]] = {}
    for key, parents in deps.items():
        for parent in parents:
            children.setdefault(parent, []).append(key)

    assert "raw/ledger" in deps
    to_report = _shortest_path(children, "raw/ledger", lambda k: k == "marts/rpt_campaign_stats")
    assert to_report, "marts/rpt_campaign_stats is not downstream of raw/ledger"
    to_published = _shortest_path(children, "marts/rpt_campaign_stats", lambda k: k.startswith("published/"))
    assert to_published, "nothing published downstream of marts/rpt_campaign_stats"
    path = to_report + to_published[1:]
    layers = [step.split("/")[0] for step in path]
    for layer in ("raw", "staging", "intermediate", "marts", "published"):
        assert layer in layers, (layer, path)
    assert layers.index("staging") < layers.index("intermediate") < layers.index("marts")


def test_every_asset_has_a_group_and_a_description(webserver):
    nodes = _asset_nodes(webserver)
    missing = ["/".join(n["assetKey"]["path"]) for n in nodes
               if not n["groupName"] or not (n["description"] or "").strip()]
    assert not missing
