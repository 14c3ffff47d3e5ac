#!/usr/bin/env bash
# A predictive-maintenance study: same file, same seed => byte-identical
# report.json; a different seed must change it (the check can fail).
#   pdm_determinism.sh TWINBED STUDY WORKDIR
set -eu
tb=$1; study=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
"$tb" pdm-study "$study" --out "$work/a" -q || true
"$tb" pdm-study "$study" --out "$work/b" -q || true
"$tb" pdm-study "$study" --out "$work/c" --seed 4242 -q || true
test -s "$work/a/report.json"
cmp "$work/a/report.json" "$work/b/report.json"
if cmp -s "$work/a/report.json" "$work/c/report.json"; then
  echo "a different seed produced the same report: the seed is not reaching the streams" >&2
  exit 1
fi
echo "identical report.json for one seed; a different seed differs"
