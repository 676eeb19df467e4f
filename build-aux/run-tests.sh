#!/usr/bin/env bash
# run-tests.sh: installs what Wardwatch needs, builds it and runs every test,
# in stages, each in its own build directory:
#
#   main      the default build (_build) and its whole suite
#   noui      -Dui=false (_build-noui): the core, the CLI and the headless
#             program without GTK, and every test that needs no window
#   noui-asan -Dui=false (_build-noui-asan) under AddressSanitizer,
#             LeakSanitizer and UndefinedBehaviorSanitizer, and every test
#             that needs no window under them (see ASAN_SKIP below)
#   ui-asan   the sanitized UI build (_build-asan), only what the tests
#             the -Dui=false build lacks need (tests/ui: the window's, the
#             alarm logic's, the AT-SPI runs), and those tests under the
#             sanitizers: with noui-asan, every test once sanitized
#   asan      the whole suite in _build-asan under the sanitizers
#   valgrind  memcheck on `wardwatch --headless --demo` from _build for a
#             bounded time: no memory error, no definite leak
#   fuzz      every tests/fuzz target of _build-fuzz (clang, libFuzzer,
#             ASan and UBSan, -Dui=false) for a bounded time on its corpus
#             (FUZZ_SECONDS each)
#   bench     the benchmarks' quick run (bench/run --quick)
#   flatpak   the Flatpak manifest built and run in a real sandbox against
#             a stand-in runtime from Debian packages
#             (build-aux/flatpak-test.sh): each of its checks is a result
#
# Usage: build-aux/run-tests.sh [--stage=STAGE[,STAGE...]] [MESON-TEST-ARGS...]
#   Without --stage: main, noui, valgrind, fuzz and bench, in that order,
#   and flatpak in the background beside the last three (the CI run); the others
#   run when named (--stage=noui-asan,ui-asan).  MESON-TEST-ARGS
#   go to each stage's `meson test` (e.g. a test name).
#   FUZZ_SECONDS=600 build-aux/run-tests.sh --stage=fuzz is the longer fuzz
#   run; VALGRIND_SECONDS sets the valgrind stage's demo time.
#
# Ends with one line "N passed, N failed, N skipped", the test cases of all
# the stages that ran (build-aux/count-tests.py), after the failures by
# stage and name, and exits non-zero when any failed.
set -uo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"

all_stages="main noui noui-asan ui-asan asan valgrind fuzz bench flatpak"
# What runs without --stage: the stages that pass within CI's time.
# flatpak (issue #12) runs in the default run, in the background at nice
# 19 and idle I/O priority (flatpak_start_background) from the end of the
# test suites (main and noui) on, and is collected last.  Started with
# them, it loaded the machine while they ran, and test-two-stations'
# race of two accepts failed once so (a race the care sharing still
# has under load, issue #16); the stages after them (valgrind, fuzz,
# bench) judge no timing.  A cold run in the background measured
# 1,349 s wall (stand-in 399 s, manifest-builds 675 s, the sandboxed
# runs 11 s + the window's 20 s), on a fresh clone of this tree.  Its cold run (nothing cached) was cut from 2 to 1
# debootstraps, an uncompressed ostree repository, and XGBoost as a unity
# build.  Measured cold, in CPU seconds (user + sys; the machine was
# shared, so wall time says little), by build-aux/flatpak-test.sh's own
# figures:
#   the stand-in runtime, before: 469 CPU-s (download 71, debootstrap of
#     the Platform 74 and of the Sdk 154, export 41 + 106 to an archive
#     repository, install 8 + 11), 4,003 s wall at load 20;
#   now: 203 CPU-s (download of the 537 packages, 323 MB: 43; debootstrap
#     of the Platform 67; the Sdk's packages added to its root 45; export
#     10 + 24; install 2 + 5), 2,342 s wall at load 20: about 100 s on 2
#     idle cores plus the download;
#   the modules: XGBoost, most of flatpak-builder's 836 s (wall, loaded)
#     before, is a unity build: 19 build steps instead of 82.  Each
#     module's wall time is in the stage's output (manifest-builds); its
#     CPU seconds are not (bwrap's sandbox hides them from `times`), and
#     the modules' cold cost after the cut is not measured yet.
#
# The sanitizers (issue #14), planned for the default run as two
# stages that replace noui: noui-asan, the -Dui=false build with
# -Db_sanitize=address,undefined (one build and one run of the suite for
# "built and tested without GTK" and for the sanitizers), and ui-asan,
# the tests only the UI build has, in a sanitized UI build of only what
# they need.  Every test would run once plain (main) and once under
# ASan, LSan and UBSan.  They are not in the default run yet: their
# first runs still fail (below), and a failing stage would fail CI.
#
# Measured on the shared 2-core machine (load 18-26 from six other
# engineers' builds, so wall time says little; user+sys CPU seconds / 2
# is the idle estimate).  noui-asan's cold build (gcc, CCACHE_DISABLE=1,
# the whole -Dui=false tree, 396 steps): 272 s user + 38 s sys = 310 CPU
# seconds, about 2.6 minutes on an idle 2-core machine.  Under ASan
# test-simulator took 8.0 s of CPU with the fast unwinder against 1.7 s
# plain, and a 0.56 s part of it 16.3 s with fast_unwind_on_malloc=0
# (29 times): run_sanitized_suite says why the suites unwind the fast way.
#
# What still fails under noui-asan (first run, load 25):
#   test-simulator  GLib's g_set_user_dirs() keeps the old XDG paths of
#                   each G_TEST_OPTION_ISOLATE_DIRS test on purpose (a
#                   caller may still hold them); with the fast unwinder
#                   the leak's stack ends at g_malloc, so no suppression
#                   can name it.  Needs a way to suppress it that does not
#                   hide our own g_malloc leaks.
#   test-mqtt-tls   68 bytes in 4 blocks, stack ending at g_malloc (the
#                   same GLib paths, most likely; unconfirmed).
#   test-bed-tile   (ui-asan, the one UI test run so far) 128 bytes from
#                   realloc in a module unloaded before the report.
#   test-headless   the 2-hour demo at 1800x made 8,569 of 11,200
#                   messages in its 300 s bound (it ends on the ward's
#                   clock; the bound is only for a run that never gets
#                   there): the bound now scales with the timeouts.
#                   Rerun so (load 25), the test took 711 s of its 720 and
#                   its MQTT case waited 60 s in vain for wardwatch's
#                   SUBSCRIBE in the broker's log (it passes plain):
#                   unexplained yet.
# test-engine, test-mqtt and test-mqtt-sigkill pass (the first two were
# over time before; sigkill sent SIGTERM to a wardwatch still starting,
# now it waits for the restarted one to connect).
default_stages="main noui valgrind fuzz bench flatpak"
stages="$default_stages"
test_args=()
for arg in "$@"; do
  case "$arg" in
    --stage=*) stages="${arg#--stage=}"; stages="${stages//,/ }" ;;
    --help|-h) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
    *) test_args+=("$arg") ;;
  esac
done
for stage in $stages; do
  case " $all_stages " in
    *" $stage "*) ;;
    *) echo "run-tests: no stage \"$stage\" (stages: $all_stages)" >&2; exit 2 ;;
  esac
done

build-aux/install-deps.sh || exit 1

main_build="${WARD_BUILD_DIR:-_build}"
fuzz_seconds="${FUZZ_SECONDS:-25}"
valgrind_seconds="${VALGRIND_SECONDS:-60}"
# Each stage leaves its results here, as meson testlog.json lines
# (STAGE.json, emptied when the stage starts).
results="$main_build/ci-results"
mkdir -p "$results"
logs=()
timings=()

# Suites the sanitizer stages (noui, ui-asan, asan) leave out, and why.  Neither runs Wardwatch's C:
#   fhir-server  the Node test server's own tests (JavaScript only; the C
#                talking to that server runs in the integration suite)
#   data         desktop-file-validate, appstreamcli, glib-compile-schemas
# A suite too slow under the sanitizers would go here, with its reason.
ASAN_SKIP=(fhir-server data)

# A test case of a stage's own (not a meson test) into its results, in
# meson's testlog format: NAME RESULT(OK|FAIL|SKIP) STDOUT-FILE.
record () {
  /usr/bin/python3 -c '
import json, sys
name, result, path = sys.argv[1:4]
text = open(path, encoding="utf-8", errors="replace").read() if path else ""
print(json.dumps({"name": name, "result": result, "stdout": text[-20000:]}))
' "$1" "$2" "${3:-}" >> "$results/$stage.json"
}

# setup DIR [MESON-OPTIONS...]: configures DIR (again, if it exists) with
# the options and builds it.
setup () {
  local dir="$1"; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}

# run_suite DIR [MESON-TEST-OPTIONS...]: the stage's meson test; its log
# becomes the stage's results.
run_suite () {
  local dir="$1"; shift
  local status=0
  meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" "${test_args[@]}" || status=$?
  if [ -f "$dir/meson-logs/testlog.json" ]; then
    cat "$dir/meson-logs/testlog.json" >> "$results/$stage.json"
  fi
  return $status
}

build_failed () {
  echo "run-tests: $stage: the build failed" >&2
  printf 'the %s build failed; see its output above\n' "$stage" > "$results/$stage.out"
  record "build" FAIL "$results/$stage.out"
}

stage_main () {
  { setup "$main_build" && ninja -C "$main_build"; } || { build_failed; return; }
  run_suite "$main_build"
}

# The -Dui=false build, with clang, libFuzzer and the sanitizers: the noui
# stage builds and tests it, the fuzz stage runs its fuzzers.
fuzz_build="${main_build}-fuzz"
setup_fuzz_build () {
  CC=clang setup "$fuzz_build" -Dui=false -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false
}

sanitizer_env () {
  # Every finding fails: UBSan's too (it only prints by default).  GLib's
  # slice allocator would hide blocks from ASan: plain malloc.  The slow
  # unwinder follows stacks through GLib and json-glib (built without frame
  # pointers), so that a report names our caller and the suppressions
  # (third-party leaks only, each with its reason) can match.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:malloc_context_size=40:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$top/build-aux/lsan.supp:print_suppressions=0"
  export G_SLICE=always-malloc
}

# The sanitizer stages' time: meson's timeouts and the tests' own bounds
# on waiting for a condition (WARD_TEST_TIMEOUT_MULTIPLIER, read by
# ward_test_timeout_msec() in tests/lib) are multiplied by this.  A test
# waits for what users rely on, never for what a fixed time achieved, so
# a slower build only takes longer.
sanitizer_timeouts=4

# run_sanitized_suite DIR [MESON-TEST-OPTIONS...]: run_suite under the
# sanitizers, without the suites in ASAN_SKIP.  Unlike the fuzzers, the
# suite unwinds each allocation's stack the fast way (frame pointers):
# the slow unwinder on every malloc made GLib-heavy tests tens of times
# slower (test-simulator did not finish in 15 minutes, against 17 s
# plain).  A leak is still found and fails its test, its stack only
# shorter where GLib has no frame pointers; the fontconfig suppression
# still matches (its blocks are allocated in libfontconfig itself).  To
# read a leak's whole stack, rerun that test with
# ASAN_OPTIONS=fast_unwind_on_malloc=0.
run_sanitized_suite () {
  local dir="$1"; shift
  local skip=()
  for t in "${ASAN_SKIP[@]}"; do skip+=(--no-suite "$t"); done
  ( sanitizer_env
    ASAN_OPTIONS="${ASAN_OPTIONS/fast_unwind_on_malloc=0/fast_unwind_on_malloc=1}"
    export WARD_TEST_TIMEOUT_MULTIPLIER=$sanitizer_timeouts
    run_suite "$dir" --timeout-multiplier $sanitizer_timeouts "${skip[@]}" "$@" )
}

# The -Dui=false build (_build-noui, gcc, as a distribution without GTK
# would build it) and its whole suite: every test but the window's.  Not
# under the sanitizers: the demo and action tests measure throughput at
# real time, which ASan's slowdown (and libFuzzer's coverage) would fail.
stage_noui () {
  local dir="${main_build}-noui"
  { setup "$dir" -Dui=false && ninja -C "$dir"; } || { build_failed; return; }
  run_suite "$dir" --no-suite fhir-server
}

# The same -Dui=false build under the sanitizers (_build-noui-asan), and
# its whole suite under them.
noui_build="${main_build}-noui-asan"
setup_noui_build () {
  setup "$noui_build" -Dui=false -Db_sanitize=address,undefined
}

stage_noui-asan () {
  { setup_noui_build && ninja -C "$noui_build"; } || { build_failed; return; }
  run_sanitized_suite "$noui_build"
}

asan_build="${main_build}-asan"
setup_asan_build () {
  setup "$asan_build" -Db_sanitize=address,undefined
}

# The tests the -Dui=false build lacks (build-aux/ui-only-tests.py
# compares the two builds' test lists; _build-noui-asan is configured for
# it if need be), under the sanitizers in _build-asan, which builds only
# what they need: not the unit and integration tests, which noui-asan
# runs.  With MESON-TEST-ARGS (a test's name) it builds the whole of
# _build-asan and passes them on, as asan does.
stage_ui-asan () {
  { setup_asan_build && { [ -f "$noui_build/build.ninja" ] || setup_noui_build; }; } ||
    { build_failed; return; }
  if [ ${#test_args[@]} -gt 0 ]; then
    ninja -C "$asan_build" || { build_failed; return; }
    run_sanitized_suite "$asan_build"
    return
  fi
  local tests=() targets=()
  mapfile -t tests < <(build-aux/ui-only-tests.py tests "$asan_build" "$noui_build")
  mapfile -t targets < <(build-aux/ui-only-tests.py targets "$asan_build" "$noui_build")
  { [ ${#tests[@]} -gt 0 ] && [ ${#targets[@]} -gt 0 ] && ninja -C "$asan_build" "${targets[@]}"; } ||
    { build_failed; return; }
  run_sanitized_suite "$asan_build" --no-rebuild "${tests[@]}"
}

stage_asan () {
  { setup_asan_build && ninja -C "$asan_build"; } || { build_failed; return; }
  run_sanitized_suite "$asan_build"
}

stage_valgrind () {
  { setup "$main_build" && ninja -C "$main_build" src/wardwatch; } || { build_failed; return; }
  local tmp out status=0
  tmp="$(mktemp -d)"
  out="$results/valgrind.out"
  # The demo as a user runs it, with the demo model, for a bounded time.
  # Definite leaks and memory errors fail; the suppressions (one per
  # third-party library, each with its reason) are in valgrind.supp.
  G_SLICE=always-malloc G_DEBUG=gc-friendly \
  WARDWATCH_MODEL_DIR="$top/data/models" \
  GSETTINGS_BACKEND=memory \
    timeout --kill-after=60 $((valgrind_seconds * 3 + 300)) \
    valgrind --tool=memcheck --error-exitcode=99 --exit-on-first-error=no \
      --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
      --track-origins=yes --num-callers=30 \
      --suppressions="$top/build-aux/valgrind.supp" --gen-suppressions=all \
      "$main_build/src/wardwatch" --headless --demo --duration "$valgrind_seconds" \
      --db "$tmp/demo.db" > "$out" 2>&1 || status=$?
  rm -rf "$tmp"
  if [ $status -eq 0 ] && grep -q "ERROR SUMMARY: 0 errors" "$out"; then
    record "memcheck wardwatch --headless --demo" OK "$out"
  else
    tail -n 200 "$out" >&2
    echo "run-tests: valgrind: exit status $status (full report: $out)" >&2
    record "memcheck wardwatch --headless --demo" FAIL "$out"
  fi
}

stage_fuzz () {
  local dir="$fuzz_build"
  local fuzzers=()
  mapfile -t fuzzers < <(sed -n "s/^fuzzers = \[\(.*\)\]/\1/p" tests/fuzz/meson.build | tr ',' '\n' | tr -d "' ")
  local targets=()
  for f in "${fuzzers[@]}"; do targets+=("tests/fuzz/fuzz-$f"); done
  { setup_fuzz_build && ninja -C "$dir" "${targets[@]}"; } || { build_failed; return; }
  # Two at a time (2 cores), each on a copy of its corpus: what a run
  # finds lands in $dir/fuzz-runs/NAME/, the checked-in corpus stays as it is.
  local running=0
  for f in "${fuzzers[@]}"; do
    (
      sanitizer_env
      work="$dir/fuzz-runs/$f"
      rm -rf "$work"; mkdir -p "$work/corpus" "$work/artifacts"
      "$dir/tests/fuzz/fuzz-$f" -max_total_time="$fuzz_seconds" -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" "$top/tests/fuzz/corpus/$f" > "$work/log" 2>&1
      echo $? > "$work/status"
    ) &
    running=$((running + 1))
    if [ $running -ge 2 ]; then wait -n; running=$((running - 1)); fi
  done
  wait
  for f in "${fuzzers[@]}"; do
    local work="$dir/fuzz-runs/$f"
    if [ "$(cat "$work/status")" = 0 ]; then
      record "fuzz-$f ${fuzz_seconds}s" OK "$work/log"
    else
      tail -n 60 "$work/log" >&2
      echo "run-tests: fuzz-$f found a failure: $work/artifacts/" >&2
      record "fuzz-$f ${fuzz_seconds}s" FAIL "$work/log"
    fi
  done
}

stage_bench () {
  bench/run --build-dir "$main_build" --quick --results "$results/$stage.json"
}

# The flatpak stage with other stages runs in the background from the
# first stage that is not a test suite (main, noui) on, at the lowest CPU
# and I/O priority (its cold run is mostly compiling and unpacking, which
# the other stages' idle moments absorb); stage_flatpak, last, collects
# it.  It runs in a session of its
# own, not as a job of this shell: a stage's `wait` must not wait for it,
# and an early exit stops its whole process group.
flatpak_out="$results/flatpak.out"
flatpak_exit="$results/flatpak.exit"
flatpak_pid=""
flatpak_start_background () {
  case " $stages " in *" flatpak "*) ;; *) return 0 ;; esac
  [ "$stages" != flatpak ] || return 0
  rm -f "$flatpak_exit"
  flatpak_started=$(date +%s)
  flatpak_pid="$(setsid bash -c 'nice -n 19 ionice -c 3 build-aux/flatpak-test.sh > "$1" 2>&1
                                 echo $? > "$2"' flatpak-test "$flatpak_out" "$flatpak_exit" \
                   < /dev/null > /dev/null 2>&1 & echo $!)"
  echo "run-tests: flatpak: started in the background (pid $flatpak_pid, nice 19, idle I/O)" >&2
  trap 'if [ -n "$flatpak_pid" ] && [ ! -f "$flatpak_exit" ]; then kill -- -"$flatpak_pid" 2>/dev/null; fi' EXIT
}

# The Flatpak's checks (build-aux/flatpak-test.sh prints one TAP line each,
# with its comment lines after it) as results of their own: count-tests.py
# names a failure "flatpak: manifest-builds" and so on.  Its cache (the
# stand-in runtime, sources and flatpak-builder's state) is outside the
# clone and reused.
stage_flatpak () {
  local out="$flatpak_out" status=0
  if [ -n "$flatpak_pid" ]; then
    echo "run-tests: flatpak: waiting for its background run" >&2
    while [ ! -f "$flatpak_exit" ] && kill -0 "$flatpak_pid" 2>/dev/null; do sleep 5; done
    status="$(cat "$flatpak_exit" 2>/dev/null || echo 1)"
    echo "run-tests: flatpak: its background run took $(( $(date +%s) - flatpak_started ))s" >&2
  else
    build-aux/flatpak-test.sh > "$out" 2>&1 || status=$?
  fi
  cat "$out" >&2
  /usr/bin/python3 - "$out" "$status" >> "$results/$stage.json" <<'EOF'
import json, re, sys
path, status = sys.argv[1], int(sys.argv[2])
checks = []
for line in open(path, encoding='utf-8', errors='replace'):
    match = re.match(r'^(not ok|ok) \d+ - ([\w-]+)(.*)$', line)
    if match:
        result = 'FAIL' if match.group(1) == 'not ok' else \
            'SKIP' if '# SKIP' in match.group(3) else 'OK'
        checks.append({'name': match.group(2), 'result': result, 'stdout': line})
    elif checks and line.startswith('#'):
        checks[-1]['stdout'] += line
if not checks or (status != 0 and all(c['result'] != 'FAIL' for c in checks)):
    # It stopped before (or outside) its checks.
    checks.append({'name': 'flatpak-test.sh', 'result': 'FAIL',
                   'stdout': open(path, encoding='utf-8', errors='replace').read()[-20000:]})
for check in checks:
    print(json.dumps(check))
EOF
  return $status
}

status=0
for stage in $stages; do
  case "$stage" in
    main|noui) ;;
    *) [ -n "$flatpak_pid" ] || flatpak_start_background ;;
  esac
  echo "run-tests: stage $stage" >&2
  start=$(date +%s)
  : > "$results/$stage.json"
  "stage_$stage" || status=1
  end=$(date +%s)
  timings+=("$stage $((end - start))s")
  logs+=("$stage=$results/$stage.json")
done

echo "run-tests: stage times: ${timings[*]}" >&2
/usr/bin/python3 build-aux/count-tests.py "${logs[@]}" > "$results/count" || status=1
# A failure count above zero fails the run even where meson's did not.
grep -q " 0 failed," "$results/count" || status=1
cat "$results/count"
exit $status
