/// The review page: self-contained (no external fonts or scripts), Vietnamese, driven by the
/// keyboard (digit = choose, 0 = blank, Enter = next, ← → = move) or by clicks.
enum ReviewPage {
    static let html = #"""
<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Xem lại dấu chưa rõ — sipas</title>
<style>
  body { font-family: "Noto Sans", "DejaVu Sans", sans-serif; margin: 0; background: #f3f4f6; color: #111; }
  header { background: #1f3a5f; color: #fff; padding: 12px 24px; display: flex; justify-content: space-between; align-items: baseline; }
  header h1 { font-size: 20px; margin: 0; }
  #progress { font-size: 16px; }
  main { max-width: 980px; margin: 16px auto; background: #fff; padding: 20px 28px; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
  #where { color: #444; font-size: 15px; }
  #reason { color: #9a3412; background: #ffedd5; display: inline-block; padding: 2px 10px; border-radius: 4px; margin: 8px 0; font-size: 15px; }
  #question { font-size: 21px; margin: 8px 0 12px; }
  #crop { display: block; width: 100%; border: 1px solid #999; margin-bottom: 12px; }
  #choices { list-style: none; padding: 0; margin: 0; }
  #choices li { font-size: 19px; padding: 8px 12px; margin: 4px 0; border: 2px solid #d1d5db; border-radius: 6px; cursor: pointer; display: flex; gap: 12px; align-items: center; }
  #choices li .key { font-weight: bold; min-width: 2.2em; text-align: center; background: #e5e7eb; border-radius: 4px; }
  #choices li .mark { margin-left: auto; font-size: 14px; color: #9a3412; }
  #choices li.chosen { border-color: #15803d; background: #dcfce7; }
  #hint { color: #555; font-size: 14px; margin-top: 14px; }
  #message { color: #b91c1c; font-size: 16px; min-height: 1.4em; margin-top: 8px; }
  #summary h2 { margin-top: 0; }
  #summary ul { font-size: 16px; }
  #summary a { color: #1d4ed8; cursor: pointer; text-decoration: underline; }
  button { font-size: 18px; padding: 10px 22px; border-radius: 6px; border: none; background: #15803d; color: #fff; cursor: pointer; }
  button:disabled { background: #9ca3af; cursor: default; }
  #result { font-size: 19px; margin-top: 14px; }
  #result.ok { color: #15803d; }
  #result.bad { color: #b91c1c; }
  .hidden { display: none; }
</style>
</head>
<body>
<header><h1>Xem lại dấu chưa rõ trên phiếu quét</h1><span id="progress"></span></header>
<main>
  <section id="card" class="hidden">
    <div id="where"></div>
    <div id="reason"></div>
    <div id="question"></div>
    <img id="crop" alt="Ảnh quét quanh các ô của câu hỏi">
    <ul id="choices"></ul>
    <div id="message"></div>
    <div id="hint">Phím số: chọn mã · <b>0</b>: để trống · <b>Enter</b>: sang dấu tiếp theo · <b>←</b> <b>→</b>: dấu trước / sau</div>
  </section>
  <section id="summary" class="hidden">
    <h2 id="summary-title"></h2>
    <div id="undecided"></div>
    <button id="finish">Lưu vào kho (Enter)</button>
    <div id="result"></div>
  </section>
  <div id="loading">Đang tải…</div>
</main>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const auth = { "Authorization": "Bearer " + token };
let items = [], cur = 0, sheets = 0, state = "open", finishing = false, typed = "", typedAt = 0;
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const r = await fetch(path, { method, headers: Object.assign({ "Content-Type": "application/json" }, auth), body: body === undefined ? undefined : JSON.stringify(body) });
  let data = {};
  try { data = await r.json(); } catch (e) {}
  return { status: r.status, data };
}

function decidedCount() { return items.filter((i) => i.decided).length; }

function answerText(item) {
  if (!item.decided) return "chưa quyết định";
  if (item.answer === null || (Array.isArray(item.answer) && item.answer.length === 0)) return "để trống";
  const codes = Array.isArray(item.answer) ? item.answer : [item.answer];
  return codes.map((c) => { const ch = item.choices.find((x) => x.code === c); return c + " " + (ch ? ch.label : ""); }).join("; ");
}

function chosenCodes(item) {
  if (!item.decided || item.answer === null) return [];
  return Array.isArray(item.answer) ? item.answer : [item.answer];
}

function render() {
  $("loading").classList.add("hidden");
  $("progress").textContent = "Đã quyết định " + decidedCount() + "/" + items.length + " dấu · " + sheets + " phiếu";
  if (cur >= items.length || state !== "open") { renderSummary(); return; }
  $("summary").classList.add("hidden");
  $("card").classList.remove("hidden");
  const item = items[cur];
  $("where").textContent = "Dấu " + item.index + "/" + items.length + " · Phiếu " + item.serial + " · trang " + item.page + (item.number ? " · Câu " + item.number : "");
  $("reason").textContent = "Lý do: " + item.reason;
  $("question").textContent = item.text + (item.multi ? " (chọn một hay nhiều" + (item.max_picks ? ", tối đa " + item.max_picks : "") + ")" : "");
  if (item.has_crop) {
    $("crop").classList.remove("hidden");
    $("crop").src = "/api/items/" + item.index + "/crop.png?token=" + encodeURIComponent(token);
  } else {
    $("crop").classList.add("hidden");
  }
  const list = $("choices");
  list.innerHTML = "";
  const chosen = chosenCodes(item);
  const rows = item.choices.map((c) => ({ code: c.code, label: c.label, marked: c.marked }));
  rows.push({ code: 0, label: "Để trống (không trả lời)", marked: false });
  for (const row of rows) {
    const li = document.createElement("li");
    li.dataset.code = row.code;
    const isChosen = row.code === 0 ? (item.decided && chosen.length === 0) : chosen.includes(row.code);
    if (isChosen) li.classList.add("chosen");
    const key = document.createElement("span"); key.className = "key"; key.textContent = row.code;
    const label = document.createElement("span"); label.textContent = row.label;
    li.append(key, label);
    if (row.marked) { const m = document.createElement("span"); m.className = "mark"; m.textContent = "có dấu trên phiếu"; li.append(m); }
    li.addEventListener("click", () => choose(row.code));
    list.append(li);
  }
  $("message").textContent = "";
}

function renderSummary() {
  $("card").classList.add("hidden");
  $("summary").classList.remove("hidden");
  const open = items.filter((i) => !i.decided);
  const box = $("undecided");
  box.innerHTML = "";
  if (state === "stored" || state === "refused") {
    $("summary-title").textContent = "Đã kết thúc xem lại";
    $("finish").classList.add("hidden");
    return;
  }
  if (open.length === 0) {
    $("summary-title").textContent = "Đã xem hết " + items.length + " dấu chưa rõ. Nhấn Enter để lưu " + sheets + " phiếu vào kho.";
    $("finish").disabled = finishing;
  } else {
    $("summary-title").textContent = "Còn " + open.length + " dấu chưa quyết định:";
    const ul = document.createElement("ul");
    for (const item of open) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.textContent = "Phiếu " + item.serial + ", trang " + item.page + (item.number ? ", Câu " + item.number : "") + ": " + item.text;
      a.addEventListener("click", () => { cur = item.index - 1; render(); });
      li.append(a); ul.append(li);
    }
    box.append(ul);
    $("finish").disabled = true;
  }
}

async function choose(code) {
  if (state !== "open" || cur >= items.length) return;
  const item = items[cur];
  let answer;
  if (code === 0) answer = null;
  else if (!item.choices.some((c) => c.code === code)) { $("message").textContent = "Mã " + code + " không có trong câu này."; return; }
  else if (item.multi) {
    const set = new Set(chosenCodes(item));
    if (set.has(code)) set.delete(code); else set.add(code);
    answer = Array.from(set).sort((a, b) => a - b);
    if (answer.length === 0) answer = null;
  } else answer = code;
  const r = await api("PUT", "/api/items/" + item.index, { answer });
  if (r.status !== 200) { $("message").textContent = r.data.error || ("Lỗi " + r.status); return; }
  item.decided = true;
  item.answer = answer === null ? null : answer;
  render();
}

function next() {
  if (cur < items.length && !items[cur].decided) { $("message").textContent = "Chọn một mã, hoặc 0 để để trống, trước khi sang dấu tiếp theo."; return; }
  cur = Math.min(items.length, cur + 1);
  render();
}

async function finish() {
  if (finishing || state !== "open" || decidedCount() < items.length) return;
  finishing = true;
  $("finish").disabled = true;
  $("result").className = "";
  $("result").textContent = "Đang lưu…";
  const r = await api("POST", "/api/finish");
  if (r.status === 200) {
    state = "stored";
    $("result").className = "ok";
    $("result").textContent = r.data.stored + " Có thể đóng trang này.";
  } else {
    state = "refused";
    $("result").className = "bad";
    $("result").textContent = "Không lưu được, chưa có gì được lưu: " + (r.data.error || ("lỗi " + r.status));
  }
  renderSummary();
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  if (e.key === "Enter") { e.preventDefault(); if (cur >= items.length) finish(); else next(); return; }
  if (e.key === "ArrowRight") { cur = Math.min(items.length, cur + 1); render(); return; }
  if (e.key === "ArrowLeft" || e.key === "Backspace") { e.preventDefault(); cur = Math.max(0, cur - 1); render(); return; }
  if (/^[0-9]$/.test(e.key) && cur < items.length) {
    const item = items[cur];
    const wide = item.choices.some((c) => c.code >= 10);
    const now = Date.now();
    if (wide && typed !== "" && now - typedAt < 800) typed += e.key; else typed = e.key;
    typedAt = now;
    const code = parseInt(typed, 10);
    if (!wide || code === 0 || !item.choices.some((c) => c.code >= 10 && String(c.code).startsWith(typed) && String(c.code) !== typed)) typed = "";
    choose(code);
  }
});
$("finish").addEventListener("click", finish);

(async () => {
  const r = await api("GET", "/api/items");
  if (r.status !== 200) { $("loading").textContent = r.data.error || ("Lỗi " + r.status); return; }
  items = r.data.items; sheets = r.data.sheets; state = r.data.state;
  cur = items.findIndex((i) => !i.decided);
  if (cur < 0) cur = items.length;
  render();
  if (state !== "open") { $("result").textContent = r.data.message || ""; }
})();
</script>
</body>
</html>
"""#
}
