"""Where the time of a persistent-connection round trip goes beside CPU-bound threads: programs/echo.py's loop
with each send and recv timed, in the real program and in the model.

Usage: python3 validation/echo_probe.py CPU_THREADS INTERVAL_MS [ROUND_TRIPS]
  One thread makes ROUND_TRIPS (300 unless given) one-byte round trips (sendall, then recv) on one TCP
  connection to an echo server in another process, beside CPU_THREADS pure-Python spinning threads, with
  sys.setswitchinterval(INTERVAL_MS / 1000). Prints one JSON line:
  - `alone_us`: one round trip with no CPU thread (the latency the model is told; median of 200);
  - `round_trip_us`: the loop's time over the round trips (mean);
  - `send_lost`: the share of sends that lost the GIL (the send took more than half an interval: the thread
    got the GIL back only after a switch), and `recv_waited`, the share of recv calls that did;
  - `send_us` and `recv_us`: each call's time, from the call to the GIL back, (p10, median, p90) apart for
    the calls that lost and those that did not.
Run it with the venv's Python (3.11 here), under the machine lock.

The model's side: ECHO_PROBE_MODEL=.build/release/simulate ECHO_PROBE_MACHINE=profile.json ECHO_PROBE_ALONE_US=
the measured alone_us [ECHO_PROBE_SEED=1] python3 validation/echo_probe.py (same arguments) runs the same loop
as the validation matrix's program-echo case runs it (an io step with that latency on a reused connection, the
client's costs zero) and prints from its trace the round trip, the waits for the GIL that lasted more than half
an interval (`waits_per_round_trip`, which the real side gives as `send_lost` + `recv_waited`) and their length,
and the same calls read one by one (`send_lost`, `recv_waited`, `both`, `neither`, and `ready_recv_lost`, the
share of recvs with the answer already there that lost the GIL; `calls_lost`).
"""
import json
import os
import sys
import threading
import time

# The loop's own server and spinning thread, so that the probe times exactly the program's round trips.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs"))
from echo import connect, spin  # noqa: E402

now = time.perf_counter_ns


def quantiles(values):
    if not values:
        return None
    s = sorted(values)
    return [round(s[int(q * (len(s) - 1))] / 1000, 1) for q in (.1, .5, .9)]


def summary(sends, recvs, total_ns, rounds, interval_ns, alone_ns):
    lost = [s > interval_ns / 2 for s in sends]
    waited = [r > interval_ns / 2 for r in recvs]
    return {"alone_us": round(alone_ns / 1000, 1), "round_trip_us": round(total_ns / rounds / 1000, 1),
            "waits_per_round_trip": round((sum(lost) + sum(waited)) / rounds, 3),
            "wait_us": quantiles([s for s, x in zip(sends, lost) if x] + [r for r, x in zip(recvs, waited) if x]),
            "send_lost": round(sum(lost) / len(lost), 3), "recv_waited": round(sum(waited) / len(waited), 3),
            "both": round(sum(a and b for a, b in zip(lost, waited)) / rounds, 3),
            "neither": round(sum(not a and not b for a, b in zip(lost, waited)) / rounds, 3),
            "send_us": {"lost": quantiles([s for s, x in zip(sends, lost) if x]),
                        "kept": quantiles([s for s, x in zip(sends, lost) if not x])},
            "recv_us": {"waited": quantiles([r for r, x in zip(recvs, waited) if x]),
                        "at_once": quantiles([r for r, x in zip(recvs, waited) if not x])}}


def real(cpu_threads, interval_ms, rounds):
    client, server = connect()
    alone = []
    for _ in range(220):
        t = now()
        client.sendall(b"x")
        client.recv(1)
        alone.append(now() - t)
    alone = sorted(alone[20:])[len(alone[20:]) // 2]
    stop = threading.Event()
    sys.setswitchinterval(interval_ms / 1000)
    spinners = [threading.Thread(target=spin, args=(stop,), daemon=True) for _ in range(cpu_threads)]
    for s in spinners:
        s.start()
    time.sleep(0.01)
    sends, recvs = [], []
    start = now()
    for _ in range(rounds):
        a = now()
        client.sendall(b"x")
        b = now()
        client.recv(1)
        c = now()
        sends.append(b - a)
        recvs.append(c - b)
    total = now() - start
    stop.set()
    client.close()
    server.join(5)
    result = {"model": False, "cpu_threads": cpu_threads, "interval_ms": interval_ms}
    result.update(summary(sends, recvs, total, rounds, interval_ms * 1e6, alone))
    print(json.dumps(result))


def model(simulate, machine, seed, alone_us, cpu_threads, interval_ms, rounds):
    import subprocess
    import tempfile
    scenario = {"version": 1, "name": "echo-probe", "seed": seed, "machine": {"cores": 2},
                "python": {"switch_interval": f"{interval_ms}ms"},
                "tasks": [{"name": "io", "count": 1, "steps": [{"repeat": rounds, "steps": [
                              {"io": {"latency": f"{alone_us}us", "cpu": "0us", "connection": "reuse"}}]}]},
                          {"name": "cpu", "count": cpu_threads, "background": True,
                           "steps": [{"cpu": {"duration": "100s", "kind": "python"}}]}],
                "strategies": ["threads"]}
    # The client's costs as the matrix's `as_written` programs have them (MachineProfile.applyWithOwnClient).
    # The profile's HTTP client CPU replaces an io step's own under --machine; the echo loop has none.
    own = ["tasks[0].steps[0].steps[0].io.cpu=0us", "costs.io_overhead=0ms", "costs.io_overhead_reuse=0ms",
           "costs.server_answer_reuse=0ms", "costs.server_answer_new=0ms",
           "costs.program_first_call=0ms", "costs.program_first_call_releases=0", "costs.cold_request_cpu=0ms",
           "costs.connection_overlap_cpu=0ms"]
    sets = [arg for key in own + os.environ.get("ECHO_PROBE_SET", "").split() for arg in ("--set", key)]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "echo-probe.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        subprocess.run([simulate, path, "--machine", machine, "--perfetto", "--no-pictures", "-o", folder, *sets],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(folder, "threads.trace.json")) as f:
            events = json.load(f)["traceEvents"]
        with open(os.path.join(folder, "scenario.json")) as f:
            costs = json.load(f)["costs"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    io = sorted((round(e["ts"] * 1000), round(e["dur"] * 1000), e["name"]) for e in events
                if e.get("ph") == "X" and names.get((e["pid"], e["tid"])) == "io")
    start = next(t for t, _, state in io if state != "starting")
    total = io[-1][0] + io[-1][1] - start
    waits = [d for _, d, state in io if state == "waiting_gil" and d > interval_ms * 1e6 / 2]
    result = {"model": True, "seed": seed, "cpu_threads": cpu_threads, "interval_ms": interval_ms}
    result.update({"alone_us": alone_us, "round_trip_us": round(total / rounds / 1000, 1),
                   "waits_per_round_trip": round(len(waits) / rounds, 3),
                   "wait_us": quantiles(waits)})
    result.update(calls_lost(io, interval_ms * 1e6 / 2, nanoseconds(costs["syscall"])))
    print(json.dumps(result))


def nanoseconds(duration):
    """A scenario duration ("14.407us", "5us", "1ms") in ns."""
    for unit, scale in (("ns", 1), ("us", 1e3), ("ms", 1e6), ("s", 1e9)):
        if duration.endswith(unit) and duration[:-len(unit)].replace(".", "", 1).isdigit():
            return float(duration[:-len(unit)]) * scale
    raise ValueError("not a duration: %r" % duration)


def calls_lost(io, long_wait_ns, send_ns):
    """The model's lane read call by call, as the real side counts them: the io lane shows a send as GIL-free
    running of `syscall` (`send_ns`), a recv whose answer is already there as GIL-free running of another
    length (`ready_recv`; one segment with the next send when it kept the GIL), a recv that waits for its
    answer as blocked, and a lost call as a wait for the GIL after it. Per round trip: the share of sends that
    lost, of recvs that waited for the GIL, of both and of neither, and the share of ready recvs that lost."""
    calls = []
    for _, d, state in io:
        if state == "running_no_gil" and abs(d - send_ns) > 500 and d > send_ns:
            calls += [("ready", d - send_ns), ("send", send_ns)]
        elif state == "running_no_gil":
            calls.append(("send" if abs(d - send_ns) <= 500 else "ready", d))
        elif state != "starting":
            calls.append((state, d))
    trips, i = [], 0
    while i < len(calls):
        if calls[i][0] != "send":
            i += 1
            continue
        i += 1
        lost = waited = ready = False
        if i < len(calls) and calls[i][0] == "waiting_gil" and calls[i][1] > long_wait_ns:
            lost, i = True, i + 1
        if i < len(calls) and calls[i][0] in ("blocked", "ready"):
            ready, i = calls[i][0] == "ready", i + 1
        if i < len(calls) and calls[i][0] == "waiting_gil" and calls[i][1] > long_wait_ns:
            waited, i = True, i + 1
        trips.append((lost, waited, ready))
    n = max(1, len(trips))
    readies = [t for t in trips if t[2]]
    return {"send_lost": round(sum(t[0] for t in trips) / n, 3), "recv_waited": round(sum(t[1] for t in trips) / n, 3),
            "both": round(sum(t[0] and t[1] for t in trips) / n, 3),
            "neither": round(sum(not t[0] and not t[1] for t in trips) / n, 3),
            "ready_recv_lost": round(sum(t[1] for t in readies) / max(1, len(readies)), 3)}


if __name__ == "__main__":
    arguments = (int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 300)
    if os.environ.get("ECHO_PROBE_MODEL"):
        missing = [k for k in ("ECHO_PROBE_MACHINE", "ECHO_PROBE_ALONE_US") if not os.environ.get(k)]
        if missing:
            sys.exit("echo_probe.py: the model's side needs " + " and ".join(missing) + " (a machine profile, and the "
                     "alone_us the real side printed on the same machine: the latency the model is told)")
        model(os.environ["ECHO_PROBE_MODEL"], os.environ["ECHO_PROBE_MACHINE"], int(os.environ.get("ECHO_PROBE_SEED", "1")),
              float(os.environ["ECHO_PROBE_ALONE_US"]), *arguments)
    else:
        real(*arguments)
