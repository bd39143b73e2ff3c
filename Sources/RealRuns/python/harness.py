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

With "instrument" in the plan, the run also records what the GIL did, at the cost of ~1% (docs/model.md,
"Measured mechanisms"): a pure-Python step stamps its progress every `stamp_iterations` iterations (~50 us)
and keeps each gap longer than `stall_ns` (the thread made no progress: it waited for the GIL, or for a
core); a blocking I/O step times each GIL-releasing socket call urlopen makes (getaddrinfo, socket, connect,
sendall, recv_into, close) and reads the answer's send time from the server's X-Sent-Ns header; every thread
says its native id; and the main process reads each core's busy time from /proc/stat around the timed part.
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


def burn_python_stamped(iterations, every, stall_ns, detail):
    """`burn_python` that stamps its progress every `every` iterations and keeps each gap between stamps
    longer than `stall_ns` in detail["stalls"]: a thread running bytecode makes steady progress, so a long gap
    is time it did not run (in take_gil, or preempted). One monotonic_ns() per ~50 us chunk: ~0.2% of the
    work. detail["first"] and detail["last"] bound the loop: a wait for the GIL before the first stamp or
    after the last (at a call's eval-breaker check) lies outside them."""
    flag = 0
    stalls = detail["stalls"] = []
    detail["first"] = last = now()
    while iterations > 0:
        n = every if iterations > every else iterations
        for _ in range(n):
            flag ^= 1
        iterations -= n
        stamp = now()
        if stamp - last > stall_ns:
            stalls.append([last, stamp])
        last = stamp
    detail["last"] = last
    return flag


thread_time = time.thread_time_ns


def burn_pow_timed(exponent, detail):
    """`burn_pow` that says when its C call ran: detail["call"] = [end, cpu, before]. The end is exact:
    monotonic_ns() is called right after BINARY_OP, before any eval-breaker check (CALL checks only after
    its callee returns, Python/ceval.c), and .bit_length() (a CALL, so a check) comes after it. The call
    began after `before` and after end - cpu: the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) does not
    advance while it sleeps in take_gil, so a wait at the checks after the first two stamps is in neither."""
    cpu = thread_time()
    before = now()
    value = 7777 ** exponent
    end = now()
    detail["call"] = [end, thread_time() - cpu, before]
    return value.bit_length()


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

# Set by `main` from the plan: (every, stall_ns) when pure-Python steps stamp their progress, else None.
# Module-level so that fork children inherit it; spawn and forkserver children get it from the environment.
STAMPING = None
if "SIMULATE_STAMPING" in os.environ:
    STAMPING = tuple(int(x) for x in os.environ["SIMULATE_STAMPING"].split(","))


def cpu_call(op, chunk, detail=None):
    """The function and argument realising a CPU operation (picklable, for executors). With `detail` (a
    dict) and stamping on, a pure-Python step records its stalls in detail["stalls"]."""
    kind, amount = op[0], op[1]
    if kind == "py":
        if STAMPING is not None and detail is not None:
            return burn_python_stamped, (amount, STAMPING[0], STAMPING[1], detail)
        return burn_python, (amount,)
    if kind == "pow":
        if STAMPING is not None and detail is not None:
            return burn_pow_timed, (amount, detail)
        return burn_pow, (amount,)
    return burn_sha, (amount, chunk)


def timed_in_worker(op, chunk):
    """Runs a CPU operation in an executor thread and says where and when it ran (and its stalls)."""
    detail = {}
    function, args = cpu_call(op, chunk, detail)
    start = now()
    function(*args)
    end = now()
    detail["tid"] = threading.get_native_id()
    return threading.current_thread().name, start, end, detail


# The socket calls urlopen makes, each releasing the GIL around its system call (Py_BEGIN_ALLOW_THREADS in
# Modules/socketmodule.c): codes for the result file, in the order a call makes them.
SOCKET_CALLS = ("getaddrinfo", "socket", "connect", "sendall", "recv_into", "close")
_call_log = threading.local()


def timing_calls(code, function):
    """Wraps a socket function so that, inside an instrumented I/O step of this thread, each call appends
    [code, entered, left] to the step's log. Outside one it only forwards."""
    def timed(*args, **kwargs):
        calls = getattr(_call_log, "calls", None)
        if calls is None:
            return function(*args, **kwargs)
        entered = now()
        try:
            return function(*args, **kwargs)
        finally:
            calls.append([code, entered, now()])
    return timed


def instrument_socket_calls():
    """Times urlopen's GIL-releasing calls: socket.getaddrinfo (a module global that create_connection looks
    up when called), and socket.socket's __init__, connect, sendall, recv_into (what SocketIO.readinto
    calls) and _real_close (what close() ends in)."""
    import socket

    socket.getaddrinfo = timing_calls(0, socket.getaddrinfo)
    for code, name in ((1, "__init__"), (2, "connect"), (3, "sendall"), (4, "recv_into"), (5, "_real_close")):
        setattr(socket.socket, name, timing_calls(code, getattr(socket.socket, name)))


# spawn and forkserver children import this module afresh: they instrument the calls from here.
if os.environ.get("SIMULATE_SOCKET_CALLS"):
    instrument_socket_calls()


def blocking_get(base_url, delay_us, detail=None):
    """The article's blocking I/O: urlopen(url).read(), a new connection every call. With `detail`, records
    the socket calls (when they are instrumented) and when the server sent the answer."""
    if detail is not None:
        _call_log.calls = detail["calls"] = []
    try:
        with urllib.request.urlopen("%s?delay_us=%d" % (base_url, delay_us), timeout=600) as response:
            body = response.read()
            if detail is not None:
                detail["sent"] = int(response.headers.get("X-Sent-Ns", 0))
            return body
    finally:
        _call_log.calls = None


# ------------------------------------------------------------------------------------ one task, blocking


def new_record(task_index, lane, created):
    return {"task": task_index, "lane": lane, "pid": os.getpid(), "tid": 0, "created": created,
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
    record["tid"] = threading.get_native_id()
    record["begin"] = now()
    for position, op in task_operations(task, stop):
        detail = {} if STAMPING is not None else None
        start = now()
        kind = op[0]
        if kind in CPU_KINDS:
            function, args = cpu_call(op, chunk, detail)
            function(*args)
        elif kind == "io":
            blocking_get(base_url, op[1], detail)
        elif kind == "sleep":
            time.sleep(op[1] / 1e9)
        else:
            raise ValueError("unknown operation %r in task %d" % (kind, record["task"]))
        steps.append([position, start, now(), detail] if detail is not None else [position, start, now()])
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
        record["tid"] = threading.get_native_id()
        record["begin"] = now()
        session = aiohttp.ClientSession() if any(op[0] == "io" for op in ops) else None
        try:
            for position, op in task_operations(task, stop):
                detail = {} if STAMPING is not None else None
                start = now()
                kind = op[0]
                if kind in CPU_KINDS:
                    if in_executor:
                        worker, s, e, where = await loop.run_in_executor(None, timed_in_worker, op, chunk)
                        record["executor"].append([position, worker, s, e, where])
                    else:
                        function, args = cpu_call(op, chunk, detail)
                        function(*args)
                elif kind == "io":
                    async with session.get(base_url, params={"delay_us": str(op[1])}) as response:
                        await response.read()
                        if detail is not None:
                            detail["sent"] = int(response.headers.get("X-Sent-Ns", 0))
                elif kind == "sleep":
                    await asyncio.sleep(op[1] / 1e9)
                else:
                    raise ValueError("unknown operation %r in task %d" % (kind, record["task"]))
                end = now()
                record["steps"].append([position, start, end, detail] if detail is not None else [position, start, end])
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


def relative_detail(detail, t0):
    """Makes a step's instrumentation relative to the start of the timed section."""
    for stall in detail.get("stalls", ()):
        stall[0] -= t0
        stall[1] -= t0
    for key in ("first", "last"):
        if key in detail:
            detail[key] -= t0
    if "call" in detail:
        detail["call"][0] -= t0
        detail["call"][2] -= t0
    for call in detail.get("calls", ()):
        call[1] -= t0
        call[2] -= t0
    if detail.get("sent"):
        detail["sent"] -= t0


def relative(records, t0):
    """Makes every time relative to the start of the timed section."""
    for r in records:
        for key in ("created", "begin", "end"):
            r[key] -= t0
        for step in r["steps"]:
            step[1] -= t0
            step[2] -= t0
            if len(step) > 3:
                relative_detail(step[3], t0)
        for step in r["executor"]:
            step[2] -= t0
            step[3] -= t0
            relative_detail(step[4], t0)
    return records


def cores_busy_ns():
    """Each core's busy time so far (user, nice, system, irq, softirq, steal: all but idle and iowait), from
    /proc/stat in USER_HZ ticks (proc(5)); None where there is no /proc/stat."""
    try:
        with open("/proc/stat") as f:
            lines = [line.split() for line in f if line.startswith("cpu") and not line.startswith("cpu ")]
    except OSError:
        return None
    tick = 1e9 / os.sysconf("SC_CLK_TCK")
    return [int((sum(int(x) for x in fields[1:9]) - int(fields[4]) - int(fields[5])) * tick) for fields in lines]


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
    global STAMPING
    if plan.get("instrument"):
        STAMPING = (max(1, plan["stamp_iterations"]), plan["stall_ns"])
        os.environ["SIMULATE_STAMPING"] = "%d,%d" % STAMPING
        if kind in ("sync", "threads", "processes"):  # gevent's sockets are its own; aiohttp's are the loop's
            instrument_socket_calls()
            os.environ["SIMULATE_SOCKET_CALLS"] = "1"
    work_dir = os.path.dirname(os.path.abspath(args.out))
    busy_before, window_start = cores_busy_ns(), now()
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
    busy_after, window = cores_busy_ns(), now() - window_start
    result = {
        "makespan": end - t0,
        "main_tid": threading.get_native_id(),
        "cores_busy": [b - a for a, b in zip(busy_before, busy_after)] if busy_before and busy_after else [],
        "cores_window": window,
        "spawned": spawned - t0,
        "python": sys.version.split()[0],
        "speed_factors": plan.get("speed_factors", {}),
        "tasks": relative(records, t0),
    }
    write_json_atomically(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
