#!/usr/bin/env python3
"""Peer for the report benchmark: Python XlsxWriter (constant_memory, use_zip64) writing the same
raw-data sheet from the canonical CSV (numbers in item columns, strings elsewhere).
  report_xlsxwriter.py IN.csv OUT.xlsx FIRST_ITEM_COLUMN"""
import csv, sys
import xlsxwriter

src, out, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
wb = xlsxwriter.Workbook(out, {"constant_memory": True, "use_zip64": True, "strings_to_numbers": False, "strings_to_formulas": False})
ws = wb.add_worksheet("Dữ liệu")
with open(src, newline="", encoding="utf-8-sig") as f:
    for r, row in enumerate(csv.reader(f)):
        for c, v in enumerate(row):
            if not v:
                continue
            if r > 0 and c >= first and v.isdigit():
                ws.write_number(r, c, int(v))
            else:
                ws.write_string(r, c, v)
wb.close()
