"""Does a task cost more as a new process's first task than in the warm parent? (issue #8's processes rows)

For each CPU kind the harness runs (pure-Python loop, `7777 ** n`, sha256) and each size (the work's duration
in the warm parent), per start method: the same task timed in the parent (which has run it before, like the
harness's parent after `rescale_to_current_speed`), then as the first and the second task of a new child
(started with that method, the work function the harness's own, from harness.py). Parent and child alternate
(A B A B ...), so that the VM's speed modes (validation/speed_modes.py) meet both; each figure is the median of
the paired differences. Per task: its thread's CPU time, wall time and minor page faults (getrusage
RUSAGE_THREAD). The child's start-up is not in any figure: only its task.

    flock /work/machine.lock .venv/bin/python validation/child_warmth.py [--kinds py,pow,sha] [--ms 5,30,120]
        [--methods fork,forkserver,spawn] [--reps 8] [--json OUT]
    ... --kinds io --io-calls 1,3,10   (urlopen calls with no delay, to a latency server the probe starts)
"""
import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import harness  # noqa: E402 - the work functions real runs time

SHA_CHUNK = 1 << 22
# Each kind's work function's cost grows like amount ** power (long_pow like n^1.58): used to size the work.
KINDS = {"py": (1_000_000, 1.0), "pow": (100_000, 1.58), "sha": (1 << 24, 1.0)}


BASE_URL = os.environ.get("CHILD_WARMTH_SERVER", "")


def io_calls(calls):
    """`calls` blocking GETs with no server delay, as a processes task's I/O steps run them."""
    for _ in range(calls):
        harness.blocking_get(BASE_URL, 0)


def timed_task(kind, amount):
    """One task: (thread CPU ns, wall ns, minor faults) of the harness's function for the kind."""
    function, args = (io_calls, (amount,)) if kind == "io" else harness.cpu_call([kind, amount], SHA_CHUNK)
    faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    cpu, wall = time.thread_time_ns(), time.monotonic_ns()
    function(*args)
    wall, cpu = time.monotonic_ns() - wall, time.thread_time_ns() - cpu
    return cpu, wall, resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - faults


def child(kind, amount, tasks, connection):
    """A new process's first `tasks` tasks, as the harness's children run them (a pool's worker runs several)."""
    connection.send([timed_task(kind, amount) for _ in range(tasks)])
    connection.close()


def in_child(context, kind, amount, tasks):
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=child, args=(kind, amount, tasks, sender))
    process.start()
    sender.close()
    timings = receiver.recv()
    process.join()
    return timings


def sized(kind, target_ms):
    """The amount of the kind's work that takes about target_ms in this (warm) process (for io: the calls)."""
    if kind == "io":
        return max(1, int(target_ms))
    amount, power = KINDS[kind]
    for _ in range(2):
        took = sorted(timed_task(kind, amount)[0] for _ in range(3))[1]
        amount = max(1, int(amount * (target_ms * 1e6 / max(1, took)) ** (1 / power)))
    return amount


def start_server(warm):
    """The harness's latency server, on a free port; its base URL goes to the children in the environment."""
    import subprocess
    import tempfile

    port_file = os.path.join(tempfile.mkdtemp(), "port")
    server = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(harness.__file__), "server.py"),
                               "--port-file", port_file])
    while not os.path.exists(port_file):
        time.sleep(0.01)
    with open(port_file) as f:
        os.environ["CHILD_WARMTH_SERVER"] = "http://127.0.0.1:%s/" % f.read().strip()
    global BASE_URL
    BASE_URL = os.environ["CHILD_WARMTH_SERVER"]
    if warm:
        io_calls(20)  # the parent's calls are warm (the harness's parent never calls before its children do)
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kinds", default="py,pow,sha")
    parser.add_argument("--ms", default="5,30,120")
    parser.add_argument("--methods", default="fork,forkserver,spawn")
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--tasks", type=int, default=2, help="tasks per child (the first, the second, ...)")
    parser.add_argument("--json", help="also write the rows here")
    parser.add_argument("--io-calls", default="1,3,10", help="for the io kind: calls per task")
    parser.add_argument("--cold-parent", action="store_true",
                        help="the parent makes no call before forking (as the harness's parent): io is then timed in "
                             "children only, the first task against the second")
    args = parser.parse_args()
    server = None
    if "io" in args.kinds.split(","):
        server = start_server(not args.cold_parent)
    harness.sha_buffer(SHA_CHUNK)  # as the harness's parent: before any timing, inherited by fork children
    contexts = {m: multiprocessing.get_context(m) for m in args.methods.split(",")}
    if "forkserver" in contexts:
        in_child(contexts["forkserver"], "py", 1, 1)  # the server's own start is not a task's
    cases = [(k, ms, sized(k, float(ms))) for k in args.kinds.split(",")
             for ms in (args.io_calls if k == "io" else args.ms).split(",")]
    rows = []
    print("kind size method   | parent cpu | child#1 cpu  +extra (ratio) faults | child#2 +extra faults | #1 - #2")
    for kind, ms, amount in cases:
        for method, context in contexts.items():
            parent, first, later = [], [], []
            cold = args.cold_parent and kind == "io"
            for _ in range(args.reps):
                parent.append((0, 0, 0) if cold else timed_task(kind, amount))
                timings = in_child(context, kind, amount, args.tasks)
                first.append(timings[0])
                later.append(timings[1:])
            med = statistics.median
            extra1 = med(f[0] - p[0] for f, p in zip(first, parent))
            extra1_wall = med(f[1] - p[1] for f, p in zip(first, parent))
            extra2 = med(l[0][0] - p[0] for l, p in zip(later, parent)) if args.tasks > 1 else None
            over_second = med(f[0] - l[0][0] for f, l in zip(first, later)) if args.tasks > 1 else None
            row = {"kind": kind, "ms": float(ms), "amount": amount, "method": method,
                   "parent_cpu_ns": med(p[0] for p in parent), "parent_faults": med(p[2] for p in parent),
                   "first_cpu_ns": med(f[0] for f in first), "first_extra_cpu_ns": extra1,
                   "first_extra_wall_ns": extra1_wall, "first_faults": med(f[2] for f in first),
                   "second_extra_cpu_ns": extra2, "first_over_second_cpu_ns": over_second,
                   "second_faults": med(l[0][2] for l in later) if args.tasks > 1 else None,
                   "first_extra_samples_ns": [f[0] - p[0] for f, p in zip(first, parent)]}
            rows.append(row)
            print("%-4s %4s %-10s | %7.2f ms | %7.2f ms %+6.2f ms (%.3f) %5d | %+6.2f ms %5d | %+6.2f ms" % (
                kind, ms, method, row["parent_cpu_ns"] / 1e6, row["first_cpu_ns"] / 1e6, extra1 / 1e6,
                row["first_cpu_ns"] / max(1, row["parent_cpu_ns"]), row["first_faults"],
                (extra2 or 0) / 1e6, row["second_faults"] or 0, (over_second or 0) / 1e6), flush=True)
    if server is not None:
        server.kill()
        server.wait()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
