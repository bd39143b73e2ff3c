"""The client CPU of gevent's patched `urlopen` on this machine, two ways (issue 8; docs/model.md, "gevent's
patched call, measured again").

1. A program of `io-reuse-1ms`'s shape outside the harness: after `monkey.patch_all()`, ROUNDS rounds of 20
   greenlets making 10 `urlopen(url).read()` calls each at a server delay of 1 ms (two warm-up calls first);
   per round the wall time, the process's CPU and the main thread's CPU, and the process CPU per call.
2. calibrate.py's `patched urlopen` step pair by pair: one unpatched call alone (this thread's CPU, the
   denominator), then its patched child (`PATCHED_URLOPEN`, 20 clients of 10 calls) at server delays of 2, 1
   and 10 ms; each pair's ratio, PAIRS times. The step records the median of seven such pairs at 2 ms.

    flock /work/machine.lock .venv/bin/python validation/gevent_calls.py [ROUNDS] [PAIRS]
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.join(HERE, "..", "Sources", "RealRuns", "python")
sys.path.insert(0, PYTHON_DIR)
import calibrate  # noqa: E402

sys.path.insert(0, HERE)
from call_shape import start_server  # noqa: E402

ROUNDS_PROGRAM = """
import sys, time
from gevent import monkey
monkey.patch_all()
import gevent, urllib.request
base, rounds = sys.argv[1], int(sys.argv[2])
def client(calls):
    for _ in range(calls):
        with urllib.request.urlopen(base + "?delay_us=1000") as r:
            r.read()
client(2)
for _ in range(rounds):
    wall, cpu, main = time.perf_counter_ns(), time.process_time_ns(), time.thread_time_ns()
    gevent.joinall([gevent.spawn(client, 10) for _ in range(20)])
    wall, cpu, main = time.perf_counter_ns() - wall, time.process_time_ns() - cpu, time.thread_time_ns() - main
    print("round: wall %.1f ms, process CPU %.1f ms, main thread CPU %.1f ms, process CPU a call %.0f us"
          % (wall / 1e6, cpu / 1e6, main / 1e6, cpu / 200 / 1e3), flush=True)
"""


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    server, port = start_server()
    base = "http://127.0.0.1:%d/" % port
    try:
        subprocess.run([sys.executable, "-c", ROUNDS_PROGRAM, base, str(rounds)], check=True)
        for _ in range(pairs):
            alone = calibrate.urlopen_alone_ns(base, 20)
            line = []
            for delay in ("2000", "1000", "10000"):
                # The step's child asks for a 2 ms delay; without that text here every column would be 2 ms.
                if "delay_us=2000" not in calibrate.PATCHED_URLOPEN:
                    sys.exit("calibrate.PATCHED_URLOPEN no longer asks for delay_us=2000: update this script")
                child = calibrate.PATCHED_URLOPEN.replace("delay_us=2000", "delay_us=" + delay)
                out = subprocess.run([sys.executable, "-c", child, "gevent", base, "20", "10"],
                                     capture_output=True, text=True, check=True, timeout=120)
                per_call = int(out.stdout.split()[-1])
                line.append("%s us delay: %.0f us (%.2f)" % (delay, per_call / 1e3, per_call / alone))
            print("pair: alone %.0f us; " % (alone / 1e3) + ", ".join(line), flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
