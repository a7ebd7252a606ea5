"""Keep a child process from outliving its parent: ``exit_with_parent(parent_pid)``.

``workbench serve`` starts its queue worker with ``--parent-pid``; without this, a server
killed outright (``kill -9``, out of memory) leaves its worker running, and every restart
of the server adds one more. On Linux the kernel sends SIGTERM the moment the parent goes
(``prctl(PR_SET_PDEATHSIG)``); everywhere a thread also polls ``os.getppid()``, which changes
once the parent is gone and the child is re-parented. Either way the process gets SIGTERM,
so it stops as it would under a service manager.

Not a supervisor: the parent restarts a dead child (workbench/supervisor.py).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

# From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int, *, use_prctl: bool = True, interval: float = 1.0) -> None:
    """Make this process receive SIGTERM once ``parent_pid`` (its parent) has died.

    ``use_prctl=False`` leaves only the portable poll, every ``interval`` seconds.
    """
    if use_prctl and sys.platform.startswith("linux"):
        _set_parent_death_signal(signal.SIGTERM)
    # The parent may have died before the kernel was told to watch it.
    if os.getppid() != parent_pid:
        _orphaned(parent_pid)
        return
    threading.Thread(target=_watch, args=(parent_pid, interval), name="parent-watch", daemon=True).start()


def _set_parent_death_signal(signum: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
    except (OSError, AttributeError) as error:
        log.warning("prctl is not available (%s); watching the parent by polling only", error)


def _watch(parent_pid: int, interval: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(interval)
    _orphaned(parent_pid)


def _orphaned(parent_pid: int) -> None:
    log.warning("parent process %s is gone; stopping", parent_pid)
    os.kill(os.getpid(), signal.SIGTERM)
