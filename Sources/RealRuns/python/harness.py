"""Runs a scenario's tasks for real under one concurrency strategy and records when each step ran.

Usage: python harness.py --plan PLAN.json --out RESULT.json [--gevent]

The plan (written by `simulate`, see Sources/RealRuns/HarnessPlan.swift) lists the strategy and, per task,
its operations already drawn by the model's workload and sized by this machine's calibration:
    ["py", iterations]     pure-Python loop (bytecode: notices GIL drop requests within microseconds)
    ["pow", exponent]      7777 ** exponent: one long_pow C call that holds the GIL to its end
    ["sha", bytes]         hashlib.sha256 over a buffer of >= 2048 bytes: releases the GIL while hashing
    ["io", delay_us]       HTTP GET to the latency server, which answers after delay_us
    ["sleep", ns]          time.sleep / gevent.sleep / asyncio.sleep
Each strategy is written the way the seed article writes it: a Thread per task and join; a Process per task
and join; gevent.spawn and gevent.wait after monkey.patch_all(); asyncio.gather of coroutines with CPU work
through loop.run_in_executor(None, ...) and I/O through one aiohttp ClientSession per task; sequential calls.

Every time is time.monotonic_ns() (CLOCK_MONOTONIC, one clock for every process of the machine), written
relative to the start of the timed section. The result is written atomically.
"""
import lifeline  # noqa: F401 - dies with simulate, even on SIGKILL (lifeline.py)
import sys

# gevent must patch the standard library before anything imports socket, threading or time (gevent docs:
# "patch as early as possible"), so the gevent strategy runs in its own interpreter and patches first.
if __name__ == "__main__" and "--gevent" in sys.argv:
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402 - after the patch on purpose
import hashlib  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

now = time.monotonic_ns

# spawn and forkserver children import this module afresh: they take the switch interval from here.
if "SIMULATE_SWITCH_INTERVAL" in os.environ:
    sys.setswitchinterval(float(os.environ["SIMULATE_SWITCH_INTERVAL"]))

# ---------------------------------------------------------------------------------------------- the work


def burn_python(iterations):
    """Pure-Python CPU work: a bytecode loop (its backward jump is an eval-breaker check site). The
    accumulator stays a one-digit int, so every iteration costs the same whatever the count."""
    flag = 0
    for _ in range(iterations):
        flag ^= 1
    return flag


def burn_pow(exponent):
    """One C call holding the GIL: `7777 ** exponent` is a single BINARY_OP running long_pow; a variable
    exponent is never constant-folded. The result is dropped, never printed (str() of it would raise)."""
    return (7777 ** exponent).bit_length()


_buffer = None


def sha_buffer(size):
    """The shared buffer hashed by `burn_sha`, created (and its pages touched) once per process."""
    global _buffer
    if _buffer is None or len(_buffer) < size:
        _buffer = memoryview(b"\x5a" * size)  # multiplication writes every byte: no page faults later
    return _buffer


def burn_sha(nbytes, chunk):
    """C code that releases the GIL: hashlib drops it for updates of 2048 bytes or more
    (HASHLIB_GIL_MINSIZE in Modules/hashlib.h). Large sizes are hashed in chunks of one shared buffer."""
    digest = hashlib.sha256()
    view = sha_buffer(chunk)
    while nbytes > 0:
        step = min(nbytes, len(view))
        digest.update(view[:step])
        nbytes -= step
    return digest.digest()


CPU_KINDS = ("py", "pow", "sha")


def cpu_call(op, chunk):
    """The function and argument realising a CPU operation (picklable, for executors)."""
    kind, amount = op[0], op[1]
    if kind == "py":
        return burn_python, (amount,)
    if kind == "pow":
        return burn_pow, (amount,)
    return burn_sha, (amount, chunk)


def timed_in_worker(function, args):
    """Runs a CPU operation in an executor thread and says where and when it ran."""
    start = now()
    function(*args)
    return threading.current_thread().name, start, now()


def blocking_get(base_url, delay_us):
    """The article's blocking I/O: urlopen(url).read(), a new connection every call."""
    with urllib.request.urlopen("%s?delay_us=%d" % (base_url, delay_us), timeout=600) as response:
        return response.read()


# ------------------------------------------------------------------------------------ one task, blocking


def new_record(task_index, lane, created):
    return {"task": task_index, "lane": lane, "pid": os.getpid(), "created": created,
            "begin": 0, "end": 0, "steps": [], "executor": []}


def task_operations(task, stop):
    """A task's operations in order, as (position, operation): a foreground task's once, a background
    task's round and round until `stop` is set."""
    ops = task["ops"]
    if not task["background"]:
        yield from enumerate(ops)
        return
    index = 0
    while ops and not stop.is_set():
        position = index % len(ops)
        yield position, ops[position]
        index += 1


def run_blocking_task(task, record, stop, base_url, chunk):
    """Runs one task's operations with blocking calls (sync, threads, processes, gevent after patching:
    time.sleep, sockets and threading.Event are then gevent's). A background task goes round its
    operations until `stop` is set."""
    steps = record["steps"]
    record["begin"] = now()
    for position, op in task_operations(task, stop):
        start = now()
        kind = op[0]
        if kind in CPU_KINDS:
            function, args = cpu_call(op, chunk)
            function(*args)
        elif kind == "io":
            blocking_get(base_url, op[1])
        elif kind == "sleep":
            time.sleep(op[1] / 1e9)
        else:
            raise ValueError("unknown operation %r in task %d" % (kind, record["task"]))
        steps.append([position, start, now()])
    record["end"] = now()
    return record


# ------------------------------------------------------------------------------------------ strategies


class NeverStop:
    """A stop flag for sync runs, which have no background tasks."""

    @staticmethod
    def is_set():
        return True


def run_sync(plan, base_url, chunk):
    """Every foreground task one after another on the main thread (background tasks cannot run here)."""
    t0 = now()
    records = []
    for i, task in enumerate(plan["tasks"]):
        if task["background"]:
            continue
        records.append(run_blocking_task(task, new_record(i, "MainThread", now()), NeverStop, base_url, chunk))
    end = now()
    return t0, end, t0, records


def run_threads(plan, base_url, chunk):
    """A Thread per task, start them all, join (the article's `threaded`); or a ThreadPoolExecutor."""
    pool = plan["strategy"].get("pool")
    stop = threading.Event()
    tasks = plan["tasks"]
    if pool:
        from concurrent.futures import ThreadPoolExecutor, wait

        def work(i, created):
            record = new_record(i, threading.current_thread().name, created)
            return run_blocking_task(tasks[i], record, stop, base_url, chunk)

        t0 = now()
        executor = ThreadPoolExecutor(max_workers=pool)
        futures = [executor.submit(work, i, now()) for i in range(len(tasks))]
        spawned = now()
        wait([f for f, t in zip(futures, tasks) if not t["background"]])
        end = now()
        stop.set()
        executor.shutdown(wait=True)
        return t0, end, spawned, [f.result() for f in futures]

    records = []
    threads = []
    t0 = now()
    for i, task in enumerate(tasks):
        record = new_record(i, "", now())
        thread = threading.Thread(target=run_blocking_task, args=(task, record, stop, base_url, chunk))
        record["lane"] = thread.name
        records.append(record)
        threads.append(thread)
    for thread in threads:
        thread.start()
    spawned = now()
    for thread, task in zip(threads, tasks):
        if not task["background"]:
            thread.join()
    end = now()
    stop.set()
    for thread in threads:
        thread.join()
    return t0, end, spawned, records


# Process children. Module-level so that spawn and forkserver can import them.
_child_state = {}


def process_child(task_index, task, stop, base_url, chunk, created, out_path):
    """A Process's target: runs one task and writes its record to its own file."""
    record = new_record(task_index, multiprocessing.current_process().name, created)
    run_blocking_task(task, record, stop, base_url, chunk)
    write_json_atomically(out_path, record)


def pool_initializer(tasks, stop, base_url, chunk):
    _child_state.update(tasks=tasks, stop=stop, base_url=base_url, chunk=chunk)


def pool_task(task_index, created):
    state = _child_state
    record = new_record(task_index, multiprocessing.current_process().name, created)
    return run_blocking_task(state["tasks"][task_index], record, state["stop"], state["base_url"], state["chunk"])


def run_processes(plan, base_url, chunk, work_dir):
    """A Process per task with the plan's start method, start them all, join (the article's
    `multiprocessed`); or a Pool of n workers."""
    strategy = plan["strategy"]
    context = multiprocessing.get_context(strategy.get("start_method") or "fork")
    stop = context.Event()
    tasks = plan["tasks"]
    pool = strategy.get("pool")
    if pool:
        t0 = now()
        workers = context.Pool(pool, initializer=pool_initializer, initargs=(tasks, stop, base_url, chunk))
        results = [workers.apply_async(pool_task, (i, now())) for i in range(len(tasks))]
        spawned = now()
        for result, task in zip(results, tasks):
            if not task["background"]:
                result.wait()
        end = now()
        stop.set()
        records = [r.get() for r in results]
        workers.close()
        workers.join()
        return t0, end, spawned, records

    paths = [os.path.join(work_dir, "task-%d.json" % i) for i in range(len(tasks))]
    processes = []
    t0 = now()
    for i, task in enumerate(tasks):
        p = context.Process(target=process_child, args=(i, task, stop, base_url, chunk, now(), paths[i]))
        processes.append(p)
    for p in processes:
        p.start()
    spawned = now()
    for p, task in zip(processes, tasks):
        if not task["background"]:
            p.join()
    end = now()
    stop.set()
    for p in processes:
        p.join()
    records = []
    for i, p in enumerate(processes):
        if p.exitcode != 0:
            raise RuntimeError("task %d's process %s exited with code %s" % (i, p.name, p.exitcode))
        with open(paths[i]) as f:
            records.append(json.load(f))
    return t0, end, spawned, records


def run_gevent(plan, base_url, chunk):
    """gevent.spawn per task and gevent.wait (the article's `green_threaded`), after monkey.patch_all()."""
    import gevent

    stop = threading.Event()  # patched: a gevent Event
    tasks = plan["tasks"]
    records = []
    jobs = []
    gevent.get_hub()  # the hub (and its libev loop) is created lazily: do it before the clock starts
    t0 = now()
    for i, task in enumerate(tasks):
        record = new_record(i, "Greenlet-%d" % i, now())
        records.append(record)
        jobs.append(gevent.spawn(run_blocking_task, task, record, stop, base_url, chunk))
    spawned = now()
    gevent.wait([j for j, t in zip(jobs, tasks) if not t["background"]])
    end = now()
    stop.set()
    gevent.wait(jobs)
    for job in jobs:
        if job.exception is not None:
            raise job.exception
    return t0, end, spawned, records


def run_asyncio(plan, base_url, chunk):
    """asyncio.gather of one coroutine per task (the article's `async_func`): CPU work through
    loop.run_in_executor(None, ...) (or inline), I/O through one aiohttp ClientSession per task."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import aiohttp

    strategy = plan["strategy"]
    in_executor = strategy.get("cpu_in_executor", True)
    tasks = plan["tasks"]
    records = [new_record(i, "Task-%d" % i, 0) for i in range(len(tasks))]
    marks = {}

    async def coroutine(task, record, stop):
        loop = asyncio.get_running_loop()
        ops = task["ops"]
        record["begin"] = now()
        session = aiohttp.ClientSession() if any(op[0] == "io" for op in ops) else None
        try:
            for position, op in task_operations(task, stop):
                start = now()
                kind = op[0]
                if kind in CPU_KINDS:
                    function, args = cpu_call(op, chunk)
                    if in_executor:
                        worker, s, e = await loop.run_in_executor(None, timed_in_worker, function, args)
                        record["executor"].append([position, worker, s, e])
                    else:
                        function(*args)
                elif kind == "io":
                    async with session.get(base_url, params={"delay_us": str(op[1])}) as response:
                        await response.read()
                elif kind == "sleep":
                    await asyncio.sleep(op[1] / 1e9)
                else:
                    raise ValueError("unknown operation %r in task %d" % (kind, record["task"]))
                record["steps"].append([position, start, now()])
        finally:
            if session is not None:
                await session.close()
        record["end"] = now()

    async def main():
        stop = asyncio.Event()
        foreground, background = [], []
        for record, task in zip(records, tasks):
            record["created"] = now()
            job = asyncio.ensure_future(coroutine(task, record, stop))
            (background if task["background"] else foreground).append(job)
        marks["spawned"] = now()
        await asyncio.gather(*foreground)
        marks["end"] = now()
        stop.set()
        await asyncio.gather(*background)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if strategy.get("executor_workers"):
        loop.set_default_executor(ThreadPoolExecutor(max_workers=strategy["executor_workers"]))
    try:
        t0 = now()
        loop.run_until_complete(main())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
    return t0, marks["end"], marks["spawned"], records


# ------------------------------------------------------------------------------------------------ main


def rescale_to_current_speed(plan, chunk):
    """Times each CPU kind's probe (an amount the calibration says takes expected_ns) and scales that kind's
    work by expected / measured, so that a step takes its planned duration on the machine as it is now, not
    as it was when `simulate calibrate` ran. Runs before the clock starts; fork children inherit the plan."""
    factors = {}
    for kind, probe in plan.get("probes", {}).items():
        function, args = cpu_call([kind, probe["amount"]], chunk)
        samples = []
        for _ in range(3):
            start = now()
            function(*args)
            samples.append(now() - start)
        samples.sort()
        factor = probe["expected_ns"] / max(1, samples[1])
        factors[kind] = factor ** (1 / probe["cost_exponent"])
    for task in plan["tasks"]:
        for op in task["ops"]:
            if op[0] in factors:
                op[1] = max(1, int(round(op[1] * factors[op[0]])))
    plan["speed_factors"] = factors


def write_json_atomically(path, value):
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as f:
        json.dump(value, f, separators=(",", ":"))
    os.replace(temporary, path)


def relative(records, t0):
    """Makes every time relative to the start of the timed section."""
    for r in records:
        for key in ("created", "begin", "end"):
            r[key] -= t0
        for step in r["steps"]:
            step[1] -= t0
            step[2] -= t0
        for step in r["executor"]:
            step[2] -= t0
            step[3] -= t0
    return records


def main():
    parser = argparse.ArgumentParser(description="Run a scenario plan for real under one strategy.")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--gevent", action="store_true", help="monkey.patch_all() first (gevent strategy)")
    args = parser.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    kind = plan["strategy"]["kind"]
    if (kind == "gevent") != args.gevent:
        parser.error("the gevent strategy needs --gevent, and only it")
    # The scenario's switch interval (ceval_gil.c's interval; 5 ms unless the scenario says otherwise).
    sys.setswitchinterval(plan.get("switch_interval", 0.005))
    os.environ["SIMULATE_SWITCH_INTERVAL"] = repr(sys.getswitchinterval())
    base_url = plan["server"]
    chunk = plan.get("sha_chunk", 1 << 22)
    if any(op[0] == "sha" for task in plan["tasks"] for op in task["ops"]):
        sha_buffer(chunk)  # before the clock starts; fork children inherit it
    rescale_to_current_speed(plan, chunk)
    work_dir = os.path.dirname(os.path.abspath(args.out))
    if kind == "sync":
        t0, end, spawned, records = run_sync(plan, base_url, chunk)
    elif kind == "threads":
        t0, end, spawned, records = run_threads(plan, base_url, chunk)
    elif kind == "processes":
        t0, end, spawned, records = run_processes(plan, base_url, chunk, work_dir)
    elif kind == "gevent":
        t0, end, spawned, records = run_gevent(plan, base_url, chunk)
    elif kind == "asyncio":
        t0, end, spawned, records = run_asyncio(plan, base_url, chunk)
    else:
        parser.error("unknown strategy kind %r" % kind)
    result = {
        "makespan": end - t0,
        "spawned": spawned - t0,
        "python": sys.version.split()[0],
        "speed_factors": plan.get("speed_factors", {}),
        "tasks": relative(records, t0),
    }
    write_json_atomically(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
