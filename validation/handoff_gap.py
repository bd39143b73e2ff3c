"""What a GIL hand-off between two spinning threads costs on this machine (docs/model.md, "A release that wakes a
sleeping waiter: what the hand-off costs (measured; tried, not applied)").

Two pure-Python threads spin for DURATION_MS each, stamping `time.monotonic_ns()` into a list on every turn of
their loop, at a switch interval of INTERVAL_MS (sys.setswitchinterval). Their stamps, merged in time order, give
the holds: a hold ends where a stamp of the other thread begins. Per interval it prints one JSON line:

- `gap_us`: from the old holder's last stamp to the new holder's first, mean, median and p90 (the time in which
  neither ran: the forced drop, the signal, the waiter's way back to a core and to the GIL);
- `fast_handoffs`: the share of gaps under 10 µs (a waiter that took the signal before it slept);
- `lost_us`: how much less work a window of a hold does than the loop's steady rate (the median gap between
  two stamps) would: the first 25 µs of a hold against the next 25 µs, the first 100 against 100-200 µs. A new
  holder that found its caches cold (the other thread ran on the other core) would lose more in its first
  window than later;
- `handoffs_per_s` and `lost_share`: the share of the run not spent at the steady rate (gaps, the list's
  growth, the machine).

The intervals are taken in turn, ROUNDS times, so that a change of the VM's speed falls on all of them alike;
the figures are over all rounds.

    flock /work/machine.lock .venv/bin/python validation/handoff_gap.py [ROUNDS] [DURATION_MS] [INTERVALS_MS]

e.g. `validation/handoff_gap.py 3 300 0.1,1,5`. The model's side of the same question is its makespan of two
CPU-bound threads against one thread doing both (`simulate compare validation/cases/cpu-py-2.json --strategies
sync,threads --set python.switch_interval=1ms --no-instrument`).
"""
import bisect
import json
import statistics
import sys
import threading
import time

now = time.monotonic_ns
FAST_HANDOFF_NS = 10_000


def spin_pair(interval_ms, duration_ms):
    """Two threads spinning side by side; their stamps."""
    sys.setswitchinterval(interval_ms / 1000)
    stamps = [[], []]
    ready = threading.Barrier(2)

    def spin(out):
        ready.wait()
        append = out.append
        end = now() + int(duration_ms * 1e6)
        t = now()
        while t < end:
            t = now()
            append(t)

    threads = [threading.Thread(target=spin, args=(s,)) for s in stamps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stamps


def holds_of(stamps):
    """The holds in time order: lists of one thread's consecutive stamps."""
    merged = sorted((t, i) for i, s in enumerate(stamps) for t in s)
    holds, owner = [], None
    for t, i in merged:
        if i != owner:
            holds.append([])
            owner = i
        holds[-1].append(t)
    return holds


def window_loss(holds, steady, start_us, width_us):
    """Mean over the holds long enough of the work a window did not do at the steady rate, in µs."""
    lost = []
    for h in holds[1:-1]:
        if h[-1] - h[0] < (start_us + width_us) * 1000:
            continue
        a = bisect.bisect_left(h, h[0] + start_us * 1000)
        b = bisect.bisect_left(h, h[0] + (start_us + width_us) * 1000)
        lost.append(width_us * 1000 - (b - a) * steady)
    return round(statistics.mean(lost) / 1000, 1) if lost else None


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    duration_ms = float(sys.argv[2]) if len(sys.argv) > 2 else 300
    intervals = [float(x) for x in sys.argv[3].split(",")] if len(sys.argv) > 3 else [0.1, 1, 5]
    runs = {i: [] for i in intervals}
    for _ in range(rounds):
        for i in intervals:
            runs[i].append(holds_of(spin_pair(i, duration_ms)))
    for i in intervals:
        gaps, handoffs, seconds, steady_all, windows, lost_shares = [], 0, 0.0, [], {}, []
        for holds in runs[i]:
            steady = statistics.median(b - a for h in holds for a, b in zip(h, h[1:]))
            steady_all.append(steady)
            gaps += [y[0] - x[-1] for x, y in zip(holds, holds[1:])]
            handoffs += len(holds) - 1
            span = holds[-1][-1] - holds[0][0]
            seconds += span / 1e9
            for key, (start, width) in {"first_25": (0, 25), "next_25": (25, 25),
                                        "first_100": (0, 100), "next_100": (100, 100)}.items():
                windows.setdefault(key, []).append(window_loss(holds, steady, start, width))
            lost_shares.append(1 - sum(len(h) for h in holds) * steady / span)
        q = statistics.quantiles(gaps, n=10) if len(gaps) > 1 else [0] * 9
        print(json.dumps({
            "interval_ms": i, "rounds": rounds, "handoffs_per_s": round(handoffs / seconds),
            "gap_us": {"mean": round(statistics.mean(gaps) / 1000, 1), "median": round(statistics.median(gaps) / 1000, 1),
                       "p90": round(q[8] / 1000, 1)},
            "fast_handoffs": round(sum(1 for g in gaps if g < FAST_HANDOFF_NS) / len(gaps), 2),
            "steady_ns": round(statistics.median(steady_all)),
            "lost_us": {k: round(statistics.mean(v), 1) for k, v in windows.items() if None not in v},
            "lost_share": round(statistics.mean(lost_shares), 3),
        }))


if __name__ == "__main__":
    main()
