"""Slow consumers for test/drills/slow-consumers.test.ts.

Opens N WebSocket connections to the hub, subscribes each to a channel, then never reads until
told to on stdin; then reads each one until the server's close frame and prints the codes.
Python because Node cannot set TCP_MAXSEG / SO_RCVBUF: with loopback's 64 KiB MSS the kernel
would absorb about 4 MiB per socket before the server sees any backpressure, i.e. 4 GiB for a
thousand consumers. A 536-byte MSS and a 4 KiB receive buffer bring that to tens of KiB, so the
server's own send buffer (its high-water mark) is what fills up, as with a slow real client.

usage: python3 slow_consumers.py PORT TOKEN CHANNEL N
"""
import base64
import json
import os
import socket
import struct
import sys


def frame(text):
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0x80 | 126]) + struct.pack(">H", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def open_consumer(port, token, channel):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Protocol: wsguard.v1\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    )
    subscribe = json.dumps({"type": "subscribe", "id": "s", "payload": {"channel": channel}})
    s.sendall(request.encode() + frame(subscribe))
    head = b""
    while not head.endswith(b"\r\n\r\n") and len(head) < 4096:  # the head only, byte by byte
        b = s.recv(1)
        if not b:
            break
        head += b
    if not head.startswith(b"HTTP/1.1 101"):
        raise SystemExit(f"refused: {head[:40]!r}")
    return s


def close_code(s):
    """Reads frames until the close frame; None if the connection ends first."""
    s.settimeout(20)
    buf = b""
    try:
        while True:
            while len(buf) >= 2:
                n = buf[1] & 0x7F
                off = 2
                if n == 126:
                    if len(buf) < 4:
                        break
                    n, off = struct.unpack(">H", buf[2:4])[0], 4
                elif n == 127:
                    if len(buf) < 10:
                        break
                    n, off = struct.unpack(">Q", buf[2:10])[0], 10
                if len(buf) < off + n:
                    break
                if buf[0] & 0x0F == 0x8:
                    return struct.unpack(">H", buf[off:off + 2])[0] if n >= 2 else None
                buf = buf[off + n:]
            chunk = s.recv(65536)
            if not chunk:
                return None
            buf += chunk
    except OSError:
        return None
    finally:
        s.close()


def main():
    port, token, channel, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    consumers = [open_consumer(port, token, channel) for _ in range(n)]
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps([close_code(s) for s in consumers]), flush=True)


main()
