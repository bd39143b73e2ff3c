"""Latency server for real runs: answers `GET /?delay_us=N` after N microseconds.

The harness sends the latency it wants in the URL, so the server keeps no state and one server serves every
task, strategy and repetition. Started by `simulate` in its own process group on a free port of 127.0.0.1;
it writes the port to --port-file (atomically) once it listens, and runs until it is killed.

It must never be the bottleneck: a thread per connection (ThreadingHTTPServer) sleeps with time.sleep
(clock_nanosleep, microsecond precision; an asyncio server would round its timers to whole milliseconds in
epoll_wait), the listen backlog holds a thousand pending connections, and each answer is a single write
with Nagle's algorithm off (a headers write then a body write would meet the client's delayed ACK on
keep-alive connections and add up to 40 ms).
"""
import argparse
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BODY = b"ok\n"


class DelayHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections open unless the client says `Connection: close` (urlopen does; aiohttp
    # reuses its connections within a session).
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        received = time.monotonic()
        try:
            query = parse_qs(urlsplit(self.path).query)
            delay = int(query.get("delay_us", ["0"])[0]) / 1e6
        except ValueError:
            self.send_error(400, "delay_us must be an integer number of microseconds")
            return
        remaining = delay - (time.monotonic() - received)
        if remaining > 0:
            time.sleep(remaining)
        connection = b"close" if self.close_connection else b"keep-alive"
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n%s"
            % (len(BODY), connection, BODY)
        )

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # one line per request on stderr would cost more than the request itself


class LatencyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # listen(2) backlog: hundreds of tasks may connect at the same instant
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True, help="where to write the port once listening")
    args = parser.parse_args()
    server = LatencyServer(("127.0.0.1", 0), DelayHandler)
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(temporary, args.port_file)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
