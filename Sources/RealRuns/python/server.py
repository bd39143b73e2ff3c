"""Latency server for real runs: answers `GET /?delay_us=N` after N microseconds.

The harness sends the latency it wants in the URL, so the server keeps no state and one server serves every
task, strategy and repetition. Started by `simulate` in its own process group on a free port of 127.0.0.1;
it writes the port to --port-file (atomically) once it listens, and runs until it is killed.

It must never be the bottleneck, and on a 2-core machine it shares the cores with the programs it serves, so
it does as little as it can: a thread per connection (time.sleep is clock_nanosleep, microsecond precision;
an asyncio server would round its timers to whole milliseconds in epoll_wait), a request read with plain
recv and parsed from its first line only (http.server's parsing cost ~200 us of CPU per request), a listen
backlog of a thousand, HTTP/1.1 keep-alive for aiohttp, and each answer one write with Nagle's algorithm off
(a headers write then a body write would meet the client's delayed ACK and add up to 40 ms).
"""
import lifeline  # noqa: F401 - dies with simulate, even on SIGKILL (lifeline.py)
import argparse
import itertools
import os
import socket
import sys
import threading
import time

BODY = b"ok\n"
# X-Sent-Ns: when the answer left, on CLOCK_MONOTONIC (one clock for every process of the machine), so that the
# harness can tell how long its caller took to get the GIL back after the answer came.
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: %%s\r\n"
          b"X-Sent-Ns: %%d\r\n\r\n%s" % (len(BODY), BODY))


def delay_of(request_line):
    """The delay asked for in `GET /path?delay_us=N HTTP/1.1`, in seconds; None if it is malformed."""
    parts = request_line.split(b" ")
    if len(parts) < 2:
        return None
    _, _, query = parts[1].partition(b"?")
    for pair in query.split(b"&"):
        key, _, value = pair.partition(b"=")
        if key == b"delay_us":
            try:
                return int(value) / 1e6
            except ValueError:
                return None
    return 0.0


# The number of each request read, from 0: next() on an itertools.count is one C call, atomic under the GIL.
next_request = itertools.count().__next__


def serve(conn):
    """Answers the requests of one connection, each after its delay, until the client closes it."""
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pending = b""
    try:
        while True:
            while b"\r\n\r\n" not in pending:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                pending += chunk
            received = time.monotonic()
            head, _, pending = pending.partition(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0]
            close = b"connection: close" in head.lower() or request_line.endswith(b"HTTP/1.0")
            number = next_request()
            if request_line.startswith(b"GET /stats"):
                # The server's own CPU so far (every thread) and how many requests it read before this one,
                # for calibrate.py's server_answer_costs.
                body = b"%d %d\n" % (time.process_time_ns(), number)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
                return
            delay = delay_of(request_line)
            if delay is None:
                message = b"delay_us must be an integer number of microseconds\n"
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                             % (len(message), message))
                return
            remaining = delay - (time.monotonic() - received)
            if remaining > 0:
                time.sleep(remaining)
            conn.sendall(ANSWER % (b"close" if close else b"keep-alive", time.monotonic_ns()))
            if close:
                return
    except OSError:
        pass  # the client went away: nothing to answer
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True, help="where to write the port once listening")
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)  # hundreds of tasks may connect at the same instant
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.replace(temporary, args.port_file)
    try:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
