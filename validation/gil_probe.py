"""Who holds the GIL, for how long, and who takes it next: a probe of CPython's GIL hand-offs on this machine.

Usage: python3 validation/gil_probe.py CPU_THREADS IO INTERVAL_MS [ROUNDS [POW]]
  CPU_THREADS  pure-Python threads that spin, each stamping time.monotonic_ns() in a tight loop
  IO           none (only the CPU threads, for ROUNDS ms) or sleep (one more thread: ROUNDS x time.sleep(200 us))
               or send (the same, and a 1-byte send on a local TCP socket right after each sleep)
               or worksleep (the same as sleep, each sleep after 300 us of pure Python: the thread then
               starts its wait after the switch, and every other waiter before it, so it is the first to ask)
               or urlopen (one more thread: ROUNDS x urllib.request.urlopen of a local server answering after 200 us)
  INTERVAL_MS  sys.setswitchinterval, in milliseconds
  POW          with an exponent, each turn of the loop also computes 7777 ** POW: one C call that holds the
               GIL, so a drop request is noticed only when it returns (gaps shorter than 3 calls then count
               as running)
  GIL_PROBE_GAP_US (environment) the shortest gap that counts as not running, 20 us unless set
  GIL_PROBE_DUMP (environment) a file to write the reconstructed holds (and socket calls) to, as JSON; with
               GIL_PROBE_MODEL, the model's holds and the fetching thread's waits for the GIL (`io_waits`)
  GIL_PROBE_TIMEOUT (environment) with IO=urlopen, urlopen(url, timeout=T) instead of urlopen(url)
  GIL_PROBE_SERVER (environment) with IO=urlopen, the harness's latency server at this URL (server.py, a thread
               per connection, `?delay_us=200`) instead of the probe's own one-connection-at-a-time server
  GIL_PROBE_IDLE_MS (environment) with IO=urlopen, time.sleep this long before each GIL-releasing socket call:
               the fetching thread idles before each of its calls as it does when it loses them, with no other
               thread needed (CPU_THREADS 0); the sleep's own CPU counts in the segment after it
Prints one JSON line. Run it with the venv's Python (3.11 here), under the machine lock.

The model's side: GIL_PROBE_MODEL=.build/debug/simulate GIL_PROBE_MACHINE=machine.json [GIL_PROBE_SEED=1]
python3 validation/gil_probe.py (same arguments) runs the same program as a scenario in the model and prints the
same figures from its trace (with POW read as the C call's length in microseconds); GIL_PROBE_SET="key=value
..." passes each as --set to the model.

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
holds each of the sleeping thread's waits lasted; with IO=urlopen, the calls lost a round trip and what
follows a lost call (`loss_chain_figures`: who takes the GIL, after how long, and how many hand-offs between
CPU threads the fetching thread waits through; inside those chains, `chain_aba` and how many CPU threads hold);
in the model, also `requests`: the drop requests of the fetching thread and of the CPU threads, and the share
each requester took itself (the measured side of it needs a kernel trace: `validation/gil_sched.py`).
With IO=urlopen, measured only: `segment_cpu_us`, the fetching thread's own CPU (time.thread_time_ns) between
one socket call's return and the next call, by the pair of calls (median), and `won_call_us`, how long each
call took when no other thread took the GIL during it (median): against a run with CPU_THREADS 0 they show
how much slower the same work runs in the convoy (docs/model.md, "The fetching thread's own work after a wait").
"""
import json
import os
import sys
import threading
import time

now = time.monotonic_ns
# A gap longer than this is time the thread did not run (GIL_PROBE_GAP_US overrides it).
GAP_NS = int(os.environ.get("GIL_PROBE_GAP_US", "20")) * 1000
# A hand-off shorter than this went to a thread that had not slept.
FAST_HANDOFF_NS = 10_000
# The sleeping thread's sleep.
SLEEP_NS = 200_000
# IO=worksleep: the pure Python the sleeping thread runs before each sleep.
WORK_NS = 300_000
# IO=send in the model: the send's length (the recorded profile's `syscall`, 14.4 us).
SEND_NS = 14_000


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


def busy_ticks():
    """The whole machine's busy and total CPU ticks so far (/proc/stat's first line): all cores, every process."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def quantile(values, q):
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else 0


def sleeper_handoffs(holds, calls, interval):
    """How the sleeping thread gets the GIL back once its 200 us sleep is over.

    `switches_lost`: how many hand-offs from one CPU thread to another happen between the end of its sleep
    (entered + 200 us; the timer's slack, up to 50 us, is not known) and its next stamp, one count per wait,
    as a histogram; `first_switch_won`: the share of waits that needed a switch and got the first one
    (with the holder noticing the drop request at once, 1 - P(the thread that asked for the drop takes the
    GIL back before it sleeps)); `wait_intervals`: the wait from the end of its sleep to its stamp, in switch
    intervals (quantiles).
    """
    lost, waits = [], []
    starts = [(a, w, prev[2]) for prev, (a, _, w) in zip(holds, holds[1:])]
    for entered, left in calls:
        ready = entered + SLEEP_NS
        lost.append(sum(1 for a, w, before in starts if ready < a < left and w != "io" and before != "io" and w != before))
        waits.append((left - ready) / interval)
    needed = [n for n, wait in zip(lost, waits) if wait > 0]
    return {
        "switches_lost": {k: lost.count(k) for k in sorted(set(lost))},
        "first_switch_won": round(sum(1 for n in needed if n == 0) / len(needed), 2) if needed else None,
        "wait_intervals": {q: round(quantile(waits, p), 2) for q, p in (("p10", .1), ("median", .5), ("p90", .9))},
    }


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

    short = []  # (called, after): io=send's 1-byte send after each sleep, holding the GIL before and after
    if io == "send":
        import socket
        listener = socket.create_server(("127.0.0.1", 0))
        sender = socket.create_connection(listener.getsockname())
        receiver, _ = listener.accept()  # never read: 1 byte a round stays in its buffer

    socket_calls = []  # io=urlopen: (entered, left, name, thread CPU entered, thread CPU left) of each GIL-releasing socket call
    if io == "urlopen":
        # GIL_PROBE_SERVER: the harness's latency server (server.py) at that address instead of the probe's own.
        external = os.environ.get("GIL_PROBE_SERVER")
        url = external.rstrip("/") + "/?delay_us=%d" % (SLEEP_NS // 1000) if external else start_server()
        wrap_socket_calls(socket_calls)

    # GIL_PROBE_TIMEOUT: urlopen(url, timeout=T), as harness.py called it until 2026-12-04 (settimeout, and a
    # poll before each socket call, each releasing the GIL apart).
    timeout = {"timeout": float(os.environ["GIL_PROBE_TIMEOUT"])} if os.environ.get("GIL_PROBE_TIMEOUT") else {}

    def fetcher():
        import urllib.request
        for _ in range(rounds):
            entered = now()
            with urllib.request.urlopen(url, **timeout) as answer:
                answer.read()
            calls.append((entered, now()))

    def sleeper():
        for _ in range(rounds):
            if io == "worksleep":
                # Hold the GIL for WORK_NS first, so that the CPU thread that dropped for this one is back in
                # take_gil, its switch_number read, before the sleep hands the GIL to another.
                end = now() + WORK_NS
                while now() < end:
                    pass
            entered = now()
            time.sleep(SLEEP_NS / 1e9)
            back = now()
            calls.append((entered, back))
            if io == "send":
                called = now()
                sender.send(b"x")
                short.append((called, now()))

    for s in spinners:
        s.start()
    time.sleep(0.05)
    busy0 = busy_ticks()
    t0 = now()
    if io in ("sleep", "worksleep", "send", "urlopen"):
        s = threading.Thread(target=fetcher if io == "urlopen" else sleeper)
        s.start()
        s.join()
    else:
        time.sleep(rounds / 1000)
    t1 = now()
    busy1 = busy_ticks()
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
    if socket_calls:
        # The fetching thread holds the GIL between one socket call's return and the next call.
        runs += [(before[1], after[0], "io") for before, after in zip(socket_calls, socket_calls[1:])]
    elif short:
        runs += [(left, called, "io") for (_, left), (called, _) in zip(calls, short)]
        runs += [(after, entered, "io") for (_, after), (entered, _) in zip(short, calls[1:])]
    else:
        runs += [(left, entered, "io") for (_, left), (entered, _) in zip(calls, calls[1:])]
    runs = sorted((max(a, t0), min(b, t1), w) for a, b, w in runs if b > t0 and a < t1 and b > a)
    holds = []  # [start, end, holder], one per hold of the GIL
    for a, b, w in runs:
        if holds and holds[-1][2] == w:
            holds[-1][1] = max(holds[-1][1], b)
        else:
            holds.append([a, b, w])
    result = {"cpu_threads": cpu_threads, "io": io, "interval_ms": interval_ms, "pow_call_us": gap_ns // 3000 if exponent else 0}
    # The whole machine's cores busy during the timed section, in cores (10 ms ticks): ~1 when only the GIL
    # holder runs.
    result["cores_busy"] = round((busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * os.cpu_count(), 2)
    # Every gap of a spinning thread, as if each were a lost GIL: what counting stalls alone would give.
    result["gaps_per_s"] = round(sum(sum(1 for g0, _ in gaps if t0 < g0 < t1) for _, _, gaps in out.values()) / ((t1 - t0) / 1e9))
    if os.environ.get("GIL_PROBE_DUMP"):
        # The reconstructed holds and the socket calls, for a closer look (GIL_PROBE_DUMP=file.json).
        with open(os.environ["GIL_PROBE_DUMP"], "w") as f:
            json.dump({"interval": interval, "holds": holds, "socket_calls": socket_calls}, f)
    if socket_calls:
        result.update(figures(holds, [], t0, t1, interval, rounds))
        result.update(urlopen_figures(holds, calls, socket_calls, interval))
        result.update(loss_chain_figures(holds, interval))
    else:
        result.update(figures(holds, calls, t0, t1, interval, rounds, short=short))
    print(json.dumps(result))


def start_server():
    """A local HTTP server in another process that answers each request 200 us after reading it (one
    connection at a time, closed after the answer), as the harness's latency server does. Returns its URL."""
    import multiprocessing
    import socket
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            connection, _ = listener.accept()
            request = b""
            while b"\r\n\r\n" not in request:
                request += connection.recv(4096)
            time.sleep(SLEEP_NS / 1e9)
            connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
            connection.close()

    server = multiprocessing.get_context("fork").Process(target=serve, daemon=True)
    server.start()
    return "http://127.0.0.1:%d/" % listener.getsockname()[1]


def wrap_socket_calls(record):
    """Stamps each call urlopen makes that releases the GIL (getaddrinfo, socket(), connect, sendall,
    recv_into, close): entered before the call, left after it, once the thread holds the GIL again."""
    import _socket
    import socket

    idle = float(os.environ.get("GIL_PROBE_IDLE_MS") or 0) / 1000
    cpu = time.thread_time_ns

    def wrapped(name, call):
        def stamped(*args, **kwargs):
            if idle:
                time.sleep(idle)
            entered, entered_cpu = now(), cpu()
            try:
                return call(*args, **kwargs)
            finally:
                record.append((entered, now(), name, entered_cpu, cpu()))
        return stamped

    socket.getaddrinfo = wrapped("getaddrinfo", socket.getaddrinfo)
    for name in ("connect", "sendall", "recv_into"):
        setattr(socket.socket, name, wrapped(name, getattr(_socket.socket, name)))
    socket.socket._real_close = wrapped("close", socket.socket._real_close)
    init = socket.socket.__init__
    socket.socket.__init__ = lambda self, *a, **k: wrapped("socket", init)(self, *a, **k)


def urlopen_figures(holds, rounds, socket_calls, interval):
    """IO=urlopen: per round trip, the socket calls, the calls during which another thread took the GIL
    (`lost_per_round_trip`), and how long each such call took from its start to the thread's return with the
    GIL, in switch intervals (`lost_call_intervals`, quantiles; a recv_into that waits for the answer
    includes its 200 us)."""
    starts = [a for a, _, w in holds if w != "io"]
    by_call, won = {}, {}
    for a, b, name, *_ in socket_calls:
        entry = by_call.setdefault(name, [0, []])
        entry[0] += 1
        if any(a < t < b for t in starts):
            entry[1].append((b - a) / interval)
        else:
            won.setdefault(name, []).append(b - a)
    lost = [length for _, lengths in by_call.values() for length in lengths]
    # The thread's own CPU between one call's return and the next call (the sleep of GIL_PROBE_IDLE_MS in it).
    segments = {}
    for before, after in zip(socket_calls, socket_calls[1:]):
        segments.setdefault(before[2] + ">" + after[2], []).append(after[3] - before[4])
    return {
        "segment_cpu_us": {k: round(quantile(v, .5) / 1000, 1) for k, v in segments.items()},
        "won_call_us": {k: round(quantile(v, .5) / 1000, 1) for k, v in won.items()},
        # Per call: how often it is lost, and a lost one's median length in intervals.
        "by_call": {name: {"lost": round(len(w) / n, 2), "median": round(quantile(w, .5), 2)} for name, (n, w) in by_call.items()},
        "round_trip_ms": round(sum(b - a for a, b in rounds) / len(rounds) / 1e6, 2),
        "calls_per_round_trip": round(len(socket_calls) / len(rounds), 2),
        "lost_per_round_trip": round(len(lost) / len(rounds), 2),
        "lost_call_intervals": {q: round(quantile(lost, p), 2) for q, p in (("p10", .1), ("median", .5), ("p90", .9))},
    }


def loss_chain_figures(holds, interval):
    """IO=urlopen: what follows when the fetching thread loses the GIL to a CPU thread (a hold of "io" that a
    CPU thread's hold follows), from the holds alone, so that model and measurement use one rule.
    `lost_to_previous`: the share of those losses where the CPU thread that took the GIL is the one that held
    it just before the fetching thread (the dropper, back from its switch_cond wait) rather than a sleeper;
    `first_hold_after_loss`: that CPU thread's hold, in switch intervals (quantiles; about 1 when a waiter
    that began its wait at the loss asks for the drop);
    `first_switch_after_loss`: the share of losses where the fetching thread got the GIL at the next switch;
    `handoffs_while_lost`: the hand-offs between CPU threads it waited through before it held the GIL again
    (mean); `io_hold_us`: the fetching thread's holds (from taking the GIL to losing it), median and p90, in
    microseconds; `first_switch_after_loss_by_hold`: [share, losses] by the length of the hold the loss ended."""
    back, handoffs, first_hold, by_hold, chains = [], [], [], [], []
    for i in range(1, len(holds) - 1):
        before, mine, after = holds[i - 1][2], holds[i][2], holds[i + 1][2]
        if mine != "io" or after == "io" or before == "io":
            continue
        back.append(after == before)
        if i + 2 < len(holds):
            first_hold.append((holds[i + 2][0] - holds[i + 1][0]) / interval)
        n, j = 0, i + 1
        while j + 1 < len(holds) and holds[j + 1][2] != "io":
            n += 1
            j += 1
        if j + 1 < len(holds):
            handoffs.append(n)
            chains.append([h[2] for h in holds[i + 1:j + 1]])
            by_hold.append((holds[i][1] - holds[i][0], n == 0))
    io_holds = [b - a for a, b, w in holds if w == "io"]
    # Inside the chains of CPU threads' holds between two of the fetching thread's: the hand-offs that go back
    # to the thread that held before the last (A-B-A: the dropper took the signal it asked for), and how many
    # CPU threads held in a chain (issue 8: with 4 CPU threads, is the fetching thread waiting through a
    # ping-pong of two threads or through a rotation of all?).
    aba = [c[k] == c[k - 2] for c in chains for k in range(2, len(c))]
    return {
        "handoffs_while_lost_quantiles": {q: quantile(handoffs, p) for q, p in (("median", .5), ("p90", .9))} if handoffs else None,
        "chain_aba": round(sum(aba) / len(aba), 2) if aba else None,
        "chain_threads": round(sum(len(set(c)) for c in chains) / len(chains), 2) if chains else None,
        "chain_threads_of_long": round(sum(len(set(c)) for c in chains if len(c) >= 4) / max(1, sum(1 for c in chains if len(c) >= 4)), 2),
        "lost_to_previous": round(sum(back) / len(back), 2) if back else None,
        "first_hold_after_loss": {q: round(quantile(first_hold, p), 2) for q, p in (("p10", .1), ("median", .5), ("p90", .9))},
        "first_switch_after_loss": round(handoffs.count(0) / len(handoffs), 2) if handoffs else None,
        "handoffs_while_lost": round(sum(handoffs) / len(handoffs), 2) if handoffs else None,
        "io_hold_us": {q: round(quantile(io_holds, p) / 1000, 1) for q, p in (("median", .5), ("p90", .9))},
        # The same share by the length of the hold that ended in the loss: a CPU thread that dropped for the
        # fetching thread is back in take_gil (its switch_number read) after a wake-up, tens of us.
        "first_switch_after_loss_by_hold": {
            name: [round(sum(w for h, w in by_hold if lo <= h < hi) / max(1, sum(1 for h, _ in by_hold if lo <= h < hi)), 2),
                   sum(1 for h, _ in by_hold if lo <= h < hi)]
            for name, lo, hi in (("<100us", 0, 100_000), ("100-300us", 100_000, 300_000), (">=300us", 300_000, float("inf")))},
    }


def short_call_figures(holds, short, interval):
    """The 1-byte send made right after each sleep (IO=send), holding the GIL before it: `call_lost`, the share
    of calls during which another thread took the GIL; after a lost call, `lost_call_wait_intervals` (from the
    call to the thread's next stamp, quantiles) and `lost_call_first_switch_won`, the share of those waits
    with no hand-off between CPU threads in them (the thread got the GIL back at the first switch)."""
    starts = [(a, w, prev[2]) for prev, (a, _, w) in zip(holds, holds[1:])]
    waits, won = [], 0
    for called, after in short:
        if any(called < a < after and w != "io" for a, w, _ in starts):
            waits.append((after - called) / interval)
            if not any(called < a < after and w != "io" and before != "io" and w != before for a, w, before in starts):
                won += 1
    return {
        "call_lost": round(len(waits) / len(short), 2) if short else None,
        "lost_call_wait_intervals": {q: round(quantile(waits, p), 2) for q, p in (("p10", .1), ("median", .5), ("p90", .9))},
        "lost_call_first_switch_won": round(won / len(waits), 2) if waits else None,
    }


def figures(holds, calls, t0, t1, interval, rounds, gaps=True, short=()):
    """The figures both the measurement and the model's run give (see the module's doc)."""
    gaps_between = [y[0] - x[1] for x, y in zip(holds, holds[1:]) if "io" not in (x[2], y[2])]
    cpu_holds = [y[0] - x[0] for x, y in zip(holds, holds[1:]) if x[2] != "io"]
    who = [h[2] for h in holds]
    triples = [(x, y, z) for x, y, z in zip(who, who[1:], who[2:]) if "io" not in (x, y, z)]
    result = {
        "seconds": round((t1 - t0) / 1e9, 3),
        "cpu_holds": len(cpu_holds),
        "cpu_handoffs_per_s": round(sum(1 for x, y in zip(who, who[1:]) if "io" not in (x, y)) / ((t1 - t0) / 1e9)),
        "cpu_hold_intervals": {q: round(quantile(cpu_holds, p) / interval, 2)
                               for q, p in (("p10", .1), ("median", .5), ("p90", .9))},
        "aba": round(sum(1 for x, _, z in triples if x == z) / len(triples), 2) if triples else None,
    }
    if gaps:
        # From the old holder's last stamp to the new holder's first, in us: a thread that takes the GIL
        # without having slept shows a few us, a woken one a wake-up (tens of us). `fast_handoffs`: the share
        # under FAST_HANDOFF_NS.
        result["handoff_gap_us"] = {q: round(quantile(gaps_between, p) / 1000, 1)
                                    for q, p in (("p10", .1), ("p25", .25), ("median", .5), ("p75", .75), ("p90", .9))}
        result["fast_handoffs"] = round(sum(1 for g in gaps_between if g < FAST_HANDOFF_NS) / len(gaps_between), 2) if gaps_between else None
    if calls:
        result["round_trip_ms"] = round((t1 - t0) / 1e6 / rounds, 2)
        # How many CPU holds each wait of the sleeping thread lasted: holds that began while it was away.
        waits = []
        for entered, left in calls:
            waits.append(sum(1 for a, _, w in holds if w != "io" and entered < a < left))
        result["cpu_holds_per_wait"] = {k: waits.count(k) for k in sorted(set(waits))}
        result.update(sleeper_handoffs(holds, calls, interval))
    if short:
        result.update(short_call_figures(holds, short, interval))
    return result


def model(simulate, machine, seed, cpu_threads, io, interval_ms, rounds, exponent):
    """The same program as a scenario, run by the model (`simulate ... --perfetto`); the same figures from its
    trace: a hold runs from one `gil_handoff` mark to the next, a sleep from the sleeping thread's `blocked`
    state to its next hand-off. The model's hand-off gaps are not comparable and are left out. POW here is the
    C call's length in microseconds (a `c_holds_gil` burst, each ending in an eval-breaker check)."""
    import subprocess
    import tempfile
    spin = ({"repeat": 1_000_000, "steps": [{"cpu": {"duration": f"{exponent}us", "kind": "c_holds_gil"}}]} if exponent
            else {"cpu": {"duration": "100s", "kind": "python"}})
    # IO=send: the send is a GIL-free call that keeps its core, as long as the profile's system call.
    send = [{"cpu": {"duration": f"{SEND_NS // 1000}us", "kind": "c_releases_gil"}}] if io == "send" else []
    # IO=urlopen: the validation matrix's convoy round trip (validation/make_cases.py).
    fetch = {"io": {"latency": f"{SLEEP_NS // 1000}us", "cpu": "30us"}}
    work = [{"cpu": {"duration": f"{WORK_NS // 1000}us", "kind": "python"}}] if io == "worksleep" else []
    main_task = ({"name": "io", "count": 1, "steps": [{"repeat": rounds, "steps": [*work, {"sleep": f"{SLEEP_NS // 1000}us"}, *send]}]}
                 if io in ("sleep", "worksleep", "send") else {"name": "io", "count": 1, "steps": [{"repeat": rounds, "steps": [fetch]}]}
                 if io == "urlopen" else {"name": "io", "count": 1, "steps": [{"sleep": f"{rounds}ms"}]})
    scenario = {"version": 1, "name": "gil-probe", "seed": seed, "machine": {"cores": 2},
                "python": {"switch_interval": f"{interval_ms}ms"},
                "tasks": [main_task, {"name": "cpu", "count": cpu_threads, "background": True, "steps": [spin]}],
                "strategies": ["threads"]}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "gil-probe.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        sets = [arg for key in os.environ.get("GIL_PROBE_SET", "").split() for arg in ("--set", key)]
        subprocess.run([simulate, path, "--machine", machine, "--perfetto", "--no-pictures", "-o", folder, *sets],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(folder, "threads.trace.json")) as f:
            events = json.load(f)["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e.get("name") == "thread_name" and e.get("pid") == 1}
    marks = sorted((trace_ns(e["ts"]), names[e["tid"]]) for e in events if e.get("name") == "gil_handoff" and e.get("pid") == 1)
    marks = [(t, "io" if w == "io" else w) for t, w in marks if w != "MainThread"]
    holds = [[a, b, w] for (a, w), (b, _) in zip(marks, marks[1:])]
    sleeps = sorted(trace_ns(e["ts"]) for e in events if e.get("name") == "blocked" and names.get(e.get("tid")) == "io")
    io_takes = [t for t, w in marks if w == "io"]
    calls = []
    for entered in sleeps:
        left = next((t for t in io_takes if t > entered), None)
        if left is not None:
            calls.append((entered, left))
    # A send: the io lane runs without the GIL; it is over when the lane next runs Python (or sleeps).
    io_states = sorted((trace_ns(e["ts"]), e["name"]) for e in events if e.get("ph") == "X" and names.get(e.get("tid")) == "io")
    short = []
    for (a, state), (b, _) in zip(io_states, io_states[1:]):
        if io == "send" and state == "running_no_gil":
            after = next((t for t, nxt in io_states if t > a and nxt in ("running", "blocked")), b)
            short.append((a, after))
    t0 = calls[0][0] if calls else marks[0][0]
    t1 = calls[-1][1] if calls else marks[-1][0]
    result = {"model": True, "seed": seed, "cpu_threads": cpu_threads, "io": io, "interval_ms": interval_ms, "pow_call_us": exponent}
    if io == "urlopen":
        # Each wait of the fetching thread for the GIL stands for one lost call.
        io_waits = [e for e in events if e.get("ph") == "X" and e["name"] == "waiting_gil" and names.get(e.get("tid")) == "io"]
        waits = [trace_ns(e["dur"]) / (interval_ms * 1e6) for e in io_waits]
        end = max(trace_ns(e["ts"] + e["dur"]) for e in events if e.get("ph") == "X" and names.get(e.get("tid")) == "io")
        result.update(figures(holds, [], marks[0][0], end, interval_ms * 1e6, rounds, gaps=False))
        result.update({"round_trip_ms": round(end / rounds / 1e6, 2), "lost_per_round_trip": round(len(waits) / rounds, 2),
                       "lost_call_intervals": {q: round(quantile(waits, p), 2) for q, p in (("p10", .1), ("median", .5), ("p90", .9))}})
        result.update(loss_chain_figures(holds, interval_ms * 1e6))
        result.update(requester_figures(events, names, marks))
        if os.environ.get("GIL_PROBE_DUMP"):
            # The model's holds in the measured side's shape, and the fetching thread's waits for the GIL
            # (one per lost call), to set beside a real run's dump event by event.
            with open(os.environ["GIL_PROBE_DUMP"], "w") as f:
                json.dump({"interval": interval_ms * 1e6, "holds": holds,
                           "io_waits": sorted([trace_ns(e["ts"]), trace_ns(e["ts"] + e["dur"])] for e in io_waits)}, f)
        print(json.dumps(result))
        return
    result.update(figures(holds, calls, t0, t1, interval_ms * 1e6, len(calls) or rounds, gaps=False, short=short))
    print(json.dumps(result))


def trace_ns(us):
    """A Perfetto trace's time (microseconds, possibly fractional) in whole nanoseconds."""
    return round(us * 1000)


def requester_figures(events, names, marks):
    """The model's drop requests by who made them, and the share the requester took itself (the next hand-off
    after the request goes to it): `requests`, in the shape `gil_sched.py` gives for a kernel trace of the
    real program ("io" and "spinners", each `requests` and `requester_took`)."""
    requests = sorted((trace_ns(e["ts"]), names[e["tid"]]) for e in events if e.get("name") == "drop_request" and e.get("pid") == 1
                      and e.get("tid") in names)
    taken = {"io": [], "spinners": []}
    j = 0
    for t, who in requests:
        while j < len(marks) and marks[j][0] < t:
            j += 1
        if j < len(marks):
            taken["io" if who == "io" else "spinners"].append(marks[j][1] == who)
    return {"requests": {k: {"requests": len(v), "requester_took": round(sum(v) / len(v), 2) if v else None} for k, v in taken.items()}}


if __name__ == "__main__":
    if os.environ.get("GIL_PROBE_MODEL"):
        model(os.environ["GIL_PROBE_MODEL"], os.environ["GIL_PROBE_MACHINE"], int(os.environ.get("GIL_PROBE_SEED", "1")),
              int(sys.argv[1]), sys.argv[2], float(sys.argv[3]),
              int(sys.argv[4]) if len(sys.argv) > 4 else (1000 if sys.argv[2] == "none" else 60),
              int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    else:
        main()
