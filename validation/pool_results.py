"""A process Pool's results on their way back to the parent, measured (docs/model.md, "A process Pool's result
pipe and its worker handler").

A Pool(WORKERS) (fork, or POOL_START_METHOD) runs TASKS tasks of JOB_MS of Python each, as the harness does (`apply_async` per task, then
each result waited for in turn), in a new interpreter per round, alternating two ways:

- "as is": Python's own Pool. Its worker handler thread (`Pool._handle_workers`) waits on the workers' sentinels
  *and on the result pipe's reader* (`Pool._get_sentinels`, Lib/multiprocessing/pool.py, since 3.8: bpo-35493),
  so every result written wakes it, and while the result waits unread its `wait()` returns at once and it goes
  round `_maintain_pool` again, holding the parent's GIL between system calls, until the result handler
  (`Pool._handle_results`) has read the result.
- "handler off the pipe": the same with `_get_sentinels` leaving out the result pipe, so the worker handler
  sleeps until a worker exits.

Each round prints the makespan, the parent's CPU and the workers' (less the tasks' own), how many turns the worker
handler made, and how long the workers waited for the result pipe's lock (`SimpleQueue.put` writes holding
`_wlock`, Lib/multiprocessing/queues.py) and held it.

    flock /work/machine.lock .venv/bin/python validation/pool_results.py [ROUNDS [TASKS [JOB_MS [WORKERS]]]]
"""
import json
import os
import subprocess
import sys
import time


def job(loops):
    started = time.thread_time_ns()
    x = 0
    for i in range(loops):
        x += i
    return time.thread_time_ns() - started, _LOCK_STAMPS.copy(), os.getpid()


_LOCK_STAMPS = []


def one_round(tasks, job_ms, workers, off_the_pipe):
    """Runs in a new interpreter: one Pool, its figures as JSON."""
    import multiprocessing
    import multiprocessing.pool as mpp
    import multiprocessing.queues as mq
    import resource
    from multiprocessing.reduction import ForkingPickler

    ns = time.perf_counter_ns
    turns = [0]
    maintain = mpp.Pool._maintain_pool

    def counted(*args, **kwargs):
        turns[0] += 1
        return maintain(*args, **kwargs)

    mpp.Pool._maintain_pool = staticmethod(counted)
    if off_the_pipe:
        mpp.Pool._get_sentinels = lambda pool: [pool._change_notifier._reader]

    def put(queue, obj):  # SimpleQueue.put, timed: the wait for the lock and the write under it
        obj = ForkingPickler.dumps(obj)
        asked = ns()
        with queue._wlock:
            got = ns()
            queue._writer.send_bytes(obj)
        _LOCK_STAMPS.append((got - asked, ns() - got))
        del _LOCK_STAMPS[:-64]

    mq.SimpleQueue.put = put
    loops = 20_000
    while True:
        started = ns()
        job(loops)
        spent = ns() - started
        if spent > 20_000_000:
            loops = int(loops * job_ms * 1e6 / spent)
            break
        loops *= 2

    def cpu(who):
        usage = resource.getrusage(who)
        return (usage.ru_utime + usage.ru_stime) * 1e9

    parent0, children0 = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    started = ns()
    pool = multiprocessing.get_context(os.environ.get("POOL_START_METHOD", "fork")).Pool(workers)
    results = [pool.apply_async(job, (loops,)) for _ in range(tasks)]
    out = [r.get() for r in results]
    makespan = ns() - started
    parent = cpu(resource.RUSAGE_SELF) - parent0
    pool.close()
    pool.join()
    children = cpu(resource.RUSAGE_CHILDREN) - children0 - sum(o[0] for o in out)
    # Each worker's lock stamps: the last task of each worker carries all of its own (up to 64).
    last = {}
    for _, stamps, pid in out:
        last[pid] = stamps
    waits = [w for stamps in last.values() for w, _ in stamps]
    holds = [h for stamps in last.values() for _, h in stamps]
    return {"makespan_ms": makespan / 1e6, "parent_us": parent / tasks / 1e3, "worker_us": children / tasks / 1e3,
            "turns": turns[0], "lock_wait_ms": sum(waits) / 1e6, "lock_held_ms": sum(holds) / 1e6,
            "long_waits": sum(1 for w in waits if w > 300_000)}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--round":
        tasks, job_ms, workers, off = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
        print(json.dumps(one_round(tasks, job_ms, workers, off)))
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 120
    job_ms = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    print("%d tasks of %.1f ms on a %s Pool(%d); per round: makespan, the parent's and a worker's CPU per task "
          "(the tasks' own left out), the worker handler's turns, the workers' waits for the result pipe's lock "
          "(their sum, how many over 300 us) and their time holding it (the last 64 results of each worker)"
          % (tasks, job_ms, os.environ.get("POOL_START_METHOD", "fork"), workers))
    for _ in range(rounds):
        for off in (False, True):
            r = json.loads(subprocess.run([sys.executable, os.path.abspath(__file__), "--round", str(tasks), str(job_ms),
                                           str(workers), "1" if off else "0"], capture_output=True, text=True,
                                          check=True, timeout=300).stdout)
            print("  %-22s %6.1f ms  parent %5.0f us  worker %4.0f us  turns %5d  lock waits %5.1f ms (%2d long)  held %5.1f ms"
                  % ("handler off the pipe" if off else "as is", r["makespan_ms"], r["parent_us"], r["worker_us"],
                     r["turns"], r["lock_wait_ms"], r["long_waits"], r["lock_held_ms"]))


if __name__ == "__main__":
    main()
