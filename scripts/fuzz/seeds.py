#!/usr/bin/env python3
"""Seed inputs for the xlsx fuzz targets, from workbooks written by the sipas CLI (see run.sh).

  seeds.py sheet-xml OUT BOOK.xlsx ...   each worksheet's XML, trimmed
  seeds.py xlsx OUT BOOK.xlsx ...        each workbook as it is, and its parts as an "@@ path" list

Trimmed: at most ROWS rows of <sheetData>, and without the parts of a worksheet the reader skips
(column widths, data validations), so the seeds stay a few kilobytes and mutations land on cells.
"""
import pathlib
import re
import sys
import zipfile

ROWS = 6


def trim_sheet(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    text = re.sub(r"<cols>.*?</cols>", "", text, flags=re.S)
    text = re.sub(r"<dataValidations.*?</dataValidations>", "", text, flags=re.S)
    rows = [m.end() for m in re.finditer(r"</row>", text)]
    if len(rows) > ROWS:
        end = text.find("</sheetData>")
        text = text[: rows[ROWS - 1]] + text[end:]
    return text.encode("utf-8")


def main() -> None:
    mode, out, books = sys.argv[1], pathlib.Path(sys.argv[2]), [pathlib.Path(b) for b in sys.argv[3:]]
    for book in books:
        with zipfile.ZipFile(book) as z:
            names = z.namelist()
            sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if mode == "sheet-xml":
                for n in sheets:
                    (out / f"{book.stem}-{pathlib.PurePath(n).stem}.xml").write_bytes(trim_sheet(z.read(n)))
            elif mode == "xlsx":
                # Whole workbooks only when small: the demo's 500 kB sheet would slow every run.
                if book.stat().st_size <= 32768:
                    (out / book.name).write_bytes(book.read_bytes())
                keep = ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml"] + sheets
                parts = b""
                for n in keep:
                    if n in names:
                        body = z.read(n)
                        parts += b"@@ " + n.encode() + b"\n" + (trim_sheet(body) if n in sheets else body) + b"\n"
                (out / f"{book.stem}.parts").write_bytes(parts)
            else:
                sys.exit(f"unknown mode {mode}")


main()
