/// The staff's status page of `sipas serve`: every kiosk, what it sent today and in all, when its
/// last rating arrived; refreshed every 15 s. Self-contained (no fonts or scripts from elsewhere);
/// the staff token is read from the address (`/#token=…`) and never leaves this server.
enum StatusPage {
    static let html = #"""
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sipas – máy chủ kiosk</title>
<style>
  body { margin: 2rem; font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; }
  h1 { font-size: 1.5rem; margin: 0 0 0.3rem; }
  p { margin: 0.3rem 0 1rem; color: #444; }
  table { border-collapse: collapse; min-width: 60%; }
  th, td { border: 1px solid #999; padding: 0.4rem 0.8rem; text-align: left; }
  th { background: #e8eef6; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  tr.late td { background: #fff4d6; }
  tr.revoked td { color: #888; }
  .error { color: #8c1d18; font-weight: bold; }
</style>
</head>
<body>
<h1>Máy chủ kiosk đánh giá sự hài lòng</h1>
<p id="summary">Đang tải…</p>
<table>
  <thead><tr><th>Kiosk</th><th>Đơn vị</th><th>Hôm nay</th><th>Tổng cộng</th><th>Nhận lần cuối</th><th>Mã kiosk</th></tr></thead>
  <tbody id="rows"></tbody>
</table>
<p>Dòng tô vàng: kiosk chưa gửi gì trong 30 phút qua (có thể mất mạng; kiosk vẫn lưu và sẽ gửi lại).</p>
<script>
"use strict";
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const tokenState = { active: "đang dùng", revoked: "đã thu hồi", none: "không có" };
function cell(text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }
function when(iso) { if (!iso) return "chưa nhận"; const d = new Date(iso); return isNaN(d) ? iso : d.toLocaleString("vi-VN"); }
async function refresh() {
  const summary = document.getElementById("summary");
  try {
    const r = await fetch("/api/v1/status", { headers: { Authorization: "Bearer " + token } });
    const body = await r.json();
    if (!r.ok) { summary.className = "error"; summary.textContent = body.error || ("Lỗi " + r.status); return; }
    const rows = document.getElementById("rows");
    rows.replaceChildren();
    let today = 0;
    for (const k of body.kiosks) {
      today += k.today;
      const tr = document.createElement("tr");
      const last = k.last_received ? new Date(k.last_received) : null;
      if (k.token === "revoked") tr.className = "revoked";
      else if (!last || Date.now() - last.getTime() > 30 * 60 * 1000) tr.className = "late";
      tr.append(cell(k.kiosk), cell(k.unit_name ? k.unit + " – " + k.unit_name : (k.unit || "")), cell(k.today.toLocaleString("vi-VN"), "n"),
        cell(k.total.toLocaleString("vi-VN"), "n"), cell(when(k.last_received)), cell(tokenState[k.token] || k.token));
      rows.append(tr);
    }
    summary.className = "";
    summary.textContent = "Ngày " + body.day + ": " + today.toLocaleString("vi-VN") + " lượt đánh giá từ " + body.kiosks.length + " kiosk. Cập nhật lúc " + new Date().toLocaleTimeString("vi-VN") + ".";
  } catch (e) {
    summary.className = "error";
    summary.textContent = "Không kết nối được máy chủ; thử lại sau 15 giây.";
  }
}
refresh();
setInterval(refresh, 15000);
</script>
</body>
</html>
"""#
}
