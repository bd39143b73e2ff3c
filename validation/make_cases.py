"""Writes the validation matrix: validation/cases/*.json (one scenario each) and validation/matrix.json
(the case list and each case's half: "fit" or "held-out").

Usage: python3 validation/make_cases.py   (from the repository root; rewrites the files, same bytes each time)

It also writes validation/programs/*.json: the scenarios that describe the plain programs beside them.

The cases span the space the model claims, not the shipped scenarios: each CPU kind alone and in parallel
(1, 2, 4, 8 tasks) in threads, processes, pools, gevent and asyncio (inline and through the executor); I/O
latencies from 50 us to 200 ms, new and reused connections, 1 to 200 concurrent tasks; switch intervals from
0.1 ms to 50 ms with 0, 1, 2 and 4 CPU-bound threads beside an I/O thread; up to 32 processes per start
method; mixes. Each strategy run takes well under 1.5 s here, so the whole matrix measures in minutes.

The halves: the case names sorted by the SHA-256 of the name, alternately "fit" and "held-out" - balanced,
deterministic, and unrelated to what a case exercises.
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = {}


def case(name, description, tasks, strategies, python=None):
    scenario = {"version": 1, "name": name, "description": description, "seed": 1,
                "machine": {"cores": 2}}
    if python:
        scenario["python"] = python
    scenario["tasks"] = tasks
    scenario["strategies"] = strategies
    assert name not in CASES, name
    CASES[name] = scenario


KIND_STEP = {"py": "python", "pow": "c_holds_gil", "sha": "c_releases_gil"}
ASYNC_INLINE = {"kind": "asyncio", "label": "asyncio-inline", "cpu": "inline"}
POOL2 = {"kind": "processes", "label": "processes-pool2", "pool": 2}
THREAD_POOL2 = {"kind": "threads", "label": "threads-pool2", "pool": 2}

# Each CPU kind alone and in parallel: n tasks of 120 ms each.
CPU_STRATEGIES = {
    "py": ["sync", "threads", "processes", "gevent", ASYNC_INLINE],
    "pow": ["threads", "processes", POOL2, "asyncio"],
    "sha": ["threads", THREAD_POOL2, "processes", "asyncio"],
}
for kind, strategies in CPU_STRATEGIES.items():
    for n in (1, 2, 4, 8):
        case("cpu-%s-%d" % (kind, n), "%d task(s) of one 120ms %s step" % (n, KIND_STEP[kind]),
             [{"name": "work", "count": n, "steps": [{"cpu": {"duration": "120ms", "kind": KIND_STEP[kind]}}]}],
             strategies)

# I/O latency from 50 us to 200 ms: one task calling one after another (about 0.4 s of waiting).
for latency, calls in (("50us", 200), ("500us", 150), ("5ms", 50), ("50ms", 8), ("200ms", 2)):
    case("io-latency-%s" % latency, "%d calls of %s, one after another" % (calls, latency),
         [{"name": "client", "count": 1, "steps": [{"repeat": calls, "steps": [{"io": {"latency": latency}}]}]}],
         ["sync", "threads", "asyncio"])

# 1 to 200 concurrent tasks of two 20 ms calls.
for n, strategies in ((1, ["threads", "gevent", "asyncio"]), (10, ["threads", "gevent", "asyncio", "processes"]),
                      (50, ["threads", "gevent", "asyncio"]), (200, ["threads", "gevent", "asyncio"])):
    case("io-concurrent-%d" % n, "%d tasks of two 20ms calls" % n,
         [{"name": "client", "count": n, "steps": [{"repeat": 2, "steps": [{"io": {"latency": "20ms"}}]}]}],
         strategies)

# New against reused connections (asyncio reuses after a task's first call; blocking urlopen never does).
for latency, n, calls in (("1ms", 20, 10), ("10ms", 5, 20)):
    case("io-reuse-%s" % latency, "%d tasks of %d calls of %s on one connection each" % (n, calls, latency),
         [{"name": "client", "count": n, "steps": [{"repeat": calls, "steps": [{"io": {"latency": latency, "connection": "reuse"}}]}]}],
         ["asyncio", "gevent", "threads"])

# The convoy: an I/O thread's round trips (200 us) beside 0, 1, 2, 4 CPU-bound Python threads, switch
# interval 0.1 ms to 50 ms. The number of calls keeps a run near 0.5-1 s (each can lose a few intervals).
for interval_us in (100, 1000, 5000, 20000, 50000):
    for cpu_threads in ((0, 1, 2, 4) if interval_us in (100, 5000) else (1, 2, 4)):
        per_call = 200 + (4 * interval_us if cpu_threads else 300)
        calls = max(4, min(300, 800_000 // per_call))
        tasks = [{"name": "io", "count": 1, "steps": [{"repeat": calls, "steps": [{"io": {"latency": "200us", "cpu": "30us"}}]}]}]
        if cpu_threads:
            tasks.append({"name": "cpu", "count": cpu_threads, "background": True,
                          "steps": [{"cpu": {"duration": "10ms", "kind": "python"}}]})
        interval = "%gms" % (interval_us / 1000)
        case("convoy-%s-cpu%d" % (interval, cpu_threads),
             "%d round trips of 200us beside %d CPU-bound Python thread(s), switch interval %s" % (calls, cpu_threads, interval),
             tasks, ["threads"], python={"switch_interval": interval})

# asyncio's round trips on a reused connection beside a CPU-bound executor thread.
for interval in ("1ms", "5ms"):
    case("convoy-asyncio-%s" % interval, "100 round trips of 200us (reused connection) beside a CPU-bound executor thread, interval %s" % interval,
         [{"name": "io", "count": 1, "steps": [{"repeat": 100, "steps": [{"io": {"latency": "200us", "cpu": "30us"}}]}]},
          {"name": "cpu", "count": 1, "background": True, "steps": [{"cpu": {"duration": "10ms", "kind": "python"}}]}],
         ["asyncio"], python={"switch_interval": interval})

# Many processes per start method: n tasks of 5 ms pure Python.
# (spawn and forkserver children import the harness afresh, ~40-80 ms of CPU each: 16 of them take ~1 s.)
for method, counts in (("fork", (8, 32)), ("forkserver", (4, 16)), ("spawn", (4, 16))):
    for n in counts:
        case("processes-%s-%d" % (method, n), "%d processes (%s) of 5ms of Python each" % (n, method),
             [{"name": "job", "count": n, "steps": [{"cpu": "5ms"}]}],
             [{"kind": "processes", "label": "processes-" + method, "start_method": method}])

# Mixes.
case("mix-handlers", "16 request handlers: 3 times (3ms of Python, a 10ms GET)",
     [{"name": "handler", "count": 16, "steps": [{"repeat": 3, "steps": [{"cpu": "3ms"}, {"io": {"latency": "10ms"}}]}]}],
     ["threads", "processes", "gevent", "asyncio"])
case("mix-web", "10 handlers: 5ms Python, 10ms json-like C call, 10ms hashing, 2 calls of 30ms",
     [{"name": "handler", "count": 10, "steps": [
         {"cpu": "5ms"}, {"cpu": {"duration": "10ms", "kind": "c_holds_gil"}},
         {"cpu": {"duration": "10ms", "kind": "c_releases_gil"}}, {"repeat": 2, "steps": [{"io": {"latency": "30ms"}}]}]}],
     ["sync", "threads", POOL2, "gevent", ASYNC_INLINE])
case("mix-background-hash", "20 clients of 5 calls of 10ms beside a background hashing thread (10ms chunks)",
     [{"name": "client", "count": 20, "steps": [{"repeat": 5, "steps": [{"io": {"latency": "10ms"}}]}]},
      {"name": "hasher", "count": 1, "background": True, "steps": [{"cpu": {"duration": "10ms", "kind": "c_releases_gil"}}]}],
     ["threads", "asyncio"])
case("mix-sleep-cpu", "4 workers: 3 times (20ms Python, sleep 20ms)",
     [{"name": "worker", "count": 4, "steps": [{"repeat": 3, "steps": [{"cpu": "20ms"}, {"sleep": "20ms"}]}]}],
     ["sync", "threads", "processes", "gevent", "asyncio"])


# Plain Python programs, written the way users write them (validation/programs/*.py), each described to the
# model only by what its author would know: the latency of each call and, where a task computes, the time of
# one task alone (the program's `one` mode, measured with the rest and put at `one_task` before the model runs).
# The model is told nothing else, and nothing is fitted on them: they are all held out.
PROGRAMS = {}


def program(name, source, arguments, description, tasks, strategies, one_task=None, client="calibrated"):
    """client: "calibrated" when the program's HTTP clients are the harness's (urlopen, aiohttp), so the
    machine profile's measured client costs apply; "as_written" when the io steps say all (a raw socket)."""
    PROGRAMS[name] = ({"version": 1, "name": name, "description": description, "seed": 1, "machine": {"cores": 2},
                       "tasks": tasks, "strategies": strategies},
                      {"name": name, "file": "programs/%s.json" % name, "half": "held-out", "program": "programs/" + source,
                       "arguments": arguments, "one_task": one_task, "client": client})


ARTICLE = ["sync", "threads", "processes", "gevent", "asyncio"]
program("program-article-cpu", "article.py", ["cpu"], "The article's CPU job: 10 times 7777 ** 200000",
        [{"name": "job", "count": 10, "steps": [{"cpu": {"duration": "100ms", "kind": "c_holds_gil"}}]}],
        ARTICLE, one_task="tasks[0].steps[0].cpu.duration")
program("program-article-io", "article.py", ["io"], "The article's I/O job: 10 times four downloads one after another (20, 40, 10, 30 ms)",
        [{"name": "job", "count": 10, "steps": [{"io": "20ms"}, {"io": "40ms"}, {"io": "10ms"}, {"io": "30ms"}]}],
        ARTICLE)
program("program-handlers", "handlers.py", [], "40 request handlers: parse in pure Python, then a 10ms backend call",
        [{"name": "request", "count": 40, "steps": [{"cpu": "3ms"}, {"io": "10ms"}]}],
        ["sync", {"kind": "threads", "label": "threads-pool8", "pool": 8},
         {"kind": "processes", "label": "processes-pool2", "pool": 2},
         {"kind": "asyncio", "label": "asyncio-inline", "cpu": "inline"}],
        one_task="tasks[0].steps[0].cpu.duration")
program("program-echo", "echo.py", ["--calls", "300"],
        "300 one-byte round trips on one connection beside a CPU-bound Python thread, switch interval 0.1, 1, 5 ms",
        [{"name": "io", "count": 1, "steps": [{"repeat": 300, "steps": [{"io": {"latency": "50us", "cpu": "0us", "connection": "reuse"}}]}]},
         {"name": "cpu", "count": 1, "background": True, "steps": [{"cpu": {"duration": "10ms", "kind": "python"}}]}],
        [{"kind": "threads", "label": "threads-%s" % i, "python": {"switch_interval": i}} for i in ("0.1ms", "1ms", "5ms")],
        one_task="tasks[0].steps[0].steps[0].io.latency", client="as_written")


def main():
    programs = os.path.join(HERE, "programs")
    for name, (scenario, _) in PROGRAMS.items():
        with open(os.path.join(programs, name + ".json"), "w") as f:
            json.dump(scenario, f, indent=2)
            f.write("\n")
    folder = os.path.join(HERE, "cases")
    os.makedirs(folder, exist_ok=True)
    for old in os.listdir(folder):
        if old.endswith(".json") and old[:-5] not in CASES:
            os.remove(os.path.join(folder, old))
    order = sorted(CASES, key=lambda n: hashlib.sha256(n.encode()).hexdigest())
    halves = {name: ("fit" if i % 2 == 0 else "held-out") for i, name in enumerate(order)}
    for name, scenario in CASES.items():
        with open(os.path.join(folder, name + ".json"), "w") as f:
            json.dump(scenario, f, indent=2)
            f.write("\n")
    matrix = {"version": 1, "cases": [{"name": n, "file": "cases/%s.json" % n, "half": halves[n]} for n in sorted(CASES)],
              "programs": [PROGRAMS[n][1] for n in sorted(PROGRAMS)]}
    with open(os.path.join(HERE, "matrix.json"), "w") as f:
        json.dump(matrix, f, indent=1)
        f.write("\n")
    print("%d cases: %d fit, %d held-out; %d programs, held out" % (len(CASES), sum(h == "fit" for h in halves.values()),
                                                                  sum(h == "held-out" for h in halves.values()), len(PROGRAMS)))


if __name__ == "__main__":
    main()
