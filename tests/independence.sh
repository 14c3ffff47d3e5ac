#!/usr/bin/env bash
# Adding a fault to one device does not change any other device's draws:
# run the demo and the demo with extra faults on edge-2, then compare the
# ground-truth samples of edge-1 (identical) and of edge-2 (must differ, or
# the check could not fail).
#   independence.sh TWINBED SAMPLES_EQUAL DEMO VARIANT WORKDIR
set -eu
tb=$1; eq=$2; demo=$3; variant=$4; work=$5
rm -rf "$work"; mkdir -p "$work"
"$tb" run "$demo" --out "$work/base" -q || true
"$tb" run "$variant" --out "$work/variant" -q || true
"$eq" "$work/base/trace.h5" "$work/variant/trace.h5" edge-1
"$eq" "$work/base/trace.h5" "$work/variant/trace.h5" edge-worn
if "$eq" "$work/base/trace.h5" "$work/variant/trace.h5" edge-2; then
  echo "edge-2 has new faults but identical samples: the comparison cannot see a change" >&2
  exit 1
fi
