#!/usr/bin/env python3
"""Drives the web kiosk: its JSON API (status codes, idempotency, limits, token) and the touch
page in headless Chromium (selenium): rate, follow-ups, skip, timeout reset, dossier required
and repeated, and no thanks before the rating is committed (the server is paused with SIGSTOP).

  web_kiosk.py SIPAS WORKDIR [--screenshots DIR]

Prints one line per check; exits 1 on the first failure.
"""
import argparse, http.client, json, os, re, signal, sqlite3, subprocess, sys, time

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
        raise SystemExit(1)


def start(sipas, store, *extra):
    p = subprocess.Popen([sipas, "kiosk", "--store", store, "--unit", "XA01", "--web", "--listen", "127.0.0.1:0", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    m = re.search(r":(\d+)/", first)
    if not m:
        raise SystemExit(f"kiosk did not start: {first!r} {p.stderr.read()}")
    token = None
    line = p.stdout.readline()
    t = re.search(r"\): (\S+)", line)
    if t:
        token = t.group(1)
    return p, int(m.group(1)), token


def request(port, method, path, body=None, headers=None, raw=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    c.request(method, path, data, headers or {})
    r = c.getresponse()
    text = r.read().decode()
    try:
        return r.status, json.loads(text)
    except ValueError:
        return r.status, text


def api_checks(sipas, work):
    store = os.path.join(work, "api.sqlite")
    p, port, token = start(sipas, store, "--field", "dat-dai", "--min-interval", "0")
    try:
        k = {"Idempotency-Key": "key-000000001"}
        s, d = request(port, "POST", "/api/responses", {"answers": {"overall": 3, "staff": 2}}, k)
        check(s == 201 and isinstance(d.get("id"), int), f"POST /api/responses → 201 with an id ({s} {d})")
        first = d["id"]
        s, d = request(port, "POST", "/api/responses", {"answers": {"overall": 3, "staff": 2}}, k)
        check(s == 200 and d.get("id") == first, f"the same Idempotency-Key again → 200 and the same id ({s} {d})")
        s, d = request(port, "POST", "/api/responses", {"answers": {"overall": 1}}, k)
        check(s == 422 and "different rating" in d["error"], f"the same key with another rating → 422, nothing stored ({s} {d})")
        s, d = request(port, "POST", "/api/responses", {"answers": {"overall": 4}}, {"Idempotency-Key": "key-000000002"})
        check(s == 422 and "1, 2, 3" in d["error"], f"a code outside the scale → 422 naming the codes ({s} {d})")
        s, d = request(port, "POST", "/api/responses", {"answers": {"overal": 2}}, {"Idempotency-Key": "key-000000003"})
        check(s == 422 and "unknown question 'overal'" in d["error"], f"an unknown question → 422 ({s} {d})")
        s, d = request(port, "POST", "/api/responses", {"answers": {"staff": 2}}, {"Idempotency-Key": "key-000000004"})
        check(s == 422 and "'overall' is required" in d["error"], f"no overall answer → 422 ({s} {d})")
        s, d = request(port, "POST", "/api/responses", {"answers": {"overall": 2}})
        check(s == 400 and "Idempotency-Key" in d["error"], f"no Idempotency-Key → 400 ({s} {d})")
        s, d = request(port, "POST", "/api/responses", raw="{not json", headers={"Idempotency-Key": "key-000000005"})
        check(s == 400, f"malformed JSON → 400 ({s} {d})")
        s, d = request(port, "POST", "/api/responses", raw="x" * 10000, headers={"Idempotency-Key": "key-000000006"})
        check(s == 413, f"a 10 kB body → 413 ({s})")
        s, d = request(port, "POST", f"/api/responses/{first}/answers", {"answers": {"time": 1}}, {"Idempotency-Key": "key-000000009"})
        check(s == 404, f"follow-up with another key → refused ({s} {d})")
        s, d = request(port, "POST", f"/api/responses/{first}/answers", {"answers": {"time": 1}}, k)
        check(s == 200 and d.get("added") == ["time"], f"follow-up with the rating's key → added ({s} {d})")
        s, d = request(port, "GET", "/api/status")
        check(s == 401, f"status without the token → 401 ({s})")
        s, d = request(port, "GET", "/api/status", headers={"Authorization": f"Bearer {token}"})
        check(s == 200 and d.get("today") == 1, f"status with the token → today's count 1 ({s} {d})")
        s, d = request(port, "GET", "/api/config")
        check(s == 200 and [q["id"] for q in d["questions"]] == ["overall", "staff", "time", "result"] and d["field"] == "dat-dai",
              f"config lists the questions and the field ({s})")
        s, page = request(port, "GET", "/")
        check(s == 200 and "Đánh giá sự hài lòng" in page and "http" not in page.replace("http.", ""),
              "the page is Vietnamese and loads nothing from elsewhere")
    finally:
        p.terminate()
        p.wait()
    db = sqlite3.connect(store)
    row = db.execute("SELECT source, field, channel, kiosk_id, collected_at, hex(codes) FROM responses").fetchall()
    check(len(row) == 1 and row[0][0] == "kiosk" and row[0][1] == "dat-dai" and row[0][2] == "truc-tiep"
          and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[0][4]) and row[0][5] == "03000000",
          f"one rating stored with field, channel, kiosk and time to the minute ({row})")
    adds = db.execute("SELECT item, code FROM response_additions ORDER BY item").fetchall()
    check(adds == [("staff", 2), ("time", 1)], f"follow-ups stored with the rating ({adds})")

    # Beyond loopback a token is required on every call.
    p = subprocess.Popen([sipas, "kiosk", "--store", store, "--unit", "XA01", "--web", "--listen", "0.0.0.0:0",
                          "--token", "a-long-kiosk-token-123"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+)/", p.stdout.readline()).group(1))
    try:
        s, _ = request(port, "POST", "/api/responses", {"answers": {"overall": 2}}, {"Idempotency-Key": "key-000000010"})
        check(s == 401, f"listening on 0.0.0.0: a rating without the token → 401 ({s})")
        s, _ = request(port, "POST", "/api/responses", {"answers": {"overall": 2}},
                       {"Idempotency-Key": "key-000000010", "Authorization": "Bearer a-long-kiosk-token-123"})
        check(s == 201, f"… and with it → 201 ({s})")
    finally:
        p.terminate()
        p.wait()


def browser_checks(sipas, work, shots):
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1024,900", "--lang=vi"]:
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)

    def screen():
        return driver.find_element(By.ID, "screen").get_attribute("data-screen")

    def wait_for(cond, what, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            try:
                if cond():
                    return
            except Exception:
                pass
            time.sleep(0.1)
        check(False, f"{what} (screen {screen()!r})")

    def shot(name):
        if shots:
            os.makedirs(shots, exist_ok=True)
            driver.save_screenshot(os.path.join(shots, name + ".png"))

    def click(label):
        for b in driver.find_elements(By.CSS_SELECTOR, "#screen button"):
            if b.text.strip() == label:
                b.click()
                return
        check(False, f"no button {label!r}")

    store = os.path.join(work, "web.sqlite")
    db = lambda: sqlite3.connect(store)
    p, port, _ = start(sipas, store, "--field", "ho-tich", "--reset-after", "6s", "--min-interval", "0")
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        wait_for(lambda: screen() == "overall", "the page opens on the overall question")
        h1 = driver.find_element(By.ID, "question").text
        check("Ông/Bà đánh giá thế nào về việc giải quyết thủ tục hành chính?" == h1, f"question text with diacritics ({h1})")
        labels = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#screen button")]
        check(labels == ["Rất hài lòng", "Hài lòng", "Không hài lòng"], f"three big answers, best first ({labels})")
        wait_for(lambda: "Lĩnh vực:" in driver.find_element(By.ID, "footer").text, "the footer names the field")
        footer = driver.find_element(By.ID, "footer").text
        check("Lĩnh vực: Hộ tịch" in footer and "Kênh: Trực tiếp" in footer and "ho-tich" not in footer,
              f"the footer shows the field and channel by name, not code ({footer})")
        shot("1-overall")
        # Pause the server: the click must not lead anywhere until the rating is stored.
        p.send_signal(signal.SIGSTOP)
        click("Rất hài lòng")
        time.sleep(1.5)
        check(screen() == "overall" and driver.find_element(By.ID, "saving").is_displayed(),
              "while the store has not answered, the page says 'Đang ghi nhận…' and thanks nobody")
        shot("2-saving")
        p.send_signal(signal.SIGCONT)
        wait_for(lambda: screen() == "followup-1", "after the commit the first follow-up shows")
        check(db().execute("SELECT count(*) FROM responses").fetchone()[0] == 1, "the rating was stored before the follow-up showed")
        shot("3-followup")
        click("Hài lòng")
        wait_for(lambda: screen() == "followup-2", "second follow-up")
        click("Bỏ qua")
        wait_for(lambda: screen() == "followup-3", "third follow-up after a skip")
        # Walk away: the warning comes, then the thanks (the rating is kept), then the start.
        wait_for(lambda: driver.find_element(By.ID, "warning").is_displayed(), "the inactivity warning shows", 10)
        shot("4-warning")
        wait_for(lambda: screen() == "thanks", "after the timeout: thanks", 10)
        shot("5-thanks")
        wait_for(lambda: screen() == "overall", "then back to the start", 10)
        rows = db().execute("SELECT hex(codes) FROM responses").fetchall()
        adds = db().execute("SELECT item, code FROM response_additions").fetchall()
        check(rows == [("03000000",)] and adds == [("staff", 2)], f"stored: overall 3, staff 2, the rest skipped ({rows} {adds})")
    finally:
        p.send_signal(signal.SIGCONT)
        p.terminate()
        p.wait()

    store2 = os.path.join(work, "dossier.sqlite")
    p, port, _ = start(sipas, store2, "--require-dossier", "--reset-after", "6s", "--min-interval", "0")
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        wait_for(lambda: screen() == "dossier", "with --require-dossier the page asks for the dossier code")
        shot("6-dossier")
        box = driver.find_element(By.ID, "dossier")
        box.send_keys("hs-2026-0001\n")   # as a barcode scanner types it
        wait_for(lambda: screen() == "overall", "a new dossier leads to the question")
        click("Hài lòng")
        wait_for(lambda: screen() == "followup-1", "rating stored")
        for _ in range(3):
            click("Bỏ qua")
            time.sleep(0.2)
        wait_for(lambda: screen() == "thanks", "skipping everything thanks")
        wait_for(lambda: screen() == "dossier", "and returns to the dossier screen", 10)
        driver.find_element(By.ID, "dossier").send_keys("HS-2026-0001\n")
        wait_for(lambda: "đã được đánh giá" in driver.find_element(By.ID, "notice").text, "the same dossier again is refused politely")
        shot("7-dossier-repeated")
        rows = db_rows = sqlite3.connect(store2).execute("SELECT dossier_hash FROM responses").fetchall()
        check(len(rows) == 1 and re.fullmatch(r"[0-9a-f]{64}", rows[0][0]), f"one rating, dossier kept only as a keyed hash ({db_rows})")
        raw = open(store2, "rb").read() + (open(store2 + "-wal", "rb").read() if os.path.exists(store2 + "-wal") else b"")
        check(b"HS-2026-0001" not in raw, "the dossier code itself is nowhere in the store files")
    finally:
        p.terminate()
        p.wait()
        driver.quit()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sipas")
    ap.add_argument("work")
    ap.add_argument("--screenshots")
    ap.add_argument("--skip-browser", action="store_true")
    a = ap.parse_args()
    api_checks(a.sipas, a.work)
    if not a.skip_browser:
        browser_checks(a.sipas, a.work, a.screenshots)
    print("all web kiosk checks passed")


if __name__ == "__main__":
    main()
