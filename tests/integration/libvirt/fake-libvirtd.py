#!/usr/bin/env python3
"""A scripted libvirt daemon for states a real one cannot be made to report.

usage: fake-libvirtd.py SOCKET DOMAIN STATE

Listens on the unix socket SOCKET and speaks libvirt's remote protocol (program 0x20008086,
version 1) to any number of clients: CONNECT_OPEN, CONNECT_CLOSE, AUTH_LIST (none),
CONNECT_SUPPORTS_FEATURE (no), DOMAIN_LOOKUP_BY_NAME of DOMAIN (other names: VIR_ERR_NO_DOMAIN),
DOMAIN_GET_STATE and DOMAIN_GET_INFO answering state STATE (e.g. 42, which no libvirt enum has),
DOMAIN_IS_ACTIVE (1); every other procedure gets VIR_ERR_NO_SUPPORT. It records every procedure
number it was called with, one per line, in SOCKET.calls. Runs until killed.
"""
import os
import socket
import struct
import sys
import threading

PROGRAM, VERSION = 0x20008086, 1
OPEN, CLOSE, LOOKUP_BY_NAME, GET_INFO, SUPPORTS_FEATURE, AUTH_LIST, IS_ACTIVE, GET_STATE = 1, 2, 23, 16, 60, 66, 150, 212
VIR_ERR_NO_SUPPORT, VIR_ERR_NO_DOMAIN = 3, 42

sock_path, domain, state = sys.argv[1], sys.argv[2], int(sys.argv[3])
uuid = bytes(range(16))
calls = open(sock_path + ".calls", "a", buffering=1)


def xdr_string(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b + b"\0" * (-len(b) % 4)


def read_string(buf, off):
    (n,) = struct.unpack_from(">I", buf, off)
    return buf[off + 4:off + 4 + n].decode(errors="replace"), off + 4 + n + (-n % 4)


def nonnull_domain():
    return xdr_string(domain) + uuid + struct.pack(">i", 1)


def error(code, message):
    # remote_error: code, domain (VIR_FROM_NONE), message (optional string), level (error),
    # dom (null), str1..3 (null), int1, int2, net (null)
    return struct.pack(">ii", code, 0) + struct.pack(">I", 1) + xdr_string(message) + struct.pack(">i", 2) + \
        struct.pack(">I", 0) + struct.pack(">III", 0, 0, 0) + struct.pack(">ii", -1, -1) + struct.pack(">I", 0)


def answer(proc, body):
    if proc in (OPEN, CLOSE):
        return 0, b""
    if proc == AUTH_LIST:
        return 0, struct.pack(">Ii", 1, 0)
    if proc == SUPPORTS_FEATURE:
        return 0, struct.pack(">i", 0)
    if proc == LOOKUP_BY_NAME:
        name, _ = read_string(body, 0)
        if name != domain:
            return 1, error(VIR_ERR_NO_DOMAIN, f"Domain not found: no domain with matching name '{name}'")
        return 0, nonnull_domain()
    if proc == GET_STATE:
        return 0, struct.pack(">ii", state, 0)
    if proc == GET_INFO:
        return 0, struct.pack(">IQQIQ", state, 131072, 131072, 1, 0)
    if proc == IS_ACTIVE:
        return 0, struct.pack(">i", 1)
    return 1, error(VIR_ERR_NO_SUPPORT, f"this function is not supported by the fake daemon: procedure {proc}")


def recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve(conn):
    with conn:
        while True:
            head = recv_exactly(conn, 4)
            if head is None:
                return
            (length,) = struct.unpack(">I", head)
            msg = recv_exactly(conn, length - 4)
            if msg is None:
                return
            prog, vers, proc, _type, serial, _status = struct.unpack_from(">IIiiIi", msg)
            calls.write(f"{proc}\n")
            status, payload = answer(proc, msg[24:])
            reply = struct.pack(">IIiiIi", prog, vers, proc, 1, serial, status) + payload
            conn.sendall(struct.pack(">I", len(reply) + 4) + reply)


if os.path.exists(sock_path):
    os.unlink(sock_path)
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sock_path)
listener.listen(16)
while True:
    c, _ = listener.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
