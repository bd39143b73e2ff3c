"""Runs the harness's runtimes on two hand-written workloads and prints each one's median makespan: a check
that every runner works, and figures to compare (docs/model.md, "Measured runtime costs").

Usage: python runtimes_bench.py [--runs N] [--only KIND,KIND] [--workload io_heavy|mixed|both]
                                 [--cpu-in-executor] [--release hashlib|numpy|numba]

Starts its own latency server (server.py) and stops it at the end. The workloads follow
scenarios/io_heavy.json (10 tasks x 4 downloads, lognormal latency, median 180 ms) and scenarios/mixed.json
(20 handlers x 5 requests: Python 0.8 ms, I/O 3 ms, GIL-holding C 0.5-2 ms, GIL-releasing C 1.5 ms, I/O
40 ms), drawn with a fixed seed and sized with work rates measured here and now. Without the model's I/O
CPU: each runtime's own client costs what it costs.
"""
import lifeline  # noqa: F401 - dies with its parent, even on SIGKILL (lifeline.py)
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import calibrate  # noqa: E402

KINDS = ("sync", "threads", "gevent", "asyncio", "uvloop", "trio", "curio", "eventlet", "tornado", "twisted", "tasklets")


def rates():
    """ns per unit of each CPU kind, measured now (median of a few runs)."""
    harness.sha_buffer(calibrate.SHA_CHUNK)
    py = calibrate.median_of(5, harness.burn_python, 1_000_000) / 1_000_000
    sha = calibrate.median_of(5, harness.burn_sha, 1 << 22, calibrate.SHA_CHUNK) / (1 << 22)
    harness.numpy_arrays()
    np_rate = calibrate.median_of(5, harness.burn_numpy, 1 << 22) / (1 << 22)
    harness.numba_kernel()
    nb = calibrate.median_of(5, harness.burn_numba, 10_000_000) / 10_000_000
    # 7777 ** n grows like n^1.58: find the exponent for 1 ms from one point.
    e = 20_000
    pow_ns = calibrate.median_of(5, harness.burn_pow, e)
    return {"py": py, "sha": sha, "np": np_rate, "nb": nb, "pow": (e, pow_ns)}


def sized(kind, ns, r):
    if kind == "pow":
        e, t = r["pow"]
        return ["pow", max(1, int(e * (ns / t) ** (1 / 1.58)))]
    return [kind, max(1, int(ns / r[kind]))]


def workload(name, r, release, seed=1):
    rng = random.Random(seed)
    tasks = []
    if name == "io_heavy":
        for i in range(10):
            ops = [["io", int(180_000 * rng.lognormvariate(0, 0.6))] for _ in range(4)]
            tasks.append({"name": "download-%d" % i, "background": False, "ops": ops})
    else:
        for i in range(20):
            ops = []
            for _ in range(5):
                ops.append(sized("py", max(0.0, rng.gauss(0.8e6, 0.2e6)), r))
                ops.append(["io", int(3_000 * rng.lognormvariate(0, 0.5))])
                ops.append(sized("pow", rng.uniform(0.5e6, 2e6), r))
                ops.append(sized(release, 1.5e6, r))
                ops.append(["io", int(40_000 * rng.lognormvariate(0, 0.7))])
            tasks.append({"name": "handler-%d" % i, "background": False, "ops": ops})
    return tasks


def start_server(folder):
    port_file = os.path.join(folder, "port")
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--port-file", port_file])
    for _ in range(500):
        if os.path.exists(port_file):
            with open(port_file) as f:
                return server, "http://127.0.0.1:%d/" % int(f.read())
        time.sleep(0.01)
    server.kill()
    raise RuntimeError("the latency server did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(KINDS))
    parser.add_argument("--workload", default="both", choices=("io_heavy", "mixed", "both"))
    parser.add_argument("--cpu-in-executor", action="store_true", help="CPU through each runtime's threads")
    parser.add_argument("--release", default="hashlib", choices=("hashlib", "numpy", "numba"))
    args = parser.parse_args()
    release = {"hashlib": "sha", "numpy": "np", "numba": "nb"}[args.release]
    r = rates()
    names = ("io_heavy", "mixed") if args.workload == "both" else (args.workload,)
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(folder)
        try:
            for name in names:
                tasks = workload(name, r, release)
                print("%s (%d tasks, CPU %s):" % (name, len(tasks), "in threads" if args.cpu_in_executor else "inline"))
                for kind in args.only.split(","):
                    plan = {"strategy": {"kind": kind, "cpu_in_executor": args.cpu_in_executor}, "server": url,
                            "switch_interval": 0.005, "sha_chunk": calibrate.SHA_CHUNK, "tasks": tasks}
                    plan_path, out = os.path.join(folder, "plan.json"), os.path.join(folder, "out.json")
                    with open(plan_path, "w") as f:
                        json.dump(plan, f)
                    spans = []
                    for _ in range(args.runs):
                        subprocess.run([sys.executable, os.path.join(HERE, "harness.py"), "--plan", plan_path, "--out", out],
                                       check=True)
                        with open(out) as f:
                            result = json.load(f)
                        steps = sum(len(t["steps"]) for t in result["tasks"])
                        expected = sum(len(t["ops"]) for t in tasks)
                        if steps != expected:
                            raise RuntimeError("%s recorded %d steps of %d" % (kind, steps, expected))
                        spans.append(result["makespan"] / 1e6)
                    print("  %-9s median %8.1f ms  (min %.1f, max %.1f; %d runs)"
                          % (kind, statistics.median(spans), min(spans), max(spans), len(spans)), flush=True)
        finally:
            server.kill()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
