"""Who holds the GIL, for how long, and who takes it next: a probe of CPython's GIL hand-offs on this machine.

Usage: python3 validation/gil_probe.py CPU_THREADS IO INTERVAL_MS [ROUNDS [POW]]
  CPU_THREADS  pure-Python threads that spin, each stamping time.monotonic_ns() in a tight loop
  IO           none (only the CPU threads, for ROUNDS ms) or sleep (one more thread: ROUNDS x time.sleep(200 us))
  INTERVAL_MS  sys.setswitchinterval, in milliseconds
  POW          with an exponent, each turn of the loop also computes 7777 ** POW: one C call that holds the
               GIL, so a drop request is noticed only when it returns (gaps shorter than 3 calls then count
               as running)
  GIL_PROBE_GAP_US (environment) the shortest gap that counts as not running, 20 us unless set
Prints one JSON line. Run it with the venv's Python (3.11 here), under the machine lock.

How it sees the GIL: a spinning thread's consecutive stamps are ~0.1 us apart while it holds the GIL; a gap of
more than 20 us is time it did not run. A gap is a lost GIL only if another thread ran meanwhile (a lone thread
also shows ~500 gaps a second from the VM and the OS), so each thread's runs are merged in time order and a
hold ends where a run of another thread begins. The sleeping thread holds the GIL from a sleep's return (its
stamp after time.sleep comes after take_gil) to the next sleep's call.

Figures: the CPU threads' hold lengths (in switch intervals); `gaps_per_s`, every gap of more than 20 us
counted as if it were a lost GIL, against `cpu_handoffs_per_s`, the hand-offs between CPU threads; `aba`, the share of hand-offs between CPU threads
where the new holder is the thread that held before the last one (A-B-A: with 3 or more CPU threads and no I/O,
a random choice among the sleepers gives 1/2 for 3 threads and 1/3 for 4, the oldest sleeper first gives 0,
the thread that asked for the drop first gives 1); and with IO=sleep the time per round trip and how many CPU
holds each of the sleeping thread's waits lasted.
"""
import json
import os
import sys
import threading
import time

now = time.monotonic_ns
# A gap longer than this is time the thread did not run (GIL_PROBE_GAP_US overrides it).
GAP_NS = int(os.environ.get("GIL_PROBE_GAP_US", "20")) * 1000


def spin(index, stop, out, exponent, gap_ns):
    gaps = []
    first = last = now()
    while not stop[0]:
        if exponent:
            (7777 ** exponent).bit_length()
        t = now()
        if t - last > gap_ns:
            gaps.append((last, t))
        last = t
    out[index] = (first, last, gaps)


def quantile(values, q):
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else 0


def main():
    cpu_threads, io, interval_ms = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else (1000 if io == "none" else 60)
    exponent = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    gap_ns = GAP_NS
    if exponent:
        begin = now()
        for _ in range(20):
            (7777 ** exponent).bit_length()
        gap_ns = max(GAP_NS, 3 * (now() - begin) // 20)
    interval = interval_ms * 1e6
    sys.setswitchinterval(interval_ms / 1000)
    stop, out, calls = [False], {}, []
    spinners = [threading.Thread(target=spin, args=(i, stop, out, exponent, gap_ns)) for i in range(cpu_threads)]

    def sleeper():
        for _ in range(rounds):
            entered = now()
            time.sleep(0.0002)
            calls.append((entered, now()))

    for s in spinners:
        s.start()
    time.sleep(0.05)
    t0 = now()
    if io == "sleep":
        s = threading.Thread(target=sleeper)
        s.start()
        s.join()
    else:
        time.sleep(rounds / 1000)
    t1 = now()
    stop[0] = True
    for s in spinners:
        s.join()

    runs = []
    for i, (first, last, gaps) in out.items():
        start = first
        for g0, g1 in gaps:
            runs.append((start, g0, i))
            start = g1
        runs.append((start, last, i))
    runs += [(left, entered, "io") for (_, left), (entered, _) in zip(calls, calls[1:])]
    runs = sorted((max(a, t0), min(b, t1), w) for a, b, w in runs if b > t0 and a < t1 and b > a)
    holds = []  # [start, end, holder], one per hold of the GIL
    for a, b, w in runs:
        if holds and holds[-1][2] == w:
            holds[-1][1] = max(holds[-1][1], b)
        else:
            holds.append([a, b, w])
    cpu_holds = [y[0] - x[0] for x, y in zip(holds, holds[1:]) if x[2] != "io"]
    who = [h[2] for h in holds]
    triples = [(x, y, z) for x, y, z in zip(who, who[1:], who[2:]) if "io" not in (x, y, z)]
    result = {
        "cpu_threads": cpu_threads, "io": io, "interval_ms": interval_ms, "pow_call_us": gap_ns // 3000 if exponent else 0, "seconds": round((t1 - t0) / 1e9, 3),
        "cpu_holds": len(cpu_holds),
        # Every gap of a spinning thread, as if each were a lost GIL: what counting stalls alone would give.
        "gaps_per_s": round(sum(sum(1 for g0, _ in gaps if t0 < g0 < t1) for _, _, gaps in out.values()) / ((t1 - t0) / 1e9)),
        "cpu_handoffs_per_s": round(sum(1 for x, y in zip(who, who[1:]) if "io" not in (x, y)) / ((t1 - t0) / 1e9)),
        "cpu_hold_intervals": {q: round(quantile(cpu_holds, p) / interval, 2)
                               for q, p in (("p10", .1), ("median", .5), ("p90", .9))},
        "aba": round(sum(1 for x, _, z in triples if x == z) / len(triples), 2) if triples else None,
    }
    if calls:
        result["round_trip_ms"] = round((t1 - t0) / 1e6 / rounds, 2)
        # How many CPU holds each wait of the sleeping thread lasted: holds that began while it was away.
        waits = []
        for entered, left in calls:
            waits.append(sum(1 for a, _, w in holds if w != "io" and entered < a < left))
        result["cpu_holds_per_wait"] = {k: waits.count(k) for k in sorted(set(waits))}
    print(json.dumps(result))


main()
