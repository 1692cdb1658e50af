#!/usr/bin/env bash
# Compares `sipas analyze --json` with R's survey package on generated data:
# several units, missing answers, a unit with one respondent, weights with fpc, groups, both interval methods.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product sipas >/dev/null
sipas=$(swift build --show-bin-path)/sipas
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check() {  # questionnaire data method [populations] [--by ...]
  local q=$1 data=$2 method=$3 pops=${4:-}
  shift 4 || shift $#
  local popargs=()
  if [ -n "$pops" ]; then IFS=, read -ra kv <<<"$pops"; for p in "${kv[@]}"; do popargs+=(--population "$p"); done; fi
  "$sipas" analyze --questionnaire "$q" --input "$data" --ci "$method" "${popargs[@]}" "$@" --json >"$work/out.json"
  Rscript scripts/crosscheck/survey-crosscheck.R "$data" "Questionnaires/$q.yaml" "$work/out.json" "$method" "$pops"
}
"$sipas" generate --questionnaire sipas-2023 --count 800 --units 4 --missing 0.08 --satisfaction 0.82 --seed 11 --out "$work/a.csv" 2>/dev/null
# A fifth unit with a single respondent.
tail -n 1 "$work/a.csv" | sed 's/^XA0[0-9]-[0-9]*,XA0[0-9]/LONE-1,XA99/' >>"$work/a.csv"
check sipas-2023 "$work/a.csv" logit "" --by field --by gender
check sipas-2023 "$work/a.csv" beta ""
check sipas-2023 "$work/a.csv" logit "XA01=900,XA02=450,XA03=1200,XA04=300,XA99=5" --by unit
"$sipas" generate --questionnaire sipas-2017 --count 500 --units 3 --missing 0.05 --seed 12 --out "$work/b.csv" 2>/dev/null
check sipas-2017 "$work/b.csv" logit "" --by channel
"$sipas" generate --questionnaire counter-quick --count 400 --units 2 --satisfaction 0.93 --seed 13 --out "$work/c.csv" 2>/dev/null
check counter-quick "$work/c.csv" beta "" --by field
