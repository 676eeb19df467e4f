/* ward-test-station.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ward-store-private.h"
#include "ward-test-station.h"

void
ward_test_station_open (WardTestStation *s,
                        const char      *name)
{
  g_autoptr(GError) error = NULL;
  WardEngineConfig config;

  s->dir = g_dir_make_tmp ("ward-station-XXXXXX", &error);
  g_assert_no_error (error);
  s->path = g_build_filename (s->dir, "ward.db", NULL);
  s->store = ward_store_open (s->path, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  s->engine = ward_engine_new (s->store, &config);
  g_assert_true (ward_engine_begin (s->engine, &error));
  g_assert_true (ward_engine_register_bed (s->engine, "bed-01", "Bed 1", "p1", "Ada Obi",
                                           "mon-1", 1, &error));
  g_assert_true (ward_engine_commit (s->engine, &error));
  g_assert_no_error (error);
  s->care = ward_care_new (s->engine, NULL, "ward-7", name);
}

void
ward_test_station_close (WardTestStation *s)
{
  g_autofree char *wal = g_strconcat (s->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (s->path, "-shm", NULL);

  g_clear_object (&s->care);
  g_clear_object (&s->engine);
  g_clear_object (&s->store);
  g_unlink (s->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (s->dir);
  g_free (s->path);
  g_free (s->dir);
}

void
ward_test_station_tick (WardTestStation *s,
                        gint64           now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (s->engine, &error));
  g_assert_true (ward_engine_evaluate (s->engine, now, &error));
  g_assert_true (ward_care_tick (s->care, now, &error));
  g_assert_true (ward_engine_commit (s->engine, &error));
  g_assert_no_error (error);
}

gint64
ward_test_station_open_flag (WardTestStation *s,
                             gint64           at)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_assert_true (ward_store_begin (s->store, &error));
  id = ward_store_open_flag (s->store, "p1", "clinical", NULL, WARD_BAND_HIGH, at, 0, "test", &error);
  g_assert_true (ward_store_commit (s->store, &error));
  g_assert_no_error (error);
  return id;
}
