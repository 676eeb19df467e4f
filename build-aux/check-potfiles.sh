#!/bin/sh
# check-potfiles.sh: fails when a source file with translatable strings is
# missing from po/POTFILES.in, or when POTFILES.in is not sorted.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-potfiles.sh [SOURCE_ROOT]

set -eu

srcdir=${1:-$(dirname "$0")/..}
cd "$srcdir"

potfiles=po/POTFILES.in
status=0

listed=$(mktemp)
trap 'rm -f "$listed"' EXIT
# Comments and blank lines are not file names.
grep -v -e '^#' -e '^[[:space:]]*$' "$potfiles" > "$listed" || true

if ! LC_ALL=C sort -c "$listed" 2>/dev/null; then
  echo "$potfiles is not sorted (LC_ALL=C sort)" >&2
  status=1
fi

# _(), N_(), C_(), NC_(), Q_() and the ngettext family mark strings in C;
# translatable="yes" marks them in GtkBuilder files.
c_marks='(^|[^[:alnum:]_])(N|C|NC|Q)?_[[:space:]]*\(|(^|[^[:alnum:]_])(g_d?n?p?gettext|d?ngettext|g_dpgettext2)[[:space:]]*\('
ui_marks='translatable="yes"'

for file in $(find src ui -type f \( -name '*.c' -o -name '*.ui' \) 2>/dev/null | LC_ALL=C sort); do
  case "$file" in
    *.c) grep -q -E "$c_marks" "$file" || continue ;;
    *.ui) grep -q -F "$ui_marks" "$file" || continue ;;
  esac

  if ! grep -q -x -F "$file" "$listed"; then
    echo "$file has translatable strings but is missing from $potfiles" >&2
    status=1
  fi
done

if [ "$status" -eq 0 ]; then
  echo "$potfiles lists every file with translatable strings"
fi

exit "$status"
