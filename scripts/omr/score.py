#!/usr/bin/env python3
"""Scores `sipas scan --json` output against make_corpus.py's truth.json.

Counts answers (one per item and sheet, as a clerk would type them):
  clear      planted fill or blank: must be read as planted, not sent to review
  doubtful   planted light, half, double, tick, cross, circled or corrected mark: must be sent to review
An erased mark beside a fill counts as clear (the form allows rubbing out). Also prints, by
kind of mark, how many were planted and how many were flagged (kinds).
Prints JSON: clear, clear_right, clear_to_review, clear_wrong (read wrong, not flagged),
doubtful, doubtful_flagged, doubtful_unflagged (read as something, not flagged); answers on refused
sheets (clear_on_refused, doubtful_on_refused) and pages_refused.
Usage: score.py truth.json scan.json
       score.py --sum score1.json score2.json …   (adds up the scores of several corpora)
"""
import json
import sys

if sys.argv[1] == "--sum":
    total, kinds = {}, {}
    for path in sys.argv[2:]:
        score = json.load(open(path))
        for key, value in score.pop("kinds").items():
            for field, count in value.items():
                kinds.setdefault(key, {}).setdefault(field, 0)
                kinds[key][field] += count
        for key, value in score.items():
            total[key] = total.get(key, 0) + value
    total["kinds"] = kinds
    print(json.dumps(total, sort_keys=True))
    sys.exit(0)

truth = json.load(open(sys.argv[1]))
out = json.load(open(sys.argv[2]))
score = dict(clear=0, clear_right=0, clear_to_review=0, clear_wrong=0, clear_on_refused=0,
             doubtful=0, doubtful_flagged=0, doubtful_on_refused=0, doubtful_unflagged=0, pages_refused=len(out["refused"]))
read = {sheet["serial"]: sheet for sheet in out["sheets"]}
kinds = {}
for serial, planted in truth["sheets"].items():
    sheet = read.get(serial)
    flagged = {d["item"] for d in sheet["doubtful"]} if sheet else set()
    for item, value in planted["answers"].items():
        kind = planted.get("kinds", {}).get(item)
        if kind and sheet is not None:
            k = kinds.setdefault(kind, {"planted": 0, "flagged": 0, "read_right": 0})
            k["planted"] += 1
            k["flagged"] += item in flagged
            k["read_right"] += item not in flagged and sheet["answers"].get(item) == value
        if item in planted["doubtful"]:
            score["doubtful"] += 1
            if sheet is None:
                score["doubtful_on_refused"] += 1
            elif item in flagged:
                score["doubtful_flagged"] += 1
            else:
                score["doubtful_unflagged"] += 1
        else:
            score["clear"] += 1
            if sheet is None:
                score["clear_on_refused"] += 1
            elif item in flagged:
                score["clear_to_review"] += 1
            elif sheet["answers"].get(item) == value:
                score["clear_right"] += 1
            else:
                score["clear_wrong"] += 1
score["kinds"] = kinds
print(json.dumps(score, sort_keys=True))
