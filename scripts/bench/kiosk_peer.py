#!/usr/bin/env python3
"""Peer for the kiosk benchmark: the straightforward design, Python's threading HTTP server and
sqlite3 (WAL, synchronous=FULL), one transaction per rating, idempotency key unique.
  kiosk_peer.py DB PORT"""
import json, socket, sqlite3, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

db_path, port = sys.argv[1], int(sys.argv[2])
local = threading.local()
init = sqlite3.connect(db_path)
init.execute("PRAGMA journal_mode=WAL")
init.execute("CREATE TABLE IF NOT EXISTS ratings (id INTEGER PRIMARY KEY, key TEXT UNIQUE, overall INTEGER NOT NULL, at TEXT)")
init.commit()


def db():
    if not hasattr(local, "c"):
        local.c = sqlite3.connect(db_path, timeout=10, isolation_level=None)
        local.c.execute("PRAGMA synchronous=FULL")
    return local.c


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(n))
        key = self.headers.get("Idempotency-Key")
        code = body["answers"]["overall"]
        c = db()
        c.execute("BEGIN IMMEDIATE")
        row = c.execute("SELECT id FROM ratings WHERE key = ?", (key,)).fetchone()
        if row:
            c.execute("COMMIT")
            status, rid = 200, row[0]
        else:
            rid = c.execute("INSERT INTO ratings (key, overall, at) VALUES (?, ?, datetime('now'))", (key, code)).lastrowid
            c.execute("COMMIT")
            status = 201
        out = json.dumps({"id": rid}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
