#!/usr/bin/env python3
"""Runs OMRChecker (github.com/Udayraj123/OMRChecker; fetched, not part of sipas) on a corpus made
by scripts/omr/make_corpus.py, with templates generated from `sipas form layout --json`, and
scores its answers against the corpus truth.

OMRChecker has one template per folder and cannot read the QR codes, so it is helped: the pages
are sorted into one folder per printed page number from truth.json "files", each with its own
template.json and marker image. Alignment is OMRChecker's CropOnMarkers on the four corner
fiducials: the page is warped so that the four fiducial centres become the corners of the
image, so bubble origins are given relative to the top-left fiducial centre and pageDimensions
is exactly the fiducial-centre span (at K template px per mm).

Fields: an item whose bubbles lie on one row with even spacing is one OMRChecker field (its
bubbles as bubbleValues, bubblesGap), so OMRChecker's per-field local threshold applies; an item
laid out in flow (uneven gaps, several rows) gets one single-bubble field per bubble, which
OMRChecker thresholds with its page-wide global threshold. Answers are read from the Results CSV
(a field's value is the concatenation of its marked bubbles' values).

Usage: peer.py --layout layout.json --corpus DIR [--omrchecker /tmp/omrchecker] [--work DIR]
               [--multi q2] [--box 2.6] [--keep]
Prints JSON: clear, clear_right, clear_wrong, clear_unread (page refused, or a one-answer item
read multi-marked: OMRChecker's only flag), doubtful, seconds (OMRChecker's run), pages, and a
breakdown.
"""
import argparse
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from PIL import Image, ImageDraw

K = 5  # template pixels per mm (15 mm bubble pitch -> 75 px, an integer)


def even_row(marks):
    """The gap (mm) if the marks lie on one row, evenly spaced in code order, else None."""
    if len(marks) < 2:
        return None
    if len({round(m["y_mm"], 2) for m in marks}) != 1:
        return None
    xs = [m["x_mm"] for m in marks]
    gaps = [b - a for a, b in zip(xs, xs[1:])]
    if min(gaps) <= 0 or max(gaps) - min(gaps) > 0.05:
        return None
    gap = sum(gaps) / len(gaps)
    if abs(gap * K - round(gap * K)) > 0.05:
        return None
    return gap


def build_inputs(args, layout, truth, inputs):
    page_w = layout["page"]["width_mm"]
    page_h = layout["page"]["height_mm"]
    json.dump({
        "dimensions": {"display_height": 1600, "display_width": 1100,
                       "processing_width": args.processing_width,
                       "processing_height": round(args.processing_width * args.aspect)},
        "threshold_params": {"MIN_JUMP": args.min_jump, "MIN_GAP": args.min_gap,
                             "CONFIDENT_SURPLUS": args.confident_surplus, "JUMP_DELTA": args.jump_delta},
        "alignment_params": {"auto_align": False},
        "outputs": {"show_image_level": 0, "save_image_level": 0, "save_detections": False},
    }, open(os.path.join(inputs, "config.json"), "w"), indent=1)
    fields = {}  # page -> {field label: [(bubble value, item, code)]}
    for page in range(1, layout["pages"] + 1):
        folder = os.path.join(inputs, f"page{page}")
        os.makedirs(folder)
        fids = [f for f in layout["fiducials"] if f["page"] == page]
        tl = min(fids, key=lambda f: f["x_mm"] + f["y_mm"])
        br = max(fids, key=lambda f: f["x_mm"] + f["y_mm"])
        width_mm, height_mm = br["x_mm"] - tl["x_mm"], br["y_mm"] - tl["y_mm"]
        half = args.box / 2
        items = {}
        for mark in layout["marks"]:
            if mark["page"] == page:
                items.setdefault(mark["item"], []).append(mark)
        blocks, page_fields = {}, {}

        def origin(mark):
            return [round((mark["x_mm"] - tl["x_mm"] - half + args.dx) * K),
                    round((mark["y_mm"] - tl["y_mm"] - half + args.dy) * K)]

        for item, marks in items.items():
            marks = sorted(marks, key=lambda m: m["code"])
            assert all(0 <= m["code"] <= 9 for m in marks), "codes must be one digit (values are concatenated)"
            gap = None if args.per_bubble else even_row(marks)
            if gap is not None:
                blocks[item] = {"origin": origin(marks[0]), "fieldLabels": [item],
                                "bubbleValues": [str(m["code"]) for m in marks], "direction": "horizontal",
                                "bubblesGap": round(gap * K), "labelsGap": 0}
                page_fields[item] = item
            else:
                for m in marks:
                    name = f"{item}__{m['code']}"
                    blocks[name] = {"origin": origin(m), "fieldLabels": [name], "bubbleValues": [str(m["code"])],
                                    "direction": "horizontal", "bubblesGap": 0, "labelsGap": 0}
                    page_fields[name] = item
        fields[page] = page_fields
        # The marker: the fiducial square as it appears in the processing image (the scan resized
        # to processing_width), with a thin white border (kept under CropOnMarkers' 21 px erosion
        # window so its "erode-subtract" of the marker leaves it unchanged).
        scan_w_mm = page_w + 2 * args.bed_mm  # the page on its scanner bed, roughly
        side = round(tl["size_mm"] * args.processing_width / scan_w_mm)
        border = args.marker_border
        marker = Image.new("L", (side + 2 * border, side + 2 * border), 255)
        ImageDraw.Draw(marker).rectangle([border, border, border + side - 1, border + side - 1], fill=0)
        marker.save(os.path.join(folder, "marker.png"))
        template = {
            "pageDimensions": [round(width_mm * K), round(height_mm * K)],
            "bubbleDimensions": [round(args.box * K), round(args.box * K)],
            "preProcessors": [{"name": "CropOnMarkers", "options": {
                "relativePath": "marker.png",
                "marker_rescale_range": [args.scale_lo, args.scale_hi],
                "marker_rescale_steps": args.scale_hi - args.scale_lo,
                "min_matching_threshold": args.min_match,
                "max_matching_variation": args.max_variation}}],
            "fieldBlocks": blocks,
        }
        json.dump(template, open(os.path.join(folder, "template.json"), "w"), indent=1)
    pages = set()
    for f in truth["files"]:
        src = os.path.abspath(os.path.join(args.corpus, f["file"]))
        dest = os.path.join(inputs, f"page{f['page']}", f"{f['sheet']}__{f['page']}")
        if f["format"] in ("png", "jpeg") and f["file_page"] == 1:
            os.symlink(src, dest + os.path.splitext(f["file"])[1])
        elif f["format"] == "tiff" and not args.images_only:
            # OMRChecker reads one image per file: a multi-page TIFF's page is written out as PNG.
            with Image.open(src) as tiff:
                tiff.seek(f["file_page"] - 1)
                tiff.convert("L").save(dest + ".png")
        elif f["format"] == "pdf" and not args.images_only:
            # A PDF's page is rasterised by poppler at the scan's resolution.
            subprocess.run(["pdftoppm", "-gray", "-r", str(f["dpi"]), "-f", str(f["file_page"]), "-l", str(f["file_page"]),
                            "-singlefile", "-png", src, dest], check=True)
        else:
            continue
        pages.add((f["sheet"], f["page"]))
    return fields, pages


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--layout", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--omrchecker", default="/tmp/omrchecker")
    p.add_argument("--work", help="working folder (default: a temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the working folder")
    p.add_argument("--multi", default="q2", help="comma-separated multi-choice items")
    p.add_argument("--box", type=float, default=2.6, help="bubble box side, mm (bubble r = 2 mm)")
    p.add_argument("--dx", type=float, default=0.0, help="origin offset, mm")
    p.add_argument("--dy", type=float, default=0.0)
    p.add_argument("--per-bubble", action="store_true", help="one field per bubble for every item")
    p.add_argument("--processing-width", type=int, default=1200)
    p.add_argument("--aspect", type=float, default=1.375, help="processing height / width")
    p.add_argument("--bed-mm", type=float, default=10.0, help="scanner bed beyond the page per side, mm")
    p.add_argument("--marker-border", type=int, default=6)
    p.add_argument("--scale-lo", type=int, default=90)
    p.add_argument("--scale-hi", type=int, default=112)
    p.add_argument("--min-match", type=float, default=0.3)
    p.add_argument("--max-variation", type=float, default=0.41)
    p.add_argument("--min-jump", type=float, default=25)
    p.add_argument("--min-gap", type=float, default=30)
    p.add_argument("--confident-surplus", type=float, default=5)
    p.add_argument("--jump-delta", type=float, default=30)
    p.add_argument("--images-only", action="store_true", help="skip TIFF and PDF scans (not turned into PNG)")
    p.add_argument("--debug", action="store_true", help="print per-item errors to stderr")
    args = p.parse_args()

    layout = json.load(open(args.layout))
    truth = json.load(open(os.path.join(args.corpus, "truth.json")))
    work = args.work or tempfile.mkdtemp(prefix="omrchecker-peer-")
    shutil.rmtree(work, ignore_errors=True)
    inputs, outputs = os.path.join(work, "inputs"), os.path.join(work, "outputs")
    os.makedirs(inputs)
    fields, pages = build_inputs(args, layout, truth, inputs)

    start = time.time()
    run = subprocess.run(["xvfb-run", "-a", sys.executable, "main.py", "-i", inputs, "-o", outputs],
                         cwd=args.omrchecker, capture_output=True, text=True)
    seconds = time.time() - start
    open(os.path.join(work, "omrchecker.log"), "w").write(run.stdout + run.stderr)
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-3000:] + run.stderr[-3000:])
        raise SystemExit("OMRChecker failed")

    read = {}  # (sheet, page) -> {item: [codes]}
    for path in glob.glob(os.path.join(outputs, "page*", "Results", "*.csv")):
        page = int(os.path.basename(os.path.dirname(os.path.dirname(path)))[4:])
        for row in csv.DictReader(open(path)):
            sheet, _ = os.path.splitext(row["file_id"])[0].split("__")
            marked = {}
            for label, item in fields[page].items():
                marked.setdefault(item, [])
                marked[item].extend(int(c) for c in (row.get(label) or "").strip())
            read[(sheet, page)] = marked
    refused = sum(max(0, sum(1 for _ in open(path)) - 1)
                  for path in glob.glob(os.path.join(outputs, "page*", "Manual", "ErrorFiles.csv")))

    page_of = {m["item"]: m["page"] for m in layout["marks"]}
    multi = set(filter(None, args.multi.split(",")))
    s = dict(clear=0, clear_right=0, clear_wrong=0, clear_unread=0, clear_unread_refused=0, clear_unread_not_submitted=0,
             clear_unread_multimarked=0, clear_wrong_missed=0, clear_wrong_extra=0, clear_wrong_other=0,
             doubtful=0, doubtful_flagged=0, doubtful_read_blank=0, doubtful_read_answer=0, doubtful_on_refused=0)
    per_page = {}
    for serial, planted in truth["sheets"].items():
        for item, value in planted["answers"].items():
            marked = read.get((serial, page_of[item]))
            codes = None if marked is None else sorted(set(marked.get(item, [])))
            if item in planted["doubtful"]:
                s["doubtful"] += 1
                if codes is None:
                    s["doubtful_on_refused"] += 1
                elif len(codes) > 1 and item not in multi:
                    s["doubtful_flagged"] += 1
                elif not codes:
                    s["doubtful_read_blank"] += 1
                else:
                    s["doubtful_read_answer"] += 1
                continue
            s["clear"] += 1
            if codes is None:
                s["clear_unread"] += 1
                s["clear_unread_refused" if (serial, page_of[item]) in pages else "clear_unread_not_submitted"] += 1
                continue
            if item in multi:
                got, want = codes, sorted(value or [])
            elif len(codes) > 1:
                s["clear_unread"] += 1
                s["clear_unread_multimarked"] += 1
                if args.debug:
                    sys.stderr.write(f"multi {serial} p{page_of[item]} {item}: want {value} got {codes}\n")
                continue
            else:
                got, want = (codes[0] if codes else None), value
            tally = per_page.setdefault((serial, page_of[item]), [0, 0])
            tally[1] += 1
            if got == want:
                tally[0] += 1
                s["clear_right"] += 1
            else:
                s["clear_wrong"] += 1
                if not got:
                    s["clear_wrong_missed"] += 1
                elif not want:
                    s["clear_wrong_extra"] += 1
                else:
                    s["clear_wrong_other"] += 1
                if args.debug:
                    sys.stderr.write(f"wrong {serial} p{page_of[item]} {item}: want {value} got {codes}\n")
    if args.debug:
        for key, (right, total) in sorted(per_page.items()):
            sys.stderr.write(f"page {key[0]} p{key[1]}: {right}/{total} clear right (of those read)\n")
    s["pages"] = len(pages)
    s["pages_refused"] = refused
    s["seconds"] = round(seconds, 2)
    print(json.dumps(s, sort_keys=True))
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
