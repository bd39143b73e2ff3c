"""How long a sleeping thread takes to run again after it is woken, by how long it slept: the wake-up latency
of a core that idled that long, with the other core busy (the GIL's situation: the holder runs, the waiter's
core idles).

Usage: python3 validation/wake_idle.py [SAMPLES [IDLE_US ...]]
  Two processes and two pipes. The sleeper tells the waker it is about to block, then blocks in os.read; the
  waker never sleeps: it polls for that message, spins IDLE_US more, stamps and writes one byte. The wake-up
  is the sleeper's stamp after its read returned, less the waker's before its write (both CLOCK_MONOTONIC);
  the idle time is the waker's stamp less the sleeper's before its read. Prints one JSON line per IDLE_US:
  the idle time's median and the wake-up's p10, median, p90 and mean, in microseconds.
Run it under the machine lock; nothing else should run.
"""
import json
import os
import sys
import time

now = time.perf_counter_ns


def quantile(values, q):
    s = sorted(values)
    return s[int(q * (len(s) - 1))]


def sleeper(ready_w, wake_r, samples, out_w):
    stamps = []
    for _ in range(samples):
        t = now()
        os.write(ready_w, b"r")
        os.read(wake_r, 1)
        stamps.append((t, now()))
    os.write(out_w, json.dumps(stamps).encode() + b"\n")
    os._exit(0)


def measure(samples, idle_us):
    ready_r, ready_w = os.pipe()
    wake_r, wake_w = os.pipe()
    out_r, out_w = os.pipe()
    os.set_blocking(ready_r, False)
    pid = os.fork()
    if pid == 0:
        sleeper(ready_w, wake_r, samples, out_w)
    sent = []
    for _ in range(samples):
        while True:
            try:
                if os.read(ready_r, 1):
                    break
            except BlockingIOError:
                pass
        t0 = now()
        while now() - t0 < idle_us * 1000:
            pass
        t = now()
        os.write(wake_w, b"w")
        sent.append(t)
    data = b""
    while not data.endswith(b"\n"):
        data += os.read(out_r, 1 << 20)
    os.waitpid(pid, 0)
    stamps = json.loads(data)
    # The first tenth warms both processes up.
    pairs = list(zip(stamps, sent))[samples // 10:]
    idle = [(s - blocked) / 1000 for (blocked, _), s in pairs]
    wake = [(woke - s) / 1000 for (_, woke), s in pairs]
    for fd in (ready_r, ready_w, wake_r, wake_w, out_r, out_w):
        os.close(fd)
    return {"idle_us": round(quantile(idle, .5), 1),
            "wake_us": {"p10": round(quantile(wake, .1), 1), "median": round(quantile(wake, .5), 1),
                        "p90": round(quantile(wake, .9), 1), "mean": round(sum(wake) / len(wake), 1)}}


if __name__ == "__main__":
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    idles = [float(x) for x in sys.argv[2:]] or [0, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
    for idle_us in idles:
        print(json.dumps(measure(samples, idle_us)), flush=True)
