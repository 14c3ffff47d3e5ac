#!/usr/bin/env bash
# Configures and builds twinbed into ./build (Release, warnings as errors).
# Re-running it only rebuilds what changed (ccache keeps recompiles cheap).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTWINBED_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
