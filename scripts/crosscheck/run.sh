#!/usr/bin/env bash
# Compares `sipas analyze --json` with R's survey package on generated data: several units, missing
# answers, a unit with one respondent, weights with fpc, groups as domains of the whole design (one
# of them a single form, weighted ones too), every interval method for composites (the default, beta-capped, among them) and criteria, and
# the change between two periods.
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
