"""dbt started ahead of the model step: its imports overlap the run's own start-up.

`warmheart-dbt` spends its first seconds importing dbt (1.3 s on a quiet machine, 3 s on
a slow one) before it reads a byte of the project, and the model step waits for it.
`make run` starts one such process as its own first act (`start()`): it imports dbt on
the second core while the run imports Dagster and ingests, then waits on a Unix socket
the run listens on. When dagster-dbt starts `warmheart-dbt build`, that process finds
the socket in the environment (WARMHEART_DBT_WARM) and becomes a client (`run_client`):
it hands over its arguments, working folder, environment and its stdin, stdout and
stderr (the descriptors themselves, SCM_RIGHTS), forwards the signals it gets, and exits
with the exit code the warm process sends back. dagster-dbt reads the same stdout
either way.

The warm process serves one command and exits. It dies with the run (PR_SET_PDEATHSIG,
as `warmheart-dbt`) and with its client: a client that disappears (killed, as dagster-dbt
does with a dbt that will not stop) takes its dbt with it. No socket, a socket nobody
listens on any more, or any other failure to connect: the client runs dbt itself, as
before.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WARM_ENV = "WARMHEART_DBT_WARM"
_HEADER = 16  # a length or an exit code, as 16 ASCII digits
_STDIO = (0, 1, 2)


@dataclass
class WarmDbt:
    """The run's side: the process started ahead, its socket, and the folder holding it."""

    process: subprocess.Popen[bytes]
    path: Path

    def served(self) -> bool:
        """Whether the warm process took a command (it removes its socket when it does)."""
        return not self.path.exists()

    def stop(self) -> bool:
        """End the warm process: one still waiting is killed, one that took a command is
        given the time to send its exit code (its client has returned by now). Whether it
        had taken a command."""
        served = self.served()
        if served:
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.path.unlink(missing_ok=True)
        self.path.parent.rmdir()
        return served


def start() -> WarmDbt | None:
    """Start the warm dbt process (None when no socket can be made here: dbt starts cold);
    the run exports `WARM_ENV` = `.path` when the step may use it. The socket is bound and
    listening before the process starts, so a client that comes while dbt is still
    importing waits in the queue instead of missing it."""
    folder = Path(tempfile.mkdtemp(prefix="warmheart-dbt-"))
    path = folder / "dbt.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))  # fails on a socket path over 107 bytes (a long TMPDIR)
        listener.listen(1)
    except OSError:
        listener.close()
        folder.rmdir()
        return None
    # The venv's `warmheart-dbt`, as dagster-dbt starts it (dbt's messages name "dbt").
    script = Path(sys.executable).with_name("warmheart-dbt")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pipelines.dbt_child"]
    process = subprocess.Popen(
        [*command, "--warm", str(listener.fileno())],
        pass_fds=(listener.fileno(),),
        stdin=subprocess.DEVNULL,
    )
    # Only the warm process listens: once it has taken its one client (or died), a
    # connection is refused at once and the client runs dbt itself.
    listener.close()
    return WarmDbt(process, path)


# ---------------------------------------------------------------------------- the client


def run_client(path: str) -> int | None:
    """Run this process's command in the warm process at `path`; its exit code, or None
    when there is no warm process to run it (the caller runs dbt itself)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    payload = json.dumps(
        {"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}
    ).encode()
    try:
        socket.send_fds(conn, [f"{len(payload):0{_HEADER}d}".encode()], list(_STDIO))
        conn.sendall(payload)
    except OSError:  # it went between connect and send: nothing was run
        conn.close()
        return None
    # The warm process answers with its pid once it has the command: no answer, nothing ran.
    ack = _read_exactly(conn, _HEADER)
    if ack is None:
        conn.close()
        return None
    pid = int(ack)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: _forward(pid, signum))
    reply = _read_exactly(conn, _HEADER)
    conn.close()
    if reply is None:  # the warm process died without an exit code (killed)
        return 1
    return int(reply)


def _forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _read_exactly(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


# ---------------------------------------------------------------------------- the server


def serve(listener_fd: int, run: Callable[[], int]) -> None:
    """The warm process, after its imports: take one client, become its command (stdio,
    folder, environment, arguments), run `run()`, send the exit code back and exit."""
    listener = socket.socket(fileno=listener_fd)
    conn, _ = listener.accept()
    # Taken: nobody else connects, and the run sees it was used (WarmDbt.served).
    os.unlink(listener.getsockname())
    listener.close()
    msg, fds, _flags, _addr = socket.recv_fds(conn, _HEADER, len(_STDIO))
    header = msg + (_read_exactly(conn, _HEADER - len(msg)) or b"")
    request = json.loads(_read_exactly(conn, int(header)) or b"{}")
    conn.sendall(f"{os.getpid():0{_HEADER}d}".encode())
    for fd, target in zip(fds, _STDIO, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    # The client's stdout is a pipe dagster-dbt reads line by line, as PYTHONUNBUFFERED
    # makes a freshly started dbt write it.
    sys.stdout.reconfigure(line_buffering=True, write_through=True)
    sys.stderr.reconfigure(line_buffering=True, write_through=True)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["dbt", *request["argv"]]
    done = threading.Event()
    threading.Thread(target=_die_with_client, args=(conn, done), daemon=True).start()
    try:
        code = run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001 - reported on the client's stderr, as dbt would
        import traceback

        traceback.print_exc()
        code = 1
    done.set()
    sys.stdout.flush()
    sys.stderr.flush()
    import logging

    logging.shutdown()  # dbt.log's last lines
    try:
        conn.sendall(f"{code:0{_HEADER}d}".encode())
    except OSError:
        pass
    # The command is over: no interpreter teardown of dbt's thousands of modules.
    os._exit(code)


def _die_with_client(conn: socket.socket, done: threading.Event) -> None:
    """The client sends nothing more: an end of stream means it is gone."""
    try:
        conn.recv(1)
    except OSError:
        pass
    if not done.is_set():
        os.kill(os.getpid(), signal.SIGKILL)
