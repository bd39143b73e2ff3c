"""A program's first urlopen beside CPU-bound threads: what its import of the idna codec costs.

    python3 validation/first_call_probe.py --interval-ms 20 [--threads 1,2,4] [--runs 6] [--calls 6]
    python3 validation/first_call_probe.py --interval-ms 20 --model .build/release/simulate --machine P [--seeds 15]

`socket.getaddrinfo` encodes a host name with the "idna" codec (Modules/socketmodule.c, `socket_getaddrinfo`),
so a program's first lookup imports `encodings.idna`, `stringprep` and `unicodedata`: strace here counts 29
system calls in that import (stat, openat, fstat, ioctl, lseek, read, close), every one of them inside
Py_BEGIN_ALLOW_THREADS. Beside a thread that wants the GIL, each can lose it for a switch interval.

Measured: per number of CPU threads, `--runs` pairs of new interpreters, each spinning that many threads in
bytecode and then making `--calls` urlopen(url).read() calls one after another (200 us server delay, as the
matrix's convoy): one interpreter as a program is (`plain`), one that imported `encodings.idna` before its
clock (`preimported`), alternating. Each prints its first call and the median of its next ones; the import's
cost is the median first call plain less the median first call preimported.

The model's side (`--model`): the same program as a scenario (one I/O task of 1 call, and of `--calls` calls,
beside the CPU threads), run with the profile `--machine` at seeds 1..`--seeds`; the import's cost is the
median 1-call makespan with the profile's `program_first_call_releases` less the same with the profile's
`programFirstCallRaces` taken out (no releases), and a later
call the difference between the two makespans over `--calls` - 1.

Starts the project's latency server (Sources/RealRuns/python/server.py) as `simulate` does. Run under the
machine lock, one interval at a time (a 50 ms interval with 2 threads takes ~4 min):

    flock /work/machine.lock .venv/bin/python validation/first_call_probe.py --interval-ms 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from call_shape import start_server

# A new interpreter: argv = base URL, calls, CPU threads, switch interval (s), "pre" to import the codec first.
CHILD = """
import sys
if sys.argv[5] == "pre":
    import encodings.idna  # noqa: F401 - what the first getaddrinfo would import
import argparse, hashlib, json, multiprocessing, os, statistics, threading, time, urllib.request  # noqa: E401,F401 - harness.py's
sys.setswitchinterval(float(sys.argv[4]))
stop = False
def spin():
    x = 0
    while not stop:
        x += 1
spinners = [threading.Thread(target=spin) for _ in range(int(sys.argv[3]))]
for t in spinners:
    t.start()
time.sleep(0.05)
walls = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter_ns()
    with urllib.request.urlopen(sys.argv[1] + "?delay_us=200", timeout=600) as r:
        r.read()
    walls.append(time.perf_counter_ns() - start)
stop = True
for t in spinners:
    t.join()
print(walls[0], int(statistics.median(walls[1:])) if len(walls) > 1 else 0)
"""


def measured(interval_ms, threads, runs, calls):
    server, port = start_server()
    url = "http://127.0.0.1:%d/" % port
    rows = {}
    try:
        for k in threads:
            got = {"plain": [], "pre": []}
            for _ in range(runs):
                for mode in ("plain", "pre"):
                    out = subprocess.run([sys.executable, "-c", CHILD, url, str(calls), str(k), str(interval_ms / 1000), mode],
                                         capture_output=True, text=True, check=True, timeout=600).stdout.split()
                    got[mode].append((int(out[0]) / 1e6, int(out[1]) / 1e6))
            plain = statistics.median(f for f, _ in got["plain"])
            pre = statistics.median(f for f, _ in got["pre"])
            later = statistics.median(l for _, l in got["plain"] + got["pre"])
            rows[k] = {"first_plain_ms": [round(f, 1) for f, _ in got["plain"]],
                       "first_preimported_ms": [round(f, 1) for f, _ in got["pre"]],
                       "import_ms": round(plain - pre, 1), "import_intervals": round((plain - pre) / interval_ms, 1),
                       "later_call_ms": round(later, 1)}
    finally:
        server.kill()
        server.wait()
    return rows


def modelled(simulate, machine, interval_ms, threads, seeds, calls):
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        # The profile without the first call's races: no releases (a profile's costs win over --set).
        with open(machine) as f:
            profile = json.load(f)
        profile.pop("programFirstCallRaces", None)
        without_releases = os.path.join(folder, "without-releases.json")
        with open(without_releases, "w") as f:
            json.dump(profile, f)

        def makespans(k, repeat, releases):
            scenario = {"version": 1, "name": "first-call", "machine": {"cores": 2},
                        "python": {"switch_interval": "%gms" % interval_ms},
                        "tasks": [{"name": "io", "count": 1, "steps": [
                            {"repeat": repeat, "steps": [{"io": {"latency": "200us", "cpu": "30us"}}]}]},
                                  {"name": "cpu", "count": k, "background": True,
                                   "steps": [{"cpu": {"duration": "10ms", "kind": "python"}}]}],
                        "strategies": ["threads"]}
            path = os.path.join(folder, "first-call.json")
            with open(path, "w") as f:
                json.dump(scenario, f)
            out = []
            for seed in range(1, seeds + 1):
                subprocess.run([simulate, path, "--machine", machine if releases else without_releases, "--seed", str(seed),
                                "--no-pictures", "-o", folder],
                               check=True, stdout=subprocess.DEVNULL)
                with open(os.path.join(folder, "results.json")) as f:
                    out.append(json.load(f)["strategies"][0]["makespan_ns"] / 1e6)
            return statistics.median(out)

        for k in threads:
            first, without = makespans(k, 1, True), makespans(k, 1, False)
            rows[k] = {"import_ms": round(first - without, 1), "import_intervals": round((first - without) / interval_ms, 1),
                       "later_call_ms": round((makespans(k, calls, True) - first) / (calls - 1), 1)}
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval-ms", type=float, required=True)
    parser.add_argument("--threads", default="1,2,4", help="CPU threads beside, comma-separated")
    parser.add_argument("--runs", type=int, default=6, help="pairs of interpreters per thread count")
    parser.add_argument("--calls", type=int, default=6, help="calls per interpreter (the first and the later ones)")
    parser.add_argument("--model", help="the simulate binary: run the model instead")
    parser.add_argument("--machine", help="with --model: the machine profile")
    parser.add_argument("--seeds", type=int, default=15, help="with --model: seeds 1..N, the median")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    if args.model:
        if not args.machine:
            parser.error("--model needs --machine (a profile with program_first_call_races)")
        rows = modelled(args.model, args.machine, args.interval_ms, threads, args.seeds, args.calls)
    else:
        rows = measured(args.interval_ms, threads, args.runs, args.calls)
    print(json.dumps({"interval_ms": args.interval_ms, "side": "model" if args.model else "measured", "threads": rows}, indent=1))


if __name__ == "__main__":
    main()
