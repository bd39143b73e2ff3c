"""The persistent-connection convoy, written plainly: one thread makes request/response round trips (send
one byte, receive one byte) on one TCP connection to an echo server in another process, beside one thread
that runs pure Python for as long as the round trips last. The switch interval decides how long the I/O
thread waits for the GIL after each answer.

    python echo.py {threads-0.1ms,threads-1ms,threads-5ms,one} [--calls N]

`one` makes the round trips without the CPU thread and prints the time of one: the latency of a call,
which is all the model is told. Prints `took X s` last (the I/O thread's calls, from first to last).
"""
import argparse
import multiprocessing
import socket
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("strategy", choices=["threads-0.1ms", "threads-1ms", "threads-5ms", "one"])
parser.add_argument("--calls", type=int, default=300)
parser.add_argument("--url", help="ignored (the echo server is the program's own)")


def echo_server(listener):
    conn, _ = listener.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = conn.recv(1)
        if not data:
            return
        conn.sendall(data)


def spin(stop):
    x = 0
    while not stop.is_set():
        for i in range(1000):
            x += i


def connect():
    """The echo server in another process and a connection to it: (client socket, server process)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    server = multiprocessing.Process(target=echo_server, args=(listener,), daemon=True)
    server.start()
    client = socket.create_connection(listener.getsockname())
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, server


def main():
    options = parser.parse_args()
    client, server = connect()
    for _ in range(20):  # warm the connection and the server's process
        client.sendall(b"x")
        client.recv(1)

    stop = threading.Event()
    if options.strategy != "one":
        sys.setswitchinterval(float(options.strategy.split("-")[1][:-2]) / 1000)
        threading.Thread(target=spin, args=(stop,), daemon=True).start()
        time.sleep(0.01)  # let the CPU thread take the GIL
    start = time.perf_counter()
    for _ in range(options.calls):
        client.sendall(b"x")
        client.recv(1)
    elapsed = time.perf_counter() - start
    stop.set()
    client.close()
    server.join(5)
    print("took %.6f s" % (elapsed / options.calls if options.strategy == "one" else elapsed))


if __name__ == "__main__":
    sys.exit(main())
