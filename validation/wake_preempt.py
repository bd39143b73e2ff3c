"""Does a woken thread take a busy core at once? Wake-up preemption on this machine, on one CPU.

Usage: python3 validation/wake_preempt.py [SAMPLES]
  Three processes. A competitor and a sleeper are pinned to CPU 0 (os.sched_setaffinity); a waker runs on
  CPU 1 and never sleeps. In each sample the waker wakes the competitor (a byte on its pipe), which then
  spins for RUN_US; AFTER_US after that wake the waker wakes the sleeper. The sleeper stamps when it runs:
  its delay is that stamp less the waker's stamp before its write. With RUN_US = -1 the competitor spins
  throughout and is never woken (a CPU-bound process that has run for long). Prints one JSON line per
  (RUN_US, AFTER_US): the sleeper's delay p10 / median / p90 in µs.

  The model's wake-up preemption (docs/model.md, section 2): a woken thread takes the core of a running
  thread whose virtual runtime is ahead of its own by more than the base slice, at once. EEVDF (kernel 6.6
  and later, kernel/sched/fair.c) preempts only when the woken task would be picked (eligible, earliest
  deadline), and with RUN_TO_PARITY keeps a task just picked running until it has used its slice. A
  competitor just woken (RUN_US >= 0) was just picked; one spinning throughout was picked long ago.
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


def spin_until(deadline):
    while now() < deadline:
        pass


def competitor(wake_r, run_us, stop_r):
    os.sched_setaffinity(0, {0})
    if run_us < 0:
        while True:  # CPU-bound throughout; killed at the end
            spin_until(now() + 1_000_000)
    while True:
        if os.read(wake_r, 1) == b"q":
            os._exit(0)
        spin_until(now() + run_us * 1000)


def sleeper(wake_r, out_w, samples):
    os.sched_setaffinity(0, {0})
    stamps = []
    for _ in range(samples):
        os.read(wake_r, 1)
        stamps.append(now())
    os.write(out_w, json.dumps(stamps).encode() + b"\n")
    os._exit(0)


def measure(samples, run_us, after_us):
    c_r, c_w = os.pipe()
    s_r, s_w = os.pipe()
    out_r, out_w = os.pipe()
    comp = os.fork()
    if comp == 0:
        competitor(c_r, run_us, None)
    sleep_pid = os.fork()
    if sleep_pid == 0:
        sleeper(s_r, out_w, samples)
    os.sched_setaffinity(0, {1})
    spin_until(now() + 50_000_000)  # let both settle on CPU 0
    sent = []
    for _ in range(samples):
        spin_until(now() + 3_000_000)  # the competitor (if woken) finishes, the sleeper sleeps
        if run_us >= 0:
            os.write(c_w, b"w")
        t = now()
        spin_until(t + after_us * 1000)
        sent.append(now())
        os.write(s_w, b"w")
    stamps = json.loads(os.read(out_r, 1 << 20).decode())
    os.waitpid(sleep_pid, 0)
    if run_us >= 0:
        os.write(c_w, b"q")
    else:
        os.kill(comp, 9)
    os.waitpid(comp, 0)
    for fd in (c_r, c_w, s_r, s_w, out_r, out_w):
        os.close(fd)
    delays = [(b - a) / 1000 for a, b in zip(sent, stamps)][samples // 10:]
    return {"run_us": run_us, "after_us": after_us, "p10": round(quantile(delays, 0.1), 1),
            "median": round(quantile(delays, 0.5), 1), "p90": round(quantile(delays, 0.9), 1)}


def main():
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    for run_us, after_us in ((-1, 0), (2000, 50), (2000, 500), (2000, 1000), (2000, 1700), (500, 50), (5000, 2000)):
        print(json.dumps(measure(samples, run_us, after_us)), flush=True)


if __name__ == "__main__":
    main()
