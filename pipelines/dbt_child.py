"""`warmheart-dbt`: dbt, started so that it dies with the run that started it.

A run's `dbt build` is a child process holding the warehouse open. If the run's main
process is killed alone (an operator's `kill`, the OOM killer), a plain child would
keep running and keep the warehouse locked, and the next run would fail. This wrapper
asks the kernel to SIGKILL it when its parent dies (prctl PR_SET_PDEATHSIG), then
runs dbt in this process with the node memo installed
(pipelines/dbt_node_memo.py).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: run dbt plainly
        pass
    if parent == 1 or os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(1)
    from dbt.cli.main import cli

    from pipelines.dbt_node_memo import install

    install()
    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
