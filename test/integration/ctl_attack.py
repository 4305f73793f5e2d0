#!/usr/bin/env python3
"""Hostile and honest clients of slicenetd's control socket (issue 9 item 6).

  ctl_attack.py SOCKET flood SECONDS      request/reply as fast as possible on one connection
  ctl_attack.py SOCKET pipeline N         send N requests without reading a reply
  ctl_attack.py SOCKET partial SECONDS    send half a request, then nothing
  ctl_attack.py SOCKET idle N SECONDS     hold N connections that say nothing
  ctl_attack.py SOCKET measure N          N honest port.list calls, one connection each

Each prints one line "key=value ..." for the test to check; exit status 0
means the run itself worked (what it measured is for the test to judge).
"""
import socket
import sys
import time

REQUEST = b'{"method":"port.list"}\n'


def dial(path, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_line(s, buf):
    """One reply line from s; buf holds bytes read past it. None on EOF."""
    while b"\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return None, buf
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line, rest


def closed_by_server(s, limit):
    """Seconds until the server closes s (EOF or reset), draining replies; None past limit."""
    start = time.monotonic()
    s.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            if not s.recv(65536):
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def flood(path, seconds):
    s = dial(path)
    buf, replies, end = b"", 0, time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            s.sendall(REQUEST)
            line, buf = read_line(s, buf)
            if line is None:
                break
            replies += 1
        status = "open"
    except OSError as e:
        status = "closed:" + type(e).__name__
    print(f"flood replies={replies} status={status}")


def pipeline(path, n):
    s = dial(path)
    start = time.monotonic()
    sent = 0
    s.settimeout(10)
    try:
        for _ in range(n):
            s.sendall(REQUEST)
            sent += 1
        # All sent without the server giving up yet: now it must, while we still don't read.
        after = closed_by_server_without_reading(s, 10)
        how = "eof" if after is not None else "open"
    except OSError as e:
        how = type(e).__name__
    print(f"pipeline sent={sent} of={n} disconnected={how} seconds={time.monotonic() - start:.2f}")


def closed_by_server_without_reading(s, limit):
    """Keep sending (never reading) until a send fails because the server closed; None past limit."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            s.send(REQUEST)
        except OSError:
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def partial(path, seconds):
    s = dial(path)
    s.sendall(REQUEST[:10])
    after = closed_by_server(s, seconds)
    print(f"partial closed_after={after if after is None else f'{after:.2f}'}")


def idle(path, n, seconds):
    conns, give_up = [], time.monotonic() + 5
    while len(conns) < n and time.monotonic() < give_up:
        try:
            conns.append(dial(path))
        except BlockingIOError:
            time.sleep(0.001)  # the listen backlog is full for a moment: retry
        except OSError:
            break
    opened = len(conns)
    time.sleep(seconds)
    closed = 0
    for s in conns:
        # Closed: EOF or reset, after any last line (EBUSY for a refused one).
        s.setblocking(False)
        try:
            while s.recv(65536):
                pass
            closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    print(f"idle opened={opened} closed={closed}")


def measure(path, n):
    lat, failures = [], 0
    for _ in range(n):
        t0 = time.monotonic()
        try:
            s = dial(path, 2.0)
            s.sendall(REQUEST)
            line, _ = read_line(s, b"")
            s.close()
            if line is None or not line.startswith(b'{"ok":true'):
                failures += 1
                continue
        except OSError:
            failures += 1
            continue
        lat.append((time.monotonic() - t0) * 1000)
        time.sleep(0.005)
    lat.sort()
    if not lat:
        print(f"measure ok=0 failures={failures}")
        return
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"measure ok={len(lat)} failures={failures} p50_ms={p(0.50):.2f} "
          f"p99_ms={p(0.99):.2f} max_ms={lat[-1]:.2f}")


def main():
    path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    modes = {"flood": (flood, float), "pipeline": (pipeline, int), "partial": (partial, float),
             "measure": (measure, int)}
    if mode == "idle":
        idle(path, int(args[0]), float(args[1]))
    elif mode in modes:
        fn, conv = modes[mode]
        fn(path, conv(args[0]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
