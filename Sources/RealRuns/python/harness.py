"""Runs a scenario's tasks for real under one concurrency strategy and records when each step ran.

Usage: python harness.py --plan PLAN.json --out RESULT.json [--gevent | --eventlet]

The plan (written by `simulate`, see Sources/RealRuns/HarnessPlan.swift) lists the strategy and, per task,
its operations already drawn by the model's workload and sized by this machine's calibration:
    ["py", iterations]     pure-Python loop (bytecode: notices GIL drop requests within microseconds)
    ["pow", exponent]      7777 ** exponent: one long_pow C call that holds the GIL to its end
    ["sha", bytes]         hashlib.sha256 over a buffer of >= 2048 bytes: releases the GIL while hashing
    ["np", elements]       numpy.sin over a float64 array, NUMPY_CHUNK elements a call: releases the GIL too
    ["nb", iterations]     a numba @njit(nogil=True) kernel: releases the GIL for its whole call
    ["io", delay_us]       HTTP GET to the latency server, which answers after delay_us
    ["sleep", ns]          time.sleep / gevent.sleep / asyncio.sleep
Each strategy is written the way the seed article writes it: a Thread per task and join; a Process per task
and join; gevent.spawn and gevent.wait after monkey.patch_all(); asyncio.gather of coroutines with CPU work
through loop.run_in_executor(None, ...) and I/O through one aiohttp ClientSession per task; sequential calls.
The article's other runtimes (RUNNERS): uvloop (the asyncio program on uvloop's loop), trio and curio (raw-socket
keep-alive HTTP, CPU through their thread helpers), eventlet (green threads after monkey_patch), Tornado
(AsyncHTTPClient), Twisted (Agent and deferToThread) and Stackless-style tasklets (greenlets switching
explicitly after each step). The plan's strategy object: kind, pool, start_method, executor_workers,
cpu_in_executor, thread_limit (trio's CapacityLimiter), max_clients (Tornado's AsyncHTTPClient).

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


def _early_patch():
    """gevent and eventlet must patch the standard library before anything imports socket, threading or time
    (gevent docs: "patch as early as possible"; eventlet's monkey_patch likewise), so their strategies run in
    an interpreter of their own that patches first. The kind is read from the plan itself (json imports
    neither socket nor threading), so no caller has to pass a flag; `--gevent` / `--eventlet` are still
    accepted and checked against the plan by `main`."""
    import json

    try:
        with open(sys.argv[sys.argv.index("--plan") + 1]) as f:
            kind = json.load(f)["strategy"]["kind"]
    except (ValueError, IndexError, OSError, KeyError, TypeError):
        return  # main reports the bad arguments or plan
    if kind == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif kind == "eventlet":
        import warnings

        # eventlet 0.41 warns at import that it is in bugfix-only maintenance: known, and noise on stderr here.
        warnings.filterwarnings("ignore", message="\\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()


if __name__ == "__main__":
    _early_patch()

import argparse  # noqa: E402 - after the patch on purpose
import hashlib  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
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


def burn_sha(nbytes, chunk, detail=None):
    """C code that releases the GIL: hashlib drops it for updates of 2048 bytes or more
    (HASHLIB_GIL_MINSIZE in Modules/hashlib.h). Large sizes are hashed in chunks of one shared buffer.
    With `detail` (an instrumented run) each update is timed (`TimedRelease`)."""
    digest = hashlib.sha256()
    view = sha_buffer(chunk)
    timed = None if detail is None else TimedRelease(digest.update, detail)
    while nbytes > 0:
        step = min(nbytes, len(view))
        if timed is None:
            digest.update(view[:step])
        else:
            timed(step, view[:step])
        nbytes -= step
    if timed is not None:
        timed.close()
    return digest.digest()


class TimedRelease:
    """`function`, a call of C code that releases the GIL, with each call noted in detail["releases"] as [entered,
    left, size]: it held the GIL at `entered`, released it for its work, and held it again at `left`
    (Py_END_ALLOW_THREADS waits in take_gil there, Python/ceval_gil.c). The step's thread CPU time (detail["cpu"],
    `run_cpu`) shared by the calls' sizes is each call's work, and the step's schedstat run_delay
    (detail["release_delay"], read when the step begins and ends, without releasing the GIL through `_LIBC`;
    absent without it) its waits for a core; the rest of each call it slept in take_gil. Only `monotonic_ns()`
    (vDSO, no system call) around each call: a system call made while holding the GIL is a point where the kernel
    may preempt the holder, and timing each call with the thread's CPU clock and schedstat (three system calls)
    made `cpu-sha-4`'s threads and asyncio runs 4% slower (2026-12-07). `close()` when the step is done."""

    def __init__(self, function, detail):
        self.function = function
        self.detail = detail
        self.note = detail.setdefault("releases", []).append
        self.fd, self.buffer, self.delay = -1, None, -1
        if _LIBC is not None:
            libc, new_buffer = _LIBC
            # /proc/thread-self is the thread that opens it: the one making the calls.
            self.fd = libc.open(b"/proc/thread-self/schedstat", os.O_RDONLY)
            self.buffer = new_buffer(256)
            self.delay = self.run_delay()

    def run_delay(self):
        """The calling thread's schedstat run_delay so far (ns), or -1."""
        size = _LIBC[0].pread(self.fd, self.buffer, 255, 0)
        try:
            return int(self.buffer.raw[:max(0, size)].split()[1])
        except (IndexError, ValueError):
            return -1

    def __call__(self, size, *args, **keywords):
        entered = now()
        value = self.function(*args, **keywords)
        self.note([entered, now(), size])
        return value

    def close(self):
        if self.fd < 0:
            return
        after = self.run_delay()
        _LIBC[0].close(self.fd)
        self.fd = -1
        if self.delay >= 0 and after >= 0:
            self.detail["release_delay"] = after - self.delay


# Elements of one numpy.sin call in `burn_numpy`: 256 KiB of float64 each way, so that source and result stay
# in a core's L2 cache and two threads do not compete for memory bandwidth.
NUMPY_CHUNK = 1 << 15
_numpy_arrays = None


def numpy_arrays():
    """(numpy, source, result) for `burn_numpy`, created (and the loop run once) once per process, before
    the clock starts."""
    global _numpy_arrays
    if _numpy_arrays is None:
        import numpy

        source = numpy.linspace(0.0, 1.0, NUMPY_CHUNK)
        result = numpy.empty_like(source)
        numpy.sin(source, out=result)
        _numpy_arrays = (numpy, source, result)
    return _numpy_arrays


def burn_numpy(elements, detail=None):
    """NumPy code that releases the GIL: numpy.sin over a preallocated float64 array, NUMPY_CHUNK elements a
    call. A ufunc loop whose dtypes need no Python API runs without the GIL when it covers more than 500
    elements (NPY_BEGIN_THREADS_THRESHOLDED, numpy/_core/include/numpy/ndarraytypes.h, used by the loops of
    numpy/_core/src/umath/ufunc_object.c); like `burn_sha`, it takes the GIL back between two calls, each
    timed with `detail` (`TimedRelease`)."""
    numpy, source, result = numpy_arrays()
    sin = numpy.sin
    timed = None if detail is None else TimedRelease(sin, detail)
    while elements > 0:
        n = elements if elements < NUMPY_CHUNK else NUMPY_CHUNK
        if timed is None:
            sin(source[:n], out=result[:n])
        else:
            timed(n, source[:n], out=result[:n])
        elements -= n
    if timed is not None:
        timed.close()
    return result[0]


_numba_kernel = None


def numba_kernel():
    """The numba kernel of `burn_numba`, compiled once per process with an explicit signature (eager
    compilation), so that no JIT compile lands inside a timed step. `nogil=True`: numba's wrapper releases
    the GIL for the whole call (numba docs, "nogil")."""
    global _numba_kernel
    if _numba_kernel is None:
        import numba

        @numba.njit("uint64(int64)", nogil=True)
        def linear_congruential(iterations):
            # A chain of dependent multiply-adds: LLVM can neither vectorise it nor compute it in closed form.
            x = numba.uint64(1)
            for _ in range(iterations):
                x = x * numba.uint64(6364136223846793005) + numba.uint64(1442695040888963407)
            return x

        linear_congruential(1)
        _numba_kernel = linear_congruential
    return _numba_kernel


def burn_numba(iterations, detail=None):
    """Compiled code that releases the GIL for its whole length: numba's `@njit(nogil=True)` kernel, one call
    (timed with `detail`, `TimedRelease`)."""
    if detail is None:
        return int(numba_kernel()(iterations))
    kernel = TimedRelease(numba_kernel(), detail)
    value = kernel(iterations, iterations)
    kernel.close()
    return int(value)


def warm_kernels(tasks):
    """Prepares what the tasks' GIL-releasing kernels need (sha256's buffer is sized by the plan), before the
    clock starts: NumPy's arrays, numba's compiled kernel. Fork children inherit them; a spawn or forkserver
    child prepares them again when it starts."""
    kinds = {op[0] for task in tasks for op in task["ops"]}
    if "np" in kinds:
        numpy_arrays()
    if "nb" in kinds:
        numba_kernel()


CPU_KINDS = ("py", "pow", "sha", "np", "nb")

# Set by `main` from the plan: (every, stall_ns) when pure-Python steps stamp their progress, else None.
# Module-level so that fork children inherit it; spawn and forkserver children get it from the environment.
STAMPING = None
if "SIMULATE_STAMPING" in os.environ:
    STAMPING = tuple(int(x) for x in os.environ["SIMULATE_STAMPING"].split(","))


def run_cpu(function, args, detail):
    """Runs a CPU step's function; with `detail` (an instrumented run), records the thread's CPU time over it
    in detail["cpu"]: the step's time on a core, which a wait for the GIL or a core does not advance
    (CLOCK_THREAD_CPUTIME_ID), so that against the step's planned duration it shows the pace the machine
    ran the work at (`RunMetrics.cpuStepPace`)."""
    if detail is None:
        return function(*args)
    cpu = thread_time()
    value = function(*args)
    detail["cpu"] = thread_time() - cpu
    return value


def cpu_call(op, chunk, detail=None):
    """The function and argument realising a CPU operation (picklable, for executors). With `detail` (a
    dict) and stamping on, a pure-Python step records its stalls in detail["stalls"], a pow its call in
    detail["call"], a step of C that releases the GIL each of its calls in detail["releases"]."""
    kind, amount = op[0], op[1]
    timed = STAMPING is not None and detail is not None
    if kind == "py":
        return (burn_python_stamped, (amount, STAMPING[0], STAMPING[1], detail)) if timed else (burn_python, (amount,))
    if kind == "pow":
        return (burn_pow_timed, (amount, detail)) if timed else (burn_pow, (amount,))
    if kind == "np":
        return burn_numpy, (amount, detail) if timed else (amount,)
    if kind == "nb":
        return burn_numba, (amount, detail) if timed else (amount,)
    return burn_sha, (amount, chunk, detail) if timed else (amount, chunk)


# Which thread runs a worker's step (its name goes in the record). run_eventlet replaces it with the unpatched
# module's: eventlet's green current_thread(), called in a real thread, enumerates threads through
# patcher.patch_function, which holds the import lock meanwhile (eventlet/green/threading.py, eventlet/patcher.py
# SysModulesSaver), and tpool.execute runs its call inline in the caller whenever that lock is held
# (eventlet/tpool.py: `imp.lock_held()`). Naming the workers that way moved another task's step onto the hub
# now and then (validation/eventlet_inline.py: 113-470 of 1600 calls with a 1 us switch interval, none with the
# unpatched function).
worker_thread = threading.current_thread


# Each thread's time runnable without a core so far (ns) and its turns on a core, noted by the thread itself at the
# end of each task or job it ran: the `run_delay` and `pcount` of /proc/thread-self/schedstat
# (Documentation/scheduler/sched-stats.rst: "time spent waiting on a runqueue", "# of timeslices run on this
# cpu"). Threads that ended are gone from /proc, so each notes its own; `main` adds the main thread's and keeps
# this process's (a child process's notes stay in the child).
RUN_DELAYS = {}
# libc through ctypes.PyDLL, whose calls keep the GIL (`prepare_run_delay_notes`), or None: the notes then read the
# file with Python's own calls, each of which releases the GIL (Py_BEGIN_ALLOW_THREADS in posixmodule.c and
# _io/fileio.c). Four releases a note: an executor worker noting after each job lost the GIL at them to the
# workers waiting for it and handed its result back a job or more later (2026-12-07: 8 coroutines' 200 trips of
# 0.5 ms through asyncio's executor took 167-184 ms with them, 119-161 ms with libc's, 116-146 ms with no notes at all;
# docs/model.md, "The harness's notes of waiting for a core, taken without releasing the GIL").
_LIBC = None


def prepare_run_delay_notes():
    """Loads libc for `note_run_delay` before the timed section (the import of ctypes takes milliseconds). Left
    out where it fails: the notes then release the GIL as they always did."""
    global _LIBC
    try:
        import ctypes

        libc = ctypes.PyDLL(None)
        libc.open.argtypes, libc.open.restype = (ctypes.c_char_p, ctypes.c_int), ctypes.c_int
        libc.read.argtypes, libc.read.restype = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t), ctypes.c_ssize_t
        libc.close.argtypes, libc.close.restype = (ctypes.c_int,), ctypes.c_int
        libc.pread.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long)
        libc.pread.restype = ctypes.c_ssize_t
        libc.gettid.argtypes, libc.gettid.restype = (), ctypes.c_int
        _LIBC = (libc, ctypes.create_string_buffer)
    except (ImportError, OSError, AttributeError):
        _LIBC = None


def note_run_delay():
    """Notes the calling thread's run_delay in RUN_DELAYS (nothing where /proc has no schedstat). The thread's id
    is the kernel's (gettid, or /proc/thread-self itself): under gevent or eventlet, whose greenlets share the main
    thread, a patched id would count one thread several times. With `_LIBC`, without releasing the GIL."""
    if _LIBC is not None:
        libc, new_buffer = _LIBC
        buffer = new_buffer(256)
        fd = libc.open(b"/proc/thread-self/schedstat", os.O_RDONLY)
        if fd < 0:
            return
        size = libc.read(fd, buffer, 255)
        libc.close(fd)
        try:
            fields = buffer.raw[:max(0, size)].split()
            RUN_DELAYS[libc.gettid()] = (int(fields[1]), int(fields[2]))
        except (IndexError, ValueError):
            pass
        return
    try:
        tid = int(os.readlink("/proc/thread-self").rsplit("/", 1)[1])
        with open("/proc/thread-self/schedstat") as f:
            fields = f.read().split()
        RUN_DELAYS[tid] = (int(fields[1]), int(fields[2]))
    except (OSError, IndexError, ValueError):
        pass


def run_delays():
    """Every live thread of this process: its run_delay and turns so far, by native id."""
    delays = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return delays
    for tid in tids:
        try:
            with open("/proc/self/task/%s/schedstat" % tid) as f:
                fields = f.read().split()
            delays[int(tid)] = (int(fields[1]), int(fields[2]))
        except (OSError, IndexError, ValueError):
            pass
    return delays


def timed_in_worker(op, chunk):
    """Runs a CPU operation in an executor thread and says where and when it ran (and its stalls)."""
    detail = {}
    function, args = cpu_call(op, chunk, detail)
    start = now()
    run_cpu(function, args, detail if STAMPING is not None else None)
    end = now()
    note_run_delay()
    detail["tid"] = tid = threading.get_native_id()
    # The name with the thread's id: trio names each of its worker threads after the function it runs.
    return "%s [%d]" % (worker_thread().name, tid), start, end, detail


# The socket calls urlopen makes, each releasing the GIL around its system call (Py_BEGIN_ALLOW_THREADS in
# Modules/socketmodule.c): codes for the result file, in the order a call makes them.
SOCKET_CALLS = ("getaddrinfo", "socket", "connect", "sendall", "recv_into", "close")
_call_log = threading.local()


# gevent's resolver threads: gevent.resolver.thread runs every getaddrinfo on the hub's thread pool, looking
# `_socket.getaddrinfo` up at each call. With instrumentation each call made there appends [native thread id,
# entered, left]: at `entered` the pool's thread held the GIL (it releases it for the call), at `left` it held it
# again. What it waited before, the harness does not see.
POOL_LOOKUPS = []


def time_pool_lookups():
    """Wraps `_socket.getaddrinfo` so that calls made on threads other than the main one are logged in
    `POOL_LOOKUPS` (gevent's resolver threads; the main thread's own calls are not the pool's)."""
    import _socket

    from gevent import monkey

    original = _socket.getaddrinfo
    native_id = monkey.get_original("threading", "get_native_id")
    main = native_id()

    def timed(*args, **kwargs):
        entered = now()
        try:
            return original(*args, **kwargs)
        finally:
            tid = native_id()
            if tid != main:
                POOL_LOOKUPS.append([tid, entered, now()])
    _socket.getaddrinfo = timed


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
    the socket calls (when they are instrumented) and when the server sent the answer.

    No timeout, as the article calls it: with one, `create_connection` calls `settimeout` (an ioctl) and every
    socket call polls before its system call (Modules/socketmodule.c, `sock_call_ex`), each released apart, so
    a call beside a CPU-bound thread loses the GIL more often (the convoy with 2 CPU threads at 5 ms took 26-42%
    longer with timeout=600; docs/model.md, "The harness's urlopen had a timeout"). The runner's own timeout
    stops a run that hangs."""
    if detail is not None:
        _call_log.calls = detail["calls"] = []
    try:
        with urllib.request.urlopen("%s?delay_us=%d" % (base_url, delay_us)) as response:
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


def run_blocking_task(task, record, stop, base_url, chunk, after_step=None, to_thread=None):
    """Runs one task's operations with blocking calls (sync, threads, processes, gevent and eventlet after
    patching: time.sleep, sockets and threading.Event are then theirs). A background task goes round its
    operations until `stop` is set. `after_step`, if given, is called after each step (a tasklet's
    explicit switch back to its scheduler); `to_thread(function, *args)`, if given, runs CPU work in a real
    thread and blocks only the caller (eventlet's tpool.execute), recorded in record["executor"]."""
    steps = record["steps"]
    record["tid"] = threading.get_native_id()
    record["begin"] = now()
    for position, op in task_operations(task, stop):
        detail = {} if STAMPING is not None else None
        start = now()
        kind = op[0]
        if kind in CPU_KINDS and to_thread is not None:
            worker, s, e, where = to_thread(timed_in_worker, op, chunk)
            record["executor"].append([position, worker, s, e, where])
        elif kind in CPU_KINDS:
            function, args = cpu_call(op, chunk, detail)
            run_cpu(function, args, detail)
        elif kind == "io":
            blocking_get(base_url, op[1], detail)
        elif kind == "sleep":
            time.sleep(op[1] / 1e9)
        else:
            raise ValueError("unknown operation %r in task %d" % (kind, record["task"]))
        steps.append([position, start, now(), detail] if detail is not None else [position, start, now()])
        if after_step is not None:
            after_step()
    record["end"] = now()
    note_run_delay()
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
        # Its threads named as a program's first pool names them ("ThreadPoolExecutor-%d" % a process-wide counter,
        # then "_k": Lib/concurrent/futures/thread.py), as the model's lanes are (LaneNames.threadPoolWorker): the
        # trial of `rescale_where_run` made a pool before this one, whose threads took the counter's 0.
        executor = ThreadPoolExecutor(max_workers=pool, thread_name_prefix="ThreadPoolExecutor-0")
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
    # Each start()'s call and return: in between, the main thread waits for the new thread's `_started`
    # (Lib/threading.py) and then for the GIL, which the new thread holds from its bootstrap into its task.
    for thread, record in zip(threads, records):
        record["start_call"] = now()
        thread.start()
        record["start_return"] = now()
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
    warm_kernels([task])  # a spawn or forkserver child has not inherited them
    record = new_record(task_index, multiprocessing.current_process().name, created)
    run_blocking_task(task, record, stop, base_url, chunk)
    write_json_atomically(out_path, record)


def pool_initializer(tasks, stop, base_url, chunk):
    warm_kernels(tasks)
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
    # Each start()'s call and return, as for threads: a child's lane begins at its start() call.
    start_calls = []
    for p in processes:
        call = now()
        p.start()
        start_calls.append((call, now()))
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
            record = json.load(f)
        record["start_call"], record["start_return"] = start_calls[i]
        records.append(record)
    return t0, end, spawned, records


def run_green_threads(plan, base_url, chunk, lane, spawn, wait, to_thread=None):
    """A green thread per task, `spawn(function, *args)`, then `wait(jobs)` (which raises what a job raised)
    for the foreground ones, after the library patched the standard library (`_early_patch`): time.sleep,
    sockets and threading.Event are then its own."""
    stop = threading.Event()  # patched: the library's
    tasks = plan["tasks"]
    records = []
    jobs = []
    t0 = now()
    for i, task in enumerate(tasks):
        record = new_record(i, lane % i, now())
        records.append(record)
        jobs.append(spawn(run_blocking_task, task, record, stop, base_url, chunk, None, to_thread))
    spawned = now()
    wait([j for j, t in zip(jobs, tasks) if not t["background"]])
    end = now()
    stop.set()
    wait(jobs)
    return t0, end, spawned, records


def run_gevent(plan, base_url, chunk):
    """gevent.spawn per task and gevent.wait (the article's `green_threaded`), after monkey.patch_all()."""
    import gevent

    def wait(jobs):
        gevent.wait(jobs)
        for job in jobs:
            if job.exception is not None:
                raise job.exception

    gevent.get_hub()  # the hub (and its libev loop) is created lazily: do it before the clock starts
    return run_green_threads(plan, base_url, chunk, "Greenlet-%d", gevent.spawn, wait)


def run_eventlet(plan, base_url, chunk):
    """A green thread per task in a GreenPool after eventlet.monkey_patch(): urlopen (a new connection every
    call), time.sleep and threading.Event are eventlet's. CPU runs inline, or with `cpu_in_executor` in
    eventlet's tpool of real threads (`thread_limit`, default 20: EVENTLET_THREADPOOL_SIZE, eventlet/tpool.py)
    through tpool.execute, which blocks only the calling green thread."""
    import eventlet
    from eventlet import patcher, tpool

    global worker_thread
    to_thread = None
    if plan["strategy"].get("cpu_in_executor", False):
        worker_thread = patcher.original("threading").current_thread  # what tpool's threads are made with
        tpool.set_num_threads(plan["strategy"].get("thread_limit") or 20)
        tpool.execute(int)  # tpool starts its threads on first use: do it before the clock starts
        to_thread = tpool.execute

    def wait(jobs):
        for job in jobs:
            job.wait()  # raises what the green thread raised

    pool = eventlet.GreenPool(max(1, len(plan["tasks"])))
    eventlet.sleep(0)  # the hub is created lazily: do it before the clock starts
    return run_green_threads(plan, base_url, chunk, "GreenThread-%d", pool.spawn, wait, to_thread)


def run_tasklets(plan, base_url, chunk):
    """Stackless-style tasklets on greenlet (Stackless Python is not installable for CPython 3.11; greenlet is
    the switching core gevent and eventlet use): a round-robin scheduler runs each tasklet until it switches
    back explicitly after each of its steps (Stackless's `stackless.schedule()`). Nothing is patched, so a
    tasklet's urlopen or time.sleep blocks every tasklet."""
    from collections import deque
    from functools import partial

    import greenlet

    scheduler = greenlet.getcurrent()
    stop = Flag()
    tasks = plan["tasks"]
    records = []
    ready = deque()
    t0 = now()
    for i, task in enumerate(tasks):
        record = new_record(i, "Tasklet-%d" % i, now())
        records.append(record)
        # A greenlet's parent is the greenlet that created it: when the task ends, control returns here.
        tasklet = greenlet.greenlet(partial(run_blocking_task, task, record, stop, base_url, chunk, scheduler.switch))
        ready.append((tasklet, task["background"]))
    spawned = end = now()
    foreground = sum(1 for task in tasks if not task["background"])
    if foreground == 0:
        stop.set()
    while ready:
        tasklet, background = ready.popleft()
        tasklet.switch()  # runs one step (or starts the tasklet); raises what the tasklet raised
        if not tasklet.dead:
            ready.append((tasklet, background))
        elif not background:
            foreground -= 1
            if foreground == 0:
                end = now()
                stop.set()
    return t0, end, spawned, records


# ---------------------------------------------------------------------------------- coroutine runtimes


class Flag:
    """The stop flag of the coroutine runtimes and tasklets: one thread runs them all, so a plain attribute
    is enough; background tasks look at it between operations."""

    def __init__(self):
        self.value = False

    def set(self):
        self.value = True

    def is_set(self):
        return self.value


class Runtime:
    """What a coroutine task needs from its runtime: `to_thread(function, *args)` (an awaitable of its
    result; None runs CPU work inline on the loop's thread), `sleep(seconds)` (an awaitable) and
    `open_client()` (a coroutine giving an HTTP client with `get(delay_us, detail)` and `close()`)."""

    def __init__(self, to_thread, sleep, open_client):
        self.to_thread = to_thread
        self.sleep = sleep
        self.open_client = open_client


async def run_async_task(task, record, stop, runtime, chunk):
    """Runs one task's operations as a coroutine on any runtime that drives `async def` (asyncio, uvloop,
    Tornado, trio, curio, Twisted through ensureDeferred): CPU work in the runtime's threads (recorded in
    record["executor"]) or inline, I/O through one client per task, sleeps through the runtime."""
    record["tid"] = threading.get_native_id()
    record["begin"] = now()
    client = await runtime.open_client() if any(op[0] == "io" for op in task["ops"]) else None
    try:
        for position, op in task_operations(task, stop):
            detail = {} if STAMPING is not None else None
            start = now()
            kind = op[0]
            if kind in CPU_KINDS:
                if runtime.to_thread is not None:
                    worker, s, e, where = await runtime.to_thread(timed_in_worker, op, chunk)
                    record["executor"].append([position, worker, s, e, where])
                else:
                    function, args = cpu_call(op, chunk, detail)
                    run_cpu(function, args, detail)
            elif kind == "io":
                await client.get(op[1], detail)
            elif kind == "sleep":
                await runtime.sleep(op[1] / 1e9)
            else:
                raise ValueError("unknown operation %r in task %d" % (kind, record["task"]))
            end = now()
            record["steps"].append([position, start, end, detail] if detail is not None else [position, start, end])
    finally:
        if client is not None:
            await client.close()
    record["end"] = now()


def coroutine_records(tasks):
    return [new_record(i, "Task-%d" % i, 0) for i in range(len(tasks))]


async def run_all(tasks, records, runtime, chunk, marks, start, wait):
    """Starts one coroutine per task (`await start(coroutine)` gives its job), waits for the foreground ones
    (`await wait(jobs)`, which raises what a job raised), notes when, then stops the background ones and
    waits for them too."""
    stop = Flag()
    foreground, background = [], []
    for record, task in zip(records, tasks):
        record["created"] = now()
        job = await start(run_async_task(task, record, stop, runtime, chunk))
        (background if task["background"] else foreground).append(job)
    marks["spawned"] = now()
    await wait(foreground)
    marks["end"] = now()
    stop.set()
    await wait(background)


def in_executor(plan):
    """Whether CPU work goes to the runtime's threads (the plan's `cpu_in_executor`, default true)."""
    return plan["strategy"].get("cpu_in_executor", True)


class AiohttpClient:
    """One aiohttp ClientSession per task: it keeps its connection to the server alive between requests."""

    def __init__(self, base_url):
        import aiohttp  # imported by `asyncio_runtime` before the clock starts (~0.1 s): here it is a lookup

        self.session = aiohttp.ClientSession()
        self.base_url = base_url

    async def get(self, delay_us, detail):
        async with self.session.get(self.base_url, params={"delay_us": str(delay_us)}) as response:
            await response.read()
            if detail is not None:
                detail["sent"] = int(response.headers.get("X-Sent-Ns", 0))

    async def close(self):
        await self.session.close()


class KeepAliveConnection:
    """One persistent HTTP/1.1 connection to the latency server over an async byte stream (trio's or curio's):
    a GET per call, its answer read to the end of its Content-Length body. The server answers each request of
    a keep-alive connection in turn (server.py)."""

    def __init__(self, send, receive, close, base_url):
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        self.send, self.receive, self.close = send, receive, close
        self.request = ("GET %s?delay_us=%%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n"
                        % (parts.path or "/", parts.hostname, parts.port)).encode()
        self.pending = b""

    @staticmethod
    def address(base_url):
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        return parts.hostname, parts.port

    async def get(self, delay_us, detail):
        await self.send(self.request % delay_us)
        pending = self.pending
        while b"\r\n\r\n" not in pending:
            pending += await self.more()
        head, _, pending = pending.partition(b"\r\n\r\n")
        length = sent = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"x-sent-ns":
                sent = int(value)
        while len(pending) < length:
            pending += await self.more()
        body, self.pending = pending[:length], pending[length:]
        if detail is not None:
            detail["sent"] = sent
        return body

    async def more(self):
        chunk = await self.receive(65536)
        if not chunk:
            raise ConnectionError("the latency server closed a keep-alive connection")
        return chunk


def run_on_asyncio(plan, base_url, chunk, new_loop, make_runtime):
    """asyncio.gather of one coroutine per task on the loop `new_loop()` makes (asyncio's, uvloop's; Tornado 6
    runs on asyncio's): the article's `async_func`. `make_runtime(loop)` is called on the running loop."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    strategy = plan["strategy"]
    tasks = plan["tasks"]
    records = coroutine_records(tasks)
    marks = {}

    async def start(coroutine):
        return asyncio.ensure_future(coroutine)

    async def main():
        runtime = make_runtime(asyncio.get_running_loop())
        await run_all(tasks, records, runtime, chunk, marks, start, lambda jobs: asyncio.gather(*jobs))

    loop = new_loop()
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


def asyncio_runtime(plan, base_url):
    """CPU through loop.run_in_executor(None, ...) (or inline), I/O through one aiohttp session per task."""
    import asyncio

    import aiohttp  # noqa: F401 - imported before the clock starts, as its import takes ~0.1 s

    async def open_client():
        return AiohttpClient(base_url)

    def make(loop):
        to_thread = (lambda function, *args: loop.run_in_executor(None, function, *args)) if in_executor(plan) else None
        return Runtime(to_thread, asyncio.sleep, open_client)

    return make


def run_asyncio(plan, base_url, chunk):
    """The article's `async_func` on asyncio's own loop."""
    import asyncio

    return run_on_asyncio(plan, base_url, chunk, asyncio.new_event_loop, asyncio_runtime(plan, base_url))


def run_uvloop(plan, base_url, chunk):
    """The same program on uvloop's loop (libuv): run_in_executor still uses concurrent.futures' pool."""
    import uvloop

    return run_on_asyncio(plan, base_url, chunk, uvloop.new_event_loop, asyncio_runtime(plan, base_url))


def run_tornado(plan, base_url, chunk):
    """Tornado 6 (on asyncio's loop): AsyncHTTPClient's fetch per call (simple_httpclient: a new connection
    per fetch, at most `max_clients` at once, default 10, the rest queued), CPU through
    IOLoop.run_in_executor(None, ...) (or inline), sleeps through tornado.gen.sleep."""
    import asyncio

    from tornado import gen
    from tornado.httpclient import AsyncHTTPClient
    from tornado.ioloop import IOLoop

    AsyncHTTPClient.configure(None, max_clients=plan["strategy"].get("max_clients") or 10)

    class TornadoClient:
        def __init__(self, client):
            self.client = client

        async def get(self, delay_us, detail):
            response = await self.client.fetch("%s?delay_us=%d" % (base_url, delay_us),
                                               connect_timeout=600, request_timeout=600)
            if detail is not None:
                detail["sent"] = int(response.headers.get("X-Sent-Ns", 0))

        async def close(self):
            pass  # one client per IOLoop, shared by every task

    def make(loop):
        io_loop = IOLoop.current()
        client = TornadoClient(AsyncHTTPClient())

        async def open_client():
            return client

        to_thread = (lambda function, *args: io_loop.run_in_executor(None, function, *args)) if in_executor(plan) else None
        return Runtime(to_thread, gen.sleep, open_client)

    return run_on_asyncio(plan, base_url, chunk, asyncio.new_event_loop, make)


def run_trio(plan, base_url, chunk):
    """trio.run of a nursery with one task per task: CPU through trio.to_thread.run_sync with a
    CapacityLimiter of `thread_limit` (default 40, trio's own default, src/trio/_threads.py) or inline;
    I/O through one persistent raw-socket HTTP/1.1 connection per task (trio.open_tcp_stream)."""
    import trio

    tasks = plan["tasks"]
    records = coroutine_records(tasks)
    marks = {}
    host, port = KeepAliveConnection.address(base_url)

    async def open_client():
        stream = await trio.open_tcp_stream(host, port)  # TCP_NODELAY is trio's default
        return KeepAliveConnection(stream.send_all, stream.receive_some, stream.aclose, base_url)

    async def main():
        limiter = trio.CapacityLimiter(plan["strategy"].get("thread_limit") or 40)
        to_thread = None
        if in_executor(plan):
            def to_thread(function, *args):
                return trio.to_thread.run_sync(function, *args, limiter=limiter)
        runtime = Runtime(to_thread, trio.sleep, open_client)
        async with trio.open_nursery() as nursery:
            async def start(coroutine):
                finished = trio.Event()

                async def job():
                    await coroutine
                    finished.set()

                nursery.start_soon(job)
                return finished

            async def wait(jobs):
                for finished in jobs:
                    await finished.wait()  # a task that raised cancels the nursery, and trio.run raises it

            await run_all(tasks, records, runtime, chunk, marks, start, wait)

    t0 = now()
    trio.run(main)
    return t0, marks["end"], marks["spawned"], records


def run_curio(plan, base_url, chunk):
    """curio.run of one spawned task per task, joined: CPU through curio.run_in_thread (curio's pool of up to
    `thread_limit` threads, default MAX_WORKER_THREADS = 64, curio/workers.py) or inline; I/O through one
    persistent raw-socket connection per task (curio.open_connection)."""
    import socket

    import curio
    import curio.workers

    if plan["strategy"].get("thread_limit"):
        # Read when the kernel makes its thread pool, at the first run_in_thread (curio/workers.py).
        curio.workers.MAX_WORKER_THREADS = plan["strategy"]["thread_limit"]

    tasks = plan["tasks"]
    records = coroutine_records(tasks)
    marks = {}
    host, port = KeepAliveConnection.address(base_url)

    async def open_client():
        sock = await curio.open_connection(host, port)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return KeepAliveConnection(sock.sendall, sock.recv, sock.close, base_url)

    async def main():
        to_thread = curio.run_in_thread if in_executor(plan) else None
        runtime = Runtime(to_thread, curio.sleep, open_client)

        async def wait(jobs):
            for job in jobs:
                await job.join()  # raises curio.TaskError with what the task raised

        await run_all(tasks, records, runtime, chunk, marks, curio.spawn, wait)

    t0 = now()
    curio.run(main)
    return t0, marks["end"], marks["spawned"], records


def run_twisted(plan, base_url, chunk):
    """Twisted's default reactor (epoll on Linux) running one coroutine per task through
    defer.ensureDeferred: I/O through twisted.web.client.Agent (its default pool is not persistent: a new
    connection per request) and readBody; CPU through threads.deferToThread (the reactor's pool, at most 10
    threads: twisted/internet/base.py, _initThreadPool) or inline. The reactor stops when every task ended."""
    import warnings

    from twisted.internet import defer, reactor, task as twisted_task, threads
    from twisted.python.failure import Failure
    from twisted.web.client import Agent, readBody

    tasks = plan["tasks"]
    records = coroutine_records(tasks)
    marks = {}
    failures = []
    agent = Agent(reactor)
    base = base_url.encode()

    class TwistedClient:
        async def get(self, delay_us, detail):
            response = await agent.request(b"GET", b"%s?delay_us=%d" % (base, delay_us))
            with warnings.catch_warnings():
                # Twisted 26 warns that the HTTP/1.1 client's transport has no abortConnection: harmless here.
                warnings.simplefilter("ignore", DeprecationWarning)
                await readBody(response)
            if detail is not None:
                detail["sent"] = int((response.headers.getRawHeaders(b"x-sent-ns") or [b"0"])[0])

        async def close(self):
            pass

    async def open_client():
        return TwistedClient()

    def sleep(seconds):
        return twisted_task.deferLater(reactor, seconds, lambda: None)

    if plan["strategy"].get("thread_limit"):
        reactor.suggestThreadPoolSize(plan["strategy"]["thread_limit"])  # default ThreadPool(0, 10)
    to_thread = threads.deferToThread if in_executor(plan) else None
    runtime = Runtime(to_thread, sleep, open_client)

    async def start(coroutine):
        return defer.ensureDeferred(coroutine)

    async def main():
        await run_all(tasks, records, runtime, chunk, marks, start,
                      lambda jobs: defer.gatherResults(jobs, consumeErrors=True))

    def finish(result):
        if isinstance(result, Failure):
            failures.append(result)
        reactor.stop()

    reactor.callWhenRunning(lambda: defer.ensureDeferred(main()).addBoth(finish))
    t0 = now()
    reactor.run(installSignalHandlers=False)
    if failures:
        failures[0].raiseException()
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
    apply_speed_factors(plan, factors, "probe")


def apply_speed_factors(plan, factors, sized):
    for task in plan["tasks"]:
        for op in task["ops"]:
            if op[0] in factors:
                op[1] = max(1, int(round(op[1] * factors[op[0]])))
    plan["speed_factors"] = factors
    plan["sized"] = sized


# The runners that build every thread, loop, green thread and process their CPU steps run on afresh in each run,
# so that a trial run before the clock leaves nothing behind that the run would find (processes' trial runs in a
# copy of this process, `trial_in_a_fork`): not trio (its thread cache keeps idle workers 10 s), curio and
# eventlet (their worker pools outlive a run), Twisted (its reactor runs once a process).
SIZED_IN_PLACE = ("sync", "threads", "processes", "gevent", "asyncio", "uvloop", "tasklets")


def rescale_where_run(plan, base_url, chunk):
    """`rescale_to_current_speed`, with each probe run as a step of a one-task trial of the run's own strategy:
    the same function (`cpu_call`, stamped as the run's steps are) on the same thread and at the same depth
    of calls as the run's steps, its CPU time (`run_cpu`) against the calibrated duration. On this VM a
    pure-Python loop's speed depends on where it runs: the matrix's threads ran their steps in 0.73-0.88 of
    the time a probe on the main thread sized them for in 32 of 36 runs, and one frame more between the probe
    and its caller moved a sync run's steps from 0.99 to 0.81 of theirs (docs/model.md, "Where a step is
    sized"). Instrumented runs of SIZED_IN_PLACE's strategies; the others keep the probe on the main thread."""
    probes = plan.get("probes", {})
    kind = plan["strategy"]["kind"]
    foreground = [task for task in plan["tasks"] if not task["background"]]
    if STAMPING is None or kind not in SIZED_IN_PLACE or not probes or not foreground:
        return rescale_to_current_speed(plan, chunk)
    kinds = sorted(probes)
    ops = [[k, probes[k]["amount"]] for k in kinds for _ in range(3)]
    trial = dict(plan, tasks=[dict(foreground[0], ops=ops)])
    if kind == "processes":
        records = trial_in_a_fork(trial, base_url, chunk)
    else:
        _, _, _, records = RUNNERS[kind](trial, base_url, chunk)
    cpu = {k: [] for k in kinds}
    for record in records:
        for step in record["steps"]:
            if len(step) > 3 and "cpu" in step[3]:
                cpu[ops[step[0]][0]].append(step[3]["cpu"])
        for position, _, _, _, where in record["executor"]:
            if "cpu" in where:
                cpu[ops[position][0]].append(where["cpu"])
    factors = {}
    for k in kinds:
        if not cpu[k]:
            raise RuntimeError("the trial run before the clock recorded no CPU time for its %s steps" % k)
        middle = sorted(cpu[k])[len(cpu[k]) // 2]
        factors[k] = (probes[k]["expected_ns"] / max(1, middle)) ** (1 / probes[k]["cost_exponent"])
    apply_speed_factors(plan, factors, "where run")


def trial_in_a_fork(trial, base_url, chunk):
    """`run_processes(trial)` in a copy of this process (os.fork), its records back through a file: the
    trial's child is started as the run's are (the same start method, Process or Pool, the same target), yet
    nothing it starts stays behind for the run to find. Started from here, a fork start's first call would
    have imported and set up what the run's first start does (1.0 ms here, `processFirstStart`), a forkserver
    trial would have left its server running (41 ms, the run's first start), and a spawn or forkserver one
    its resource tracker. The copy ends with what multiprocessing's own children run on exit
    (multiprocessing/process.py, `_bootstrap`: `util._exit_function()`, then `os._exit`)."""
    with tempfile.TemporaryDirectory(prefix="simulate-trial-") as work_dir:
        out = os.path.join(work_dir, "records.json")
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                _, _, _, records = run_processes(trial, base_url, chunk, work_dir)
                write_json_atomically(out, records)
                code = 0
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                try:
                    from multiprocessing import util

                    util._exit_function()
                finally:
                    os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0 or not os.path.exists(out):
            raise RuntimeError("the trial run before the clock failed (wait status %d; its error is above)" % status)
        with open(out) as f:
            return json.load(f)


def steady_probe_ns(plan):
    """The middle of three timings of a fixed pure-Python loop (~3 ms), taken before the clock starts and
    after the run ends: this VM runs at two speeds about 1.6x apart and switches between them over seconds,
    so a run whose probes disagree ran partly at the other speed than its steps were rescaled for, and
    simulate repeats it (RealRunner, `steadyRetries`)."""
    amount = plan.get("steady_probe", 0)
    if not amount:
        return None
    samples = []
    for _ in range(3):
        start = now()
        burn_python(amount)
        samples.append(now() - start)
    return sorted(samples)[1]


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
    for release in detail.get("releases", ()):
        release[0] -= t0
        release[1] -= t0
    if detail.get("sent"):
        detail["sent"] -= t0


def relative(records, t0):
    """Makes every time relative to the start of the timed section."""
    for r in records:
        for key in ("created", "begin", "end", "start_call", "start_return"):
            if key in r:
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


# Each strategy kind of the plan and the function that runs it (processes also take the result folder).
RUNNERS = {"sync": run_sync, "threads": run_threads, "processes": run_processes, "gevent": run_gevent,
           "asyncio": run_asyncio, "uvloop": run_uvloop, "trio": run_trio, "curio": run_curio,
           "eventlet": run_eventlet, "tornado": run_tornado, "twisted": run_twisted, "tasklets": run_tasklets}


def main():
    parser = argparse.ArgumentParser(description="Run a scenario plan for real under one strategy.")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    # The patching itself is `_early_patch`'s, from the plan's kind; a flag only confirms it.
    parser.add_argument("--gevent", action="store_true", help="the plan is gevent's (monkey.patch_all() first)")
    parser.add_argument("--eventlet", action="store_true", help="the plan is eventlet's (eventlet.monkey_patch() first)")
    args = parser.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    kind = plan["strategy"]["kind"]
    for flag in ("gevent", "eventlet"):
        if getattr(args, flag) and kind != flag:
            parser.error("--%s is for the %s strategy, and the plan's is %r" % (flag, flag, kind))
    if kind not in RUNNERS:
        parser.error("unknown strategy kind %r in %s; the harness runs %s" % (kind, args.plan, ", ".join(sorted(RUNNERS))))
    # The scenario's switch interval (ceval_gil.c's interval; 5 ms unless the scenario says otherwise).
    sys.setswitchinterval(plan.get("switch_interval", 0.005))
    os.environ["SIMULATE_SWITCH_INTERVAL"] = repr(sys.getswitchinterval())
    base_url = plan["server"]
    chunk = plan.get("sha_chunk", 1 << 22)
    if any(op[0] == "sha" for task in plan["tasks"] for op in task["ops"]):
        sha_buffer(chunk)  # before the clock starts; fork children inherit it
    warm_kernels(plan["tasks"])
    global STAMPING
    if plan.get("instrument"):
        STAMPING = (max(1, plan["stamp_iterations"]), plan["stall_ns"])
        os.environ["SIMULATE_STAMPING"] = "%d,%d" % STAMPING
        # urlopen's calls on real sockets; gevent's and eventlet's sockets are their own, the loops' their loops'.
        if kind in ("sync", "threads", "processes", "tasklets"):
            instrument_socket_calls()
            os.environ["SIMULATE_SOCKET_CALLS"] = "1"
        if kind == "gevent":
            time_pool_lookups()
    if kind != "processes":
        # Not for processes: their children's notes stay in them, and a forked child would inherit the library.
        # Before the trial that sizes the steps: a step of C that releases the GIL reads its run_delay through it
        # when it begins and ends (`TimedRelease`), and the trial must run the steps as the run does.
        prepare_run_delay_notes()
    rescale_where_run(plan, base_url, chunk)
    steady_before = steady_probe_ns(plan)
    work_dir = os.path.dirname(os.path.abspath(args.out))
    delays_before = run_delays()
    busy_before, window_start = cores_busy_ns(), now()
    if kind == "processes":
        t0, end, spawned, records = run_processes(plan, base_url, chunk, work_dir)
    else:
        t0, end, spawned, records = RUNNERS[kind](plan, base_url, chunk)
    busy_after, window = cores_busy_ns(), now() - window_start
    note_run_delay()
    steady_after = steady_probe_ns(plan)
    result = {
        "makespan": end - t0,
        "main_tid": threading.get_native_id(),
        "cores_busy": [b - a for a, b in zip(busy_before, busy_after)] if busy_before and busy_after else [],
        "cores_window": window,
        "spawned": spawned - t0,
        "python": sys.version.split()[0],
        "speed_factors": plan.get("speed_factors", {}),
        "sized": plan.get("sized", "probe"),
        "steady_probe_ns": [steady_before, steady_after] if steady_before and steady_after else [],
        "tasks": relative(records, t0),
    }
    if RUN_DELAYS:
        # The threads that ran the program's work in this process, from the start of the timed section (a thread
        # alive before it counts from there, one started since from its start, a core wait included).
        result["run_delay"] = {}
        for tid, (delay, turns) in RUN_DELAYS.items():
            delay_before, turns_before = delays_before.get(tid, (0, 0))
            result["run_delay"][str(tid)] = [delay - delay_before, turns - turns_before]
    if POOL_LOOKUPS:
        result["pool_lookups"] = [[tid, entered - t0, left - t0] for tid, entered, left in POOL_LOOKUPS]
    write_json_atomically(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
