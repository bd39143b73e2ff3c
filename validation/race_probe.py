"""The GIL race at a short call that releases it, beside one spinning thread: a probe of this machine.

Usage: python3 validation/race_probe.py INTERVAL_MS [TRIALS [AFTER_US]]
  INTERVAL_MS  sys.setswitchinterval, in milliseconds
  TRIALS       trials per call (default 40), the calls taken in turn (A B C ... A B C ...)
  AFTER_US     Python work the I/O thread does between getting the GIL and the call (default 0: the call
               comes right after the forced switch, as `sendall` does in validation/programs/echo.py; with a
               few hundred us the spinning thread is back asleep in take_gil's timed wait when it comes)
Prints one JSON line. Run it with the venv's Python (3.11 here), under the machine lock.

Each trial is one round of the convoy: the I/O thread sleeps 200 us (the spinning thread takes the GIL),
comes back and waits in take_gil until its interval expires and the spinner drops on request
(Python/ceval_gil.h: the spinner then waits on switch_cond until the I/O thread holds the GIL), then makes
one call that releases the GIL and keeps the core: `hashlib.sha256` of 2 KiB to 256 KiB (the GIL is released
from 2048 bytes, Modules/_hashopenssl.c), `os.read` of one byte already in a pipe, `send` of one byte on a
loopback TCP connection. The spinner stamps time.monotonic_ns() in a tight loop (~0.1 us apart while it runs)
and keeps every gap of more than 3 us, so the gap that covers the call's start ends where the spinner next
ran: `wake_us`, from the release to the spinner running with the GIL. The I/O thread lost the race when the
spinner ran before the call returned (the call then takes an interval more than alone).

Figures per call: `alone_us` (median of the call without the spinner, timed in turn with the trials), `lost`
(share of trials in which the spinner took the GIL during the call), `won_us` (median length of the call in
the trials it won), and, over every trial in which the spinner took it during the call or within 100 us after,
the quantiles of `wake_us`. With a call longer than any wake-up (sha256 of 256 KiB) `wake_us` is the woken
waiter's way to the GIL, unbiased (`wake_us_all`: every one). `echo_loop`: TRIALS x 5 round trips of echo.py's
own loop (sendall, recv) beside the spinner, and the share in which sendall, recv, or both came back more than
half an interval late. docs/model.md, "The GIL race at a short call, measured directly", has the figures.
"""
import bisect
import hashlib
import importlib.util
import json
import multiprocessing
import os
import socket
import sys
import threading
import time

now = time.monotonic_ns


def echo_program():
    """validation/programs/echo.py as a module, for its echo server (it parses its arguments on import)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "echo.py")
    spec = importlib.util.spec_from_file_location("echo", path)
    module = importlib.util.module_from_spec(spec)
    argv, sys.argv = sys.argv, [path, "one"]
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = argv
    return module
GAP_NS = 3000


def quantile(values, q):
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else None


def main():
    interval_ms = float(sys.argv[1])
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    after_us = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0

    read_end, write_end = os.pipe()
    os.write(write_end, b"x" * 60000)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    sender = socket.create_connection(listener.getsockname())
    sender.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    receiver, _ = listener.accept()  # never read: 1-byte sends fit its buffer
    # An echo server in another process, as in validation/programs/echo.py: `echo` is its sendall, whose
    # answer the trial reads after the clock (recv releases the GIL again, but the next trial starts anew).
    echo_listener = socket.socket()
    echo_listener.bind(("127.0.0.1", 0))
    echo_listener.listen(1)
    server = multiprocessing.Process(target=echo_program().echo_server, args=(echo_listener,), daemon=True)
    server.start()
    client = socket.create_connection(echo_listener.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(20):
        client.sendall(b"x")
        client.recv(1)
    calls = {"read": lambda: os.read(read_end, 1), "send": lambda: sender.send(b"x"),
             "echo": lambda: client.sendall(b"x")}
    after = {"echo": lambda: client.recv(1)}
    for kib in (2, 4, 8, 16, 32, 64, 256):
        data = b"y" * (kib * 1024)
        calls["sha%dk" % kib] = (lambda data: lambda: hashlib.sha256(data))(data)

    def busy(ns):
        end = now() + ns
        while now() < end:
            pass

    alone = {name: [] for name in calls}
    for _ in range(trials):
        for name, call in calls.items():
            t0 = now()
            call()
            alone[name].append(now() - t0)
            if name in after:
                after[name]()

    sys.setswitchinterval(interval_ms / 1000)
    stop, gaps = [False], []

    def spin():
        last = now()
        while not stop[0]:
            t = now()
            if t - last > GAP_NS:
                gaps.append((last, t))
            last = t

    spinner = threading.Thread(target=spin)
    spinner.start()
    time.sleep(0.05)
    starts = {name: [] for name in calls}
    for _ in range(trials):
        for name, call in calls.items():
            time.sleep(0.0002)
            if after_us:
                busy(int(after_us * 1000))
            t0 = now()
            call()
            starts[name].append((t0, now()))
            if name in after:
                after[name]()
    # Then echo.py's own loop (sendall, recv, at once again): which of its two calls costs the interval.
    trips = []
    for _ in range(trials * 5):
        t0 = now()
        client.sendall(b"x")
        t1 = now()
        client.recv(1)
        trips.append((t0, t1, now()))
    stop[0] = True
    spinner.join()
    client.close()
    server.join(5)

    gaps.sort()
    ends = [g1 for _, g1 in gaps]
    result = {"interval_ms": interval_ms, "trials": trials, "after_us": after_us, "calls": {}}
    for name in calls:
        lost, wakes, won = 0, [], []
        for t0, t1 in starts[name]:
            i = bisect.bisect_right(ends, t0)  # the first gap that ends after t0
            if i == len(gaps) or gaps[i][0] > t0:
                continue  # the spinner was running at t0: not a clean trial
            g1 = gaps[i][1]
            if g1 < t1:
                lost += 1
            else:
                won.append(t1 - t0)
            if g1 < t1 + 100_000:  # the spinner ran during the call or just after it: its wake-up
                wakes.append((g1 - t0) / 1000)
        result["calls"][name] = {
            "alone_us": round(quantile(alone[name], 0.5) / 1000, 1),
            "lost": round(lost / trials, 3),
            "won_us": round(quantile(won, 0.5) / 1000, 1) if won else None,
            "wake_us": {q: round(quantile(wakes, p), 1) if wakes else None
                        for q, p in (("p10", .1), ("p25", .25), ("median", .5), ("p75", .75), ("p90", .9))},
            "wakes": len(wakes),
        }
        if name == "sha256k":  # every wake-up, for the distribution
            result["wake_us_all"] = sorted(round(w, 1) for w in wakes)
    half = interval_ms * 1e6 / 2
    result["echo_loop"] = {
        "round_trips": len(trips),
        "per_round_trip_ms": round((trips[-1][2] - trips[0][0]) / len(trips) / 1e6, 3),
        # sendall came back an interval late (it lost the GIL); recv took an interval (it waited for the GIL
        # after the answer, or lost it on returning with the answer already there).
        "sendall_late": round(sum(1 for a, b, _ in trips if b - a > half) / len(trips), 3),
        "recv_late": round(sum(1 for _, b, c in trips if c - b > half) / len(trips), 3),
        "both_late": round(sum(1 for a, b, c in trips if b - a > half and c - b > half) / len(trips), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
