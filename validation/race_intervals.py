"""Whether urlopen's GIL races depend on the switch interval: calibrate.py's "GIL race" step (urlopen alone,
then beside a thread spinning in bytecode; (beside - alone) / interval = races lost a call) at several
intervals, the intervals in turn, ROUNDS times, so that a change of the machine's state falls on all of them.

Usage: python3 validation/race_intervals.py URL ROUNDS [CALLS] [INTERVALS_MS]
  URL           a latency server (python Sources/RealRuns/python/server.py --port-file F; http://127.0.0.1:PORT/)
  ROUNDS        how many times to go through the intervals
  CALLS         urlopen calls beside the spinner, per interval and round (default 12)
  INTERVALS_MS  comma-separated switch intervals (default 1,5,20,50)
Run it with the venv's Python, under the machine lock. Prints one line a round and interval, then the median
of each interval (docs/model.md, "The echo's round trip and a core's wake-up, measured on more hosts").
A lost call at 1 ms costs the interval plus the timed wait's overshoot (100-150 us here), so the figure at
1 ms is a little high.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import calibrate  # noqa: E402

url, rounds = sys.argv[1], int(sys.argv[2])
calls = int(sys.argv[3]) if len(sys.argv) > 3 else 12
intervals = [float(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "1,5,20,50").split(",")]
lost = {interval: [] for interval in intervals}
for r in range(rounds):
    for interval in intervals:
        sys.setswitchinterval(interval / 1000)
        alone, per_call = calibrate.gil_race(url, count=calls, rounds=1)
        lost[interval].append(per_call)
        print("round %d, %g ms: alone %.0f us, lost %.2f a call" % (r + 1, interval, alone / 1e3, per_call), flush=True)
for interval in intervals:
    print("%g ms: median %.2f races lost a call (rounds: %s)"
          % (interval, statistics.median(lost[interval]), " ".join("%.2f" % x for x in lost[interval])))
