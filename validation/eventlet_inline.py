"""Why eventlet's tpool sometimes ran a call on the hub thread (the harness's flaky "a pool of 2"): naming the
worker with eventlet's green `threading.current_thread()` from inside a real thread holds the import lock for a
moment (eventlet/green/threading.py enumerates threads through eventlet.patcher.patch_function, whose
SysModulesSaver takes `imp.acquire_lock()`), and `tpool.execute` runs its call inline in the caller whenever
that lock is held (eventlet/tpool.py: `imp.lock_held()`). Counts the calls that ran on the hub thread, naming
the worker with the green or with the unpatched `current_thread`; a 1 us switch interval makes the race common.

Usage: .venv/bin/python validation/eventlet_inline.py {green,unpatched}

Measured 2026-12-02 (the second host, machine lock held, the two in turn, three times each): green 130, 113
and 470 of 1600 calls on the hub thread; unpatched 0, 0 and 0.
"""
import eventlet; eventlet.monkey_patch()  # noqa: E702 - first, as eventlet asks
import sys, threading  # noqa: E401,E402
from eventlet import tpool, patcher  # noqa: E402
unpatched = patcher.original("threading")
use_unpatched = sys.argv[1] == "unpatched"; sys.setswitchinterval(1e-6)  # noqa: E702
hub = threading.get_native_id()
tpool.set_num_threads(2); tpool.execute(int)  # noqa: E702


def work():
    x = 0
    for i in range(2000): x += i  # noqa: E701
    # What the harness's timed_in_worker does to name the worker.
    t = unpatched.current_thread() if use_unpatched else threading.current_thread()  # noqa: F841
    return threading.get_native_id()


inline = 0; total = 0  # noqa: E702


def calls():
    global inline, total
    for _ in range(200):
        tid = tpool.execute(work)
        total += 1
        inline += tid == hub


pool = eventlet.GreenPool(8)
for _ in range(8): pool.spawn(calls)  # noqa: E701
pool.waitall()
print("%s current_thread: %d of %d calls ran on the hub thread" % (sys.argv[1], inline, total))
