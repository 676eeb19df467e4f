#!/usr/bin/env bash
# run-tests.sh: installs what Wardwatch needs, builds it and runs every test,
# in stages, each in its own build directory:
#
#   main      the default build (_build) and its whole suite
#   noui      -Dui=false (_build-noui): the core, the CLI and the headless
#             program without GTK, and every test that needs no window
#   asan      AddressSanitizer + UndefinedBehaviorSanitizer (_build-asan)
#             and the whole suite under them (see ASAN_SKIP below)
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
#   and flatpak in the background beside them (the CI run); asan runs when
#   named (--stage=asan).  MESON-TEST-ARGS
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

all_stages="main noui asan valgrind fuzz bench flatpak"
# What runs without --stage: the stages that pass within CI's time.  asan
# (a second full build and the whole suite under ASan and UBSan, about
# 25 minutes on 2 cores) runs when named.
#
# flatpak (issue #12) runs in the default run, in the background from the
# start at nice 19 and idle I/O priority (flatpak_start_background), and
# is collected last.  Its cold run (nothing cached) was cut from 2 to 1
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
# asan is not in the default run yet (issue #14).  Its first partial run
# (unit and integration suites, on a 2-core machine shared by eight
# builds, load about 20) found four bugs, fixed: a leak in the FHIR sync
# (the reason of every batch entry the server refused for good), an int
# overflow (UBSan) and two leaks in the tests; and fontconfig's caches
# held by Pango and cairo, suppressed (lsan.supp says why).  What else
# failed there failed on time, not on a report:
# the tests that count what a real-time run achieves (test-headless's
# message count, test-mqtt, test-mqtt-sigkill, test-mqtt-tls) and two
# unit tests over their timeout even multiplied by 4 (test-engine,
# test-simulator).  The plan, once it has passed whole on an unloaded
# machine: build noui with -Db_sanitize=address,undefined (one build
# for noui and the sanitizers, the suite run once), the real-time tests
# above left to main's plain run; UBSan already halts on its first
# finding (meson.build: -fno-sanitize-recover=undefined).
default_stages="main noui valgrind fuzz bench flatpak"
stages="$default_stages"
test_args=()
for arg in "$@"; do
  case "$arg" in
    --stage=*) stages="${arg#--stage=}"; stages="${stages//,/ }" ;;
    --help|-h) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# Suites the asan stage leaves out, and why.  Neither runs Wardwatch's C:
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

# The -Dui=false build (_build-noui, gcc, as a distribution without GTK
# would build it) and its whole suite: every test but the window's.  Not
# under the sanitizers: the demo and action tests measure throughput at
# real time, which ASan's slowdown (and libFuzzer's coverage) would fail.
stage_noui () {
  local dir="${main_build}-noui"
  { setup "$dir" -Dui=false && ninja -C "$dir"; } || { build_failed; return; }
  run_suite "$dir" --no-suite fhir-server
}

stage_asan () {
  local dir="${main_build}-asan"
  { setup "$dir" -Db_sanitize=address,undefined && ninja -C "$dir"; } || { build_failed; return; }
  local skip=()
  for t in "${ASAN_SKIP[@]}"; do skip+=(--no-suite "$t"); done
  ( sanitizer_env
    run_suite "$dir" --timeout-multiplier 4 "${skip[@]}" )
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
# start, at the lowest CPU and I/O priority, while they run (its cold run
# is mostly compiling and unpacking, which the test stages' idle moments
# absorb); stage_flatpak, last, collects it.  It runs in a session of its
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

flatpak_start_background
status=0
for stage in $stages; do
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
