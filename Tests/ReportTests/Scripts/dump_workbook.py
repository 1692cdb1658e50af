"""Prints what an independent reader (openpyxl) sees in a workbook, one line per fact: every cell
(formula or value, cached value, number format, font, fill, border, alignment), merged ranges,
column widths, row heights, frozen panes, autofilter and page set-up of every sheet. Two workbooks
with the same content print the same lines, however their shared strings and formats are numbered."""
import json, sys
import openpyxl

def color(c):
    if c is None:
        return None
    return {"rgb": lambda: c.rgb, "theme": lambda: f"theme {c.theme} {c.tint}", "indexed": lambda: f"indexed {c.indexed}"}.get(c.type, lambda: c.type)()

def dump(path):
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    lines = ["sheets " + json.dumps(formulas.sheetnames, ensure_ascii=False), "active " + formulas.active.title]
    for ws in formulas.worksheets:
        cv = cached[ws.title]
        t = ws.title
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                f, fill, b, a = cell.font, cell.fill, cell.border, cell.alignment
                fact = [cell.value, cv[cell.coordinate].value, cell.number_format,
                        [f.b, f.i, f.sz, color(f.color)], [fill.fill_type, color(fill.fgColor)],
                        [b.left.style, b.right.style, b.top.style, b.bottom.style],
                        [a.horizontal, a.vertical, a.wrap_text], cell.protection.locked]
                lines.append(f"{t}!{cell.coordinate} " + json.dumps(fact, ensure_ascii=False, default=str))
        lines.append(f"{t} merged " + json.dumps(sorted(str(r) for r in ws.merged_cells.ranges)))
        lines.append(f"{t} columns " + json.dumps({k: [d.min, d.max, d.width] for k, d in sorted(ws.column_dimensions.items())}))
        lines.append(f"{t} rows " + json.dumps({k: d.height for k, d in sorted(ws.row_dimensions.items()) if d.height is not None}))
        lines.append(f"{t} freeze {ws.freeze_panes} filter {ws.auto_filter.ref} titles {ws.print_title_rows}")
        ps = ws.page_setup
        lines.append(f"{t} page {ps.orientation} {ps.paperSize} {ps.fitToWidth} {ps.fitToHeight} {getattr(ws.sheet_properties.pageSetUpPr, 'fitToPage', None)}")
        h = ws.oddHeader
        lines.append(f"{t} header " + json.dumps([h.left.text, h.center.text, h.right.text], ensure_ascii=False))
        lines.append(f"{t} breaks " + json.dumps([b.id for b in ws.row_breaks.brk]))
    return lines

print("\n".join(dump(sys.argv[1])))
