#!/usr/bin/env bash
# The quick start's first command: install what twinbed needs (Debian 12),
# build it, and run the bundled demo plant. Output lands in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build/sim/twinbed run scenarios/demo.json --out out/demo
