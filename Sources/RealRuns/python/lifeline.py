"""Ends this process when the process that started it dies, even by SIGKILL.

`simulate` starts the latency server, the harness and the calibration in their own process groups; Ctrl-C
and SIGTERM reach them through the tool's handlers, but a SIGKILL of `simulate` runs no handler. On Linux,
prctl(PR_SET_PDEATHSIG, SIGKILL) asks the kernel to kill this process when its parent exits
(man 2 PR_SET_PDEATHSIG). The parent may already be gone before prctl runs, so the parent's pid (passed by
`simulate` in SIMULATE_PARENT_PID) is checked once right after.

Forked children (multiprocessing's fork start method, pools) get the same arrangement through
os.register_at_fork, with the forking process as their parent. No thread is started: a watchdog thread would
take the GIL and perturb the very timings the harness measures.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # include/uapi/linux/prctl.h


def _alive(pid):
    """Whether process `pid` exists (signal 0 checks without sending anything, kill(2))."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _arm(parent):
    """Dies with its parent; exits at once if `parent` (a pid, or None for unknown) is already gone.

    `parent` need not be this process's parent: a forkserver child is forked by the forkserver, which
    multiprocessing started from the harness, and it imports this module (with the harness as `__mp_main__`)
    only after that fork, with the harness's pid in SIMULATE_PARENT_PID. So the check is that `parent` still
    exists, not that it is getppid()."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is not None and parent != os.getppid() and not _alive(parent):
        os._exit(1)


_given = os.environ.get("SIMULATE_PARENT_PID", "")
_arm(int(_given) if _given.isdigit() else None)
# Processes this one starts with exec (multiprocessing's spawn) check against this process.
os.environ["SIMULATE_PARENT_PID"] = str(os.getpid())

_forking = [None]


def _before_fork():
    _forking[0] = os.getpid()


def _after_fork_in_child():
    _arm(_forking[0])
    os.environ["SIMULATE_PARENT_PID"] = str(os.getpid())


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
