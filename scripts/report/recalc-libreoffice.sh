#!/usr/bin/env bash
# Recalculates a sipas workbook in LibreOffice (headless) and checks that every formula gives the
# value sipas cached in it. Optionally renders the pages to PNG for a look: --png DIR.
#   scripts/report/recalc-libreoffice.sh WORKBOOK.xlsx [--png DIR]
set -euo pipefail
book=$(realpath "$1"); shift
png=""
if [ "${1:-}" = "--png" ]; then png=$(realpath -m "$2"); fi
if ! command -v soffice >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils fonts-dejavu >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fresh profile that recalculates OOXML files on load (LibreOffice's default is "never").
mkdir -p "$work/profile/user"
cat >"$work/profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
soffice -env:UserInstallation="file://$work/profile" --headless --convert-to xlsx --outdir "$work/out" "$book" >/dev/null 2>&1
python3 - "$book" "$work/out/$(basename "$book")" <<'PY'
import sys, openpyxl
mine, theirs = sys.argv[1], sys.argv[2]
formulas = openpyxl.load_workbook(mine, data_only=False)
cached = openpyxl.load_workbook(mine, data_only=True)
recalc = openpyxl.load_workbook(theirs, data_only=True)
checked = bad = 0
for ws in formulas.worksheets:
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                a = cached[ws.title][cell.coordinate].value
                b = recalc[ws.title][cell.coordinate].value
                checked += 1
                same = (a == b) or (isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-9 * max(1, abs(a)))
                if not same and not (a in (None, "") and b in (None, "")):
                    bad += 1
                    if bad <= 20:
                        print(f"{ws.title}!{cell.coordinate}: {cell.value} cached {a!r}, LibreOffice {b!r}")
print(f"LibreOffice recalculation: {checked} formulas checked, {bad} differ")
sys.exit(1 if bad or checked == 0 else 0)
PY
if [ -n "$png" ]; then
  mkdir -p "$png"
  soffice -env:UserInstallation="file://$work/profile" --headless --convert-to pdf --outdir "$work/pdf" "$book" >/dev/null 2>&1
  pdftoppm -r 60 -png "$work/pdf/$(basename "${book%.xlsx}").pdf" "$png/page"
  echo "pages: $(ls "$png" | wc -l) PNG files in $png"
fi
