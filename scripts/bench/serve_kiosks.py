#!/usr/bin/env python3
"""Benchmark: N web kiosks (`sipas kiosk --web --upstream`, real processes, each with its own
SQLite) syncing to one `sipas serve` for S seconds.

  serve_kiosks.py SIPAS WORKDIR STORE [--kiosks 50] [--seconds 60] [--rate 0]

Each kiosk gets a client of this script's own that sends ratings to its web API: back to back
with --rate 0 (as fast as the kiosk takes them), else RATE ratings a second each, on a fixed
schedule. A watcher reads the server's store every 10 ms (sqlite3, or one psql session kept
open) and notes when each rating first appears there. Reported:
- ratings per second that reached the server during the S seconds (its commits, not the kiosks');
- from kiosk commit (the kiosk's answer to the client) to server commit (first seen by the
  watcher, so up to 10 ms late plus the read): p50, p99, max, over every rating of the run;
- how long the outboxes took to empty after the clients stopped, and the server's rate then
  (kiosks only syncing, no longer rating: what the server takes when it is the bottleneck).
Prints one JSON line.
"""
import argparse, http.client, json, os, random, re, sqlite3, subprocess, sys, threading, time


def read_port(p, what):
    line = p.stdout.readline()
    m = re.search(r"127\.0\.0\.1:(\d+)", line)
    if not m:
        raise SystemExit(f"{what} did not start: {line!r}")
    return int(m.group(1))


class Watcher:
    """Reads the server's new kiosk ratings; notes the time each (kiosk, id) is first seen."""

    def __init__(self, store):
        self.store, self.seen, self.last, self.stop = store, {}, 0, False
        self.sql = "SELECT id, kiosk_id, idempotency_key FROM responses WHERE id > {} AND kiosk_id IS NOT NULL ORDER BY id"
        if store.startswith("postgres"):
            self.psql = subprocess.Popen(["psql", store, "-X", "-q", "-At", "-F", "|"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True, bufsize=1)
        else:
            self.db = sqlite3.connect(store, timeout=30, check_same_thread=False)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def rows(self):
        if self.store.startswith("postgres"):
            self.psql.stdin.write(self.sql.format(self.last) + ";\n\\echo __end__\n")
            out = []
            while (line := self.psql.stdout.readline().rstrip("\n")) != "__end__":
                out.append(line.split("|"))
            return [(int(a), b, c) for a, b, c in out]
        try:
            return self.db.execute(self.sql.format(self.last)).fetchall()
        except sqlite3.OperationalError:
            return []

    def run(self):
        while not self.stop:
            rows = self.rows()
            now = time.time()
            for rid, kiosk, key in rows:
                self.seen.setdefault((kiosk, key), now)
                self.last = max(self.last, rid)
            time.sleep(0.01)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sipas")
    ap.add_argument("work")
    ap.add_argument("store")
    ap.add_argument("--kiosks", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rate", type=float, default=0, help="ratings a second per kiosk; 0: back to back")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)

    tokens = []
    for n in range(a.kiosks):
        tokens.append(subprocess.run([a.sipas, "token", "add", "--store", a.store, "--kiosk", f"b{n:02d}", "--unit", f"XB{n:02d}"],
                                     check=True, capture_output=True, text=True).stdout.strip())
    server = subprocess.Popen([a.sipas, "serve", "--store", a.store, "--listen", "127.0.0.1:0", "--staff-token", "bench-staff-token-0000"],
                              stdout=subprocess.PIPE, stderr=open(os.path.join(a.work, "serve.log"), "a"), text=True)
    server_port = read_port(server, "sipas serve")
    kiosks = []
    for n, token in enumerate(tokens):
        store = os.path.join(a.work, f"b{n:02d}.sqlite")
        p = subprocess.Popen([a.sipas, "kiosk", "--store", store, "--unit", f"XB{n:02d}", "--kiosk-id", f"b{n:02d}", "--field", "ho-tich",
                              "--web", "--listen", "127.0.0.1:0", "--min-interval", "0", "--upstream", f"http://127.0.0.1:{server_port}"],
                             stdout=subprocess.PIPE, stderr=open(os.path.join(a.work, f"b{n:02d}.log"), "a"), text=True,
                             env=dict(os.environ, SIPAS_UPSTREAM_TOKEN=token))
        kiosks.append((f"b{n:02d}", store, p, read_port(p, f"kiosk b{n:02d}")))
    watcher = Watcher(a.store)
    time.sleep(1)

    committed = {}          # (kiosk, local id) → kiosk commit time
    lock = threading.Lock()
    errors = []
    t0 = time.time()
    end = t0 + a.seconds

    def client(name, port, seed):
        r = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = 0
        next_at = t0 + r.uniform(0, 1 / a.rate) if a.rate else t0
        while True:
            if a.rate:
                next_at += 1 / a.rate
                if next_at >= end:
                    return
                time.sleep(max(0, next_at - time.time()))
            elif time.time() >= end:
                return
            key = f"{name}-{i:07d}-{r.getrandbits(24):06x}"
            i += 1
            conn.request("POST", "/api/responses", json.dumps({"answers": {"overall": r.choice([1, 2, 3, 3])}}),
                         {"Idempotency-Key": key, "Content-Type": "application/json"})
            resp = conn.getresponse()
            body = json.loads(resp.read() or b"{}")
            done = time.time()
            if resp.status != 201:
                with lock:
                    errors.append(f"{key}: {resp.status} {body}")
                continue
            with lock:
                committed[(name, body["id"])] = done

    threads = [threading.Thread(target=client, args=(name, port, n)) for n, (name, _, _, port) in enumerate(kiosks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stopped = time.time()
    arrived_in_run = sum(1 for t in list(watcher.seen.values()) if t <= end)
    total = len(committed)
    deadline = time.time() + 300
    while len(watcher.seen) < total and time.time() < deadline:
        time.sleep(0.05)
    drained = time.time() - stopped
    watcher.stop = True
    watcher.thread.join()

    # Local id → the id the kiosk sent (its form id), from each kiosk's store.
    latencies = []
    for name, store, p, _ in kiosks:
        p.terminate()
        p.wait(30)
        db = sqlite3.connect(store)
        forms = dict(db.execute("SELECT id, form_id FROM responses"))
        db.close()
        for (kiosk, rid), at in committed.items():
            if kiosk == name:
                seen = watcher.seen.get((name, forms.get(rid)))
                if seen is None:
                    errors.append(f"{name} rating {rid}: committed on the kiosk, never reached the server")
                else:
                    latencies.append(seen - at)
    server.terminate()
    server.wait(30)
    latencies.sort()
    q = lambda p: round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else None
    print(json.dumps({
        "store": "postgres" if a.store.startswith("postgres") else "sqlite", "kiosks": a.kiosks, "seconds": a.seconds, "rate_per_kiosk": a.rate,
        "committed_on_kiosks": total, "kiosk_ratings_per_second": round(total / a.seconds, 1),
        "server_ratings_per_second": round(arrived_in_run / a.seconds, 1), "on_server": len(watcher.seen),
        "drain_ratings_per_second": round((len(watcher.seen) - arrived_in_run) / drained, 1) if drained > 0.5 else None,
        "latency_ms": {"p50": q(0.5), "p99": q(0.99), "max": q(1.0)}, "drain_seconds": round(drained, 2),
        "errors": errors[:5], "error_count": len(errors),
    }))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
