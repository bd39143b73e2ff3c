"""Shows whether this machine runs Python at one speed: times a fixed pure-Python chunk (~0.5-0.8 ms here)
back to back for SECONDS and prints the median of each half second, in microseconds. On this project's
2-core VM the medians jump between two levels about 1.6x apart (e.g. ~500 and ~800 us) every few seconds,
pinned to one CPU or not, with no steal time: the noise every real measurement here carries
(docs/model.md, "The validation matrix").

    python3 validation/speed_modes.py [SECONDS]   (default 15; run it alone, e.g. under the machine lock)
"""
import statistics
import sys
import time


def chunk(n=20000):
    x = 0
    for i in range(n):
        x += i
    return x


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 15.0
    start = time.perf_counter()
    bins = {}
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        chunk()
        bins.setdefault(int((t - start) * 2), []).append((time.perf_counter() - t) * 1e6)
    medians = [statistics.median(v) for _, v in sorted(bins.items())]
    print(" ".join("%.0f" % m for m in medians))
    print("fastest %.0f us, slowest %.0f us, ratio %.2f" % (min(medians), max(medians), max(medians) / min(medians)))


if __name__ == "__main__":
    main()
