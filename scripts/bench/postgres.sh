#!/usr/bin/env bash
# Benchmark: the PostgreSQL store, same data, same run, on a throwaway cluster (scripts/pg/cluster.sh:
# loopback, fsync off for every command alike).
#   scripts/bench/postgres.sh [FORMS] [RUNS]      defaults: 1000000 3
# 1. Import: `sipas import --store postgres://…` of FORMS SIPAS 2023 forms (one CSV, every check,
#    one transaction) into an empty store, beside the floor: psql's `\copy` of the same CSV into a
#    table of as many text columns and nothing else (no parsing, no checks, no index).
#    Two more peers show where the floor's gap comes from: psql's `\copy` of the rows sipas stored
#    (exported once) into a table like `responses`, with the same indexes, keys and reference
#    check: what PostgreSQL itself needs to store those rows under the promises of the store,
#    (a) with its indexes kept row by row, and (b) as PostgreSQL advises for a bulk load and as
#    sipas does for a load larger than the store: the secondary indexes built after the copy, in
#    the same transaction.
# 2. Analysis: `sipas analyze --json` of those forms from PostgreSQL beside from SQLite (same
#    forms imported into both; the two outputs are compared byte for byte first).
# hyperfine medians; each import run starts from an empty database (hyperfine --prepare).
set -euo pipefail
cd "$(dirname "$0")/../.."
forms=${1:-1000000}; runs=${2:-3}
scripts/install-deps.sh --test --bench >/dev/null
swift build -c release --product sipas >/dev/null
sipas=$PWD/.build/release/sipas
dir=${BENCH_DIR:-/tmp/sipas-bench}/postgres-$forms
mkdir -p "$dir"
data=$dir/forms.csv
[ -s "$data" ] || "$sipas" generate --questionnaire sipas-2023 --count "$forms" --units 100 --seed 2026 --out "$data" 2>/dev/null
cluster=$(mktemp -d)
trap 'scripts/pg/cluster.sh stop "$cluster"' EXIT
url=$(scripts/pg/cluster.sh start "$cluster")
admin=${url%/*}/postgres
base=${url%/*}

# 1. Import beside COPY into a wide text table.
columns=$(head -1 "$data" | sed 's/^\xEF\xBB\xBF//' | tr ',' '\n' | awk '{printf "%s\"c_%s\" text", (NR>1 ? ", " : ""), $0}')
reset() { psql -q "$admin" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
reset bench_sipas
reset bench_copy
"$sipas" init --store "$base/bench_sipas" --unit XA00001 --name "Xã mẫu" >/dev/null
psql -q "$base/bench_copy" -c "CREATE TABLE wide ($columns)"
cat >"$dir/prepare-sipas.sh" <<EOF
psql -q "$admin" -c "DROP DATABASE IF EXISTS bench_sipas" -c "CREATE DATABASE bench_sipas" >/dev/null
"$sipas" init --store "$base/bench_sipas" --unit XA00001 --name "Xã mẫu" >/dev/null
EOF
hyperfine --runs "$runs" --export-json "$dir/import.json" \
  --prepare "bash $dir/prepare-sipas.sh" -n "sipas import (PostgreSQL)" "$sipas import --store $base/bench_sipas --questionnaire sipas-2023 $data" \
  --prepare "psql -q $base/bench_copy -c 'TRUNCATE wide'" -n "psql \\copy into a wide text table" \
  "psql -q $base/bench_copy -c \"\\\\copy wide FROM '$data' WITH (FORMAT csv, HEADER)\""
test "$(psql -qAt "$base/bench_sipas" -c 'SELECT count(*) FROM responses')" = "$forms"
test "$(psql -qAt "$base/bench_copy" -c 'SELECT count(*) FROM wide')" = "$forms"
psql -q "$base/bench_sipas" -c "\\copy responses TO '$dir/rows.copy'"
reset bench_like
"$sipas" init --store "$base/bench_like" --unit XA00001 --name "Xã mẫu" >/dev/null
"$sipas" import --store "$base/bench_like" --questionnaire sipas-2023 "$data" >/dev/null
psql -q "$base/bench_like" -c "CREATE TABLE like_responses (LIKE responses INCLUDING ALL)" \
  -c "ALTER TABLE like_responses ADD FOREIGN KEY (supersedes) REFERENCES responses(id), ADD FOREIGN KEY (superseded_by) REFERENCES responses(id)" \
  -c "CREATE TRIGGER like_references AFTER INSERT ON like_responses REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION sipas_responses_references()"
# (b): the same table with only the indexes sipas keeps during a bulk load; the others (named
# bulk_*, defined as the store's) built after the copy, in one transaction (psql -1).
kept="'responses_pkey', 'responses_batch', 'responses_idempotency', 'responses_kiosk_day'"
definitions() {  # the store's index definitions for bulk_responses: $1 = IN or NOT IN the kept ones
  psql -qAt "$base/bench_like" -c "SELECT replace(replace(indexdef, 'INDEX responses_', 'INDEX bulk_'), 'ON public.responses ', 'ON public.bulk_responses ') || ';'
    FROM pg_indexes WHERE tablename = 'responses' AND indexname <> 'responses_pkey' AND indexname $1 ($kept) ORDER BY indexname"
}
{
  echo "DROP TABLE IF EXISTS bulk_responses;"
  echo "CREATE TABLE bulk_responses (LIKE responses INCLUDING DEFAULTS INCLUDING CONSTRAINTS);"
  echo "ALTER TABLE bulk_responses ADD PRIMARY KEY (id), ADD FOREIGN KEY (supersedes) REFERENCES responses(id), ADD FOREIGN KEY (superseded_by) REFERENCES responses(id);"
  definitions IN
  echo "CREATE TRIGGER bulk_references AFTER INSERT ON bulk_responses REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sipas_responses_references();"
} >"$dir/prepare-bulk.sql"
{
  echo "\\copy bulk_responses FROM '$dir/rows.copy'"
  echo "SET LOCAL maintenance_work_mem = '256MB';"
  definitions "NOT IN"
} >"$dir/bulk-load.sql"
hyperfine --runs "$runs" --export-json "$dir/import-like.json" \
  --prepare "bash $dir/prepare-sipas.sh" -n "sipas import (PostgreSQL)" "$sipas import --store $base/bench_sipas --questionnaire sipas-2023 $data" \
  --prepare "psql -q $base/bench_like -c 'TRUNCATE like_responses'" -n "psql \\copy of the stored rows into a table like responses" \
  "psql -q $base/bench_like -c \"\\\\copy like_responses FROM '$dir/rows.copy'\"" \
  --prepare "psql -q -v ON_ERROR_STOP=1 $base/bench_like -f $dir/prepare-bulk.sql" -n "the same, its secondary indexes built after the copy" \
  "psql -q -v ON_ERROR_STOP=1 -1 $base/bench_like -f $dir/bulk-load.sql"
test "$(psql -qAt "$base/bench_like" -c 'SELECT count(*) FROM like_responses')" = "$forms"
test "$(psql -qAt "$base/bench_like" -c 'SELECT count(*) FROM bulk_responses')" = "$forms"
test "$(psql -qAt "$base/bench_like" -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'bulk_responses'")" = \
  "$(psql -qAt "$base/bench_like" -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'responses'")"

# 2. analyze from PostgreSQL beside from SQLite.
sqlite=$dir/store.sqlite
if [ ! -s "$sqlite" ]; then
  rm -f "$sqlite"*
  "$sipas" import --store "$sqlite" --questionnaire sipas-2023 "$data" >/dev/null
fi
"$sipas" analyze --store "$base/bench_sipas" --questionnaire sipas-2023 --json >"$dir/pg.json"
"$sipas" analyze --store "$sqlite" --questionnaire sipas-2023 --json >"$dir/sqlite.json"
cmp "$dir/pg.json" "$dir/sqlite.json" && echo "analyze --json: identical from both stores ($(wc -c <"$dir/pg.json") bytes)"
hyperfine --warmup 1 --runs "$runs" --export-json "$dir/analyze.json" \
  -n "analyze from PostgreSQL" "$sipas analyze --store $base/bench_sipas --questionnaire sipas-2023 --json" \
  -n "analyze from SQLite" "$sipas analyze --store $sqlite --questionnaire sipas-2023 --json"
python3 - "$dir/import.json" "$dir/import-like.json" "$dir/analyze.json" <<'EOF'
import json, sys
for path in sys.argv[1:]:
    r = json.load(open(path))["results"]
    a = r[0]
    for b in r[1:]:
        print(f"{a['command']}: {a['median']:.2f} s; {b['command']}: {b['median']:.2f} s; ratio {a['median'] / b['median']:.2f}×")
EOF
