"""Reads a sipas report workbook back with openpyxl (an independent reader) and prints JSON:
sheet names, the index table of Tổng hợp, the criteria of Tiêu chí (cached values) and their formulas."""
import json, sys
import openpyxl

path = sys.argv[1]
values = openpyxl.load_workbook(path, data_only=True)
formulas = openpyxl.load_workbook(path, data_only=False)
out = {"sheets": values.sheetnames, "indices": [], "criteria": [], "formulas": {}}
summary = values["Tổng hợp"]
header = None
for row in summary.iter_rows(values_only=True):
    if row[0] == "Mã chỉ số":
        header = list(row)
        continue
    if header is not None:
        if row[0] is None:
            break
        out["indices"].append(dict(zip(header, row)))
out["overall_count_formula"] = formulas["Tổng hợp"]["B5"].value
out["overall_count"] = summary["B5"].value
crit = values["Tiêu chí"]
head = [c.value for c in crit[1]]
for r in range(2, crit.max_row + 1):
    row = [c.value for c in crit[r]]
    if row[0] is None or row[2] is None:
        continue
    out["criteria"].append(dict(zip(head, row)))
    out["formulas"][str(row[0])] = [c.value for c in formulas["Tiêu chí"][r]][:len(head)]
print(json.dumps(out, ensure_ascii=False, default=str))
