"""Makes filled and broken data-entry workbooks for the import tests, with openpyxl and zipfile
(independent of sipas's own writer and reader).

usage: xlsx_cases.py TEMPLATE.xlsx DATA.csv OUT_DIR
Writes OUT_DIR/good.xlsx (DATA.csv typed into the template) and one file per bad case."""
import csv, datetime, io, os, sys, zipfile
import openpyxl

template, data, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)

def fill(rows, path, mutate=None):
    wb = openpyxl.load_workbook(template)
    ws = wb["Phiếu"]
    ids = [c.value for c in ws[2]]
    for r, row in enumerate(rows, start=3):
        for c, item in enumerate(ids, start=1):
            v = row.get(item, "")
            if v in ("", None):
                continue
            if item == "collected_on":
                ws.cell(r, c, datetime.date.fromisoformat(v))
            elif item in ("form_id", "channel", "field", "comment", "q2_other") or "|" in v:
                ws.cell(r, c, v)
            else:
                try:
                    ws.cell(r, c, int(v))
                except ValueError:
                    ws.cell(r, c, v)
    if mutate:
        mutate(wb, ws, ids)
    wb.save(path)

rows = list(csv.DictReader(open(data, encoding="utf-8-sig")))
fill(rows, f"{out}/good.xlsx")
fill(rows[:5], f"{out}/first5.xlsx")

def col(ids, item):
    return ids.index(item) + 1

fill(rows[:5], f"{out}/wrong-version.xlsx", lambda wb, ws, ids: wb["sipas_meta"].cell(2, 2, "2022.9"))
fill(rows[:5], f"{out}/unknown-column.xlsx", lambda wb, ws, ids: ws.cell(2, col(ids, "q9_1"), "q99_1"))
fill(rows[:5], f"{out}/code-outside.xlsx", lambda wb, ws, ids: ws.cell(4, col(ids, "q9_1"), 7))
fill(rows[:5], f"{out}/text-in-number.xlsx", lambda wb, ws, ids: ws.cell(5, col(ids, "q9_2"), "tốt"))
fill(rows[:5], f"{out}/duplicate-form.xlsx", lambda wb, ws, ids: ws.cell(6, 1, rows[0]["form_id"]))
# Same forms, different bytes: refused as form ids already stored.
fill(rows[:5], f"{out}/same-forms-again.xlsx", lambda wb, ws, ids: wb["Chú giải"].cell(1, 9, "x"))

good = open(f"{out}/good.xlsx", "rb").read()
open(f"{out}/truncated.xlsx", "wb").write(good[: len(good) // 2])
open(f"{out}/empty.xlsx", "wb").write(b"")

def rewrite(path, replace):
    src = zipfile.ZipFile(io.BytesIO(good))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))

sheet = "xl/worksheets/sheet1.xml"
# 64 MB of blanks that deflate ~1000:1.
bomb = zipfile.ZipFile(io.BytesIO(good)).read(sheet).replace(b"<sheetData>", b"<sheetData>" + b" " * (64 << 20), 1)
rewrite(f"{out}/zip-bomb.xlsx", {sheet: bomb})
lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
body = zipfile.ZipFile(io.BytesIO(good)).read(sheet)
if body.startswith(b"<?xml"):
    body = body.split(b"?>", 1)[1]
entity = lol + body.replace(b"<sheetData>", b"<sheetData>&lol2;", 1)
rewrite(f"{out}/entity-bomb.xlsx", {sheet: entity})
