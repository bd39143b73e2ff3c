"""How long a CPU step sized for the machine's speed of the moment really takes, over many steps.

harness.py sizes each CPU step just before a run (`rescale_to_current_speed`: a probe timed three times, the
middle one) so that the step takes its planned duration at the speed the machine has then. This VM switches
between speeds about 1.6x apart every few seconds (docs/model.md, "The two speeds, shown"), so a step sized
in one speed may run in the other. This does the same thing TRIALS times: time a ~0.7 ms probe three times,
size a STEP_MS pure-Python step by the middle one, run it, and prints the real duration over the planned one:
its median is what a median of runs sees, its mean what a sum of many steps sees.

    flock /work/machine.lock .venv/bin/python validation/rescale_bias.py [TRIALS] [STEP_MS]

Run from the repository's root (it imports the harness's loop).
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import harness  # noqa: E402  (the harness's own pure-Python loop)

PROBE = 20_000  # iterations of burn_python: ~0.7 ms here


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    step_ns = int(float(sys.argv[2]) * 1e6) if len(sys.argv) > 2 else 20_000_000
    now = time.monotonic_ns
    harness.burn_python(PROBE)  # warm
    ratios = []
    for _ in range(trials):
        probes = []
        for _ in range(3):
            start = now()
            harness.burn_python(PROBE)
            probes.append(now() - start)
        per_iteration = sorted(probes)[1] / PROBE
        start = now()
        harness.burn_python(max(1, int(step_ns / per_iteration)))
        ratios.append((now() - start) / step_ns)
        time.sleep(0.02)  # steps apart, as a run's steps are
    ratios.sort()
    print("%d steps of %.1f ms: real / planned mean %.3f, median %.3f, p10 %.3f, p90 %.3f"
          % (trials, step_ns / 1e6, statistics.mean(ratios), statistics.median(ratios),
             ratios[len(ratios) // 10], ratios[(9 * len(ratios)) // 10]))


if __name__ == "__main__":
    main()
