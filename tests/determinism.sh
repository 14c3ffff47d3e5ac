#!/usr/bin/env bash
# Same scenario, same seed, same build => byte-identical report.json and
# identical trace datasets (h5diff compares every dataset and attribute).
# A different seed must change the report (the check can fail).
#   determinism.sh TWINBED SCENARIO WORKDIR
set -eu
tb=$1; scenario=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
"$tb" run "$scenario" --out "$work/a" -q || true
"$tb" run "$scenario" --out "$work/b" -q || true
"$tb" run "$scenario" --out "$work/c" --seed 4242 -q || true
cmp "$work/a/report.json" "$work/b/report.json"
h5diff "$work/a/trace.h5" "$work/b/trace.h5"
if cmp -s "$work/a/report.json" "$work/c/report.json"; then
  echo "a different seed produced the same report: the seed is not reaching the streams" >&2
  exit 1
fi
echo "identical report.json and trace datasets for one seed; a different seed differs"
