#!/usr/bin/env bash
# The quick start's second command: install, build and run every test —
# unit tests, whole-run tests (determinism, exit codes, scenarios), and the
# same suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
#   scripts/test.sh            everything
#   scripts/test.sh --fast     skip the sanitizer pass
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
(cd build && ctest --output-on-failure -j"$jobs")
if [ "${1:-}" != "--fast" ]; then
  echo "== sanitizer pass (address, undefined) =="
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTWINBED_SANITIZE=ON -DTWINBED_WERROR=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  # SimGrid switches stacks between actors; ASan must not treat that as stack corruption.
  # Four tests are left to the plain pass: error_inside_simulation_exits_3 and the
  # three plugin tests whose plugin misbehaves inside ingest() (unknown sensor,
  # foreign record, failed ingest) throw an exception inside an actor, and ASan
  # cannot follow an exception across SimGrid's hand-switched stacks
  # (google/sanitizers#189: it reports a false stack-buffer-overflow or
  # stack-use-after-scope). SimGrid's thread contexts avoid that but deadlock
  # on this path in 3.32. Every other test runs under the sanitizers.
  (cd build-asan && ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=0 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$jobs" \
       -E '^(error_inside_simulation_exits_3|plugin_misbehaving_(unknown_sensor|foreign_record|fail_ingest)_exits_2)$')
fi
