"""A child's own CPU until its target runs, alone and beside others, per start method (docs/model.md, "A forkserver
child's start-up beside another").

`machine.start_efficiency` slows a spawn or forkserver child's start-up when every core is busy, calibrated from
spawn's reaped-children CPU at 1 and 16 children. This asks each child directly: its target (or a Pool worker's
initializer) reads `time.process_time()`, the child's own CPU since its fork or exec, and the time since the round
began. After a first start (forkserver's server, the resource tracker), ROUNDS rounds of, in turn, Pools of 1, 2
and 4 workers and 1, 4 and 16 Process children started at once; prints per count the median over the rounds of
the children's mean CPU until their target and of the last target's time.

    flock /work/machine.lock .venv/bin/python validation/start_cpu.py METHOD [ROUNDS]
"""
import argparse  # noqa: F401 - the harness's imports: a spawn or forkserver child imports them again
import hashlib  # noqa: F401
import json  # noqa: F401
import multiprocessing
import os
import statistics
import sys
import tempfile  # noqa: F401
import threading  # noqa: F401
import time
import urllib.request  # noqa: F401

SEEN = {}


def init(t0):
    SEEN["at"] = time.time() - t0
    SEEN["cpu"] = time.process_time()


def job(_):
    time.sleep(0.1)  # long enough that every worker of the pool gets one
    return dict(SEEN)


def target(q, t0):
    q.put({"at": time.time() - t0, "cpu": time.process_time(), "pid": os.getpid()})


def pool_round(ctx, n):
    t0 = time.time()
    with ctx.Pool(n, initializer=init, initargs=(t0,)) as pool:
        seen = pool.map(job, range(n), chunksize=1)
    return seen


def process_round(ctx, q, n):
    t0 = time.time()
    children = [ctx.Process(target=target, args=(q, t0)) for _ in range(n)]
    for c in children:
        c.start()
    seen = [q.get() for _ in range(n)]
    for c in children:
        c.join()
    return seen


def main():
    method = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    ctx = multiprocessing.get_context(method)
    q = ctx.Queue()
    process_round(ctx, q, 1)  # the first start: forkserver's server, the resource tracker
    rows = {}
    for _ in range(rounds):
        for n in (1, 2, 4):
            rows.setdefault(("Pool", n), []).append(pool_round(ctx, n))
        for n in (1, 4, 16):
            rows.setdefault(("Process", n), []).append(process_round(ctx, q, n))
    print(f"{method}: a child's CPU until its target (ms), median over {rounds} rounds of the children's mean; "
          "the last target's time since the round began")
    for (what, n), seen in rows.items():
        cpu = statistics.median(statistics.mean(s["cpu"] for s in r) * 1e3 for r in seen)
        last = statistics.median(max(s["at"] for s in r) * 1e3 for r in seen)
        print(f"  {what:7} x{n:<3} CPU {cpu:6.1f}   last target at {last:6.1f}")


if __name__ == "__main__":
    main()
