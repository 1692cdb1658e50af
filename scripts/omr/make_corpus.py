#!/usr/bin/env python3
"""Makes scanned forms with known answers, for the OMR round trip and benchmark.

From the printed PDF (`sipas form print`) and its geometry (`sipas form layout --json`), every
page is rendered by poppler (pdftoppm), marks are drawn where the layout puts the bubbles, and
the page is put through what a scanner and a hurried respondent do: a turn of a few degrees,
scale, shift, blur, noise, JPEG, 1-bit thresholding, upside down, pages shuffled across files.

Every mark is planted on purpose and written to truth.json:
  fill        a bubble filled in (a clear mark: must be read right)
  blank       nothing marked (must be read as blank)
  erased      a fill rubbed out (a grey smudge) and another bubble filled: clear (the form
              allows it), read right or sent to review, never read wrong
  light       a light pencil fill                                   } each must be sent
  half        half the bubble filled                                } to review (doubtful)
  double      two bubbles of a one-answer item filled               }
  tick        a tick (✓) over a bubble instead of a fill            }
  cross       a cross (✗) over an empty bubble                      }
  circled     the code beside a bubble circled, the bubble left empty }
  correction  a bubble filled, crossed out, another one filled      }

Usage: make_corpus.py --pdf phieu.pdf --layout layout.json --serials S1,S2,… --out DIR [--seed 7] [--dpi 150,200,300]
       [--multi q2] [--doubtful 0.1] [--blank 0.1] [--rotate 3] [--scale 0.03] [--shift 2] [--margin 6]
       [--formats png,jpeg,tiff,pdf,bilevel] [--upside-down 0.2] [--per-file 3] [--erased 0.03]
       [--kinds light,half,double,tick,cross,circled,correction] [--render-cache DIR] [--cut 0.5]
A layout of slips (`sipas form layout --slips --json`) takes a PDF of slips four to an A4 page: each
slip is marked as a form of its own; --cut is the share of A4 pages cut into slips scanned alone.
Independent of sipas: Pillow and numpy draw and distort; nothing of sipas's code is used.
"""
import argparse
import json
import math
import os
import random
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdf", required=True)
    parser.add_argument("--layout", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--serials", required=True, help="the printed sheets' serials, comma-separated, in PDF order")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dpi", default="150,200,300")
    parser.add_argument("--multi", default="", help="comma-separated ids of multi-choice items")
    parser.add_argument("--doubtful", type=float, default=0.1, help="share of items given a doubtful mark")
    parser.add_argument("--blank", type=float, default=0.1, help="share of items left blank")
    parser.add_argument("--erased", type=float, default=0.03, help="share of items with an erased mark beside the fill")
    parser.add_argument("--kinds", default="light,half,double,tick,cross,circled,correction", help="the doubtful kinds planted")
    parser.add_argument("--rotate", type=float, default=3.0, help="largest turn, degrees")
    parser.add_argument("--scale", type=float, default=0.03, help="largest relative scale error")
    parser.add_argument("--shift", type=float, default=2.0, help="largest shift, mm")
    parser.add_argument("--margin", type=float, default=6.0, help="scanner bed beyond the paper on each side, mm (white)")
    parser.add_argument("--formats", default="png,jpeg,tiff,pdf,bilevel")
    parser.add_argument("--upside-down", type=float, default=0.2)
    parser.add_argument("--per-file", type=int, default=3, help="most pages in one file")
    parser.add_argument("--render-cache", help="folder keeping the rendered pages of --pdf, reused by later runs on the same PDF")
    parser.add_argument("--cut", type=float, default=0.5, help="slips (a layout of paper \"slip\"): share of A4 sheets cut into four slips scanned one by one; the others are scanned uncut")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    nrng = np.random.default_rng(args.seed)
    layout = json.load(open(args.layout))
    # Slips (`sipas form layout --slips`): four one-page forms to an A4 page, at slips_on_a4.
    slips = layout.get("paper") == "slip"
    origins = layout.get("slips_on_a4") or [{"x_mm": 0, "y_mm": 0}]
    pages_per_sheet = layout["pages"]
    multi = set(filter(None, args.multi.split(",")))
    marks_by_page = {}
    for mark in layout["marks"]:
        marks_by_page.setdefault(mark["page"], {}).setdefault(mark["item"], []).append(mark)
    dpis = [int(d) for d in args.dpi.split(",")]
    formats = args.formats.split(",")
    os.makedirs(args.out, exist_ok=True)
    if args.render_cache:
        os.makedirs(args.render_cache, exist_ok=True)

    total_pages = int(subprocess.run(["pdfinfo", args.pdf], capture_output=True, text=True, check=True).stdout.split("Pages:")[1].split()[0])
    serials = args.serials.split(",")
    if slips:
        assert pages_per_sheet == 1 and 4 * (total_pages - 1) < len(serials) <= 4 * total_pages, "one serial per printed slip"
    else:
        assert len(serials) * pages_per_sheet == total_pages, "one serial per printed sheet"
    kinds = args.kinds.split(",")
    truth = {"sheets": {}, "files": [], "marks": {"clear": 0, "doubtful": 0}, "kinds": {}}
    rendered = []  # (image, sheet serial, page number)
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(total_pages):
            dpi = rng.choice(dpis)
            # A 1-bit scan (thresholded) loses a light pencil mark or turns it black: none is planted there.
            bilevel = "bilevel" in formats and rng.random() < 1 / len(formats)
            # Rendering is most of the time: with --render-cache each page is rendered once per
            # resolution and reused by every corpus made from the same PDF (other seeds).
            base = os.path.join(args.render_cache or tmp, f"p{index + 1}-{dpi}")
            if not (args.render_cache and os.path.exists(base + ".png")):
                part = f"{base}-part{os.getpid()}"
                subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(index + 1), "-l", str(index + 1), "-singlefile", "-png", args.pdf, part], check=True)
                os.replace(part + ".png", base + ".png")
            image = Image.open(base + ".png").convert("L")
            image.load()
            draw = ImageDraw.Draw(image)
            px = dpi / 25.4
            if slips:
                forms = [(serials[4 * index + k], 1, origins[k]["x_mm"], origins[k]["y_mm"]) for k in range(4) if 4 * index + k < len(serials)]
            else:
                forms = [(serials[index // pages_per_sheet], index % pages_per_sheet + 1, 0.0, 0.0)]
            for serial, page, ox, oy in forms:
                shifted = {item: [dict(m, x_mm=m["x_mm"] + ox, y_mm=m["y_mm"] + oy) for m in marks] for item, marks in marks_by_page.get(page, {}).items()}
                mark_form(truth, truth["sheets"].setdefault(serial, {"answers": {}, "doubtful": []}), shifted, draw, px, rng, args, kinds, multi, bilevel)
            if slips and rng.random() < args.cut:
                # Cut into its slips, each fed through the scanner alone.
                width, height = layout["page"]["width_mm"], layout["page"]["height_mm"]
                for serial, page, ox, oy in forms:
                    piece = image.crop((round(ox * px), round(oy * px), round((ox + width) * px), round((oy + height) * px)))
                    scanned = scanner(piece, dpi, rng, nrng, args)
                    if bilevel:
                        scanned = scanned.point(lambda v: 255 if v > 150 else 0).convert("1")
                    rendered.append((scanned, serial, page, dpi))
                continue
            serial, page = ",".join(f[0] for f in forms), forms[0][1]
            scanned = scanner(image, dpi, rng, nrng, args)
            if bilevel:
                scanned = scanned.point(lambda v: 255 if v > 150 else 0).convert("1")
            rendered.append((scanned, serial, page, dpi))

    rng.shuffle(rendered)
    position = 0
    number = 0
    while position < len(rendered):
        count = rng.randint(1, args.per_file)
        fmt = rng.choice([f for f in formats if f != "bilevel"] or ["png"])
        group = rendered[position:position + count]
        if fmt in ("pdf", "tiff"):
            # One resolution per multi-page file, as one scanner run writes.
            same = [g for g in group if g[3] == group[0][3]]
            group = group[:next((k for k, g in enumerate(group) if g[3] != group[0][3]), len(group))] or same[:1]
        position += len(group)
        name = os.path.join(args.out, f"scan-{number:03d}")
        number += 1
        images = [g[0] for g in group]
        if fmt == "png":
            paths = []
            for k, image in enumerate(images):
                paths.append(f"{name}-{k}.png")
                image.save(paths[-1])
        elif fmt == "jpeg":
            paths = []
            for k, image in enumerate(images):
                paths.append(f"{name}-{k}.jpg")
                image.convert("L").save(paths[-1], quality=rng.randint(50, 90))
        elif fmt == "tiff":
            paths = [name + ".tif"]
            # Group 4 when every page is 1-bit, as a black-and-white scanner writes.
            g4 = all(image.mode == "1" for image in images)
            images[0].save(paths[0], save_all=True, append_images=images[1:], compression="group4" if g4 else "tiff_deflate")
        else:
            paths = [name + ".pdf"]
            # A PDF of 1-bit pages embeds them as CCITT (no JPEG quality); grey pages as JPEG.
            extra = {} if any(image.mode == "1" for image in images) else {"quality": 85}
            images[0].save(paths[0], save_all=True, append_images=images[1:], resolution=float(group[0][3]), **extra)
        for k, (image, serial, page, dpi) in enumerate(group):
            path, page_in_file = (paths[k], 1) if len(paths) == len(group) else (paths[0], k + 1)
            truth["files"].append({"file": os.path.basename(path), "file_page": page_in_file, "sheet": serial, "page": page, "dpi": dpi, "format": fmt, "bilevel": image.mode == "1"})
    json.dump(truth, open(os.path.join(args.out, "truth.json"), "w"), indent=1, sort_keys=True)


def mark_form(truth, record, shifted_marks, draw, px, rng, args, kinds, multi, bilevel):
    """Marks one form's items on a rendered page (bubbles in mm on that page) and records the truth."""
    for item, marks in shifted_marks.items():
        roll = rng.random()
        if roll < args.blank:
            record["answers"][item] = None
            truth["marks"]["clear"] += 1
            continue
        if roll < args.blank + args.doubtful:
            # A 1-bit scan loses a light mark; a multi-choice item may have two marks.
            allowed = [k for k in kinds if not (k == "light" and bilevel) and not (k in ("double", "correction") and item in multi)]
            kind = rng.choice(allowed)
            if kind == "double":
                for mark in rng.sample(marks, 2):
                    fill(draw, mark, px, rng, "fill")
            elif kind == "correction":
                first, second = rng.sample(marks, 2)
                fill(draw, first, px, rng, "fill")
                fill(draw, first, px, rng, "cross")
                fill(draw, second, px, rng, "fill")
            else:
                fill(draw, rng.choice(marks), px, rng, kind)
            record["answers"][item] = None
            record["doubtful"].append(item)
            record.setdefault("kinds", {})[item] = kind
            truth["marks"]["doubtful"] += 1
            truth["kinds"][kind] = truth["kinds"].get(kind, 0) + 1
            continue
        if roll < args.blank + args.doubtful + args.erased and item not in multi:
            rubbed, mark = rng.sample(marks, 2)
            fill(draw, rubbed, px, rng, "erased")
            fill(draw, mark, px, rng, "fill")
            record["answers"][item] = mark["code"]
            record.setdefault("kinds", {})[item] = "erased"
            truth["marks"]["clear"] += 1
            truth["kinds"]["erased"] = truth["kinds"].get("erased", 0) + 1
            continue
        if item in multi:
            chosen = sorted(rng.sample(marks, rng.randint(1, min(3, len(marks)))), key=lambda m: m["code"])
            for mark in chosen:
                fill(draw, mark, px, rng, "fill")
            record["answers"][item] = [m["code"] for m in chosen]
        else:
            mark = rng.choice(marks)
            fill(draw, mark, px, rng, "fill")
            record["answers"][item] = mark["code"]
        truth["marks"]["clear"] += 1


def fill(draw, mark, px, rng, kind):
    """Draws a mark in a bubble, as a pen would: a little off centre, a little small or large."""
    cx = (mark["x_mm"] + rng.uniform(-0.25, 0.25)) * px
    cy = (mark["y_mm"] + rng.uniform(-0.25, 0.25)) * px
    r = mark["r_mm"] * rng.uniform(0.85, 1.05) * px
    box = [cx - r, cy - r, cx + r, cy + r]
    if kind == "fill":
        draw.ellipse(box, fill=rng.randint(0, 60))
    elif kind == "light":
        draw.ellipse(box, fill=rng.randint(165, 185))
    elif kind == "half":
        start = rng.choice([0, 90, 180, 270])
        draw.pieslice(box, start, start + 180, fill=rng.randint(0, 60))
    elif kind == "erased":
        # What a rubber leaves of a fill: a pale, uneven smudge.
        draw.ellipse(box, fill=rng.randint(205, 228))
    elif kind == "tick":
        width = max(1, round(rng.uniform(0.35, 0.6) * px))
        s = r * rng.uniform(0.9, 1.3)
        points = [(cx - 0.8 * s, cy - 0.05 * s), (cx - 0.2 * s, cy + 0.7 * s), (cx + 1.1 * s, cy - 1.1 * s)]
        draw.line(points, fill=rng.randint(0, 60), width=width, joint="curve")
    elif kind == "cross":
        width = max(1, round(rng.uniform(0.35, 0.6) * px))
        s = r * rng.uniform(0.9, 1.4)
        ink = rng.randint(0, 60)
        draw.line([(cx - s, cy - s), (cx + s, cy + s)], fill=ink, width=width)
        draw.line([(cx - s, cy + s), (cx + s, cy - s)], fill=ink, width=width)
    elif kind == "circled":
        # A ring round the code printed right of the bubble (it starts 0.6 mm past the bubble's
        # edge and is about 1.6 mm wide), or now and then round bubble and code together.
        width = max(1, round(rng.uniform(0.3, 0.5) * px))
        if rng.random() < 0.7:
            ox, radius = mark["r_mm"] + 1.4, rng.uniform(1.7, 2.3)
        else:
            ox, radius = 1.6, rng.uniform(3.6, 4.2)
        ccx = (mark["x_mm"] + ox + rng.uniform(-0.3, 0.3)) * px
        rx, ry = radius * px * rng.uniform(0.95, 1.15), radius * px * rng.uniform(0.85, 1.0)
        draw.ellipse([ccx - rx, cy - ry, ccx + rx, cy + ry], outline=rng.randint(0, 60), width=width)


def scanner(image, dpi, rng, nrng, args):
    """A scanner's and a feeder's effects: turn, scale, shift, blur, noise, upside down."""
    angle = math.radians(rng.uniform(-args.rotate, args.rotate))
    scale = 1 + rng.uniform(-args.scale, args.scale)
    # The scanner's bed is larger than the paper: the turned, scaled page stays whole on it.
    pad = int(args.margin * dpi / 25.4 + (abs(math.sin(angle)) + abs(scale - 1)) * max(image.size) / 2 + args.shift * dpi / 25.4)
    bed = Image.new("L", (image.size[0] + 2 * pad, image.size[1] + 2 * pad), 255)
    bed.paste(image, (pad, pad))
    image = bed
    w, h = image.size
    shift = args.shift * dpi / 25.4
    tx, ty = rng.uniform(-shift, shift), rng.uniform(-shift, shift)
    # Output pixel (x, y) comes from input (a x + b y + c, d x + e y + f): the inverse map about the centre.
    cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
    cx, cy = w / 2, h / 2
    a, b, d, e = cos, sin, -sin, cos
    c = cx - a * (cx + tx) - b * (cy + ty)
    f = cy - d * (cx + tx) - e * (cy + ty)
    image = image.transform((w, h), Image.AFFINE, (a, b, c, d, e, f), resample=Image.BILINEAR, fillcolor=255)
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0) * dpi / 200))
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels + nrng.normal(0, rng.uniform(2, 10), pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    if rng.random() < args.upside_down:
        image = image.transpose(Image.ROTATE_180)
    return image


if __name__ == "__main__":
    main()
