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


LOCATION_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _port_taken(log: Path) -> bool:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "address already in use" in text.lower() or "errno 98" in text.lower()


def _start(tmp: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Start the webserver on a free port; if another process took the port in between
    (the pick cannot be atomic), start again on a new one instead of failing."""
    exe = Path(sys.executable).with_name("dagster-webserver")
    for attempt in range(5):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = tmp / f"webserver{attempt}.log"
        proc = subprocess.Popen(
            [str(exe), "-m", "pipelines.defs", "-h", "127.0.0.1", "-p", str(port)],
            cwd=settings.PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(log, "w"),
        )  # noqa: SIM115
        base = f"http://127.0.0.1:{port}"
        # No deadline: on a busy machine the server may take minutes; it either answers
        # or exits, and an exit says why.
        while proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=30) as r:
                    if r.status == 200:
                        return proc, base
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        if not _port_taken(log):
            pytest.fail(f"webserver did not start:\n{log.read_text()[-3000:]}")
    pytest.fail("no free port after 5 attempts")


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("webserver")
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copyfile(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARMHEART_")}
    env.update(
        DAGSTER_HOME=str(home),
        WARMHEART_RAW_DIR=str(tmp / "raw"),
        WARMHEART_MARTS_DIR=str(tmp / "marts"),
        WARMHEART_WAREHOUSE=str(tmp / "wh.duckdb"),
    )
    proc, base = _start(tmp, env)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _graphql(base: str, query: str) -> dict:
    req = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["data"]


def _asset_nodes(base: str) -> list[dict]:
    # The code location loads in the background: wait until it has loaded (or failed to).
    while True:
        [entry] = _graphql(base, LOCATION_QUERY)["workspaceOrError"]["locationEntries"]
        if entry["loadStatus"] == "LOADED":
            break
        time.sleep(1)
    loaded = entry["locationOrLoadError"]
    assert loaded["__typename"] == "RepositoryLocation", loaded.get("message")
    nodes = _graphql(base, QUERY)["assetNodes"]
    assert len(nodes) > 40, "the asset graph is missing most assets"
    return nodes


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
    deps = {
        "/".join(n["assetKey"]["path"]): ["/".join(d["path"]) for d in n["dependencyKeys"]]
        for n in nodes
    }
    children: dict[str, list[str]] = {}
    for key, parents in deps.items():
        for parent in parents:
            children.setdefault(parent, []).append(key)

    assert "raw/ledger" in deps
    to_report = _shortest_path(children, "raw/ledger", lambda k: k == "marts/rpt_campaign_stats")
    assert to_report, "marts/rpt_campaign_stats is not downstream of raw/ledger"
    to_published = _shortest_path(
        children, "marts/rpt_campaign_stats", lambda k: k.startswith("published/")
    )
    assert to_published, "nothing published downstream of marts/rpt_campaign_stats"
    path = to_report + to_published[1:]
    layers = [step.split("/")[0] for step in path]
    for layer in ("raw", "staging", "intermediate", "marts", "published"):
        assert layer in layers, (layer, path)
    assert layers.index("staging") < layers.index("intermediate") < layers.index("marts")


def test_every_asset_has_a_group_and_a_description(webserver):
    nodes = _asset_nodes(webserver)
    missing = [
        "/".join(n["assetKey"]["path"])
        for n in nodes
        if not n["groupName"] or not (n["description"] or "").strip()
    ]
    assert not missing
