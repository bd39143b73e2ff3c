"""How late a timed futex wait ends on this machine, by the length of the wait (docs/model.md, "The timed
wait's idle wake-up").

take_gil sleeps in `COND_TIMED_WAIT(gil->cond, gil->mutex, interval, timed_out)` (CPython 3.11
Python/ceval_gil.h), a futex wait with a timeout. The kernel arms its timer with the thread's timer slack
(/proc/self/timerslack_ns, 50 µs by default) and an idle vCPU must be woken through the host; the model ends
that wait `timer_slack` + `timeout_idle_wake` after the interval and then adds its wake-up latency and a
context switch. This times `threading.Lock.acquire(timeout=T)` on a lock that is held (the same kind of
futex wait: CPython's lock with a timeout is `sem_clockwait`), with the GIL free, and prints per T the
overshoot (elapsed - T): p10, median, p90, in µs. The timeouts are taken in turn, one wait each, for ROUNDS
rounds, so that a change of the VM's speed falls on every T alike.

    python3 validation/timed_wait.py [ROUNDS] [--busy]

`--busy` keeps the other core busy with a spinning process (as a CPU-bound thread keeps it in the convoy). The
waits are calibrate.py's `timed_wait_samples`, whose medians (busy, 25 rounds) `simulate calibrate` records as
`timed_wait_late` (docs/model.md, "The timed wait's idle wake-up").
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import calibrate  # noqa: E402 - the calibration's own loop


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 60
    busy = "--busy" in sys.argv
    late = calibrate.timed_wait_samples(rounds, busy=busy)
    print(f"timed wait overshoot, {rounds} waits each{' (other core busy)' if busy else ''}; "
          f"timer slack {open('/proc/self/timerslack_ns').read().strip()} ns")
    for t, samples in late.items():
        v = sorted(x / 1000 for x in samples)
        n = len(v)
        print(f"  {t:5} ms: p10 {v[n // 10]:6.1f}  median {v[n // 2]:6.1f}  p90 {v[9 * n // 10]:6.1f} µs")


if __name__ == "__main__":
    main()
