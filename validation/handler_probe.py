"""Where a sequential request handler's time goes: validation/programs/handlers.py's parse, then a 10 ms urlopen.

    python3 validation/handler_probe.py [--rounds R] [--requests N] [--delay-us D]

Starts the project's latency server (as validation/call_shape.py does) and, in rounds, runs each condition
for N requests, conditions interleaved within a round (A B C ... A B C ...) so that this VM's speed modes
(validation/speed_modes.py) fall on all of them alike:
- one: the parse back to back, as `handlers.py one` times it;
- urlopen: the parse, then `urlopen(url?delay_us=D).read()`, as `handlers.py sync` does;
- urlopen0: the parse, then a urlopen with no delay (a short wait);
- sleep: the parse, then `time.sleep` as long as a delayed urlopen takes (an idle wait with no I/O);
- spin: the parse, then a busy loop of the same length (no wait: the core stays busy);
- nogc: as urlopen, with the cyclic garbage collector off.
Per request it records the parse's wall and CPU (`thread_time_ns`), and the call's wall beyond its delay.
Prints per condition the median parse wall and CPU, their ratio to `one` in the same round (median over
rounds), the call's excess wall, and the request's whole wall. Run under the machine lock:

    flock /work/machine.lock .venv/bin/python validation/handler_probe.py

Other modes (each instead of the rounds above; docs/model.md, "Where a handler's time goes"):
- `--paired`: each parse right after a wait (10 ms urlopen, urlopen with no delay, `time.sleep`) against the
  same parse again right after it: the cold cost of CPU after a wait, at one speed;
- `--trace B`: B blocks of 40 parses, back to back / after each urlopen / after each sleep, every parse's time
  printed (the VM's two speeds, seen per parse);
- `--by-request B`: B blocks of parse(0..39) back to back: the median of n = 0..4 (what `handlers.py one`
  times) against the mean of all (what a run of 40 requests sums);
- `--fresh P`: P times, `handlers.py one` in a new interpreter, then a new interpreter that times the parse
  five times and runs `handlers.py sync`'s loop timing each parse (`--child` is that interpreter);
- `--waits R`: R runs of calibrate.py's `wait_costs` and `socket_call_costs` (as `simulate calibrate` runs
  them), and the median table;
- `--timeout B`: B rounds of 50 calls at 500 us and 5 ms, with `timeout=600` (as harness.py calls) and without.
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "Sources", "RealRuns", "python"))
from call_shape import start_server  # noqa: E402

HANDLERS = os.path.join(HERE, "programs", "handlers.py")


def parse(n):
    """validation/programs/handlers.py's parse, as written there."""
    fields = ("%d:%d" % (i, i * n) for i in range(6000))
    return sum(int(value) for key, value in (f.split(":") for f in fields))


def run(condition, requests, url, url0, delay_ns, idle_s):
    """One condition's N requests: [(parse wall ns, parse CPU ns, call excess ns, request wall ns)]."""
    rows = []
    if condition == "nogc":
        gc.disable()
    try:
        for n in range(requests):
            w0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            parse(n)
            w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
            if condition in ("urlopen", "nogc"):
                with urllib.request.urlopen(url) as r:
                    r.read()
                excess = time.perf_counter_ns() - w1 - delay_ns
            elif condition == "urlopen0":
                with urllib.request.urlopen(url0) as r:
                    r.read()
                excess = time.perf_counter_ns() - w1
            elif condition == "sleep":
                time.sleep(idle_s)
                excess = time.perf_counter_ns() - w1 - delay_ns
            elif condition == "spin":
                end = w1 + int(idle_s * 1e9)
                while time.perf_counter_ns() < end:
                    pass
                excess = time.perf_counter_ns() - w1 - delay_ns
            else:
                excess = 0
            rows.append((w1 - w0, c1 - c0, excess, time.perf_counter_ns() - w0))
    finally:
        gc.enable()
    return rows


def paired(wait, requests, url, url0, idle_s):
    """Per request: the parse right after a wait (`urlopen`, `urlopen0`, `sleep`), then the same parse again
    back to back, a few ms apart, so both run in the same speed mode: [(after-wait wall, back-to-back wall,
    after-wait CPU, back-to-back CPU)]."""
    rows = []
    for n in range(requests):
        w0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        parse(n)
        w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
        parse(n)
        w2, c2 = time.perf_counter_ns(), time.thread_time_ns()
        rows.append((w1 - w0, w2 - w1, c1 - c0, c2 - c1))
        if wait == "sleep":
            time.sleep(idle_s)
        else:
            with urllib.request.urlopen(url if wait == "urlopen" else url0) as r:
                r.read()
    return rows[1:]  # the first parse follows no wait


def timed_parses(ns):
    """The wall time of parse(n) for each n, in ms."""
    out = []
    for n in ns:
        t = time.perf_counter_ns()
        parse(n)
        out.append((time.perf_counter_ns() - t) / 1e6)
    return out


def trace(blocks, url, idle_s):
    """Blocks of 40 parses back to back, after each urlopen, after each sleep: every parse's time printed."""
    for _ in range(blocks):
        for wait in ("one", "urlopen", "sleep"):
            times = []
            for n in range(40):
                times += timed_parses([n])
                if wait == "urlopen":
                    with urllib.request.urlopen(url) as r:
                        r.read()
                elif wait == "sleep":
                    time.sleep(idle_s)
            print(wait.ljust(8), " ".join("%.1f" % x for x in times),
                  "| median %.2f mean %.2f" % (statistics.median(times), statistics.mean(times)), flush=True)


def by_request(blocks):
    """parse(0..39) back to back: the median of n = 0..4 (`handlers.py one`) against the mean of all 40."""
    ratios = []
    for _ in range(blocks):
        times = timed_parses(range(40))
        one = sorted(times[:5])[2]
        ratios.append(statistics.mean(times) / one)
        print("one (median of n = 0..4) %.2f ms, mean of n = 0..39 %.2f ms, ratio %.3f, by tens %s" % (
            one, statistics.mean(times), ratios[-1],
            " ".join("%.2f" % statistics.mean(times[i:i + 10]) for i in range(0, 40, 10))), flush=True)
    print("median ratio %.3f" % statistics.median(ratios))


def child(url):
    """In a new interpreter: the parse five times, then handlers.py's sync loop with each parse timed."""
    first = timed_parses(range(5))
    parses = []
    start = time.perf_counter()
    for n in range(40):
        parses += timed_parses([n])
        with urllib.request.urlopen(url) as r:
            r.read()
    total = (time.perf_counter() - start) * 1e3
    print("first %s | sync parses median %.2f mean %.2f ms | total %.0f ms | a call %.2f ms" % (
        " ".join("%.2f" % x for x in first), statistics.median(parses), statistics.mean(parses), total,
        total / 40 - statistics.mean(parses)))


def fresh(processes, port):
    """`handlers.py one`, then `--child`, each in a new interpreter, `processes` times."""
    base = "http://127.0.0.1:%d/" % port
    for _ in range(processes):
        one = subprocess.run([sys.executable, HANDLERS, "one", "--url", base], capture_output=True, text=True)
        run = subprocess.run([sys.executable, __file__, "--child", "--port", str(port)], capture_output=True, text=True)
        print("handlers.py one: %s | %s" % (one.stdout.strip().splitlines()[-1], run.stdout.strip()), flush=True)


def waits(runs, port):
    """calibrate.py's wait_costs and socket_call_costs, `runs` times, and the median table."""
    import calibrate

    base = "http://127.0.0.1:%d/" % port
    tables = []
    for _ in range(runs):
        tables.append(calibrate.wait_costs(base))
        print(json.dumps({"wait_costs": tables[-1], "socket_call_costs": calibrate.socket_call_costs(base, count=100)}), flush=True)
    print(json.dumps({"median": [[row[0], int(statistics.median(t[i][1] for t in tables))] for i, row in enumerate(tables[0])]}))


def timeouts(rounds, port):
    """50 calls at 500 us and at 5 ms, with timeout=600 (harness.py's blocking_get) and without, in rounds."""
    results = {}
    for _ in range(rounds):
        for delay in (500, 5000):
            for timeout in (True, False):
                url = "http://127.0.0.1:%d/?delay_us=%d" % (port, delay)
                t = time.perf_counter_ns()
                for _ in range(50):
                    with (urllib.request.urlopen(url, timeout=600) if timeout else urllib.request.urlopen(url)) as r:
                        r.read()
                results.setdefault("%d us%s" % (delay, ", timeout=600" if timeout else ""), []).append(
                    round(((time.perf_counter_ns() - t) / 50 - delay * 1000) / 1e3))
    for key, values in results.items():
        print("%s: us a call beyond the delay %s, median %d" % (key, values, statistics.median(values)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--delay-us", type=int, default=10000)
    parser.add_argument("--conditions", default="one,urlopen,urlopen0,sleep,spin,nogc")
    parser.add_argument("--paired", action="store_true",
                        help="instead: each parse after a wait against the same parse again right after it")
    parser.add_argument("--trace", type=int, metavar="B", help="instead: B blocks of 40 parses, each printed")
    parser.add_argument("--by-request", type=int, metavar="B", help="instead: B blocks of parse(0..39)")
    parser.add_argument("--fresh", type=int, metavar="P", help="instead: P pairs of new interpreters")
    parser.add_argument("--waits", type=int, metavar="R", help="instead: R runs of calibrate.py's wait_costs")
    parser.add_argument("--timeout", type=int, metavar="B", help="instead: B rounds of calls with and without a timeout")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child("http://127.0.0.1:%d/?delay_us=%d" % (args.port, args.delay_us))
    if args.by_request:
        return by_request(args.by_request)
    conditions = args.conditions.split(",")
    server, port = start_server()
    try:
        if args.fresh:
            return fresh(args.fresh, port)
        if args.waits:
            return waits(args.waits, port)
        if args.timeout:
            return timeouts(args.timeout, port)
        url = "http://127.0.0.1:%d/?delay_us=%d" % (port, args.delay_us)
        url0 = "http://127.0.0.1:%d/?delay_us=0" % port
        delay_ns = args.delay_us * 1000
        for _ in range(10):  # warm urllib's opener and the server
            with urllib.request.urlopen(url0) as r:
                r.read()
        # The sleep and the spin last as long as a delayed call takes here.
        t = time.perf_counter_ns()
        for _ in range(5):
            with urllib.request.urlopen(url) as r:
                r.read()
        idle_s = (time.perf_counter_ns() - t) / 5 / 1e9
        if args.trace:
            return trace(args.trace, url, idle_s)
        if args.paired:
            out = {}
            for wait in ("urlopen", "urlopen0", "sleep"):
                rows = [r for _ in range(args.rounds) for r in paired(wait, args.requests, url, url0, idle_s)]
                extra = sorted(r[0] - r[1] for r in rows)
                out[wait] = {
                    "pairs": len(rows),
                    "after_wait_ms": round(statistics.median(r[0] for r in rows) / 1e6, 3),
                    "back_to_back_ms": round(statistics.median(r[1] for r in rows) / 1e6, 3),
                    "extra_us_median": round(statistics.median(extra) / 1e3, 1),
                    "extra_us_p25_p75": [round(extra[len(extra) // 4] / 1e3, 1), round(extra[3 * len(extra) // 4] / 1e3, 1)],
                    "extra_cpu_us_median": round(statistics.median(r[2] - r[3] for r in rows) / 1e3, 1),
                    "ratio_median": round(statistics.median(r[0] / r[1] for r in rows), 3),
                }
            print(json.dumps(out, indent=1))
            return
        per = {c: {"parse": [], "cpu": [], "excess": [], "request": [], "ratio": [], "cpu_ratio": []} for c in conditions}
        for _ in range(args.rounds):
            one = None
            for c in conditions:
                rows = run(c, args.requests, url, url0, delay_ns, idle_s)
                parse_wall = statistics.median(r[0] for r in rows)
                parse_cpu = statistics.median(r[1] for r in rows)
                if c == "one":
                    one = (parse_wall, parse_cpu)
                d = per[c]
                d["parse"].append(parse_wall)
                d["cpu"].append(parse_cpu)
                d["excess"].append(statistics.median(r[2] for r in rows))
                d["request"].append(statistics.mean(r[3] for r in rows))
                if one:
                    d["ratio"].append(parse_wall / one[0])
                    d["cpu_ratio"].append(parse_cpu / one[1])
        out = {"delay_us": args.delay_us, "idle_ms": round(idle_s * 1e3, 3), "rounds": args.rounds,
               "requests": args.requests, "conditions": {}}
        for c in conditions:
            d = per[c]
            out["conditions"][c] = {
                "parse_ms": round(statistics.median(d["parse"]) / 1e6, 3),
                "parse_cpu_ms": round(statistics.median(d["cpu"]) / 1e6, 3),
                "parse_vs_one": round(statistics.median(d["ratio"]), 3) if d["ratio"] else None,
                "parse_vs_one_range": [round(min(d["ratio"]), 3), round(max(d["ratio"]), 3)] if d["ratio"] else None,
                "cpu_vs_one": round(statistics.median(d["cpu_ratio"]), 3) if d["cpu_ratio"] else None,
                "call_excess_ms": round(statistics.median(d["excess"]) / 1e6, 3),
                "request_ms": round(statistics.median(d["request"]) / 1e6, 3),
                "rounds_parse_ms": [round(v / 1e6, 2) for v in d["parse"]],
                "rounds_request_ms": [round(v / 1e6, 2) for v in d["request"]],
            }
        print(json.dumps(out, indent=1))
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
