#!/usr/bin/env python3
"""Drives `sipas scan --review web` end to end: forms printed, marked and scanned by
scripts/omr/make_corpus.py, the review page in headless Chromium (selenium) driven by the
keyboard — a code chosen, a mark left blank (skipped), Enter before deciding refused, back with ←
to change an answer, Enter twice at the end — then the store read back through `sipas export`:
each decision stored as made, every clear mark as marked, and the sheets stored once.

  web_review.py SIPAS WORKDIR [--screenshots DIR]

Prints one line per check; exits 1 on the first failure.
"""
import argparse, csv, http.client, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        raise SystemExit(1)


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{args[:3]} failed: {r.stderr}")
    return r.stdout


def get(port, path, token=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
    r = c.getresponse()
    body = r.read().decode()
    return r.status, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sipas")
    ap.add_argument("work")
    ap.add_argument("--screenshots")
    a = ap.parse_args()
    w = a.work
    pdf, store = os.path.join(w, "phieu.pdf"), os.path.join(w, "xa.sqlite")
    run(a.sipas, "form", "print", "--questionnaire", "sipas-2023", "--unit", "XA01", "--year", "2026", "--count", "2", "--out", pdf)
    with open(os.path.join(w, "layout.json"), "w") as f:
        f.write(run(a.sipas, "form", "layout", "--questionnaire", "sipas-2023", "--json"))
    corpus = os.path.join(w, "corpus")
    run(sys.executable, os.path.join(REPO, "scripts/omr/make_corpus.py"), "--pdf", pdf, "--layout", os.path.join(w, "layout.json"),
        "--serials", "XA01-2026-0001,XA01-2026-0002", "--multi", "q2", "--seed", "11", "--dpi", "200", "--formats", "png,pdf", "--out", corpus)
    truth = json.load(open(os.path.join(corpus, "truth.json")))["sheets"]
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.startswith("scan-"))

    p = subprocess.Popen([a.sipas, "scan", "--review", "web", "--store", store, "--collected-on", "2026-03-02", *files],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    lines = []
    deadline = time.time() + 120
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=(\S+))", line)
        if m:
            url, port, token = m.group(1), int(m.group(2)), m.group(3)
            break
    check(url is not None, f"the review prints its address with a token ({''.join(lines)[-300:]!r})")
    check(any("doubtful" in l for l in lines), "the summary before the review names the doubtful marks")
    check(get(port, "/")[0] == 401, "the page without the token → 401")
    check(get(port, "/?token=" + "x" * len(token))[0] == 401, "the page with a wrong token → 401")
    status, body = get(port, "/api/items", token)
    items = json.loads(body)["items"]
    check(status == 200 and len(items) >= 6, f"{len(items)} doubtful items listed")

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains

    opts = webdriver.ChromeOptions()
    for o in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,1000", "--lang=vi"]:
        opts.add_argument(o)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    decided = {}  # (serial, item) -> stored CSV text
    try:
        def keys(*k):
            ActionChains(driver).send_keys(*k).perform()

        def where():
            return driver.execute_script("return document.getElementById('where').textContent")

        def wait_for(fn, what, timeout=10):
            end = time.time() + timeout
            while time.time() < end:
                v = fn()
                if v:
                    return v
                time.sleep(0.05)
            check(False, what)

        def chosen():
            return driver.execute_script("return Array.from(document.querySelectorAll('#choices li.chosen')).map(li => li.dataset.code)")

        def shot(name):
            if a.screenshots:
                os.makedirs(a.screenshots, exist_ok=True)
                driver.save_screenshot(os.path.join(a.screenshots, name))

        def decide(item, code):
            """Presses `code` (0 = blank) and waits for the page to show it chosen; records what the store must hold."""
            keys(str(code))
            wait_for(lambda: str(code) in chosen(), f"{item['serial']} {item['item']}: code {code} shown as chosen")
            key = (item["serial"], item["item"])
            if code == 0:
                decided[key] = ""
            elif item["multi"]:
                decided[key] = "|".join(str(c) for c in sorted(int(x) for x in chosen() if x != "0"))
            else:
                decided[key] = str(code)

        driver.get(url)
        wait_for(lambda: where().startswith("Dấu 1/"), "the page shows the first doubtful mark")
        first = items[0]
        check(first["serial"] in where() and (first["number"] is None or f"Câu {first['number']}" in where()), f"it names the sheet, page and question ({where()})")
        text = driver.execute_script("return document.getElementById('question').textContent")
        check(first["text"] in text, f"the question in Vietnamese: {text[:60]}")
        reason = driver.execute_script("return document.getElementById('reason').textContent")
        check(reason.startswith("Lý do: ") and any(w in reason for w in ["tô", "dấu"]), f"the reason in Vietnamese: {reason}")
        if first["has_crop"]:
            wait_for(lambda: driver.execute_script("const i = document.getElementById('crop'); return i.complete && i.naturalWidth > 200"),
                     "the cropped scan is shown")
            print("ok   the cropped scan is shown", flush=True)
        shot("review-1.png")
        keys("\ue007")  # Enter before deciding
        wait_for(lambda: "Chọn một mã" in driver.execute_script("return document.getElementById('message').textContent"),
                 "Enter before a choice is refused with a hint")
        check(where().startswith("Dấu 1/"), "…and stays on the mark")
        print("ok   Enter before deciding is refused with a hint", flush=True)

        for item in items:
            item["candidates"] = [c["code"] for c in item["choices"] if c["marked"]]
        for n, item in enumerate(items):
            wait_for(lambda: where().startswith(f"Dấu {n + 1}/"), f"mark {n + 1} shown")
            if n % 3 == 1:
                decide(item, 0)  # skip: left blank
            else:
                decide(item, item["candidates"][0])
            if n == 1:
                keys("\ue007")
                wait_for(lambda: where().startswith("Dấu 3/"), "Enter moves to the next mark")
                keys("\ue012")  # ←
                wait_for(lambda: where().startswith("Dấu 2/"), "← goes back to the mark before")
                check("0" in chosen(), "the blank chosen before is shown")
                decide(item, item["candidates"][-1])  # changed mind
                if item["multi"]:
                    check("0" not in chosen(), "a code replaces the blank")
                print("ok   back with ← and an answer changed", flush=True)
            keys("\ue007")
        wait_for(lambda: driver.execute_script("return !document.getElementById('summary').classList.contains('hidden')"), "the summary after the last mark")
        title = driver.execute_script("return document.getElementById('summary-title').textContent")
        check("Nhấn Enter để lưu 2 phiếu" in title, f"the summary offers to store the 2 sheets: {title}")
        shot("review-summary.png")
        keys("\ue007", "\ue007")  # Enter twice
        wait_for(lambda: "Đã lưu" in driver.execute_script("return document.getElementById('result').textContent"), "the page says the sheets were stored")
        result = driver.execute_script("return document.getElementById('result').textContent")
        check("Đã lưu 2 phiếu (ngày 2026-03-02)" in result, f"… {result}")
        shot("review-stored.png")
    finally:
        driver.quit()

    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        check(False, "sipas scan ends after the review")
    check(p.returncode == 0 and "Stored 2 forms" in out and not err.strip(), f"sipas scan ends with status 0 and says what it stored ({p.returncode}, {out[-200:]!r} {err[-300:]!r})")

    exported = os.path.join(w, "xuat.csv")
    run(a.sipas, "export", "--store", store, "--out", exported)
    rows = list(csv.DictReader(open(exported, encoding="utf-8-sig")))
    check(len(rows) == 2 and sorted(r["form_id"] for r in rows) == ["XA01-2026-0001", "XA01-2026-0002"], f"the two sheets stored once ({len(rows)} rows)")
    wrong = []
    for row in rows:
        sheet = truth[row["form_id"]]
        for item, value in sheet["answers"].items():
            if (row["form_id"], item) in decided:
                expected = decided[(row["form_id"], item)]
            elif item in sheet["doubtful"]:
                wrong.append(f"{row['form_id']} {item}: planted doubtful but not reviewed")
                continue
            elif value is None:
                expected = ""
            elif isinstance(value, list):
                expected = "|".join(str(c) for c in value)
            else:
                expected = str(value)
            if row.get(item) != expected:
                wrong.append(f"{row['form_id']} {item}: stored {row.get(item)!r}, expected {expected!r}")
    check(not wrong, f"each decision stored as made, each clear mark as marked ({len(decided)} decided) {wrong[:5]}")
    print("all web review checks passed", flush=True)


if __name__ == "__main__":
    main()
