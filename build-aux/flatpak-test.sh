#!/usr/bin/env bash
# flatpak-test.sh: proves flatpak/io.github.wardwatch.Wardwatch.json in a real
# Flatpak sandbox.  The GNOME runtime cannot be downloaded on the build
# machines, so the script makes a stand-in Platform and Sdk from Debian
# bookworm packages (debootstrap; the package lists are
# build-aux/flatpak/platform-packages.txt and sdk-packages.txt), builds the
# manifest's modules from the same pinned sources with flatpak-builder
# against it, and runs the app in the sandbox:
#
#   stand-in-runtime      the stand-in Platform and Sdk, made or reused
#   sources-pinned        every archive of the manifest brought in and its
#                         sha256 checked: Debian's source tarball where its
#                         checksum equals the pin, else the manifest's URL
#   manifest-builds       flatpak-builder builds and installs the app
#   sandbox-headless-run  `wardwatch --headless --demo --duration=10` in the
#                         sandbox prints a summary with beds, messages and
#                         scores, and no dead letter
#   sandbox-data-folder   its database is in the app's data folder
#                         (~/.var/app/ID/data/wardwatch), not in the home
#   sandbox-window-opens  under Xvfb and a private session bus the window
#                         maps and the app is still running 20 s later
#
# Prints one TAP line per check ("ok N - NAME", "not ok N - NAME",
# "ok N - NAME # SKIP why") and "1..N"; exits 1 when a check failed.  Logs
# (and the X window tree that shows the window) stay in the cache's logs/.
#
# The cache (WARD_FLATPAK_CACHE, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/wardwatch-flatpak) holds the Debian
# packages, the stand-in runtime in its own Flatpak installation
# (FLATPAK_USER_DIR, not the system's), the sources and flatpak-builder's
# state: a second run reuses them all and rebuilds only what changed.
# It must be on one file system (flatpak-builder's state and build folder).
# Needs root (debootstrap), flatpak, flatpak-builder, debootstrap, xvfb-run,
# dbus-run-session, xwininfo, ostree and apt-get.
#
# Usage: build-aux/flatpak-test.sh [--rebuild-runtime]
set -uo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$top/flatpak/io.github.wardwatch.Wardwatch.json"
lists="$top/build-aux/flatpak"
app_id=io.github.wardwatch.Wardwatch
cache="${WARD_FLATPAK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wardwatch-flatpak}"
mirror="${WARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
branch=12
platform_id=io.github.wardwatch.StandIn.Platform
sdk_id=io.github.wardwatch.StandIn.Sdk
arch="$(flatpak --default-arch)"
python=/usr/bin/python3
rebuild_runtime=false

for arg in "$@"; do
  case "$arg" in
    --rebuild-runtime) rebuild_runtime=true ;;
    --help|-h) sed -n '2,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "flatpak-test: unknown argument $arg" >&2; exit 2 ;;
  esac
done

mkdir -p "$cache/logs" "$cache/debs" || exit 1
logs="$cache/logs"
export FLATPAK_USER_DIR="$cache/flatpak"

# TAP
n=0
failed=0
broken=""   # set when a check fails that later ones need
ok () { n=$((n + 1)); echo "ok $n - $1${2:+ # $2}"; }
not_ok () {
  n=$((n + 1)); failed=1
  echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do echo "#   $line"; done
}
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# The last lines of a log, as TAP comments.
tail_log () { tail -n "${2:-25}" "$1" | sed 's/^/#   /'; }

# The cost of each phase: wall seconds, and the CPU seconds (user + sys)
# of the processes it ran, from bash's `times` (the children this shell
# has waited for, with theirs).  On a shared machine the wall time says
# little; CPU seconds over the cores, plus the downloads, is what an idle
# machine would take.  `times` goes to a file: in a $(...) subshell it
# would count the subshell's children only.  What runs in the sandbox
# (flatpak-builder's builds, flatpak run) is not seen: bwrap's processes
# are not counted in flatpak's (measured: 3 CPU-s for four modules), so
# those phases and checks print their wall time only ("N s, sandboxed").
cpu_file="$(mktemp)"
cpu_now=0
read_cpu () {
  times > "$cpu_file"
  cpu_now="$(awk 'NR == 2 { t = 0
                             for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
                             printf "%.0f", t }' "$cpu_file")"
}
# phase_start: marks the start of a phase; phase_cost: "N s, N CPU-s"
# since the mark.
phase_start () { read_cpu; phase_wall0=$(date +%s); phase_cpu0=$cpu_now; }
phase_cost () {
  read_cpu
  phase_text="$(( $(date +%s) - phase_wall0 )) s, $(( cpu_now - phase_cpu0 )) CPU-s"
  [ "${1:-}" != sandboxed ] || phase_text="$(( $(date +%s) - phase_wall0 )) s, sandboxed"
}
# costs: the "#   PHASE: N s, N CPU-s" lines of the current check.
costs=""
# check_start / check_cost: the same for a whole check ("N s, N CPU-s").
check_start () { read_cpu; check_wall0=$(date +%s); check_cpu0=$cpu_now; }
# check_cost sandboxed / add_cost NAME sandboxed: the wall time only.
check_cost () {
  read_cpu
  check_text="$(( $(date +%s) - check_wall0 )) s, $(( cpu_now - check_cpu0 )) CPU-s"
  [ "${1:-}" != sandboxed ] || check_text="$(( $(date +%s) - check_wall0 )) s, sandboxed"
}
add_cost () { phase_cost "${2:-}"; costs+="#   $1: $phase_text"$'\n'; }
print_costs () { printf '%s' "$costs"; costs=""; }

for tool in flatpak flatpak-builder ostree debootstrap xvfb-run dbus-run-session xwininfo apt-get; do
  if ! command -v "$tool" >/dev/null; then
    echo "Bail out! flatpak-test: $tool is missing (build-aux/debian-packages.txt)"
    exit 1
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "Bail out! flatpak-test: debootstrap needs root"
  exit 1
fi

# ---------------------------------------------------------------------------
# The stand-in runtime

# The packages of the lists, one comma-separated line, sorted.
package_list () {
  grep -h -v -E '^[[:space:]]*(#|$)' "$@" | sed 's/[[:space:]]//g' | sort -u | paste -sd, -
}

# One bookworm root makes both runtimes, so that what they share is
# unpacked once.  debootstrap brings in the Sdk's packages (the two lists:
# what it resolves is the Sdk's whole set), installs the Platform's list
# from them in a root, and the root's files become the Platform; then dpkg
# adds the rest of the Sdk's set to the same root, and it becomes the Sdk.
# Both are reused while the lists are the same and both are installed.
runtime_dir="$cache/runtime"
root="$runtime_dir/root"

# export_runtime ID KIND: the root's /usr, with /etc inside it, as the
# runtime ID, exported to the cache's repository and installed.
export_runtime () {
  local id="$1" kind="$2"
  local dir="$runtime_dir/$kind"
  rm -rf "$dir"
  mkdir -p "$dir" || return 1
  # Hard links: the root stays whole for the Sdk.  What is written below
  # is a new file, never a linked one.
  cp -al "$root/usr" "$dir/files" && cp -al "$root/etc" "$dir/files/etc" || return 1
  # Flatpak runs files/bin/ldconfig; Debian's is in sbin.
  [ -e "$dir/files/bin/ldconfig" ] || ln -s ../sbin/ldconfig "$dir/files/bin/ldconfig"
  # The app's libraries (/app/lib) before the runtime's, as GNOME's
  # runtime orders them.
  rm -f "$dir/files/etc/ld.so.conf"
  cat > "$dir/files/etc/ld.so.conf" <<EOF
include /run/flatpak/ld.so.conf.d/app-*.conf
include /app/etc/ld.so.conf
/app/lib
include /etc/ld.so.conf.d/*.conf
include /run/flatpak/ld.so.conf.d/runtime-*.conf
EOF
  {
    echo "[Runtime]"
    echo "name=$id"
    echo "runtime=$platform_id/$arch/$branch"
    echo "sdk=$sdk_id/$arch/$branch"
    if [ "$kind" = sdk ]; then
      # Debian's pkgconf does not look in /app; GNOME's Sdk does.
      echo
      echo "[Environment]"
      echo "PKG_CONFIG_PATH=/app/lib/pkgconfig:/app/share/pkgconfig"
    fi
  } > "$dir/metadata"

  echo "# exporting $id to $cache/repo"
  phase_start
  if ! flatpak build-export --runtime --files=files --arch="$arch" "$cache/repo" "$dir" "$branch" \
         > "$logs/export-$kind.log" 2>&1; then
    tail_log "$logs/export-$kind.log"
    return 1
  fi
  add_cost "export $kind"
  phase_start
  flatpak --user remote-add --if-not-exists --no-gpg-verify wardwatch-stand-in "file://$cache/repo" &&
  flatpak --user install -y --noninteractive --or-update wardwatch-stand-in "$id//$branch" \
    > "$logs/install-$kind.log" 2>&1 || { tail_log "$logs/install-$kind.log"; return 1; }
  add_cost "install $kind"
  # The files are in the repository and installed.
  rm -rf "$dir"
}

# add_sdk_packages DL: dpkg installs into the root the packages that
# debootstrap --download-only resolved in DL and the root lacks, from the
# package cache.
add_sdk_packages () {
  local dl="$1" status=0
  local -a debs
  # debpaths: "PACKAGE PATH" of each; the file has the same name in the
  # cache (debootstrap's --cache-dir).
  mapfile -t debs < <(
    awk -v debs="$cache/debs/" 'NR == FNR { have[$1] = 1; next }
                                !($1 in have) { n = split($2, p, "/"); print debs p[n] }' \
      <(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Package}\n') "$dl/debootstrap/debpaths")
  [ ${#debs[@]} -gt 0 ] || { echo "no package to add for the Sdk" >&2; return 1; }
  mkdir -p "$root/tmp/sdk-debs" && cp -l "${debs[@]}" "$root/tmp/sdk-debs/" || return 1
  # No service starts in the root.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d" &&
  mount -t proc proc "$root/proc" || return 1
  # As debootstrap does: unpack them all, then configure in dpkg's order.
  chroot "$root" sh -c 'dpkg --unpack --force-depends /tmp/sdk-debs/*.deb' &&
  chroot "$root" dpkg --configure --pending --force-configure-any --force-depends || status=1
  umount "$root/proc"
  rm -rf "$root/tmp/sdk-debs" "$root/usr/sbin/policy-rc.d"
  # Nothing left half-installed or unconfigured.
  if [ $status = 0 ] && [ -n "$(chroot "$root" dpkg --audit)" ]; then
    chroot "$root" dpkg --audit
    status=1
  fi
  return $status
}

make_runtimes () {
  local want_platform want_sdk want dl="$runtime_dir/download"
  want_platform="$(package_list "$lists/platform-packages.txt")"
  want_sdk="$(package_list "$lists/platform-packages.txt" "$lists/sdk-packages.txt")"
  want="platform: $want_platform"$'\n'"sdk: $want_sdk"
  if ! $rebuild_runtime && [ -f "$runtime_dir/packages" ] && [ "$(cat "$runtime_dir/packages")" = "$want" ] &&
     flatpak --user info "$platform_id//$branch" >/dev/null 2>&1 &&
     flatpak --user info "$sdk_id//$branch" >/dev/null 2>&1; then
    return 0
  fi
  # A run stopped midway may have left the root's /proc (or debootstrap's
  # mounts) mounted: off first, deepest first, or rm would go into them.
  findmnt -rn -o TARGET | grep -F "$runtime_dir/" | sort -r | while read -r mnt; do umount "$mnt"; done
  rm -rf "$runtime_dir"
  mkdir -p "$runtime_dir" || return 1

  echo "# debootstrap $suite for $platform_id and $sdk_id (log: $logs/debootstrap.log)"
  # The download on its own: the one part of the cost that is not CPU.
  phase_start
  if ! debootstrap --download-only --variant=minbase --cache-dir="$cache/debs" --include="$want_sdk" \
         "$suite" "$dl" "$mirror" > "$logs/debootstrap.log" 2>&1; then
    tail_log "$logs/debootstrap.log"
    return 1
  fi
  add_cost "download the packages"
  phase_start
  if ! debootstrap --variant=minbase --cache-dir="$cache/debs" --include="$want_platform" \
         "$suite" "$root" "$mirror" >> "$logs/debootstrap.log" 2>&1; then
    tail_log "$logs/debootstrap.log"
    return 1
  fi
  add_cost "debootstrap platform"
  # The repository holds the files as they are (bare-user-only, the mode
  # of a Flatpak installation's own), not zlib-compressed as build-export
  # would make it (archive): nothing is compressed on export nor
  # uncompressed on install, and flatpak install pulls from a local
  # repository of any mode.
  rm -rf "$cache/repo"
  ostree init --mode=bare-user-only --repo="$cache/repo" || return 1
  export_runtime "$platform_id" platform || return 1

  phase_start
  if ! add_sdk_packages "$dl" >> "$logs/debootstrap.log" 2>&1; then
    tail_log "$logs/debootstrap.log"
    return 1
  fi
  add_cost "add the sdk packages"
  export_runtime "$sdk_id" sdk || return 1

  # Only the lists stay: the files are in the repository and installed.
  rm -rf "$root" "$dl"
  echo "$want" > "$runtime_dir/packages"
}

check_start
if make_runtimes; then
  check_cost
  ok stand-in-runtime "$check_text"
  print_costs
else
  not_ok stand-in-runtime "see $logs"
  broken="the stand-in runtime"
fi

# ---------------------------------------------------------------------------
# The sources

# A private apt configuration that knows Debian's source packages
# (bookworm's and the next release's), so as not to touch the system's.
apt_dir="$cache/apt"
apt_conf="$apt_dir/apt.conf"
setup_apt () {
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" || return 1
  cat > "$apt_dir/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main
EOF
  cat > "$apt_conf" <<EOF
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$apt_dir/lists";
Dir::State::Status "/var/lib/dpkg/status";
Dir::Cache "$apt_dir/cache";
APT::Sandbox::User "root";
EOF
  # The indexes are fetched again after a day.
  if [ -z "$(find "$apt_dir/lists" -name '*Sources*' -mtime -1 2>/dev/null | head -n 1)" ]; then
    APT_CONFIG="$apt_conf" apt-get update > "$logs/apt-update.log" 2>&1 ||
      { tail_log "$logs/apt-update.log"; return 1; }
  fi
}

# debian_orig SHA256 PACKAGE...: brings in the Debian source tarball of one
# of the PACKAGEs whose sha256 is SHA256 (apt-get source --download-only,
# checksums from the signed Sources index) and prints its path.
debian_orig () {
  local sha="$1" pkg version file tmp; shift
  for pkg in "$@"; do
    # "VERSION FILE" of each version whose files list the checksum
    read -r version file < <(APT_CONFIG="$apt_conf" apt-cache showsrc "$pkg" 2>/dev/null |
      awk -v sha="$sha" '/^Version:/ { v = $2 } $1 == sha && NF == 3 { print v, $3; exit }')
    [ -n "${version:-}" ] || continue
    tmp="$cache/debian-src/$pkg"
    mkdir -p "$tmp"
    # Some of a version's other files are gone from the archive (a 404):
    # only the tarball counts.
    (cd "$tmp" && APT_CONFIG="$apt_conf" apt-get source --download-only -q "$pkg=$version") \
      >> "$logs/apt-source.log" 2>&1
    if [ -f "$tmp/$file" ] && echo "$sha  $tmp/$file" | sha256sum -c --status; then
      echo "$tmp/$file"
      return 0
    fi
  done
  return 1
}

sources_dir="$cache/sources"
fetch_sources () {
  local list sha base module url dest found pkgs
  list="$($python "$lists/stand-in-manifest.py" --sources "$manifest")" || return 1
  setup_apt || return 1
  while read -r sha base module url; do
    dest="$sources_dir/downloads/$sha/$base"
    if [ -f "$dest" ] && echo "$sha  $dest" | sha256sum -c --status; then
      echo "# $module: $base (cached)"
      continue
    fi
    # Debian's source package: the pool folder of a Debian URL, else the
    # module's name.
    pkgs="$module"
    case "$url" in
      */debian/pool/*) pkgs="$(basename "$(dirname "$url")") $module" ;;
    esac
    # shellcheck disable=SC2086
    if found="$(debian_orig "$sha" $pkgs)"; then
      mkdir -p "$(dirname "$dest")" && cp "$found" "$dest" || return 1
      echo "# $module: $base is Debian's $(basename "$found") (same sha256)"
    else
      # No Debian tarball with that checksum: the manifest's own URL, which
      # flatpak-builder fetches and checks.
      echo "# $module: $base from $url"
    fi
  done <<< "$list"
}

check_start
if fetch_sources > "$logs/sources.log" 2>&1; then
  check_cost
  ok sources-pinned "$check_text"
  print_costs
  grep '^# ' "$logs/sources.log"
else
  not_ok sources-pinned "see $logs/sources.log"
  tail_log "$logs/sources.log"
  broken="${broken:-the sources}"
fi

# ---------------------------------------------------------------------------
# The build

stand_in="$cache/$app_id.json"
builder () {
  flatpak-builder --user --force-clean --disable-rofiles-fuse --ccache \
    --state-dir="$cache/builder" --extra-sources="$sources_dir" \
    "$@" "$cache/build-dir" "$stand_in" >> "$logs/flatpak-builder.log" 2>&1
}
# The modules one at a time, so that each one's cost is seen: flatpak-builder
# --stop-at=NEXT builds the modules before NEXT (those already built come
# from its cache), and the last call builds the app and installs it.
build_app () {
  local modules i
  : > "$logs/flatpak-builder.log"
  $python "$lists/stand-in-manifest.py" "$manifest" "$stand_in" "$platform_id" "$sdk_id" "$branch" &&
  mapfile -t modules < <($python "$lists/stand-in-manifest.py" --modules "$manifest") || return 1
  for ((i = 1; i < ${#modules[@]}; i++)); do
    phase_start
    builder --stop-at="${modules[i]}" || return 1
    add_cost "module ${modules[i - 1]}" sandboxed
  done
  phase_start
  builder --install || return 1
  add_cost "module ${modules[i - 1]}, finish and install" sandboxed
}

check_start
if [ -n "$broken" ]; then
  skip manifest-builds "no $broken"
else
  if build_app; then
    check_cost sandboxed
    ok manifest-builds "$check_text"
    print_costs
  else
    not_ok manifest-builds "see $logs/flatpak-builder.log"
    print_costs
    tail_log "$logs/flatpak-builder.log" 40
    broken="the app"
  fi
fi

# ---------------------------------------------------------------------------
# The sandbox

# A home and runtime folder of its own for each run: what the app writes
# is where the check can see it, and nothing stays behind.
run_home="$(mktemp -d)"
trap 'rm -rf "$run_home"' EXIT
mkdir -m 700 "$run_home/runtime"
sandbox () {
  env -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME \
      HOME="$run_home" XDG_RUNTIME_DIR="$run_home/runtime" LC_ALL=C.UTF-8 "$@"
}

if [ -n "$broken" ]; then
  skip sandbox-headless-run "no $broken"
  skip sandbox-data-folder "no $broken"
else
  check_start
  sandbox timeout 120 dbus-run-session -- \
    flatpak run "$app_id" --headless --demo --duration=10 \
    > "$logs/headless.out" 2> "$logs/headless.err"
  status=$?
  # The summary: the last JSON line.
  if summary="$($python - "$logs/headless.out" <<'EOF'
import json, sys
lines = [l for l in open(sys.argv[1], encoding='utf-8') if l.startswith('{')]
if not lines:
    print('no summary line')
    sys.exit(1)
s = json.loads(lines[-1])
problems = []
if s.get('beds') != 16: problems.append('beds %r, not 16' % s.get('beds'))
for key in ('messages', 'measurements', 'scores'):
    if not s.get(key, 0) > 0: problems.append('no %s' % key)
if s.get('dead_letters') != 0: problems.append('%r dead letters' % s.get('dead_letters'))
print(('; '.join(problems) + ': ' if problems else '') + lines[-1].strip())
sys.exit(1 if problems else 0)
EOF
)" && [ "$status" = 0 ]; then
    check_cost sandboxed
    ok sandbox-headless-run "$check_text"
    print_costs
    echo "#   $summary"
  else
    not_ok sandbox-headless-run "exit status $status" "${summary:-no summary}"
    tail_log "$logs/headless.err"
  fi

  db="$run_home/.var/app/$app_id/data/wardwatch/demo.db"
  # Nothing but the app's own folder in the home (and the runtime folder).
  others="$(ls -A "$run_home" | grep -v -x -E '\.var|runtime' | tr '\n' ' ')"
  if [ -s "$db" ] && [ -z "$others" ]; then
    ok sandbox-data-folder
    echo "#   ~/.var/app/$app_id/data/wardwatch/demo.db, $(stat -c %s "$db") bytes"
  else
    not_ok sandbox-data-folder "database: $db $( [ -s "$db" ] && echo present || echo missing)" \
      "also in the home: ${others:-nothing}"
  fi
fi

# The window: the app runs under Xvfb (X11: Xvfb has no Wayland) on a
# private session bus; the check waits for its window to map, keeps it
# running 20 s, and fails on an early exit or a critical in its log.
window_run () {
  local app_pid i found=""
  flatpak run "$app_id" --demo > "$logs/window.out" 2> "$logs/window.err" &
  app_pid=$!
  for i in $(seq 1 90); do
    if xwininfo -root -tree 2>/dev/null | grep -q '"Wardwatch"'; then found=1; break; fi
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 1
  done
  if [ -z "$found" ]; then
    echo "no window named Wardwatch" >> "$logs/window.err"
    kill "$app_pid" 2>/dev/null; wait "$app_pid"
    return 1
  fi
  sleep 20
  # The proof: the X window tree with the app's window and its size.
  xwininfo -root -tree > "$logs/window-tree.txt" 2>&1
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "the app exited while its window was open" >> "$logs/window.err"
    wait "$app_pid"
    return 1
  fi
  kill "$app_pid"
  wait "$app_pid"
  return 0
}
# xvfb-run is a POSIX shell script, and dash drops exported bash functions
# from the environment: the function goes in the command itself.
export app_id logs

if [ -n "$broken" ]; then
  skip sandbox-window-opens "no $broken"
else
  check_start
  if sandbox timeout 240 xvfb-run -a -s '-screen 0 1366x768x24' \
       dbus-run-session -- bash -c "$(declare -f window_run); window_run" &&
     ! grep -E 'CRITICAL|Segmentation|Aborted|core dumped' "$logs/window.err" >/dev/null; then
    check_cost sandboxed
    ok sandbox-window-opens "$check_text"
    print_costs
    grep -m 1 '"Wardwatch"' "$logs/window-tree.txt" | sed 's/^ */#   /'
  else
    not_ok sandbox-window-opens "see $logs/window.err"
    tail_log "$logs/window.err"
  fi
fi

echo "1..$n"
exit $failed
