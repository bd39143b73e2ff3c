"""The echo server's own CPU per round trip in `programs/echo.py`, measured: the server process's time on a core
(/proc/PID/schedstat, nanoseconds) over N round trips made alone, beside the round trip's wall time. The model's
local server takes a turn of CPU on a core per request (`costs.server_answer_reuse`); for a program that brings its
own server this is what that turn is.

    python echo_turn.py [--calls N] [--rounds R]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs"))
import echo  # noqa: E402  (the program's own server and connection)


def on_core_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    client, server = echo.connect()
    for _ in range(200):
        client.sendall(b"x")
        client.recv(1)
    for r in range(options.rounds):
        before = on_core_ns(server.pid)
        start = time.perf_counter_ns()
        for _ in range(options.calls):
            client.sendall(b"x")
            client.recv(1)
        wall = time.perf_counter_ns() - start
        turn = on_core_ns(server.pid) - before
        print("round %d: round trip %.1f us, server on a core %.1f us a round trip" % (
            r + 1, wall / options.calls / 1e3, turn / options.calls / 1e3))
    client.close()
    server.join(5)


if __name__ == "__main__":
    main()
