"""How much one draw of calibrate.py's "GIL race" step moves: the step as it was (one round of 60 calls alone
and 60 beside a spinning thread) against the step as it is (the median of three rounds of 40), in turn.

Usage: python3 validation/race_rounds.py URL PAIRS
  URL    a latency server (python Sources/RealRuns/python/server.py --port-file F; http://127.0.0.1:PORT/)
  PAIRS  how many pairs to time
Run it with the venv's Python, under the machine lock. Prints one line a pair (docs/model.md, "The wake-up
from urlopen's races").
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import calibrate  # noqa: E402

url, pairs = sys.argv[1], int(sys.argv[2])
for _ in range(pairs):
    start = time.perf_counter()
    one = calibrate.gil_race(url, count=60, rounds=1)[1]
    one_s = time.perf_counter() - start
    start = time.perf_counter()
    three = calibrate.gil_race(url)[1]
    three_s = time.perf_counter() - start
    print("one round of 60: %.2f (%.1f s)   median of 3 rounds of 40: %.2f (%.1f s)" % (one, one_s, three, three_s), flush=True)
