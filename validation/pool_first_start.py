"""What a program's first multiprocessing Pool costs beyond a later one, against a first Process start's extra
(docs/model.md, "A program's first Pool": the matrix's `processes-pool2` points were 3-7% fast, ~8 ms).

In each of PROGRAMS new interpreters (the harness's imports first, then an Event, as the harness creates its
`stop` before its clock starts), four rounds with the fork start method of either two Process children started
and joined, or a Pool(2) built and one `apply_async` waited for; prints each program's first round and the middle
of its later three, in ms, and the median of first less later over the programs.

    flock /work/machine.lock .venv/bin/python validation/pool_first_start.py [PROGRAMS]
"""
import json
import subprocess
import sys
import time

now = time.perf_counter_ns


def job(x):
    return x


def rounds(what, count=4):
    """In this interpreter: `count` rounds of `what` ("process" or "pool"), each's time in ms."""
    import argparse  # noqa: F401 - the harness's imports, so that the first round does not pay for them
    import hashlib  # noqa: F401
    import multiprocessing
    import socket  # noqa: F401
    import threading  # noqa: F401
    import urllib.request  # noqa: F401

    context = multiprocessing.get_context("fork")
    stop = context.Event()  # noqa: F841 - as the harness's, before the clock
    out = []
    for _ in range(count):
        start = now()
        if what == "pool":
            pool = context.Pool(2)
            pool.apply_async(job, (1,)).wait()
            elapsed = now() - start
            pool.close()
            pool.join()
        else:
            children = [context.Process(target=job, args=(1,)) for _ in range(2)]
            for child in children:
                child.start()
            for child in children:
                child.join()
            elapsed = now() - start
        out.append(elapsed / 1e6)
    return out


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--rounds":
        print(json.dumps(rounds(sys.argv[2])))
        return
    programs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for what in ("process", "pool"):
        pairs = []
        for _ in range(programs):
            child = subprocess.run([sys.executable, __file__, "--rounds", what], capture_output=True, text=True,
                                   check=True, timeout=60)
            times = json.loads(child.stdout)
            pairs.append((times[0], sorted(times[1:])[1]))
        extra = sorted(first - later for first, later in pairs)[len(pairs) // 2]
        print("%-7s first/later ms: %s   first's extra, median: %.1f ms"
              % (what, " ".join("%.1f/%.1f" % pair for pair in pairs), extra))


if __name__ == "__main__":
    main()
