/* bench-pipeline.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ward-bench.h"
#include "ward-engine.h"
#include "ward-simulator.h"

/* A 64-bed ward's simulated messages through device mapping, the store
 * and scoring, in-process at full speed, against the raw SQLite insert
 * rate of the same rows (a raw message and its measurements per message,
 * and every FHIR resource version the pipeline wrote with its outbox
 * entry) on the same disk, with the same journal settings and batch size.
 * The ratio is what the pipeline's stages cost on top of bare storage.
 */

#define N_BEDS          64
#define SIM_HOURS       2
#define BATCH           2000
#define MIN_RATIO       0.20   /* the pipeline keeps at least this share of bare insert speed */

typedef struct
{
  WardSimEventType  type;
  gint64            at;
  char             *device_id;
  char             *patient_id;
  char             *payload;
  WardMeasKind      kind;
  double            value;
  char             *user;
} Event;

static void
event_clear (Event *e)
{
  g_free (e->device_id);
  g_free (e->patient_id);
  g_free (e->payload);
  g_free (e->user);
}

static void
collect_cb (const WardSimEvent *sim,
            gpointer            user_data)
{
  GArray *events = user_data;
  Event e = {
    .type = sim->type,
    .at = sim->at,
    .device_id = g_strdup (sim->device_id),
    .patient_id = g_strdup (sim->patient_id),
    .payload = g_strdup (sim->payload),
    .kind = sim->kind,
    .value = sim->value,
    .user = g_strdup (sim->user),
  };

  g_array_append_val (events, e);
}

static char *
fresh_db (const char *dir,
          const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  return g_steal_pointer (&path);
}

typedef struct
{
  char *resource_type;
  char *id;
  char *json;
} Resource;

static void
resource_free (Resource *r)
{
  g_free (r->resource_type);
  g_free (r->id);
  g_free (r->json);
  g_free (r);
}

/* The resources the pipeline stored, to write the same rows again. */
static GPtrArray *
read_resources (const char *path)
{
  GPtrArray *resources = g_ptr_array_new_with_free_func ((GDestroyNotify) resource_free);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT resource_type, id, json FROM fhir_resources",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Resource *r = g_new0 (Resource, 1);

      r->resource_type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      r->id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      r->json = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      g_ptr_array_add (resources, r);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return resources;
}

static double
run_pipeline (GArray        *events,
              WardSimulator *sim,
              const char    *path,
              guint64       *n_messages,
              guint64       *n_measurements,
              guint64       *n_resource_versions)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, end;
  guint in_batch = 0;

  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  engine = ward_engine_new (store, NULL);

  ward_engine_begin (engine, &error);
  for (guint i = 0; i < ward_simulator_get_n_beds (sim); i++)
    {
      const WardSimBed *b = ward_simulator_get_bed (sim, i);

      ward_engine_register_bed (engine, b->bed_id, b->bed_label, b->patient_id, b->patient_name,
                                b->device_id, b->spo2_scale, &error);
    }
  ward_engine_commit (engine, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  ward_engine_begin (engine, &error);
  for (guint i = 0; i < events->len; i++)
    {
      const Event *e = &g_array_index (events, Event, i);
      gboolean ok = TRUE;

      switch (e->type)
        {
        case WARD_SIM_EVENT_DEVICE_MESSAGE:
          ok = ward_engine_ingest (engine, "simulator", WARD_CONTENT_TYPE_JSON, e->device_id,
                                   e->payload, strlen (e->payload), e->at, NULL, NULL, &error);
          break;
        case WARD_SIM_EVENT_NURSE_ENTRY:
          ok = ward_engine_nurse_entry (engine, e->patient_id, e->kind, e->value, e->at, e->user, &error);
          break;
        case WARD_SIM_EVENT_SPO2_SCALE:
          ok = ward_engine_set_spo2_scale (engine, e->patient_id, (int) e->value, e->at, e->user, &error);
          break;
        case WARD_SIM_EVENT_CONFIRM:
          ok = ward_engine_confirm (engine, e->patient_id, e->at, e->user, &error);
          break;
        default:
          g_assert_not_reached ();
        }
      g_assert_no_error (error);
      g_assert_true (ok);

      /* One transaction per tick, as on the pipeline thread. */
      if (++in_batch == BATCH || i + 1 == events->len)
        {
          ward_engine_evaluate (engine, e->at, &error);
          ward_engine_commit (engine, &error);
          g_assert_no_error (error);
          ward_snapshot_unref (ward_engine_snapshot (engine, e->at));
          in_batch = 0;
          if (i + 1 < events->len)
            ward_engine_begin (engine, &error);
        }
    }
  end = g_get_monotonic_time ();

  *n_messages = ward_engine_get_counters (engine)->messages;
  *n_measurements = ward_engine_get_counters (engine)->measurements;
  *n_resource_versions = ward_engine_get_counters (engine)->fhir_resources;
  return (end - start) / 1e6;
}

static double
run_raw_inserts (GArray     *events,
                 const char *path,
                 guint64     values_per_message_x1000,
                 GPtrArray  *resources,
                 guint64     versions_per_message_x1000)
{
  sqlite3_stmt *put = NULL;
  sqlite3_stmt *queue = NULL;
  guint64 versions_made = 0;
  guint64 versions_owed = 0;
  g_autoptr(WardStore) schema = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *raw = NULL;
  sqlite3_stmt *meas = NULL;
  gint64 start, end;
  guint in_batch = 0;
  guint64 made = 0;
  guint64 owed = 0;

  /* The same schema and pragmas as the real store. */
  schema = ward_store_open (path, &error);
  g_assert_no_error (error);
  ward_store_upsert_patient (schema, "p", NULL, 1, &error);
  g_clear_object (&schema);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO raw_messages (received_at, source, device_id, payload) "
                          "VALUES (?1, 'simulator', ?2, ?3)", -1, &raw, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO measurements (patient_id, device_id, source, kind, value, "
                          "observed_at, received_at, raw_message_id) "
                          "VALUES ('p', ?1, 'device', 'hr', 72, ?2, ?2, ?3)", -1, &meas, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO fhir_resources (resource_type, id, json, version, updated_at) "
                          "VALUES (?1, ?2, ?3, 1, ?4) ON CONFLICT (resource_type, id) DO UPDATE SET "
                          "json = excluded.json, version = version + 1, updated_at = excluded.updated_at",
                      -1, &put, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at) "
                          "VALUES (?1, ?2, 1, 'pending', ?3, ?3) "
                          "ON CONFLICT (resource_type, id) WHERE state = 'pending' "
                          "DO UPDATE SET version = version + 1", -1, &queue, NULL);

  start = g_get_monotonic_time ();
  sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  for (guint i = 0; i < events->len; i++)
    {
      const Event *e = &g_array_index (events, Event, i);
      gint64 raw_id;

      if (e->type != WARD_SIM_EVENT_DEVICE_MESSAGE)
        continue;

      sqlite3_bind_int64 (raw, 1, e->at);
      sqlite3_bind_text (raw, 2, e->device_id, -1, SQLITE_STATIC);
      sqlite3_bind_blob (raw, 3, e->payload, strlen (e->payload), SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (raw), ==, SQLITE_DONE);
      sqlite3_reset (raw);
      raw_id = sqlite3_last_insert_rowid (db);

      /* As many measurement rows as the pipeline made, spread evenly. */
      owed += values_per_message_x1000;
      for (; made * 1000 < owed; made++)
        {
          sqlite3_bind_text (meas, 1, e->device_id, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (meas, 2, e->at);
          sqlite3_bind_int64 (meas, 3, raw_id);
          g_assert_cmpint (sqlite3_step (meas), ==, SQLITE_DONE);
          sqlite3_reset (meas);
        }

      /* As many resource versions as the pipeline wrote, spread evenly,
       * going round the resources it stored.
       */
      versions_owed += versions_per_message_x1000;
      for (; versions_made * 1000 < versions_owed && resources->len > 0; versions_made++)
        {
          const Resource *r = g_ptr_array_index (resources, versions_made % resources->len);

          sqlite3_bind_text (put, 1, r->resource_type, -1, SQLITE_STATIC);
          sqlite3_bind_text (put, 2, r->id, -1, SQLITE_STATIC);
          sqlite3_bind_text (put, 3, r->json, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (put, 4, e->at);
          g_assert_cmpint (sqlite3_step (put), ==, SQLITE_DONE);
          sqlite3_reset (put);
          sqlite3_bind_text (queue, 1, r->resource_type, -1, SQLITE_STATIC);
          sqlite3_bind_text (queue, 2, r->id, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (queue, 3, e->at);
          g_assert_cmpint (sqlite3_step (queue), ==, SQLITE_DONE);
          sqlite3_reset (queue);
        }

      if (++in_batch == BATCH)
        {
          sqlite3_exec (db, "COMMIT; BEGIN IMMEDIATE", NULL, NULL, NULL);
          in_batch = 0;
        }
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  end = g_get_monotonic_time ();

  sqlite3_finalize (raw);
  sqlite3_finalize (meas);
  sqlite3_finalize (put);
  sqlite3_finalize (queue);
  sqlite3_close (db);

  return (end - start) / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WardSimulator) sim = NULL;
  g_autoptr(GArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_a = NULL;
  g_autofree char *db_b = NULL;
  const char *bench_dir = g_getenv ("WARD_BENCH_DIR");
  gint64 t0 = G_GINT64_CONSTANT (1800000000000000);
  guint64 n_messages = 0, n_measurements = 0, n_device = 0, n_versions = 0;
  g_autoptr(GPtrArray) resources = NULL;
  double pipeline_s, raw_s, pipeline_rate, raw_rate, ratio;
  guint sim_hours = ward_bench_scale (SIM_HOURS, 1);
  gboolean pass;

  /* On the disk the store lives on, not tmpfs: fsync is part of the cost. */
  dir = g_build_filename (bench_dir ? bench_dir : g_get_user_cache_dir (), "wardwatch-bench", NULL);
  g_mkdir_with_parents (dir, 0700);
  db_a = fresh_db (dir, "pipeline.db");
  db_b = fresh_db (dir, "raw.db");

  sim = ward_simulator_new (N_BEDS, 42, t0, NULL, NULL, &error);
  g_assert_no_error (error);
  events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_array_set_clear_func (events, (GDestroyNotify) event_clear);
  ward_simulator_advance (sim, t0 + sim_hours * WARD_USEC_PER_HOUR, collect_cb, events);
  for (guint i = 0; i < events->len; i++)
    n_device += g_array_index (events, Event, i).type == WARD_SIM_EVENT_DEVICE_MESSAGE;

  pipeline_s = run_pipeline (events, sim, db_a, &n_messages, &n_measurements, &n_versions);
  resources = read_resources (db_a);
  raw_s = run_raw_inserts (events, db_b, n_measurements * 1000 / MAX (n_device, 1),
                           resources, n_versions * 1000 / MAX (n_device, 1));

  pipeline_rate = n_messages / pipeline_s;
  raw_rate = n_device / raw_s;
  ratio = pipeline_rate / raw_rate;

  printf ("bench-pipeline: %d beds, %u simulated hours, %" G_GUINT64_FORMAT " messages, %"
          G_GUINT64_FORMAT " measurements, %" G_GUINT64_FORMAT " FHIR resource versions, batches of %d\n",
          N_BEDS, sim_hours, n_messages, n_measurements, n_versions, BATCH);
  printf ("  pipeline (archive, mapping, store, scoring, flags): %.3f s, %.0f messages/s\n",
          pipeline_s, pipeline_rate);
  printf ("  raw SQLite inserts of the same rows:                %.3f s, %.0f messages/s\n",
          raw_s, raw_rate);
  printf ("  ratio pipeline/raw: %.3f (limit >= %.2f): %s\n", ratio, MIN_RATIO,
          ratio >= MIN_RATIO ? "PASS" : "FAIL");
  printf ("  a 64-bed ward sends about %.0f messages/s in real time: headroom %.0fx\n",
          n_device / (sim_hours * 3600.0), pipeline_rate / (n_device / (sim_hours * 3600.0)));

  g_unlink (db_a);
  g_unlink (db_b);
  {
    g_autofree char *p1 = g_strconcat (db_a, "-wal", NULL);
    g_autofree char *p2 = g_strconcat (db_a, "-shm", NULL);
    g_autofree char *p3 = g_strconcat (db_b, "-wal", NULL);
    g_autofree char *p4 = g_strconcat (db_b, "-shm", NULL);
    g_unlink (p1); g_unlink (p2); g_unlink (p3); g_unlink (p4);
  }
  g_rmdir (dir);

  /* The ratio pipeline/raw inserts passes at or above the limit. */
  pass = ward_bench_report ("pipeline", WARD_BENCH_AT_LEAST, MIN_RATIO, ratio,
                            "messages", (double) n_messages,
                            "pipeline_per_s", pipeline_rate,
                            "raw_inserts_per_s", raw_rate,
                            NULL);
  return ward_bench_exit_status (pass);
}
