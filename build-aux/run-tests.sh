#!/usr/bin/env bash
# Installs what Wardwatch needs, builds it and runs every test.
# Ends with one line "N passed, N failed, N skipped" counting each test case.
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"
build-aux/install-deps.sh
build="${WARD_BUILD_DIR:-_build}"
if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" >/dev/null
else
  meson setup "$build"
fi
ninja -C "$build"
status=0
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || status=$?
/usr/bin/python3 build-aux/count-tests.py "$build/meson-logs/testlog.json"
exit $status
