"""How late a timed futex wait ends on this machine, by the length of the wait (docs/model.md, "The timed
wait's overshoot").

take_gil sleeps in `COND_TIMED_WAIT(gil->cond, gil->mutex, interval, timed_out)` (CPython 3.11
Python/ceval_gil.h), a futex wait with a timeout. The model ends that wait exactly one switch interval later
and then adds its wake-up latency (`machine.wake_latency`, 10 µs, plus a context switch); the kernel arms the
timer with the thread's timer slack (/proc/self/timerslack_ns, 50 µs by default) and an idle vCPU must be woken
through the host. This times `threading.Lock.acquire(timeout=T)` on a lock that is held (the same kind of
futex wait: CPython's lock with a timeout is `sem_clockwait`), with the GIL free, and prints per T the
overshoot (elapsed - T): p10, median, p90, in µs. The timeouts are taken in turn, one wait each, for ROUNDS
rounds, so that a change of the VM's speed falls on every T alike.

    python3 validation/timed_wait.py [ROUNDS] [--busy]

`--busy` keeps the other core busy with a spinning process (as a CPU-bound thread keeps it in the convoy).
"""
import multiprocessing
import sys
import threading
import time

TIMEOUTS_MS = (0.1, 0.5, 1, 2, 5, 20, 50)


def spin(stop):
    while not stop.is_set():
        for _ in range(10_000):
            pass


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 60
    busy = "--busy" in sys.argv
    stop = multiprocessing.Event()
    spinner = multiprocessing.Process(target=spin, args=(stop,)) if busy else None
    if spinner:
        spinner.start()
        time.sleep(0.2)
    lock = threading.Lock()
    lock.acquire()
    late = {t: [] for t in TIMEOUTS_MS}
    try:
        for _ in range(rounds):
            for t in TIMEOUTS_MS:
                start = time.perf_counter_ns()
                lock.acquire(timeout=t / 1000)
                late[t].append((time.perf_counter_ns() - start) / 1000 - t * 1000)
    finally:
        if spinner:
            stop.set()
            spinner.join()
    print(f"timed wait overshoot, {rounds} waits each{' (other core busy)' if busy else ''}; "
          f"timer slack {open('/proc/self/timerslack_ns').read().strip()} ns")
    for t in TIMEOUTS_MS:
        v = sorted(late[t])
        n = len(v)
        print(f"  {t:5} ms: p10 {v[n // 10]:6.1f}  median {v[n // 2]:6.1f}  p90 {v[9 * n // 10]:6.1f} µs")


if __name__ == "__main__":
    main()
