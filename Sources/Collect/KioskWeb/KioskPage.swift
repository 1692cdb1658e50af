/// The touch page, self-contained: system fonts, inline style and script, no network beyond this server.
enum KioskPage {
    static let html = #"""
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, user-scalable=no">
<title>Đánh giá sự hài lòng</title>
<style>
  html, body { margin: 0; height: 100%; background: #000; color: #fff;
    font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
  body { display: flex; flex-direction: column; }
  header { padding: 2vh 3vw; font-size: 3vh; border-bottom: 2px solid #fff; text-align: center; }
  main { flex: 1; display: flex; flex-direction: column; justify-content: center; align-items: center; padding: 2vh 4vw; }
  footer { padding: 1vh 3vw; font-size: 2.2vh; text-align: center; color: #ddd; }
  h1 { font-size: 5vh; text-align: center; margin: 0 0 4vh; line-height: 1.25; }
  p { font-size: 3.2vh; text-align: center; margin: 1vh 0; }
  .choices { display: flex; flex-direction: column; gap: 2.5vh; width: min(90vw, 900px); }
  button { font: inherit; font-size: 4.5vh; font-weight: bold; padding: 3vh 2vw; border-radius: 2vh;
    border: 4px solid #fff; background: #fff; color: #000; touch-action: manipulation; }
  button.c3 { background: #0b6b2b; color: #fff; }
  button.c2 { background: #1b4f9c; color: #fff; }
  button.c1 { background: #8c1d18; color: #fff; }
  button.skip { background: #000; color: #fff; font-size: 3.5vh; }
  button:disabled { opacity: 0.5; }
  input { font: inherit; font-size: 5vh; padding: 2vh; width: min(80vw, 700px); text-align: center;
    border: 4px solid #fff; background: #fff; color: #000; border-radius: 1.5vh; }
  .notice { font-weight: bold; border: 3px solid #fff; padding: 2vh; border-radius: 1.5vh; margin-top: 3vh; }
  #warning { position: fixed; left: 4vw; right: 4vw; bottom: 6vh; margin: 0; background: #fff; color: #000;
    font-size: 3.6vh; box-shadow: 0 0 0 100vmax rgba(0, 0, 0, 0.35); }
  .hidden { display: none; }
</style>
</head>
<body>
<header id="unit">Đánh giá sự hài lòng</header>
<main id="screen"><p>Đang tải…</p></main>
<p id="warning" class="notice hidden"></p>
<footer id="footer"></footer>
<script>
"use strict";
const state = { config: null, token: null, key: null, id: null, dossier: null, index: 0, last: Date.now(), timer: null, screen: "" };
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.get("token")) { localStorage.setItem("sipasKioskToken", hash.get("token")); history.replaceState(null, "", location.pathname); }
state.token = localStorage.getItem("sipasKioskToken");

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function newKey() {
  const b = new Uint8Array(16); crypto.getRandomValues(b);
  return Array.from(b, x => x.toString(16).padStart(2, "0")).join("");
}
async function api(method, path, body, key) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers["Authorization"] = "Bearer " + state.token;
  if (key) headers["Idempotency-Key"] = key;
  let lastError = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const r = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
      const data = await r.json().catch(() => ({}));
      return { status: r.status, data };
    } catch (e) {
      lastError = e;
      await new Promise(res => setTimeout(res, 300 * (attempt + 1)));
    }
  }
  return { status: 0, data: { error: String(lastError) } };
}
function show(name, nodes) {
  state.screen = name;
  const main = document.getElementById("screen");
  main.replaceChildren(...nodes);
  main.dataset.screen = name;
}
function touch() { state.last = Date.now(); document.getElementById("warning").classList.add("hidden"); }

function start() {
  state.key = null; state.id = null; state.dossier = null; state.index = 0; touch();
  if (!state.config.open) return show("closed", [el("h1", {}, "NGOÀI GIỜ TIẾP NHẬN ĐÁNH GIÁ"),
    el("p", {}, "Kiosk nhận đánh giá trong giờ làm việc: " + state.config.hours.join(", ") + ".")]);
  if (state.config.require_dossier) return dossierScreen(null);
  question(0, null);
}
function dossierScreen(notice) {
  const input = el("input", { id: "dossier", autocomplete: "off", inputmode: "text", "aria-label": "Mã hồ sơ" });
  const ok = el("button", { id: "dossier-ok" }, "Tiếp tục");
  const nodes = [el("h1", {}, "ĐÁNH GIÁ SỰ HÀI LÒNG"),
    el("p", {}, "Vui lòng quét hoặc nhập mã hồ sơ (in trên giấy tiếp nhận và hẹn trả kết quả)."), input, el("p", {}, ""), ok];
  if (notice) nodes.push(el("p", { class: "notice", id: "notice" }, notice));
  show("dossier", nodes);
  input.focus();
  const submit = async () => {
    const code = input.value.trim().toUpperCase();
    touch();
    if (code.length < 3) return dossierScreen("Mã hồ sơ chưa đủ. Vui lòng nhập hoặc quét lại mã trên giấy hẹn.");
    ok.disabled = true;
    const r = await api("POST", "/api/dossier-check", { dossier: code });
    if (r.status === 200 && r.data.rated) return dossierScreen("Hồ sơ " + code + " đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần. Xin cảm ơn Ông/Bà!");
    if (r.status !== 200) return dossierScreen("Mã hồ sơ không hợp lệ. Vui lòng kiểm tra lại.");
    state.dossier = code;
    question(0, null);
  };
  ok.addEventListener("click", submit);
  input.addEventListener("input", touch);
  input.addEventListener("keydown", e => { if (e.key === "Enter") submit(); });
}
function question(index, notice) {
  state.index = index; touch();
  const q = state.config.questions[index];
  const nodes = [];
  if (index > 0) nodes.push(el("p", {}, "Đã ghi nhận đánh giá của Ông/Bà. Câu hỏi thêm " + index + "/" + (state.config.questions.length - 1) + " (có thể bỏ qua):"));
  nodes.push(el("h1", { id: "question" }, q.text));
  const box = el("div", { class: "choices" });
  for (const c of [...q.choices].reverse()) {
    const b = el("button", { class: "c" + c.code, "data-code": String(c.code) }, c.label);
    b.addEventListener("click", () => answer(index, c.code, box));
    box.appendChild(b);
  }
  if (index > 0) {
    const skip = el("button", { class: "skip", id: "skip" }, "Bỏ qua");
    skip.addEventListener("click", () => next(index));
    box.appendChild(skip);
  }
  nodes.push(box);
  if (notice) nodes.push(el("p", { class: "notice", id: "notice" }, notice));
  show(index === 0 ? "overall" : "followup-" + index, nodes);
}
async function answer(index, code, box) {
  touch();
  box.querySelectorAll("button").forEach(b => b.disabled = true);
  const q = state.config.questions[index];
  if (index === 0) {
    box.after(el("p", { id: "saving" }, "Đang ghi nhận…"));
    state.key = newKey();
    const body = { answers: { [q.id]: code } };
    if (state.dossier) body.dossier = state.dossier;
    const r = await api("POST", "/api/responses", body, state.key);
    if (r.status === 201 || r.status === 200) { state.id = r.data.id; return next(0); }
    if (r.status === 409) return dossierScreen("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần. Xin cảm ơn Ông/Bà!");
    if (r.status === 429) return question(0, "Vui lòng chờ giây lát rồi chọn lại.");
    if (r.status === 403) { state.config.open = false; return start(); }
    return question(0, "Chưa ghi nhận được. Vui lòng chọn lại hoặc báo cán bộ.");
  }
  await api("POST", "/api/responses/" + state.id + "/answers", { answers: { [q.id]: code } }, state.key);
  next(index);
}
function next(index) {
  if (index + 1 < state.config.questions.length && state.id !== null) return question(index + 1, null);
  thanks();
}
function thanks() {
  touch();
  show("thanks", [el("h1", {}, "CẢM ƠN ÔNG/BÀ!"), el("p", {}, "Đánh giá của Ông/Bà đã được ghi nhận.")]);
}
function tick() {
  if (!state.config) return;
  const idle = (Date.now() - state.last) / 1000;
  const warning = document.getElementById("warning");
  if (state.screen === "thanks") { if (idle >= state.config.thanks_for) start(); return; }
  const waiting = state.screen.startsWith("followup") || (state.screen === "dossier" && document.getElementById("dossier") && document.getElementById("dossier").value) || document.getElementById("notice");
  if (!waiting) { warning.classList.add("hidden"); return; }
  const left = state.config.reset_after - idle;
  if (left <= 0) { warning.classList.add("hidden"); return state.screen.startsWith("followup") ? thanks() : start(); }
  if (left <= state.config.warn_for) {
    warning.textContent = "Màn hình sẽ trở về ban đầu sau " + Math.ceil(left) + " giây. Chạm vào màn hình để tiếp tục.";
    warning.classList.remove("hidden");
  }
}
document.addEventListener("pointerdown", touch);
document.addEventListener("keydown", touch);
(async () => {
  const r = await api("GET", "/api/config");
  if (r.status !== 200) { show("error", [el("h1", {}, "Kiosk chưa sẵn sàng"), el("p", {}, r.data.error || "Không kết nối được máy chủ.")]); return; }
  state.config = r.data;
  document.getElementById("unit").textContent = r.data.unit_name || ("Đơn vị " + r.data.unit);
  document.getElementById("footer").textContent = ["Kiosk " + r.data.kiosk, r.data.field && ("Lĩnh vực: " + (r.data.field_name || r.data.field)), r.data.channel && ("Kênh: " + (r.data.channel_name || r.data.channel))].filter(Boolean).join(" · ");
  start();
  setInterval(tick, 250);
  setInterval(async () => { const c = await api("GET", "/api/config"); if (c.status === 200 && c.data.open !== state.config.open) { state.config = c.data; if (state.screen === "closed" || state.screen === "overall" || state.screen === "dossier") start(); } }, 60000);
})();
</script>
</body>
</html>
"""#
}
