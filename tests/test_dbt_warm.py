"""The dbt process started ahead of the model step (pipelines/dbt_warm.py): a command handed
to it behaves as dbt started for it, and it never outlives its client."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pipelines import dbt_warm
from pipelines.dbt_project import dbt_executable

# A warm process whose command sleeps: what a long dbt build looks like to the client.
SLEEPING_SERVER = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from pipelines import dbt_warm\n"
    "started = Path(sys.argv[2])  # serve() gives sys.argv the client's arguments\n"
    "def run():\n"
    "    started.touch()\n"
    "    time.sleep(60)\n"
    "    return 0\n"
    "dbt_warm.serve(int(sys.argv[1]), run=run)\n"
)
CLIENT = (
    "import sys\n"
    "from pipelines import dbt_warm\n"
    "code = dbt_warm.run_client(sys.argv[1])\n"
    "sys.exit(99 if code is None else code)\n"
)


def _dbt(args: list[str], warm: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != dbt_warm.WARM_ENV}
    if warm is not None:
        env[dbt_warm.WARM_ENV] = warm
    return subprocess.run(
        [dbt_executable(), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_command_handed_to_the_warm_process_prints_and_exits_as_dbt_would():
    cold = _dbt(["no-such-command"], warm=None)
    warm = dbt_warm.start()
    try:
        handed = _dbt(["no-such-command"], warm=str(warm.path))
        assert warm.served()  # it ran the command and exited
        # Its one command done, it no longer listens: the next client runs dbt itself.
        after = _dbt(["no-such-command"], warm=str(warm.path))
    finally:
        assert warm.stop()
    assert cold.returncode == 2
    assert "Usage: dbt" in cold.stderr and "No such command" in cold.stderr
    for other in (handed, after):
        assert (other.returncode, other.stdout, other.stderr) == (
            cold.returncode,
            cold.stdout,
            cold.stderr,
        )
    assert not warm.path.exists()


def test_a_successful_command_exits_zero_through_the_warm_process():
    warm = dbt_warm.start()
    try:
        handed = _dbt(["--help"], warm=str(warm.path))
    finally:
        assert warm.stop()
    assert handed.returncode == 0, handed.stderr
    assert "Usage: dbt" in handed.stdout


def test_with_no_warm_process_the_command_runs_as_before(tmp_path: Path):
    gone = _dbt(["no-such-command"], warm=str(tmp_path / "nobody.sock"))
    assert gone.returncode == 2
    assert "No such command" in gone.stderr


def test_an_unused_warm_process_is_stopped_with_the_run():
    warm = dbt_warm.start()
    assert not warm.stop()  # it had served nothing
    assert warm.process.returncode is not None
    assert not warm.path.parent.exists()


@pytest.fixture
def sleeping_command(tmp_path: Path):
    """A warm process whose command takes a minute, and a client handing it over."""
    path = tmp_path / "dbt.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    started = tmp_path / "started"
    server = subprocess.Popen(
        [sys.executable, "-c", SLEEPING_SERVER, str(listener.fileno()), str(started)],
        pass_fds=(listener.fileno(),),
    )
    listener.close()
    client = subprocess.Popen([sys.executable, "-c", CLIENT, str(path)])
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), "the warm process never ran the client's command"
    yield server, client
    for process in (server, client):
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_warm_process_dies_with_its_client(sleeping_command):
    """dagster-dbt kills a dbt that does not stop; the dbt it handed its command to goes
    too (it would otherwise hold the warehouse)."""
    server, client = sleeping_command
    assert server.poll() is None
    client.kill()
    client.wait()
    assert server.wait(timeout=20) == -signal.SIGKILL


def test_a_signal_to_the_client_reaches_the_warm_process(sleeping_command):
    """dagster-dbt stops a dbt with SIGINT: the command in the warm process is interrupted
    and its exit code comes back through the client."""
    server, client = sleeping_command
    client.send_signal(signal.SIGINT)
    assert client.wait(timeout=20) == 130
    assert server.wait(timeout=20) == 130


def test_the_runs_model_step_ran_in_the_warm_process(demo_run):
    """`python -m pipelines run` (the session's demo run) started dbt ahead, and its model
    step's dbt handed its build to it."""
    from pipelines.cli import WARM_NOTE

    log = re.search(r"运行日志 run log: (\S+)", demo_run.stdout).group(1)
    assert f"{WARM_NOTE} ran the model step" in Path(log).read_text(encoding="utf-8")


def test_where_no_socket_can_be_made_dbt_starts_cold(tmp_path: Path, monkeypatch):
    """A socket path is at most 107 bytes: under a long TMPDIR no warm process is started
    and the run goes on (its dbt starts as before)."""
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    assert dbt_warm.start() is None
    assert list(deep.iterdir()) == []
