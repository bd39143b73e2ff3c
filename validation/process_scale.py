"""Where does the time of starting, running and joining n processes go, per start method? (issue #8's
processes rows: `processes-fork-32` +21%, `processes-spawn-4` −24%)

Per start method and count n, n processes each run what the harness's child runs (`harness.process_child`: one
task of WORK_MS of the pure-Python loop, sized from the parent's timing of the loop, its record written to a
file) started one after another and joined, as `harness.run_processes` does. A spawn or forkserver child runs
this script again as its main script, not harness.py (a few ms less a start: `--main-cost`). Configurations alternate round by round (A B C ... A B C ...), so that the VM's
speed modes (validation/speed_modes.py) meet each. Per run:
- wall: the parent's start() loop, and until the last join returned;
- CPU: the parent's own (RUSAGE_SELF) in the loop and in all; the reaped children's (RUSAGE_CHILDREN: fork and
  spawn children, their exit included; a forkserver child is the server's, so there it is the children's own
  figure below); each child's own CPU when its target began and when its task ended (RUSAGE_SELF inside it);
- each child's first line of its target, relative to its start() call: how long a start takes to reach Python.
The exit (spawn's ends in sys.exit, the interpreter's finalization; fork's and forkserver's in os._exit) is the
reaped children's CPU less their own at the end of their task.

    flock /work/machine.lock .venv/bin/python validation/process_scale.py [--methods fork,forkserver,spawn]
        [--counts 1,4,8,16,32] [--work-ms 0,5] [--rounds 3] [--json OUT]

Prints per configuration the medians over the rounds, in ms.

    flock /work/machine.lock .venv/bin/python validation/process_scale.py --main-cost REPS [--methods ...]

What the main script a spawn or forkserver child runs again costs it (`main_cost`).

    ... --first-start REPS      a program's first start against its next ones, in REPS new interpreters
    ... --as-harness            the children run harness.process_child itself, harness.py their main script
"""
import json
import multiprocessing
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import harness  # noqa: E402 - the child real runs start

now = time.monotonic_ns


def cpu_ns(who):
    usage = resource.getrusage(who)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def child(index, task, stop, created, path):
    """harness.process_child, with the child's CPU and clock at its first line and after its task."""
    entered, entered_cpu = now(), cpu_ns(resource.RUSAGE_SELF)
    record = harness.new_record(index, multiprocessing.current_process().name, created)
    harness.run_blocking_task(task, record, stop, "", 1 << 22)
    record["probe"] = [entered, entered_cpu, now(), cpu_ns(resource.RUSAGE_SELF)]
    harness.write_json_atomically(path, record)


def one_run(context, n, iterations, work_dir):
    stop = context.Event()
    paths = [os.path.join(work_dir, "task-%d.json" % i) for i in range(n)]
    task = {"ops": [["py", iterations]], "background": False}
    processes = [context.Process(target=child, args=(i, task, stop, now(), paths[i])) for i in range(n)]
    children_cpu, parent_cpu = cpu_ns(resource.RUSAGE_CHILDREN), cpu_ns(resource.RUSAGE_SELF)
    t0 = now()
    started_at = []
    for p in processes:
        started_at.append(now())
        p.start()
    spawned, loop_cpu = now(), cpu_ns(resource.RUSAGE_SELF)
    for p in processes:
        p.join()
    end = now()
    parent_all, children_all = cpu_ns(resource.RUSAGE_SELF) - parent_cpu, cpu_ns(resource.RUSAGE_CHILDREN) - children_cpu
    records = []
    for path in paths:
        with open(path) as f:
            records.append(json.load(f))
        os.remove(path)
    first_line = [r["probe"][0] - s for r, s in zip(records, started_at)]
    own_start_cpu = [r["probe"][1] for r in records]
    own_cpu = [r["probe"][3] for r in records]
    return {"loop": spawned - t0, "total": end - t0, "parent_loop_cpu": loop_cpu - parent_cpu,
            "parent_cpu": parent_all, "children_cpu": children_all,
            "first_line": first_line, "own_start_cpu": own_start_cpu, "own_cpu": own_cpu,
            "last_end": max(r["probe"][2] for r in records) - t0}


def harness_run(context, n, iterations, work_dir):
    """n children of `harness.process_child` itself, started and joined as `harness.run_processes` does:
    (loop, total, reaped children's CPU) in ns."""
    stop = context.Event()
    task = {"ops": [["py", iterations]], "background": False}
    paths = [os.path.join(work_dir, "task-%d.json" % i) for i in range(n)]
    processes = [context.Process(target=harness.process_child, args=(i, task, stop, "", 1 << 22, now(), paths[i]))
                 for i in range(n)]
    children = cpu_ns(resource.RUSAGE_CHILDREN)
    t0 = now()
    for p in processes:
        p.start()
    spawned = now()
    for p in processes:
        p.join()
    end = now()
    for path in paths:
        os.remove(path)
    return spawned - t0, end - t0, cpu_ns(resource.RUSAGE_CHILDREN) - children


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main():
    # Imported here, not at the top: a spawn or forkserver child imports this module again as __mp_main__,
    # and the harness's children pay only harness.py's imports (as calibrate.py's _statistics says).
    import argparse
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("--methods", default="fork,forkserver,spawn")
    parser.add_argument("--counts", default="1,4,8,16,32")
    parser.add_argument("--work-ms", default="0,5")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json")
    parser.add_argument("--first-start", type=int, metavar="REPS",
                        help="instead: in REPS new interpreters, a program's first start + join per start method "
                             "against its next ones")
    parser.add_argument("--first-start-child", help=argparse.SUPPRESS)
    parser.add_argument("--as-harness", action="store_true",
                        help="the children run harness.process_child itself, with harness.py as their main script "
                             "(only the walls and the reaped children's CPU are then known)")
    parser.add_argument("--main-cost", type=int, metavar="REPS",
                        help="instead: one noop start + join per start method with each main script the children "
                             "run again (calibrate.py, harness.py, none), alternating, REPS times")
    args = parser.parse_args()
    if args.main_cost:
        return main_cost(args.methods.split(","), args.main_cost)
    if args.first_start_child:
        return first_start_child(args.first_start_child)
    if args.first_start:
        return first_start(args.methods.split(","), args.first_start)
    harness.burn_python(300_000)
    per_ms = 1_000_000 * 1_000_000 / median([_timed(1_000_000) for _ in range(5)])  # loop iterations a ms
    configs = [(m, n, w) for m in args.methods.split(",") for w in map(float, args.work_ms.split(","))
               for n in map(int, args.counts.split(","))]
    contexts = {m: multiprocessing.get_context(m) for m in args.methods.split(",")}
    if "forkserver" in contexts:
        p = contexts["forkserver"].Process(target=harness.burn_python, args=(1,))
        p.start()
        p.join()  # starts the server itself, which later starts reuse (as calibrate.py does)
    results = {c: [] for c in configs}
    if args.as_harness:
        sys.modules["__main__"].__file__ = MAIN_SCRIPTS["harness.py"]
        with tempfile.TemporaryDirectory() as work_dir:
            for _ in range(args.rounds):
                for m, n, w in configs:
                    results[(m, n, w)].append(harness_run(contexts[m], n, max(1, int(w * per_ms)), work_dir))
        print("method      n  work | loop  total | children cpu/n")
        for (m, n, w), runs in results.items():
            print("%-10s %2d %5.1f | %6.1f %6.1f | %6.2f" % (m, n, w, median([r[0] for r in runs]) / 1e6,
                                                          median([r[1] for r in runs]) / 1e6,
                                                          median([r[2] for r in runs]) / n / 1e6))
        return
    with tempfile.TemporaryDirectory() as work_dir:
        for _ in range(args.rounds):
            for m, n, w in configs:
                results[(m, n, w)].append(one_run(contexts[m], n, max(1, int(w * per_ms)), work_dir))
    ms = 1e6
    print("method      n  work | loop  total  last_end | parent loop cpu  parent cpu | children cpu/n  own cpu/n  "
          "own start cpu | first line: median  max")
    out = []
    for (m, n, w), runs in results.items():
        row = {"method": m, "n": n, "work_ms": w}
        for key in ("loop", "total", "last_end", "parent_loop_cpu", "parent_cpu", "children_cpu"):
            row[key] = median([r[key] for r in runs]) / ms
        row["own_cpu"] = median([sum(r["own_cpu"]) / n for r in runs]) / ms
        row["own_start_cpu"] = median([median(r["own_start_cpu"]) for r in runs]) / ms
        row["first_line"] = median([median(r["first_line"]) for r in runs]) / ms
        row["first_line_max"] = median([max(r["first_line"]) for r in runs]) / ms
        out.append(row)
        print("%-10s %2d %5.1f | %6.1f %6.1f %6.1f | %6.2f %6.2f | %6.2f %6.2f %6.2f | %6.1f %6.1f" % (
            m, n, w, row["loop"], row["total"], row["last_end"], row["parent_loop_cpu"], row["parent_cpu"],
            row["children_cpu"] / n, row["own_cpu"], row["own_start_cpu"], row["first_line"], row["first_line_max"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": out, "runs": [[list(c), r] for c, r in results.items()]}, f)


MAIN_SCRIPTS = {"calibrate.py": os.path.join(os.path.dirname(harness.__file__), "calibrate.py"),
                "harness.py": os.path.join(os.path.dirname(harness.__file__), "harness.py"), "none": None}


def main_cost(methods, reps):
    """A spawn or forkserver child runs the parent's main script again (multiprocessing/spawn.py,
    `_fixup_main_from_path`: runpy.run_path compiles it from source, then runs its imports); Python 3.11's
    forkserver was meant to run it once in the server (`preload` ['__main__']), but `ensure_running` passes the
    keys {'main_path', 'sys_path'} while `get_preparation_data` names it 'init_main_from_path', so the server
    never does. What the children's main script costs: a noop child (target os.getpid, picklable from
    anywhere) started and joined with `__main__.__file__` pointed at each script in turn (multiprocessing reads
    it there), alternating."""
    main_module = sys.modules["__main__"]
    own = main_module.__file__
    contexts = {m: multiprocessing.get_context(m) for m in methods}
    samples = {(m, name, event): [] for m in methods for name in MAIN_SCRIPTS for event in (False, True)}
    try:
        for m in methods:
            if m == "forkserver":
                p = contexts[m].Process(target=os.getpid)
                p.start()
                p.join()
        for _ in range(reps):
            for (m, name, event), runs in samples.items():
                path = MAIN_SCRIPTS[name]
                if path is None:
                    main_module.__dict__.pop("__file__", None)
                else:
                    main_module.__file__ = path
                # With an Event argument, as the harness's `stop`: the child unpickles it, importing
                # multiprocessing.synchronize (and tempfile) first.
                stop = contexts[m].Event()  # kept until the join: its semaphores go with it
                children = cpu_ns(resource.RUSAGE_CHILDREN)
                start = now()
                p = contexts[m].Process(target=id, args=(stop,)) if event else contexts[m].Process(target=os.getpid)
                p.start()
                p.join()
                runs.append((now() - start, cpu_ns(resource.RUSAGE_CHILDREN) - children))
    finally:
        main_module.__file__ = own
    print("method      main script     Event  start+join wall (median, min-max)   reaped children's CPU (median)")
    for (m, name, event), runs in samples.items():
        walls = [w for w, _ in runs]
        print("%-10s  %-14s  %-5s  %6.1f ms (%.1f-%.1f)  %6.1f ms" % (m, name, event, median(walls) / 1e6, min(walls) / 1e6,
                                                            max(walls) / 1e6, median([c for _, c in runs]) / 1e6))


def first_start_child(method):
    """In this new interpreter: an Event first (as the harness creates `stop` before its clock starts, which
    starts multiprocessing's resource tracker for spawn and forkserver), then four noop children started and
    joined one after another, the children running harness.py as their main script; prints their times."""
    sys.modules["__main__"].__file__ = MAIN_SCRIPTS["harness.py"]
    context = multiprocessing.get_context(method)
    stop = context.Event()
    times = []
    for _ in range(4):
        start = now()
        p = context.Process(target=os.getpid)
        p.start()
        p.join()
        times.append(now() - start)
    del stop
    print(json.dumps(times))


def first_start(methods, reps):
    """A program's first start of a start method against its next ones: the forkserver's first start starts the
    server itself (a new interpreter: `ForkServer.ensure_running` spawns `python -c 'from
    multiprocessing.forkserver import main; main(...)'`, and the parent's first request waits until it accepts).
    Each repetition is a new interpreter (this script), the methods alternating."""
    import subprocess

    samples = {m: [] for m in methods}
    for _ in range(reps):
        for m in methods:
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--first-start-child", m],
                                 check=True, capture_output=True, text=True).stdout
            samples[m].append(json.loads(out.strip().splitlines()[-1]))
    print("method      first start+join   next ones   first - median of next (median, min-max over programs)")
    for m, runs in samples.items():
        extra = [r[0] - median(r[1:]) for r in runs]
        print("%-10s  %7.1f ms  %7.1f ms   %6.1f ms (%.1f-%.1f)" % (m, median([r[0] for r in runs]) / 1e6,
                                                                 median([median(r[1:]) for r in runs]) / 1e6,
                                                                 median(extra) / 1e6, min(extra) / 1e6, max(extra) / 1e6))


def _timed(iterations):
    start = now()
    harness.burn_python(iterations)
    return now() - start


if __name__ == "__main__":
    main()
