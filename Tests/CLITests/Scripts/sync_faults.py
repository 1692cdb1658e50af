#!/usr/bin/env python3
"""Fault test of kiosks syncing to `sipas serve`: the server SIGKILLed mid-commit and stopped for
a while, a kiosk SIGKILLed mid-sync, the link cut mid-batch and down for a while, under the load
of several web kiosks; then every rating a kiosk acknowledged must be on the server exactly once,
with the same answers and follow-ups as on the kiosk.

  sync_faults.py SIPAS WORKDIR SERVER-STORE [--kiosks 3] [--ratings 1500] [--rounds 3] [--seed 1]

SERVER-STORE is a SQLite path or a postgres:// URL (read back with psql). Each kiosk talks to the
server through a TCP proxy of this script's own, one per kiosk, which knows whether a request is
in flight (sent upstream, no answer yet): the kills and cuts wait for that moment. Each round
sends --ratings ratings per kiosk (a fifth with a follow-up in the same request, a tenth with a
later one) while faults happen at random times, waits until every outbox is empty, and checks.
Prints a JSON summary; exits 1 when a check fails.
"""
import argparse, http.client, json, os, random, re, signal, socket, sqlite3, struct, subprocess, sys, threading, time

STAFF = "staff-token-of-the-fault-test"


class Proxy:
    """A TCP relay 127.0.0.1:port → the server's current port, whose link the test can cut."""

    def __init__(self, name):
        self.name = name
        self.target = None
        self.down = False
        self.cut_next = False
        self.lock = threading.Lock()
        self.pairs = {}          # id → [client, upstream, in_flight]
        self.next_id = 0
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        threading.Thread(target=self.accept, daemon=True).start()

    @staticmethod
    def reset(s):
        # shutdown first: a close() alone leaves the connection open while the other pump thread
        # is still blocked reading it, and the kiosk would wait for its read timeout.
        for step in (lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)), lambda: s.shutdown(socket.SHUT_RDWR)):
            try:
                step()
            except OSError:
                pass
        try:
            s.close()
        except OSError:
            pass

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                target, down = self.target, self.down
            if down or target is None:
                self.reset(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", target), timeout=5)
                upstream.settimeout(None)
            except OSError:
                self.reset(client)
                continue
            with self.lock:
                pid = self.next_id
                self.next_id += 1
                self.pairs[pid] = [client, upstream, False]
            threading.Thread(target=self.pump, args=(pid, client, upstream, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(pid, upstream, client, False), daemon=True).start()

    def pump(self, pid, src, dst, up):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if up:
                    with self.lock:
                        cut = self.cut_next
                        if cut:
                            self.cut_next = False
                        if pid in self.pairs:
                            self.pairs[pid][2] = True
                    if cut:
                        # Half of what the kiosk sent reaches the server, then both sides are reset.
                        dst.sendall(data[: max(1, len(data) // 2)])
                        self.cuts += 1
                        break
                else:
                    with self.lock:
                        if pid in self.pairs:
                            self.pairs[pid][2] = False
                dst.sendall(data)
        except OSError:
            pass
        with self.lock:
            pair = self.pairs.pop(pid, None)
        if pair:
            self.reset(pair[0])
            self.reset(pair[1])

    def in_flight(self):
        with self.lock:
            return any(p[2] for p in self.pairs.values())

    def wait_in_flight(self, timeout=3.0):
        end = time.time() + timeout
        while time.time() < end:
            if self.in_flight():
                return True
            time.sleep(0.001)
        return False

    def drop_all(self):
        with self.lock:
            pairs = list(self.pairs.values())
            self.pairs.clear()
        for p in pairs:
            self.reset(p[0])
            self.reset(p[1])


def read_port(p, what):
    line = p.stdout.readline()
    m = re.search(r"127\.0\.0\.1:(\d+)", line)
    if not m:
        raise SystemExit(f"{what} did not start: {line!r}")
    return int(m.group(1))


class Server:
    def __init__(self, sipas, store, work):
        self.sipas, self.store, self.work, self.p, self.port = sipas, store, work, None, 0

    def start(self):
        log = open(os.path.join(self.work, "serve.log"), "a")
        self.p = subprocess.Popen([self.sipas, "serve", "--store", self.store, "--listen", f"127.0.0.1:{self.port}", "--staff-token", STAFF],
                                  stdout=subprocess.PIPE, stderr=log, text=True)
        self.port = read_port(self.p, "sipas serve")

    def stop(self, sig):
        self.p.send_signal(sig)
        self.p.wait(30)


class Kiosk:
    def __init__(self, sipas, work, n, token, proxy):
        self.sipas, self.n, self.token, self.proxy = sipas, n, token, proxy
        self.name, self.unit = f"k{n}", f"XA{n:02d}"
        self.store = os.path.join(work, f"{self.name}.sqlite")
        self.log = os.path.join(work, f"{self.name}.log")
        self.p, self.port = None, 0
        self.up = threading.Event()

    def start(self):
        env = dict(os.environ, SIPAS_UPSTREAM_TOKEN=self.token)
        self.p = subprocess.Popen([self.sipas, "kiosk", "--store", self.store, "--unit", self.unit, "--kiosk-id", self.name, "--field", "ho-tich",
                                   "--web", "--listen", f"127.0.0.1:{self.port}", "--min-interval", "0",
                                   "--upstream", f"http://127.0.0.1:{self.proxy.port}"],
                                  stdout=subprocess.PIPE, stderr=open(self.log, "a"), text=True, env=env)
        self.port = read_port(self.p, f"kiosk {self.name}")
        self.up.set()

    def kill(self):
        self.up.clear()
        self.p.send_signal(signal.SIGKILL)
        self.p.wait(30)

    def queued(self):
        db = sqlite3.connect(self.store, timeout=30)
        try:
            r = db.execute("""SELECT count(*) FROM responses r WHERE r.source = 'kiosk' AND r.kiosk_id = ?
                              AND NOT EXISTS (SELECT 1 FROM outbox_sent s WHERE s.response_id = r.id)""", (self.name,)).fetchone()[0]
            a = db.execute("""SELECT count(*) FROM response_additions a JOIN responses r ON r.id = a.response_id
                              WHERE r.kiosk_id = ? AND NOT EXISTS (SELECT 1 FROM outbox_additions_sent o WHERE o.response_id = a.response_id AND o.item = a.item)""",
                           (self.name,)).fetchone()[0]
            return r + a
        except sqlite3.OperationalError:
            return -1        # not created yet
        finally:
            db.close()

    def rows(self):
        """form id → (idempotency key, codes in hex, {item: code} of follow-ups)."""
        db = sqlite3.connect(self.store, timeout=30)
        out = {}
        for rid, form, key, codes in db.execute("SELECT id, form_id, idempotency_key, hex(codes) FROM responses WHERE kiosk_id = ?", (self.name,)):
            out[rid] = [form, key, codes, {}]
        for rid, item, code in db.execute("SELECT response_id, item, code FROM response_additions"):
            if rid in out:
                out[rid][3][item] = code
        db.close()
        return {v[0]: (v[1], v[2], v[3]) for v in out.values()}, {v[1]: (rid, v[0]) for rid, v in out.items()}


def server_rows(store):
    """(kiosk, rating id) → (codes in hex, {item: code}), and how many rows each pair has."""
    sql = ("SELECT r.kiosk_id, r.idempotency_key, {hex}, coalesce(a.item, ''), coalesce(a.code, 0) FROM responses r "
           "LEFT JOIN response_additions a ON a.response_id = r.id WHERE r.kiosk_id IS NOT NULL ORDER BY r.id")
    if store.startswith("postgres"):
        out = subprocess.run(["psql", store, "-X", "-At", "-F", "|", "-c", sql.format(hex="upper(encode(r.codes, 'hex'))")],
                             check=True, capture_output=True, text=True).stdout
        lines = [l.split("|") for l in out.splitlines() if l]
        ids = subprocess.run(["psql", store, "-X", "-At", "-F", "|", "-c", "SELECT kiosk_id, idempotency_key, count(*) FROM responses WHERE kiosk_id IS NOT NULL GROUP BY 1, 2"],
                             check=True, capture_output=True, text=True).stdout
        counts = {(k, i): int(c) for k, i, c in (l.split("|") for l in ids.splitlines() if l)}
    else:
        db = sqlite3.connect(store, timeout=30)
        lines = [list(map(str, r)) for r in db.execute(sql.format(hex="hex(r.codes)"))]
        counts = {(k, i): c for k, i, c in db.execute("SELECT kiosk_id, idempotency_key, count(*) FROM responses WHERE kiosk_id IS NOT NULL GROUP BY 1, 2")}
        db.close()
    rows = {}
    for kiosk, rid, codes, item, code in lines:
        entry = rows.setdefault((kiosk, rid), (codes, {}))
        if item:
            entry[1][item] = int(code)
    return rows, counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sipas")
    ap.add_argument("work")
    ap.add_argument("server_store")
    ap.add_argument("--kiosks", type=int, default=3)
    ap.add_argument("--ratings", type=int, default=1500, help="per kiosk and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.work, exist_ok=True)

    kiosks = []
    for n in range(1, a.kiosks + 1):
        token = subprocess.run([a.sipas, "token", "add", "--store", a.server_store, "--kiosk", f"k{n}", "--unit", f"XA{n:02d}"],
                               check=True, capture_output=True, text=True).stdout.strip()
        kiosks.append(Kiosk(a.sipas, a.work, n, token, Proxy(f"k{n}")))
    server = Server(a.sipas, a.server_store, a.work)
    server.start()
    for k in kiosks:
        k.proxy.target = server.port
        k.start()

    lock = threading.Lock()
    acknowledged = {}     # key → (kiosk, local response id, {item: code} acknowledged)
    errors = []
    events = []
    faults = {"server_kill": 0, "server_stop": 0, "kiosk_kill": 0, "link_cut": 0, "link_down": 0}

    def call(k, path, body, key):
        """POSTs to kiosk k until it answers (it may be killed and restarted meanwhile)."""
        while True:
            k.up.wait(60)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", k.port, timeout=30)
                conn.request("POST", path, json.dumps(body), {"Idempotency-Key": key, "Content-Type": "application/json"})
                r = conn.getresponse()
                data = json.loads(r.read() or b"{}")
                conn.close()
                return r.status, data
            except (ConnectionError, http.client.HTTPException, OSError):
                time.sleep(0.02)

    def drive(k, round_no, count, seed, faults_done):
        r = random.Random(seed)
        later = []
        i = -1
        while True:
            i += 1
            last = i >= count - 1 and faults_done.is_set()
            key = f"{k.name}-r{round_no}-{i:05d}-{r.getrandbits(24):06x}"
            answers = {"overall": r.choice([1, 2, 2, 3, 3, 3])}
            if r.random() < 0.2:
                answers["staff"] = r.choice([1, 2, 3])
            status, data = call(k, "/api/responses", {"answers": answers}, key)
            if status not in (200, 201):
                with lock:
                    errors.append(f"{key}: HTTP {status} {data}")
                continue
            follow = {i: c for i, c in answers.items() if i != "overall"}
            with lock:
                acknowledged[key] = (k.name, data["id"], follow)
            if r.random() < 0.1:
                later.append((key, data["id"], r.choice([1, 2, 3])))
            # Later follow-ups, answered a few ratings after theirs.
            while later and (r.random() < 0.3 or last):
                lkey, lid, code = later.pop(0)
                status, data = call(k, f"/api/responses/{lid}/answers", {"answers": {"time": code}}, lkey)
                if status != 200:
                    with lock:
                        errors.append(f"{lkey} follow-up: HTTP {status} {data}")
                    continue
                with lock:
                    acknowledged[lkey][2]["time"] = code
            if last:
                return

    def fault(kind):
        k = rnd.choice(kiosks)
        if kind == "server_kill":
            hit = any(x.proxy.wait_in_flight(0.7) for x in rnd.sample(kiosks, len(kiosks)))
            server.stop(signal.SIGKILL)
            time.sleep(rnd.uniform(0, 1.5))
            server.start()
            for x in kiosks:
                x.proxy.target = server.port
            events.append(time.strftime("%H:%M:%S ", time.gmtime()) + f"server SIGKILLed{' mid-request' if hit else ''}, restarted")
        elif kind == "server_stop":
            server.stop(signal.SIGTERM)
            pause = rnd.uniform(2, 4)
            time.sleep(pause)
            server.start()
            for x in kiosks:
                x.proxy.target = server.port
            events.append(time.strftime("%H:%M:%S ", time.gmtime()) + f"server stopped for {pause:.1f} s")
        elif kind == "kiosk_kill":
            hit = k.proxy.wait_in_flight(3)
            k.kill()
            time.sleep(rnd.uniform(0.2, 1.0))
            k.start()
            events.append(time.strftime("%H:%M:%S ", time.gmtime()) + f"kiosk {k.name} SIGKILLed{' mid-sync' if hit else ''}, restarted")
        elif kind == "link_cut":
            before = k.proxy.cuts
            with k.proxy.lock:
                k.proxy.cut_next = True
            end = time.time() + 10
            while k.proxy.cuts == before and time.time() < end:    # the kiosk's next request
                time.sleep(0.005)
            with k.proxy.lock:
                k.proxy.cut_next = False
            events.append(time.strftime("%H:%M:%S ", time.gmtime()) + f"link of {k.name} cut mid-request")
        elif kind == "link_down":
            k.proxy.down = True
            k.proxy.drop_all()
            pause = rnd.uniform(1, 3)
            time.sleep(pause)
            k.proxy.down = False
            events.append(time.strftime("%H:%M:%S ", time.gmtime()) + f"link of {k.name} down for {pause:.1f} s")
        faults[kind] += 1

    t0 = time.time()
    drain_seconds = []
    for round_no in range(1, a.rounds + 1):
        # The kiosks send at least --ratings ratings each, and go on until every fault of the round happened.
        faults_done = threading.Event()
        drivers = [threading.Thread(target=drive, args=(k, round_no, a.ratings, a.seed * 100 + round_no * 10 + k.n, faults_done)) for k in kiosks]
        for d in drivers:
            d.start()
        kinds = ["server_kill", "server_stop", "kiosk_kill", "kiosk_kill", "link_cut", "link_cut", "link_down", "server_kill"]
        rnd.shuffle(kinds)
        for kind in kinds:
            time.sleep(rnd.uniform(0.2, 1.5))
            fault(kind)
        faults_done.set()
        for d in drivers:
            d.join()
        start = time.time()
        while any(k.queued() != 0 for k in kiosks):
            if time.time() - start > 180:
                errors.append(f"round {round_no}: outboxes not empty after 180 s: {[k.queued() for k in kiosks]}")
                break
            time.sleep(0.2)
        drain_seconds.append(round(time.time() - start, 1))
        # Check: every acknowledged rating once on its kiosk, and once on the server, equal.
        rows, counts = server_rows(a.server_store)
        for k in kiosks:
            local, by_key = k.rows()
            mine = {key: v for key, v in acknowledged.items() if v[0] == k.name}
            if set(by_key) != set(mine):
                errors.append(f"round {round_no} {k.name}: {len(set(mine) - set(by_key))} acknowledged ratings missing on the kiosk, "
                              f"{len(set(by_key) - set(mine))} stored there unacknowledged")
            for key, (kiosk, rid, follow) in mine.items():
                if key in by_key and by_key[key][0] != rid:
                    errors.append(f"{key}: acknowledged as {rid}, stored as {by_key[key][0]}")
                form = by_key.get(key, (None, None))[1]
                if form is None:
                    continue
                if local[form][2] != follow:
                    errors.append(f"{key}: follow-ups on the kiosk {local[form][2]}, acknowledged {follow}")
                there = rows.get((k.name, form))
                if there is None:
                    errors.append(f"{key} ({k.name} {form}): acknowledged, not on the server")
                elif there != (local[form][1], local[form][2]):
                    errors.append(f"{key} ({k.name} {form}): on the kiosk {local[form][1:]}, on the server {there}")
            extra = [f for (kn, f) in rows if kn == k.name and f not in local]
            if extra:
                errors.append(f"round {round_no} {k.name}: {len(extra)} ratings on the server that the kiosk does not hold, e.g. {extra[:3]}")
        twice = [p for p, c in counts.items() if c != 1]
        if twice:
            errors.append(f"round {round_no}: {len(twice)} ratings stored more than once on the server, e.g. {twice[:3]}")
        if errors:
            break

    for k in kiosks:
        k.p.send_signal(signal.SIGTERM)
        k.p.wait(30)
    server.stop(signal.SIGTERM)
    rows, _ = server_rows(a.server_store)
    summary = {
        "kiosks": a.kiosks, "rounds": a.rounds, "acknowledged": len(acknowledged), "on_server": len(rows),
        "follow_ups": sum(len(v[2]) for v in acknowledged.values()), "faults": faults, "link_cuts_done": sum(k.proxy.cuts for k in kiosks),
        "mid_request": sum(1 for e in events if "mid-" in e), "drain_seconds": drain_seconds, "seconds": round(time.time() - t0, 1),
        "events": events, "errors": errors[:10], "error_count": len(errors),
    }
    print(json.dumps(summary))
    sys.exit(1 if errors or len(rows) != len(acknowledged) else 0)


if __name__ == "__main__":
    main()
