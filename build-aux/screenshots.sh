#!/usr/bin/env bash
# Makes docs/screenshots/ward-board.png, care-team.png, handover.png and patient-view.png from a
# demo run: builds tests/ui/ward-screenshot if needed and runs it under Xvfb with a
# private session bus. It needs xvfb-run and dbus-run-session (packages xvfb and
# dbus). Extra arguments go to ward-screenshot (--seed=N, --minutes=N, --width=PX...).
#   WARD_BUILD_DIR  the meson build folder to use (default _build)
#   WARD_SHOT_DIR   where the PNGs go (default docs/screenshots)
#   WARD_SHOT_LANGUAGE  a language to check a translation in, e.g. fr or ko
#                   (default none: English, as the README shows); with
#                   --preferences each preferences page is taken too
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WARD_BUILD_DIR:-$top/_build}"
out="${WARD_SHOT_DIR:-$top/docs/screenshots}"

[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
# Quiet unless the build fails.
if ! log="$(ninja -C "$build" tests/ui/ward-screenshot 2>&1)"; then
  printf '%s\n' "$log" >&2
  exit 1
fi
mkdir -p "$out"

# The schema compiled fresh from the source: the build folder's copy is not
# remade when the schema changes.
schemas="$(mktemp -d)"
trap 'rm -rf "$schemas"' EXIT
glib-compile-schemas --strict --targetdir="$schemas" "$top/data"

# The cairo renderer draws the same pixels on every machine; light style, UTC,
# C locale and settings in memory are set by the tool or here.
# The demo runs the demo model from the source tree, as an installed one would.
# The alarm sound plays into a null sink, as at a station with a sound card:
# without one, the alarm bar would show "Alarm sound cannot play" in every
# picture.
env GDK_BACKEND=x11 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 LC_ALL=C.UTF-8 \
    LANGUAGE="${WARD_SHOT_LANGUAGE:-}" WARDWATCH_LOCALEDIR="$build/po" \
    WARDWATCH_MODEL_DIR="$top/data/models" \
    WARDWATCH_AUDIO_SINK="fakesink sync=true" \
    GSETTINGS_SCHEMA_DIR="$schemas" \
  xvfb-run -a -s '-screen 0 1920x1200x24' \
    dbus-run-session -- \
    "$build/tests/ui/ward-screenshot" --output-dir="$out" \
      --scenario-dir="$top/docs/screenshots/scenarios" "$@"
