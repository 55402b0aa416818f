#!/usr/bin/env python3
"""The lab's power switch: cuts and restores the power of lab nodes on request.

usage: lab-power.py SOCKET CONFIG.json [LOG]

Listens on the unix socket SOCKET (reachable from every lab node that sees the host's file
system, whatever its network namespace) and answers one request per connection, one line each
way ("OP [NODE]\n" -> "ok ...\n" or "error: ...\n"):
    ping            ok
    list            ok NODE NODE ...
    status NODE     ok on | ok off   (on: some process lives in the node's network namespace)
    off NODE        runs the node's "cut" commands (the bridge port goes down: nothing more
                    leaves the node), then SIGKILLs, by PID, every process whose network
                    namespace is the node's and waits until none is left: a power cut
    on NODE         runs the node's "on" commands (argument arrays, no shell) when it is off
CONFIG.json: {"nodes": {"NAME": {"netns": "NETNS", "cut": [[argv...], ...], "on": [[argv...], ...]}}}
A node is only ever its network namespace /run/netns/NETNS, looked up at each request (a node
that came back has a new one); nothing outside it is signalled. Every request and its outcome
go to LOG (stderr when absent), one line each, with a timestamp.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def log(stream, text):
    stream.write("%s %s\n" % (time.strftime("%H:%M:%S", time.localtime()) + ".%03d" % (time.time() % 1 * 1000), text))
    stream.flush()


def netns_inode(netns):
    try:
        return os.stat("/run/netns/" + netns).st_ino
    except OSError:
        return None


def pids_in(inode):
    """Every process whose network namespace has this inode (never this service itself)."""
    found = []
    if inode is None:
        return found
    want = "net:[%d]" % inode
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            if os.readlink("/proc/%s/ns/net" % entry) == want:
                found.append(int(entry))
        except OSError:
            pass  # gone, or a kernel thread
    return found


def run_all(commands, timeout):
    """Runs each argument array in turn; None, or what went wrong. The error output goes to a
    file, not a pipe: a daemon the command leaves running keeps a pipe open for ever."""
    for argv in commands:
        with tempfile.TemporaryFile() as err:
            try:
                r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=err, timeout=timeout, check=False)
            except (OSError, subprocess.TimeoutExpired) as e:
                return "%s: %s" % (argv[0], e)
            if r.returncode != 0:
                err.seek(0)
                return "%s exited %d: %s" % (argv[0], r.returncode, err.read(400).decode(errors="replace").strip())
    return None


def handle(request, nodes):
    parts = request.split()
    if not parts:
        return "error: empty request"
    op, args = parts[0], parts[1:]
    if op == "ping" and not args:
        return "ok"
    if op == "list" and not args:
        return "ok " + " ".join(sorted(nodes))
    if op not in ("status", "off", "on") or len(args) != 1:
        return "error: unknown request"
    node = args[0]
    if not NAME.match(node) or node not in nodes:
        return "error: no such node"
    spec = nodes[node]
    inode = netns_inode(spec["netns"])
    if op == "status":
        return "ok on" if pids_in(inode) else "ok off"
    if op == "off":
        problem = run_all(spec.get("cut", []), 10)   # best effort: the kill below is the power cut
        pids = pids_in(inode)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while pids_in(inode):
            if time.monotonic() > deadline:
                return "error: processes of %s outlived SIGKILL" % node
            time.sleep(0.05)
        return "ok killed %d%s" % (len(pids), "" if problem is None else " (cut: %s)" % problem)
    if pids_in(inode):
        return "ok already on"
    problem = run_all(spec.get("on", []), 180)
    return "ok" if problem is None else "error: " + problem


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    path, config = sys.argv[1], sys.argv[2]
    out = open(sys.argv[3], "a") if len(sys.argv) == 4 else sys.stderr
    with open(config) as f:
        nodes = json.load(f)["nodes"]
    for name in nodes:
        if not NAME.match(name):
            sys.stderr.write("lab-power: bad node name %r\n" % name)
            return 2
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(8)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log(out, "listening on %s for %s" % (path, ", ".join(sorted(nodes))))
    while True:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\n" not in data and len(data) <= 256:
                    chunk = conn.recv(256)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                continue
            request = data.split(b"\n", 1)[0].decode("ascii", errors="replace") if len(data) <= 256 else ""
            reply = handle(request, nodes) if request else "error: no request"
            log(out, "%s -> %s" % (request[:80], reply))
            try:
                conn.sendall((reply + "\n").encode())
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
