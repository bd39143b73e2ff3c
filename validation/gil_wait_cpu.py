"""What a wait for the GIL costs the waiting thread in CPU (docs/model.md, "The cold wake-up after a GIL wait").

Usage: python validation/gil_wait_cpu.py [ROUNDS [INTERVALS_MS...]]   (default: 5 rounds at 1, 5 and 20 ms)

A thread repeats a cycle of fixed Python work (300 `str` keys into a dict, ~50-90 us: the kind of code a client
or a loop runs after a wait) and a 200 us `time.sleep`, and its own CPU per cycle is read with
`time.thread_time_ns()` in three settings taken in turn, each round:
- alone;
- beside a process spinning in bytecode (the other core busy; no GIL shared);
- beside a thread spinning in bytecode: each sleep now loses the GIL to the spinner, and the thread gets it back
  only through a drop request after a switch interval (Python/ceval_gil.c, `take_gil`), asleep in a futex wait
  meanwhile.
The thread's extra CPU per cycle beside the spinning thread, against beside the process, is what one GIL wait
costs it: its wake-ups from take_gil's waits, and its next Python on a core that idled the whole interval.
Per interval, each round's three figures and the median extra. Run with the venv's Python under the machine
lock (`flock /work/machine.lock .venv/bin/python validation/gil_wait_cpu.py`).
"""
import multiprocessing
import statistics
import sys
import threading
import time


def spin(stop):
    while not stop:
        flag = 0
        for _ in range(200):
            flag ^= 1


def work(n=300):
    d = {}
    for i in range(n):
        d[str(i)] = i
    return d


def cpu_per_cycle(cycles):
    """The calling thread's CPU per cycle of work and a 200 us sleep, in us."""
    start = time.thread_time_ns()
    for _ in range(cycles):
        work()
        time.sleep(0.0002)
    return (time.thread_time_ns() - start) / cycles / 1e3


def one_round(interval_ms):
    sys.setswitchinterval(interval_ms / 1000)
    cycles = max(40, int(400 / interval_ms))
    alone = cpu_per_cycle(cycles)
    process = multiprocessing.Process(target=spin, args=([],))
    process.start()
    time.sleep(0.05)
    beside_process = cpu_per_cycle(cycles)
    process.terminate()
    process.join()
    stop = []
    thread = threading.Thread(target=spin, args=(stop,))
    thread.start()
    time.sleep(0.02)
    beside_thread = cpu_per_cycle(cycles)
    stop.append(True)
    thread.join()
    return alone, beside_process, beside_thread


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    intervals = [float(a) for a in sys.argv[2:]] or [1.0, 5.0, 20.0]
    for interval in intervals:
        extras = []
        for _ in range(rounds):
            alone, beside_process, beside_thread = one_round(interval)
            extras.append(beside_thread - beside_process)
            print(f"  {interval:g} ms: alone {alone:6.1f} us a cycle, beside a spinning process {beside_process:6.1f}, "
                  f"beside a spinning thread {beside_thread:6.1f}", flush=True)
        print(f"{interval:g} ms: one GIL wait costs the waiter {statistics.median(extras):.0f} us of CPU "
              f"(median of {rounds} rounds; {min(extras):.0f}-{max(extras):.0f})", flush=True)
