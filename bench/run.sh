#!/usr/bin/env bash
# Benchmark: the 10,000-device plant (10,000 sensors at 1 Hz, one simulated
# hour), plain and with a realistic fault mix (or the scenarios given as
# arguments). Prints one machine-readable line per scenario and run:
#   bench=plant_10k_devices wall_s=... samples_per_s=... messages_per_s=... sim_over_wall=... peak_rss_mib=...
# Target: wall_s < 10 on a 2-core machine. Wall-clock figures are noisy on
# shared machines: compare medians of several runs (BENCH_RUNS, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
tb=${TWINBED:-build/sim/twinbed}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(scenarios/plant_10k_devices.json scenarios/plant_10k_fault_mix.json)
runs=${BENCH_RUNS:-1}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
field() { grep -o "\"$1\": [0-9.e+-]*" "$out/run_stats.json" | head -1 | awk '{print $2}'; }
for scenario in "${scenarios[@]}"; do
  for i in $(seq "$runs"); do
    "$tb" run "$scenario" --out "$out" --no-trace -q || true
    printf 'bench=%s run=%d wall_s=%.3f samples_per_s=%.0f messages_per_s=%.0f sim_over_wall=%.1f peak_rss_mib=%.1f\n' \
      "$(basename "$scenario" .json)" "$i" "$(field wall_s)" "$(field samples_per_s)" "$(field messages_per_s)" \
      "$(field sim_over_wall)" "$(field peak_rss_mib)"
  done
done
