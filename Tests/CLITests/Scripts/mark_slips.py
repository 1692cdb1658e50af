#!/usr/bin/env python3
"""Marks printed counter slips and scans them three ways, for the slip round-trip test.

Reads the A4 sheets of slips (`sipas form print --slips`, rendered here by pdftoppm at 200 dpi)
and the slip layout (`sipas form layout --slips --json`: bubbles in mm from a slip's top left,
`slips_on_a4` the slips' corners on the sheet). Fills one bubble per item at random (seeded),
some items left blank, then writes:
  sheet-1.png  the first A4 sheet uncut, turned 2° and scaled 0.98 (four slips on one image);
  slip-5.png   the fifth slip cut out alone, upside down (a feeder that crops to the paper);
  slip-6.png   the sixth slip cut out, laid off-centre on an A4 scanner bed turned −3°;
and truth.json: {serial: {item: code or null}}. Pillow and numpy only: nothing of sipas's code.
Usage: mark_slips.py --pdf slips.pdf --layout layout.json --serials S1,…,S6 --out DIR
"""
import argparse
import json
import os
import random
import subprocess
import tempfile

from PIL import Image, ImageDraw

parser = argparse.ArgumentParser()
parser.add_argument("--pdf", required=True)
parser.add_argument("--layout", required=True)
parser.add_argument("--serials", required=True)
parser.add_argument("--out", required=True)
args = parser.parse_args()
rng = random.Random(2026)
layout = json.load(open(args.layout))
serials = args.serials.split(",")
dpi = 200
px = dpi / 25.4
items = {}
for mark in layout["marks"]:
    items.setdefault(mark["item"], []).append(mark)
origins = layout["slips_on_a4"]

with tempfile.TemporaryDirectory() as folder:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", args.pdf, os.path.join(folder, "p")], check=True)
    pages = [Image.open(os.path.join(folder, name)).convert("L") for name in sorted(os.listdir(folder))]

truth = {}
for index, serial in enumerate(serials):
    sheet, slot = pages[index // 4], index % 4
    draw = ImageDraw.Draw(sheet)
    ox, oy = origins[slot]["x_mm"], origins[slot]["y_mm"]
    answers = {}
    for item, marks in items.items():
        if item != "overall" and rng.random() < 0.2:  # the first question is required
            answers[item] = None
            continue
        mark = rng.choice(marks)
        answers[item] = mark["code"]
        cx, cy, r = (ox + mark["x_mm"]) * px, (oy + mark["y_mm"]) * px, mark["r_mm"] * 0.85 * px
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=rng.randint(10, 60))
    truth[serial] = answers

os.makedirs(args.out, exist_ok=True)
a4 = pages[0].size
# The uncut sheet, turned and scaled as a scanner might.
first = pages[0].rotate(2, resample=Image.BICUBIC, expand=False, fillcolor=255)
first = first.resize((round(a4[0] * 0.98), round(a4[1] * 0.98)), Image.BICUBIC)
first.save(os.path.join(args.out, "sheet-1.png"))


def slip(index):
    ox, oy = origins[index % 4]["x_mm"], origins[index % 4]["y_mm"]
    box = (round(ox * px), round(oy * px), round((ox + layout["page"]["width_mm"]) * px), round((oy + layout["page"]["height_mm"]) * px))
    return pages[index // 4].crop(box)


slip(4).rotate(180).save(os.path.join(args.out, "slip-5.png"))
bed = Image.new("L", a4, 255)
bed.paste(slip(5), (round(40 * px), round(90 * px)))
bed.rotate(-3, resample=Image.BICUBIC, expand=False, fillcolor=255).save(os.path.join(args.out, "slip-6.png"))
json.dump(truth, open(os.path.join(args.out, "truth.json"), "w"), indent=1)
