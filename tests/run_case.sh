#!/usr/bin/env bash
# Runs a command and checks its exit code and, optionally, a pattern in its
# standard output or standard error.
#   run_case.sh exit CODE [stdout REGEX] [stderr REGEX] -- COMMAND...
set -u
want_code=""; out_re=""; err_re=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    exit) want_code=$2; shift 2 ;;
    stdout) out_re=$2; shift 2 ;;
    stderr) err_re=$2; shift 2 ;;
    *) echo "run_case.sh: unknown argument $1" >&2; exit 99 ;;
  esac
done
shift
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
code=$?
status=0
if [ -n "$want_code" ] && [ "$code" != "$want_code" ]; then
  echo "expected exit code $want_code, got $code: $*"; status=1
fi
if [ -n "$out_re" ] && ! grep -Eq -- "$out_re" "$out"; then
  echo "standard output does not match /$out_re/"; status=1
fi
if [ -n "$err_re" ] && ! grep -Eq -- "$err_re" "$err"; then
  echo "standard error does not match /$err_re/"; status=1
fi
if [ $status -ne 0 ]; then
  echo "--- stdout"; head -50 "$out"; echo "--- stderr"; head -50 "$err"
fi
exit $status
