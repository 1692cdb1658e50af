#!/usr/bin/env python3
"""Load test of the web kiosk: N concurrent clients send ratings, some retried with the same
Idempotency-Key; then the store must hold exactly the accepted ratings, each once.

  kiosk_load.py SIPAS STORE [--clients 20] [--ratings 20000] [--kill-after 0.5]

With --kill-after F the server is killed with SIGKILL when a fraction F of the ratings has been
sent, restarted, and the clients carry on (retrying what was in flight with the same key).
Prints a JSON summary; exits 1 when the store disagrees with what the server acknowledged.
"""
import argparse, http.client, json, os, random, re, signal, sqlite3, subprocess, sys, threading, time


def start(sipas, store, port):
    log = open(store + ".log", "a")
    p = subprocess.Popen([sipas, "kiosk", "--store", store, "--unit", "XA01", "--field", "ho-tich", "--web",
                          "--listen", f"127.0.0.1:{port}", "--min-interval", "0", "--kiosk-id", "tai"],
                         stdout=subprocess.PIPE, stderr=log, text=True)
    line = p.stdout.readline()
    m = re.search(r":(\d+)/", line)
    if not m:
        raise SystemExit(f"kiosk did not start: {line!r}")
    return p, int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sipas")
    ap.add_argument("store")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--ratings", type=int, default=20000)
    ap.add_argument("--kill-after", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()

    server, port = start(a.sipas, a.store, 0)
    state = {"port": port, "generation": 0}
    lock = threading.Lock()
    acknowledged = {}   # key -> id (from any 2xx)
    created = {}        # key -> id (201)
    sent = [0]
    errors = []
    latencies = []
    per_client = a.ratings // a.clients
    restart_done = threading.Event()
    if not a.kill_after:
        restart_done.set()

    def post(conn, key, code):
        body = json.dumps({"answers": {"overall": code}})
        conn.request("POST", "/api/responses", body, {"Idempotency-Key": key, "Content-Type": "application/json"})
        r = conn.getresponse()
        data = json.loads(r.read() or b"{}")
        return r.status, data

    def client(n):
        rnd = random.Random(a.seed * 1000 + n)
        conn = None
        for i in range(per_client):
            key = f"c{n:02d}-{i:06d}-{rnd.getrandbits(32):08x}"
            code = rnd.choice([1, 2, 2, 3, 3, 3])
            sends = 2 if rnd.random() < 0.05 else 1   # 5 % are retried although the first answer came
            for _ in range(sends):
                while True:
                    try:
                        if conn is None:
                            conn = http.client.HTTPConnection("127.0.0.1", state["port"], timeout=10)
                        t = time.perf_counter()
                        status, data = post(conn, key, code)
                        dt = time.perf_counter() - t
                        break
                    except (ConnectionError, http.client.HTTPException, OSError):
                        # Server gone (killed): wait for the restart, retry with the same key.
                        conn = None
                        restart_done.wait(30)
                        time.sleep(0.05)
                with lock:
                    latencies.append(dt)
                    if status in (200, 201):
                        prior = acknowledged.get(key)
                        if prior is not None and prior != data["id"]:
                            errors.append(f"{key}: acknowledged as {prior} and {data['id']}")
                        acknowledged[key] = data["id"]
                        if status == 201:
                            if key in created:
                                errors.append(f"{key}: created twice ({created[key]}, {data['id']})")
                            created[key] = data["id"]
                    else:
                        errors.append(f"{key}: HTTP {status} {data}")
                    sent[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(a.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    killed_at = None
    if a.kill_after:
        target = int(a.ratings * a.kill_after)
        while sent[0] < target:
            time.sleep(0.005)
        server.send_signal(signal.SIGKILL)
        server.wait()
        killed_at = sent[0]
        server, port = start(a.sipas, a.store, state["port"])
        state["port"] = port
        restart_done.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()

    db = sqlite3.connect(a.store)
    rows = db.execute("SELECT idempotency_key, id, codes FROM responses WHERE kiosk_id = 'tai'").fetchall()
    stored = {}
    for key, rid, _ in rows:
        if key in stored:
            errors.append(f"{key}: stored twice")
        stored[key] = rid
    missing = [k for k in acknowledged if k not in stored]
    unacknowledged = [k for k in stored if k not in acknowledged]
    wrong_id = [k for k, v in acknowledged.items() if k in stored and stored[k] != v]
    if missing:
        errors.append(f"{len(missing)} acknowledged ratings missing, e.g. {missing[:3]}")
    if unacknowledged:
        errors.append(f"{len(unacknowledged)} stored ratings never acknowledged, e.g. {unacknowledged[:3]}")
    if wrong_id:
        errors.append(f"{len(wrong_id)} ids differ from the acknowledged ones")
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
    summary = {
        "clients": a.clients, "ratings": per_client * a.clients, "requests": len(latencies), "acknowledged": len(acknowledged),
        "created": len(created), "stored": len(stored), "killed_after_requests": killed_at, "seconds": round(elapsed, 2),
        "ratings_per_second": round(len(acknowledged) / elapsed, 1), "p50_ms": round(q(0.5), 2), "p99_ms": round(q(0.99), 2),
        "errors": errors[:10], "error_count": len(errors),
    }
    print(json.dumps(summary))
    sys.exit(1 if errors or len(acknowledged) != per_client * a.clients else 0)


if __name__ == "__main__":
    main()
