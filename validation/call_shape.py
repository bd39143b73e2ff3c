"""The shape of one blocking HTTP call's CPU: where its Python runs between the calls that release the GIL.

    python3 validation/call_shape.py [--calls N] [--delay-us D] [--mode new|new-notimeout|reuse]

Starts the project's latency server (Sources/RealRuns/python/server.py, as `simulate` does) and makes N calls
one after another, alone (no other thread), each:
- new: `urllib.request.urlopen(url, timeout=600).read()`, as harness.py's `blocking_get` called it until
  2026-12-04 (a new connection each call);
- new-notimeout: the same without a timeout, as the article, harness.py's `blocking_get` (since 2026-12-04),
  calibrate.py's call shape and validation/gil_probe.py call it;
- reuse: `HTTPConnection.request("GET", ...)` + `getresponse().read()` on one kept-alive connection
  (http.client, timeout=600), as calibrate.py's `server_answer_costs` does.

Each Python-visible call that releases the GIL around its system call (Py_BEGIN_ALLOW_THREADS in
Modules/socketmodule.c) is wrapped and stamped with `time.thread_time_ns()` (this thread's CPU) on entry and
on return: socket.getaddrinfo, socket.socket() (`sock_initobj`), settimeout (`internal_setblocking`: an ioctl),
connect (`internal_connect`: connect(), then with a timeout poll() and getsockopt(SO_ERROR), each released
separately), setsockopt (does NOT release the GIL: stamped to show where http.client sets TCP_NODELAY),
sendall (with a timeout poll() then send(), each released), recv_into (likewise poll() then recv()), and
_real_close (close()). The CPU between one call's return and the next call's entry is the Python (and the
GIL-holding C) the thread runs holding the GIL: the "pieces" of the model's io step.

The wrapper's own CPU (two thread_time_ns calls, a closure call, a list append) is measured the same way on a
wrapped no-op (the gap between two consecutive wrapped no-ops, and the CPU inside one) and subtracted from
each gap and each call. Wrapped and unwrapped calls alternate, so the whole call's CPU without the probe is
reported beside the probe's sum.

Prints one JSON object: per mode, the call sequence (and how many calls had it), per position the CPU before
the call (`before_us`: median, p10, p90) and inside it (`in_us`), the CPU after the last call (`after_us`),
the whole call's CPU (probed and unprobed), and the overheads subtracted. Run under the machine lock:

    flock /work/machine.lock .venv/bin/python validation/call_shape.py --calls 400
"""
import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

cpu = time.thread_time_ns
HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "Sources", "RealRuns", "python", "server.py")
WRAPPED = ("getaddrinfo", "socket", "settimeout", "connect", "setsockopt", "sendall", "recv_into", "close")

log = None  # the current call's [(name, entered, left)], or None outside a probed call


def quantile(values, q):
    s = sorted(values)
    if not s:
        return 0
    i = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return s[i]


def stamped(name, function):
    """function, stamping this thread's CPU on entry and return while a probed call runs."""
    def call(*args, **kwargs):
        if log is None:
            return function(*args, **kwargs)
        entered = cpu()
        try:
            return function(*args, **kwargs)
        finally:
            log.append((name, entered, cpu()))
    return call


def instrument():
    # getaddrinfo is a module global that socket.create_connection looks up when called (Lib/socket.py).
    socket.getaddrinfo = stamped("getaddrinfo", socket.getaddrinfo)
    init = socket.socket.__init__
    socket.socket.__init__ = lambda self, *a, **k: stamped("socket", init)(self, *a, **k)
    for name in ("settimeout", "connect", "setsockopt", "sendall", "recv_into"):
        setattr(socket.socket, name, stamped(name, getattr(socket.socket, name)))
    # close() ends in _real_close once the response's file object has let go of the socket (Lib/socket.py).
    socket.socket._real_close = stamped("close", socket.socket._real_close)


def noop():
    return None


def wrapper_overhead(count=20000):
    """The probe's own CPU: (gap, inside) of a wrapped no-op, medians over `count` pairs of calls."""
    global log
    probe = stamped("noop", noop)
    gaps, inside = [], []
    for _ in range(count):
        log = []
        probe()
        probe()
        (_, a0, b0), (_, a1, b1) = log
        gaps.append(a1 - b0)
        inside.append((b0 - a0 + b1 - a1) / 2)
    log = None
    return quantile(gaps, .5), quantile(inside, .5)


def start_server():
    folder = tempfile.mkdtemp()
    port_file = os.path.join(folder, "port")
    server = subprocess.Popen([sys.executable, SERVER, "--port-file", port_file],
                              env=dict(os.environ, SIMULATE_PARENT_PID=str(os.getpid())))
    for _ in range(500):
        if os.path.exists(port_file):
            break
        time.sleep(0.01)
    with open(port_file) as f:
        return server, int(f.read())


def measure(mode, port, calls, delay_us):
    """`calls` probed calls alternating with as many unprobed ones: ([sequence of (name, before, in)], after,
    whole probed CPU) per probed call, and the unprobed calls' CPU."""
    global log
    url = "http://127.0.0.1:%d/?delay_us=%d" % (port, delay_us)
    path = "/?delay_us=%d" % delay_us
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600) if mode == "reuse" else None

    def one():
        if mode == "reuse":
            connection.request("GET", path)
            connection.getresponse().read()
        elif mode == "new":
            with urllib.request.urlopen(url, timeout=600) as response:
                response.read()
        else:
            with urllib.request.urlopen(url) as response:
                response.read()

    for _ in range(20):  # warm urllib's opener, the server's threads, the connection
        one()
    probed, plain = [], []
    for _ in range(calls):
        log = []
        start = cpu()
        one()
        end = cpu()
        calls_log, log = log, None
        pieces, previous = [], start
        for name, entered, left in calls_log:
            pieces.append((name, entered - previous, left - entered))
            previous = left
        probed.append((pieces, end - previous, end - start))
        start = cpu()
        one()
        plain.append(cpu() - start)
    if connection is not None:
        connection.close()
    return probed, plain


def summary(probed, plain, overhead):
    gap, inside = overhead
    sequences = {}
    for pieces, after, whole in probed:
        sequences.setdefault(tuple(name for name, _, _ in pieces), []).append((pieces, after, whole))
    sequence, rows = max(sequences.items(), key=lambda kv: len(kv[1]))
    us = lambda ns: round(ns / 1000, 1)
    stats = lambda values: {"median": us(quantile(values, .5)), "p10": us(quantile(values, .1)), "p90": us(quantile(values, .9))}
    positions = []
    for i, name in enumerate(sequence):
        # The first piece's gap has only the entry half of the wrapper in it; the others a whole gap.
        before = [max(0, r[0][i][1] - (gap // 2 if i == 0 else gap)) for r in rows]
        within = [max(0, r[0][i][2] - inside) for r in rows]
        positions.append({"call": name, "before_us": stats(before), "in_us": stats(within)})
    after = [max(0, r[1] - gap // 2) for r in rows]
    probe_cost = len(sequence) * (gap + inside)
    whole = [r[2] - probe_cost for r in rows]
    pieces_sum = sum(p["before_us"]["median"] for p in positions) + quantile(after, .5) / 1000
    return {
        "sequence": list(sequence), "calls_with_it": len(rows), "calls": len(probed),
        "other_sequences": {" ".join(k): len(v) for k, v in sequences.items() if k != sequence},
        "positions": positions, "after_us": stats(after),
        "python_us": round(pieces_sum, 1),
        "in_calls_us": round(sum(p["in_us"]["median"] for p in positions), 1),
        "whole_probed_us": stats(whole), "whole_unprobed_us": stats(plain),
        "probe_overhead_us": {"gap": us(gap), "inside": us(inside)},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--delay-us", type=int, default=200, help="the server's delay (the matrix's convoy: 200)")
    parser.add_argument("--mode", action="append", choices=["new", "new-notimeout", "reuse"],
                        help="repeatable; default: all three")
    options = parser.parse_args()
    server, port = start_server()
    try:
        instrument()
        overhead = wrapper_overhead()
        result = {"python": sys.version.split()[0], "delay_us": options.delay_us}
        for mode in options.mode or ["new", "new-notimeout", "reuse"]:
            probed, plain = measure(mode, port, options.calls, options.delay_us)
            result[mode] = summary(probed, plain, overhead)
        print(json.dumps(result, indent=1))
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
