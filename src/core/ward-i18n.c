/* ward-i18n.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-i18n"

#include "config.h"

#include "ward-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>

/*
 * Where the translations are.  An installed Wardwatch finds its catalogues
 * under LOCALEDIR; a build that runs from its build folder has them only
 * there (meson's i18n.gettext compiles po/LL/LC_MESSAGES/wardwatch.mo in
 * the build folder), so `meson devenv`, build-aux/run-demo.sh and the tests
 * point WARDWATCH_LOCALEDIR at that folder.  A relative or empty value is
 * ignored: bindtextdomain() would resolve it against whatever the current
 * folder happens to be.
 */
const char *
ward_i18n_get_localedir (void)
{
  const char *dir = g_getenv ("WARDWATCH_LOCALEDIR");

  if (dir != NULL && g_path_is_absolute (dir))
    return dir;

  return LOCALEDIR;
}

/*
 * Sets the locale from the environment and binds the text domain, UTF-8
 * whatever the locale's own charset.  Returns the folder bound.
 */
const char *
ward_i18n_init (void)
{
  const char *dir = ward_i18n_get_localedir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  return dir;
}
