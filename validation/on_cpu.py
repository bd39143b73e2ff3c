"""Who was on a core, from the kernel's own record: a Python program run under `perf sched record`, then, over its
timed window, how long 0, 1 or 2+ of its threads were on a core at once, and how long each of its threads took
from its wake-up (`sched_waking`) to running (`sched_switch` in), split by whether the core it was woken onto was
idle or busy at that moment. A thread that waits for the GIL sleeps in the kernel, so time with none of the
program's threads on a core is (apart from its sleeps and I/O waits) the GIL idle between two holders; the wake-up
is the kernel's and the VM's share of each hand-off, which `machine.wake_latency` stands for in the model
(docs/model.md, "trio's and curio's threads: a job handed to one thread, a result taken in a pass of its own").

The window: from the program's `MARK start <ns>` to its `MARK end <ns>` lines on stderr (CLOCK_MONOTONIC
nanoseconds; `validation/thread_trips.py` prints none, so `--thread-trips RUNTIME` runs one round of it between
marks after a warm-up round); without marks, the whole run. perf's own tracing adds a few microseconds to each
switch: its figures are upper bounds. Needs perf and the right to trace the scheduler (root here).

    flock /work/machine.lock .venv/bin/python validation/on_cpu.py --thread-trips trio
    flock /work/machine.lock .venv/bin/python validation/on_cpu.py -- PROGRAM.py ARGS...
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

EVENT = re.compile(r"\s*(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)")
WRAP = """
import os, runpy, sys
print("MARK pid", os.getpid(), file=sys.stderr, flush=True)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
TRIPS = """
import os, sys, time
print("MARK pid", os.getpid(), file=sys.stderr, flush=True)
sys.path.insert(0, %r)
import thread_trips as tt
tt.ITERATIONS = int(tt.loop_speed() * tt.J)
tt.RUNTIMES[%r]()
tt.trips.clear()
print("MARK start", time.clock_gettime_ns(time.CLOCK_MONOTONIC), file=sys.stderr)
wall, cpu = tt.RUNTIMES[%r]()
print("MARK end", time.clock_gettime_ns(time.CLOCK_MONOTONIC), file=sys.stderr)
print("%%s wall %%.1f ms, loop CPU %%.1f ms" %% (%r, wall * 1e3, cpu * 1e3))
"""


def record(command, folder):
    data = os.path.join(folder, "perf.data")
    run = subprocess.run(["perf", "sched", "record", "-k", "CLOCK_MONOTONIC", "-o", data, "--"] + command,
                         capture_output=True, text=True)
    sys.stdout.write(run.stdout)
    if run.returncode != 0:
        sys.exit("on_cpu.py: perf sched record failed (exit %d): %s" % (run.returncode, run.stderr.strip()[-400:]))
    marks = [int(x) / 1e9 for x in re.findall(r"MARK (?:start|end) (\d+)", run.stderr)]
    pid = re.search(r"MARK pid (\d+)", run.stderr)
    script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,tid,cpu,time,event,trace"],
                            capture_output=True, text=True, check=True).stdout
    return script, marks[:2] if len(marks) >= 2 else None, int(pid[1])


def analyse(script, window, program_pid):
    events, owner = [], {}
    for line in script.splitlines():
        m = EVENT.match(line)
        if m:
            owner[int(m[2])] = int(m[1])
            events.append((int(m[2]), int(m[3]), float(m[4]), m[5], m[6]))
    threads = {tid for tid, pid in owner.items() if pid == program_pid}
    start, end = window or (events[0][2], events[-1][2])
    on_core, since, waking = {}, {}, {}
    shares, last, running = {}, None, 0
    idle_target, busy_target, busy_detail = [], [], []
    for tid, cpu, t, kind, text in events:
        if kind == "sched_waking":
            m = re.search(r" pid=(\d+) .*target_cpu=(\d+)", text)
            if m and int(m[1]) in threads:
                target = int(m[2])
                current = on_core.get(target, 0)
                # What the target core ran then: one of the program's threads or another task, and for how long.
                waking[int(m[1])] = (t, current == 0, target, current in threads, t - since.get(target, t))
            continue
        if kind != "sched_switch":
            continue
        m = re.search(r"next_pid=(\d+) ", text)
        # How the core's thread left it: still runnable (R, R+: preempted), asleep, or none ran (the idle task:
        # the woken thread was pulled onto a core that had gone idle).
        preempted = "idle" if re.search(r"prev_pid=0 ", text) else re.search(r"prev_state=R", text) is not None
        if last is not None and start <= t <= end:
            shares[running] = shares.get(running, 0) + t - max(last, start)
        last = t
        on_core[cpu] = int(m[1])
        since[cpu] = t
        running = sum(1 for x in on_core.values() if x in threads)
        woken = waking.pop(int(m[1]), None)
        if woken and start <= t <= end:
            wait = (t - woken[0]) * 1e6
            (idle_target if woken[1] else busy_target).append(wait)
            if not woken[1]:
                busy_detail.append((wait, woken[3], woken[4] * 1e6, cpu == woken[2], preempted))
    return shares, idle_target, busy_target, busy_detail


def main():
    args = sys.argv[1:]
    if shutil.which("perf") is None:
        sys.exit("on_cpu.py: perf is not installed (Debian: apt-get install linux-perf)")
    if len(args) == 2 and args[0] == "--thread-trips":
        here = os.path.dirname(os.path.abspath(__file__))
        command = [sys.executable, "-c", TRIPS % (here, args[1], args[1], args[1])]
    elif len(args) >= 2 and args[0] == "--":
        command = [sys.executable, "-c", WRAP] + args[1:]
    else:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as folder:
        script, window, program = record(command, folder)
    shares, idle, busy, detail = analyse(script, window, program)
    total = sum(shares.values()) or 1
    print("window %.1f ms%s: the program's threads on a core: none %.1f ms, one %.1f ms, two or more %.1f ms" % (
        total * 1e3, "" if window else " (the whole run: no MARK lines)", shares.get(0, 0) * 1e3, shares.get(1, 0) * 1e3,
        sum(v for k, v in shares.items() if k >= 2) * 1e3))
    for name, values in (("an idle core", idle), ("a busy core", busy)):
        if values:
            values.sort()
            print("wake-up to running, onto %s: %d, median %.1f us, p90 %.1f us" % (
                name, len(values), statistics.median(values), values[int(0.9 * (len(values) - 1))]))
    # A wake-up onto a busy core by what that core ran and how long it had run: EEVDF lets a task that has just
    # been picked run on (RUN_TO_PARITY, kernel/sched/fair.c) where one that has run long is preempted at once.
    for whose in (True, False):
        for low, high in ((0, 200), (200, 1000), (1000, 4000), (4000, 1e12)):
            rows = sorted(w for w, mine, ran, same, _ in detail if mine == whose and low <= ran < high)
            here = sum(1 for w, mine, ran, same, _ in detail if mine == whose and low <= ran < high and same)
            if rows:
                print("  busy with %s, on it %s: %d, median %.1f us, p90 %.1f us, ran there %d" % (
                    "the program's thread" if whose else "another task",
                    "%d-%s us" % (low, "" if high > 1e11 else "%d" % high), len(rows), statistics.median(rows),
                    rows[int(0.9 * (len(rows) - 1))], here))
    # The long waits, by how they ended: the thread before it on the core preempted (its slice used up at a tick,
    # under EEVDF: update_curr() from task_tick_fair()) or gone to sleep (it blocked, e.g. in take_gil).
    long = [(w, ran, preempted) for w, mine, ran, same, preempted in detail if w >= 1000]
    if long:
        ends = [sum(1 for _, _, how in long if how is kind) for kind in (True, False)]
        print("  waits of 1 ms or more onto a busy core: %d, %.1f ms in all; its thread had been on it a median %.0f us;"
              " ended by a preemption %d, by the running thread blocking %d, on a core gone idle %d" % (
                  len(long), sum(w for w, _, _ in long) / 1e3, statistics.median(ran for _, ran, _ in long), ends[0],
                  ends[1], len(long) - sum(ends)))


if __name__ == "__main__":
    main()
