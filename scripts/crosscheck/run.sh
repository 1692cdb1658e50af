#!/usr/bin/env bash
# Compares `sipas analyze --json` with R's survey package on generated data: several units, missing
# answers, a unit with one respondent, weights with fpc, groups as domains of the whole design (one
# of them a single form, weighted ones too), every interval method for composites (the default, beta-capped, among them) and criteria, and
# the change between two periods, and the province's consolidation of its communes.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product sipas >/dev/null
sipas=$(swift build --show-bin-path)/sipas
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check() {  # questionnaire data composite-method criterion-method populations [--by ...]
  local q=$1 data=$2 method=$3 criterion=$4 pops=$5
  shift 5
  local popargs=()
  if [ -n "$pops" ]; then IFS=, read -ra kv <<<"$pops"; for p in "${kv[@]}"; do popargs+=(--population "$p"); done; fi
  "$sipas" analyze --questionnaire "$q" --input "$data" --ci "$method" --criterion-ci "$criterion" "${popargs[@]}" "$@" --json >"$work/out.json"
  Rscript scripts/crosscheck/survey-crosscheck.R "$data" "Questionnaires/$q.yaml" "$work/out.json" "$method" "$criterion" "$pops"
}
"$sipas" generate --questionnaire sipas-2023 --count 800 --units 4 --missing 0.08 --satisfaction 0.82 --seed 11 --out "$work/a.csv" 2>/dev/null
# A fifth unit with a single respondent, and a field with a single form (in XA02, half its answers blank).
tail -n 1 "$work/a.csv" | sed 's/^XA0[0-9]-[0-9]*,XA0[0-9]/LONE-1,XA99/' >>"$work/a.csv"
grep -m 1 '^XA02-' "$work/a.csv" | awk -F, -v OFS=, '{ $1 = "ONE-1"; $5 = "mot-phieu"; for (i = 13; i <= 40; i += 2) $i = ""; print }' >>"$work/a.csv"
pops="XA01=900,XA02=450,XA03=1200,XA04=300,XA99=5"
check sipas-2023 "$work/a.csv" beta-capped exact "" --by field --by gender
check sipas-2023 "$work/a.csv" beta logit "" --by field
check sipas-2023 "$work/a.csv" logit beta "" --by channel
check sipas-2023 "$work/a.csv" beta-capped wilson "$pops" --by field
check sipas-2023 "$work/a.csv" beta exact "$pops" --by channel --by gender
check sipas-2023 "$work/a.csv" logit logit "$pops" --by channel
"$sipas" generate --questionnaire sipas-2017 --count 500 --units 3 --missing 0.05 --seed 12 --out "$work/b.csv" 2>/dev/null
check sipas-2017 "$work/b.csv" beta-capped wilson "" --by channel
# A unit whose every dossier was surveyed (fpc 0) and weighted domains.
check sipas-2017 "$work/b.csv" logit beta "XA01=$(grep -c '^XA01-' "$work/b.csv"),XA02=700,XA03=900" --by channel
"$sipas" generate --questionnaire counter-quick --count 400 --units 2 --satisfaction 0.93 --seed 13 --out "$work/c.csv" 2>/dev/null
check counter-quick "$work/c.csv" beta beta "" --by field
# Change between two periods (strata = period × unit; svycontrast on svyby(…, ~period)); one pair
# with a period under 30 forms.
change() {  # questionnaire now previous
  "$sipas" analyze --questionnaire "$1" --input "$2" --compare-to "$3" --json >"$work/change.json"
  Rscript scripts/crosscheck/change-crosscheck.R "$2" "$3" "Questionnaires/$1.yaml" "$work/change.json"
}
"$sipas" generate --questionnaire sipas-2023 --count 600 --units 3 --missing 0.08 --satisfaction 0.85 --seed 21 --out "$work/now.csv" 2>/dev/null
"$sipas" generate --questionnaire sipas-2023 --count 400 --units 2 --missing 0.05 --satisfaction 0.8 --seed 22 --out "$work/before.csv" 2>/dev/null
change sipas-2023 "$work/now.csv" "$work/before.csv"
"$sipas" generate --questionnaire counter-quick --count 25 --units 1 --satisfaction 0.9 --seed 23 --out "$work/few.csv" 2>/dev/null
change counter-quick "$work/c.csv" "$work/few.csv"
# The province's consolidation (`sipas report` with a province profile): the province estimate is
# R's svydesign(ids = ~1, strata = ~unit[, fpc]) on every form of the expected units, with and
# without populations; each unit's row of the ranking is that unit's own analysis (as its commune
# report computes it, to 1e-12), which is itself checked against R.
province() {  # tag, then "XA01=900,…" or "" (no populations)
  local tag=$1 pops=$2 store="$work/tinh-$1.sqlite"
  declare -A pop=()
  if [ -n "$pops" ]; then IFS=, read -ra kv <<<"$pops"; for p in "${kv[@]}"; do pop[${p%%=*}]=${p#*=}; done; fi
  "$sipas" import --store "$store" --questionnaire sipas-2023 "$work/p.csv" >/dev/null
  {
    printf 'level: tỉnh\nunit: {code: TN, name: "Tỉnh Thái Nguyên"}\nperiod: 2026\nquestionnaire: sipas-2023\nunits:\n'
    for u in XA01 XA02 XA03 XA04 XA05; do
      printf '  - {code: %s, name: "Xã %s"%s}\n' "$u" "$u" "${pop[$u]:+, population: ${pop[$u]}}"
    done
  } >"$work/tinh.yaml"
  "$sipas" report --store "$store" --profile "$work/tinh.yaml" --out "$work/tinh.xlsx" --json >"$work/tinh.json"
  Rscript scripts/crosscheck/survey-crosscheck.R "$work/p.csv" Questionnaires/sipas-2023.yaml "$work/tinh.json" beta-capped wilson "$pops"
  for u in XA01 XA02 XA03 XA04 XA05; do
    { head -n 1 "$work/p.csv"; grep "^$u-" "$work/p.csv"; } >"$work/$u.csv"
    local args=()
    if [ -n "${pop[$u]:-}" ]; then args=(--population "$u=${pop[$u]}"); fi
    "$sipas" analyze --questionnaire sipas-2023 --input "$work/$u.csv" "${args[@]}" --json >"$work/$u.json"
    python3 - "$work/tinh.json" "$work/$u.json" "$u" <<'PY'
import json, sys
province, own, unit = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
row = next(r for r in province["ranking"] if r["unit"] == unit)
ix = next(i for i in own["indices"] if i["id"] == province["rank_on"])
diff = max(abs(row[k] - ix[k]) for k in ("value", "lower", "upper", "se"))
assert row["n"] == ix["n"] and diff <= 1e-12, f"{unit}: ranking row {row} differs from the unit's own analysis {ix}"
assert row["rank_lower"] <= row["rank"] <= row["rank_upper"], f"{unit}: rank {row['rank']} outside its interval"
print(f"province ranking row {unit}: equal to the unit's own analysis (largest |diff| {diff:.1e})")
PY
    Rscript scripts/crosscheck/survey-crosscheck.R "$work/$u.csv" Questionnaires/sipas-2023.yaml "$work/$u.json" beta-capped wilson "${pop[$u]:+$u=${pop[$u]}}"
  done
}
"$sipas" generate --questionnaire sipas-2023 --count 700 --units 5 --missing 0.06 --satisfaction 0.84 --seed 31 --out "$work/p.csv" 2>/dev/null
province plain ""
province weighted "XA01=900,XA02=450,XA03=1200,XA04=300,XA05=2000"
