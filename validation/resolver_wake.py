"""How long one getaddrinfo through gevent's hub thread pool takes from a greenlet, by how long the pool's thread
had been idle before it (docs/model.md, "gevent's resolver threads").

gevent's default resolver (gevent.resolver.thread) runs every lookup on the hub's thread pool. Back to back, a
lookup's wall time is the hand-off to the pool's thread and back; after the greenlet (and so the pool's thread)
slept IDLE ms, the thread wakes on a vCPU that may have halted meanwhile. Prints, per idle time, the median wall
time of ROUNDS lookups each made right after such a sleep, and the same lookup called directly.

    python validation/resolver_wake.py [ROUNDS]      (from the project's .venv, which has gevent)
"""
import statistics
import sys
import time

from gevent import monkey

monkey.patch_all()
import _socket  # noqa: E402

import gevent  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
ARGS = ("127.0.0.1", 80, 0, _socket.SOCK_STREAM)
pool = gevent.get_hub().threadpool


def lookups(idle_ms):
    """The wall time of ROUNDS lookups through the pool, each after sleeping `idle_ms` (0: back to back)."""
    walls = []
    for _ in range(ROUNDS):
        if idle_ms:
            gevent.sleep(idle_ms / 1000)
        start = time.perf_counter_ns()
        pool.apply(_socket.getaddrinfo, ARGS)
        walls.append(time.perf_counter_ns() - start)
    return walls


def main():
    for _ in range(20):
        pool.apply(_socket.getaddrinfo, ARGS)  # the pool's thread started, the resolver's imports done
    start = time.perf_counter_ns()
    for _ in range(ROUNDS):
        _socket.getaddrinfo(*ARGS)
    direct = (time.perf_counter_ns() - start) / ROUNDS
    print("getaddrinfo called directly: %.1f us" % (direct / 1000))
    for idle in (0, 1, 5, 10, 20):
        job = gevent.spawn(lookups, idle)
        job.join()
        walls = sorted(job.value)
        print("after %2d ms idle: median %6.1f us, p10 %6.1f, p90 %6.1f" % (
            idle, statistics.median(walls) / 1000, walls[len(walls) // 10] / 1000, walls[len(walls) * 9 // 10] / 1000))


if __name__ == "__main__":
    main()
