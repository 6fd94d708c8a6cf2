#!/usr/bin/env bash
# Prints the sha256 of every file `check` writes, for the demo register (all four output
# formats, both languages) and for a generated 100,000-household register, so that two
# builds can be compared byte for byte:
#   scripts/check-bytes.sh old/tuopin > old.txt; scripts/check-bytes.sh target/release/tuopin > new.txt
#   diff old.txt new.txt
# Run from the repository root. SOURCE_DATE_EPOCH pins the workbook's timestamp.
set -euo pipefail
bin=$(realpath "${1:-target/release/tuopin}")
# A fixed folder: summary.json names the register folder it read.
work=/tmp/tuopin-check-bytes
rm -rf "$work" && mkdir -p "$work"
export SOURCE_DATE_EPOCH=1700000000
run() { # name, then check's arguments
  local name=$1; shift
  "$bin" check --out "$work/$name" "$@" >"$work/$name.stdout" 2>&1 || echo "exit $? for $name"
  (cd "$work/$name" && find . -type f ! -name '.tuopin-*' | sort | xargs sha256sum | sed "s|  ./|  $name/|")
}
for f in parquet csv xlsx; do
  run "demo-$f" --data fixtures/demo --year 2020 --format "$f"
  run "demo-$f-en" --lang en --data fixtures/demo --year 2020 --format "$f"
done
run demo-2019 --data fixtures/demo --year 2019 --format csv
run demo-rows --data fixtures/demo --year 2020 --format csv --engine rows
"$bin" gen --households 100000 --seed 7 --out "$work/reg100k" >/dev/null 2>&1
run big --data "$work/reg100k" --year 2020 --format csv
run big-parquet --data "$work/reg100k" --year 2020
"$bin" gen --households 20000 --seed 3 --faults 0.02 --out "$work/reg-faulty" >/dev/null 2>&1
run faulty --data "$work/reg-faulty" --year 2020 --format csv --skip-invalid
run faulty-en --lang en --data "$work/reg-faulty" --year 2020 --format csv --skip-invalid
"$bin" gen --households 20000 --seed 5 --by-county --out "$work/reg-counties" >/dev/null 2>&1
run by-county --data "$work/reg-counties" --year 2020
