#!/bin/sh
# check-po-complete.sh: fails when a translation in po/LINGUAS has an
# untranslated or fuzzy message against the current sources.
#
# A ward that runs Wardwatch in French or Korean must not meet English in
# the middle of its own language: a nurse reading "Lit 4 · alerte élevée"
# and then "Accept the task" or "Could not raise the concern" at the moment
# that matters may not understand it, or may take the screen for broken.
# A fuzzy message is worse: gettext does not show it at all, so the user
# sees the English, and its old translation may say something else.  So
# every feature that adds or changes a string also translates it, and this
# test says which messages are missing.
#
# The template is made afresh from po/POTFILES.in with the same keywords
# as meson's i18n "glib" preset, in a temporary folder: the checkout is
# not touched.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-po-complete.sh [SOURCE_ROOT]

set -eu

srcdir=${1:-$(dirname "$0")/..}
cd "$srcdir"

for tool in xgettext msgmerge msgattrib msgfmt; do
  if ! command -v "$tool" > /dev/null 2>&1; then
    echo "SKIP: $tool is not installed (Debian package gettext)" >&2
    exit 77
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Messages the checker prints are English whatever the locale.
LC_ALL=C.UTF-8
export LC_ALL
unset LANGUAGE

# The keywords and flags of meson's i18n.gettext(preset: 'glib').
if ! xgettext --package-name=wardwatch -f po/POTFILES.in -D . -o "$tmp/wardwatch.pot" \
       --from-code=UTF-8 --add-comments \
       -k_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
       --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
       --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
       --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
       --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
       --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
       --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
       --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
       --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
       --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format; then
  echo "xgettext could not extract the messages of po/POTFILES.in" >&2
  exit 1
fi

total=$(grep -c '^msgid ' "$tmp/wardwatch.pot" || true)
if [ "$total" -lt 2 ]; then
  echo "The template made from po/POTFILES.in has no messages" >&2
  exit 1
fi

status=0
langs=$(grep -v -e '^#' po/LINGUAS | tr -s ' \t' '\n\n' | grep -v '^$' || true)
if [ -z "$langs" ]; then
  echo "po/LINGUAS lists no language" >&2
  exit 1
fi

for lang in $langs; do
  po=po/$lang.po

  if [ ! -f "$po" ]; then
    echo "$lang: $po is missing" >&2
    status=1
    continue
  fi

  # Format specifiers, plural forms and the header must be valid as they are.
  if ! msgfmt --check -o /dev/null "$po"; then
    echo "$lang: $po does not pass msgfmt --check" >&2
    status=1
  fi

  msgmerge --quiet -o "$tmp/$lang.po" "$po" "$tmp/wardwatch.pot"
  msgattrib --no-obsolete --untranslated -o "$tmp/$lang-untranslated.po" "$tmp/$lang.po"
  msgattrib --no-obsolete --only-fuzzy -o "$tmp/$lang-fuzzy.po" "$tmp/$lang.po"

  # The header is the only entry with an empty msgid: it does not count.
  n_untranslated=0
  n_fuzzy=0
  if [ -s "$tmp/$lang-untranslated.po" ]; then
    n_untranslated=$(grep -c '^msgid ' "$tmp/$lang-untranslated.po" || true)
    n_untranslated=$((n_untranslated - 1))
  fi
  if [ -s "$tmp/$lang-fuzzy.po" ]; then
    n_fuzzy=$(grep -c '^msgid ' "$tmp/$lang-fuzzy.po" || true)
    n_fuzzy=$((n_fuzzy - 1))
  fi

  if [ "$n_untranslated" -gt 0 ] || [ "$n_fuzzy" -gt 0 ]; then
    echo "$lang: $n_untranslated untranslated and $n_fuzzy fuzzy of $((total - 1)) messages." >&2
    echo "Run 'ninja -C BUILDDIR wardwatch-update-po' and translate these in $po:" >&2
    for kind in untranslated fuzzy; do
      if [ -s "$tmp/$lang-$kind.po" ]; then
        # Each message with where it comes from, the header left out.
        awk -v kind="$kind" '
          /^#: / { if (where == "") where = $0; next }
          /^msgid "/ { id = $0; next }
          /^"/ && id == "msgid \"\"" { id = "msgid " $0; next }
          /^msg(str|id_plural)/ {
            if (id != "" && id != "msgid \"\"")
              print "  " kind ": " id "  " where
            id = ""; where = ""
          }
        ' "$tmp/$lang-$kind.po" >&2
      fi
    done
    status=1
  else
    echo "$lang: all $((total - 1)) messages translated, none fuzzy"
  fi
done

exit "$status"
