#!/usr/bin/env python3
"""Opens N IMAP connections to 127.0.0.1:PORT, logs each in (LOGIN as
PREFIX0..PREFIX{USERS-1} in turn, password NAME-secret: Dovecot allows 10 per
user and address), SELECTs INBOX, and holds them idle; prints the server
tree's RSS (KiB) before and with them, and the growth per connection.
   idle_connections.py PORT PREFIX USERS N PID"""
import os, socket, sys, time

port, prefix, users, n, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])


def tree(root):
    kids = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                ppid = int(open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(p))
            except OSError:
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def rss_kib(root):
    total = 0
    for p in tree(root):
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def answer(s, tag):
    buf = b""
    while not any(l.startswith(tag + b" ") for l in buf.split(b"\r\n")):
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed: " + buf.decode("latin1"))
        buf += chunk
    return buf


before = rss_kib(pid)
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.recv(4096)
    user = f"{prefix}{i % users}"
    s.sendall(f"a LOGIN {user} {user}-secret\r\nb SELECT INBOX\r\n".encode())
    answer(s, b"b")
    conns.append(s)
time.sleep(2)
during = rss_kib(pid)
print(f"idle connections: {n}, server RSS {before} KiB before, {during} KiB with them, "
      f"{(during - before) / n:.1f} KiB per connection")
for s in conns:
    s.close()
