#!/usr/bin/env bash
# Installs what Wardwatch needs, builds it and starts the simulated demo ward.
# Extra arguments go to wardwatch (e.g. --beds=32 --time-scale=120 --seed=7).
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"
build-aux/install-deps.sh
[ -f _build/build.ninja ] || meson setup _build
ninja -C _build
# The demo model as shipped in the source (an installed Wardwatch finds its
# own): the demo ward runs it beside NEWS2, labelled as a demo model.
export WARDWATCH_MODEL_DIR="${WARDWATCH_MODEL_DIR:-$top/data/models}"
# The translations as built (LANGUAGE=fr or LANGUAGE=ko shows the demo in
# French or Korean); an installed Wardwatch finds its own.
export WARDWATCH_LOCALEDIR="${WARDWATCH_LOCALEDIR:-$top/_build/po}"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  # The settings schema as built (the window keeps its size, sort order and
  # "my patients"); an installed Wardwatch finds its own.
  export GSETTINGS_SCHEMA_DIR="$top/_build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
  exec _build/src/wardwatch --demo --time-scale=60 "$@"
else
  echo "run-demo: no display; running the demo headless for 60 s (60 simulated minutes)" >&2
  exec _build/src/wardwatch --headless --demo --time-scale=60 --duration=60 "$@"
fi
