/* ward-test-store.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-store.h"
#include "ward-store-private.h"

#include <glib/gstdio.h>

#define MAX_BEDS 3

static const char * const default_names[MAX_BEDS] = { "Ada Obi", "Lee Min-jun", "Jo Brand" };

char *
ward_test_db_new (const char  *name,
                  char       **dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpl = g_strconcat (name, "-XXXXXX", NULL);

  *dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);

  return g_build_filename (*dir, "ward.db", NULL);
}

void
ward_test_db_remove (char **dir,
                     char **path)
{
  if (*path != NULL)
    {
      g_autofree char *wal = g_strconcat (*path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (*path, "-shm", NULL);

      g_unlink (*path);
      g_unlink (wal);
      g_unlink (shm);
    }
  if (*dir != NULL)
    g_rmdir (*dir);

  g_clear_pointer (path, g_free);
  g_clear_pointer (dir, g_free);
}

WardStore *
ward_test_store_open (const char *path)
{
  g_autoptr(GError) error = NULL;
  WardStore *store = ward_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

void
ward_test_engine_add_beds (WardEngine         *engine,
                           guint               n_beds,
                           const char * const *names,
                           const char * const *devices)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (n_beds, <=, MAX_BEDS);

  g_assert_true (ward_engine_begin (engine, &error));
  for (guint i = 0; i < n_beds; i++)
    {
      g_autofree char *bed = g_strdup_printf ("bed-%02u", i + 1);
      g_autofree char *label = g_strdup_printf ("Bed %u", i + 1);
      g_autofree char *patient = g_strdup_printf ("p%u", i + 1);
      g_autofree char *device = g_strdup_printf ("mon-%u", i + 1);

      g_assert_true (ward_engine_register_bed (engine, bed, label, patient,
                                               names ? names[i] : default_names[i],
                                               devices ? devices[i] : device, 1, &error));
    }
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
}

WardEngine *
ward_test_engine_new (WardStore              *store,
                      const WardEngineConfig *config,
                      guint                   n_beds,
                      const char * const     *names,
                      const char * const     *devices)
{
  WardEngineConfig defaults;
  WardEngine *engine;

  if (config == NULL)
    {
      ward_engine_config_init (&defaults);
      config = &defaults;
    }
  engine = ward_engine_new (store, config);
  if (n_beds > 0)
    ward_test_engine_add_beds (engine, n_beds, names, devices);

  return engine;
}

gint64
ward_test_query_int (WardStore  *store,
                     const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 value = _ward_store_query_int (store, sql, &error);

  g_assert_no_error (error);
  return value;
}

char *
ward_test_query_text (WardStore  *store,
                      const char *sql)
{
  g_autoptr(GError) error = NULL;
  char *value = _ward_store_query_text (store, sql, &error);

  g_assert_no_error (error);
  return value;
}
