/* bench-fhir-sync.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "ward-bench.h"
#include "ward-engine.h"
#include "ward-fhir-sync.h"
#include "ward-fhir-template.h"
#include "ward-simulator.h"
#include "ward-test-fhir-server.h"

/* The outbox through WardFhirSync into the FHIR test server (Medplum on
 * Node, tests/fhir-server), in batch Bundles and in single PUTs, against
 * the server's own rate for a plain loop of PUTs of the same resources
 * from a minimal libsoup client in the same run.  The server is emptied
 * before each run, so each one creates the same resources.  Also the
 * outbox's local write rate: the same resources put into a fresh store
 * (resource table and outbox), in transactions of a tick's size.
 *
 * The resources are what the engine makes for a simulated ward: NEWS2
 * Observations, RiskAssessments, Flags and the Device, and the hourly
 * vital-signs Observations in the IoMT connector's format, which the
 * sync reads before it first writes them in a session (here the server
 * has none: 404).  A last run sends the same outbox again into the
 * server that has them, as after a restart: each of those Observations
 * is then read, merged into the server's copy and written with
 * If-Match.
 *
 * The runs are interleaved, ROUNDS times (plain loop, batch, single), and
 * the best rate of each is kept: on a shared machine the load changes
 * from one minute to the next, and a plain loop measured in a quiet
 * minute against a sync measured in a busy one (or the reverse) says
 * nothing about either.  Both sides send the same rows to the same server
 * (lax references for both; the plain loop in the outbox's order).
 */

#define N_BEDS            32
#define SIM_HOURS         3
#define TICK_RESOURCES    200      /* resources per store transaction, as a busy tick */
#define MIN_RATIO_BATCH   1.2      /* batch sync >= 1.2 times the plain loop of PUTs */
#define MIN_RATIO_SINGLE  0.8      /* single-PUT sync >= 0.8 of it */
#define ROUNDS            3        /* interleaved runs of each, the best kept */

/* Fewer beds and simulated hours under WARD_BENCH_QUICK. */
static guint sim_hours = SIM_HOURS;
static guint n_beds = N_BEDS;

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
  WardEngine *engine;
  GError    **error;
} Feed;

static void
feed_cb (const WardSimEvent *e,
         gpointer            user_data)
{
  Feed *feed = user_data;
  gboolean ok = TRUE;

  if (*feed->error != NULL)
    return;

  switch (e->type)
    {
    case WARD_SIM_EVENT_DEVICE_MESSAGE:
      ok = ward_engine_ingest (feed->engine, "simulator", WARD_CONTENT_TYPE_JSON, e->device_id,
                               e->payload, strlen (e->payload), e->at, NULL, NULL, feed->error);
      break;
    case WARD_SIM_EVENT_NURSE_ENTRY:
      ok = ward_engine_nurse_entry (feed->engine, e->patient_id, e->kind, e->value, e->at, e->user,
                                    feed->error);
      break;
    case WARD_SIM_EVENT_SPO2_SCALE:
      ok = ward_engine_set_spo2_scale (feed->engine, e->patient_id, (int) e->value, e->at, e->user,
                                       feed->error);
      break;
    case WARD_SIM_EVENT_CONFIRM:
      ok = ward_engine_confirm (feed->engine, e->patient_id, e->at, e->user, feed->error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_true (ok);
}

static void
collect_cb (const char *resource_type,
            const char *id,
            gint64      version,
            const char *json,
            gpointer    user_data)
{
  Resource *r = g_new0 (Resource, 1);

  r->resource_type = g_strdup (resource_type);
  r->id = g_strdup (id);
  r->json = g_strdup (json);
  g_ptr_array_add (user_data, r);
}

/* A simulated ward through the engine, minute by minute; its resources. */
static GPtrArray *
make_resources (const char *path,
                gint64      t0)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(WardSimulator) sim = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *resources = g_ptr_array_new_with_free_func ((GDestroyNotify) resource_free);
  WardEngineConfig config;
  Feed feed;

  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  ward_store_set_sync_full (store, FALSE);
  /* As the pipeline runs it: with the vital-signs Observations. */
  ward_engine_config_init (&config);
  config.vitals_observations = TRUE;
  engine = ward_engine_new (store, &config);
  sim = ward_simulator_new (n_beds, 42, t0, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ward_engine_begin (engine, &error));
  for (guint i = 0; i < ward_simulator_get_n_beds (sim); i++)
    {
      const WardSimBed *b = ward_simulator_get_bed (sim, i);

      g_assert_true (ward_engine_register_bed (engine, b->bed_id, b->bed_label, b->patient_id,
                                               b->patient_name, b->device_id, b->spo2_scale, &error));
    }
  g_assert_true (ward_engine_commit (engine, &error));

  feed.engine = engine;
  feed.error = &error;
  for (gint64 at = t0 + WARD_USEC_PER_MINUTE; at <= t0 + sim_hours * WARD_USEC_PER_HOUR;
       at += WARD_USEC_PER_MINUTE)
    {
      g_assert_true (ward_engine_begin (engine, &error));
      ward_simulator_advance (sim, at, feed_cb, &feed);
      g_assert_no_error (error);
      g_assert_true (ward_engine_evaluate (engine, at, &error));
      g_assert_true (ward_engine_commit (engine, &error));
      g_assert_no_error (error);
    }

  g_assert_true (ward_store_foreach_resource (store, NULL, collect_cb, resources, &error));
  g_assert_no_error (error);
  return resources;
}

/* The resources into a fresh store and its outbox; returns resources/s. */
static double
fill_outbox (WardStore *store,
             GPtrArray *resources,
             gint64     at)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < resources->len; i++)
    {
      const Resource *r = g_ptr_array_index (resources, i);
      gboolean changed = FALSE;

      if (i % TICK_RESOURCES == 0)
        g_assert_true (ward_store_begin (store, &error));
      g_assert_true (ward_store_put_resource (store, r->resource_type, r->id, r->json, at,
                                              &changed, &error));
      g_assert_true (changed);
      if ((i + 1) % TICK_RESOURCES == 0 || i + 1 == resources->len)
        g_assert_true (ward_store_commit (store, &error));
    }
  g_assert_no_error (error);

  return resources->len / ((g_get_monotonic_time () - start) / 1e6);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* The outbox into the server through WardFhirSync; returns resources/s. */
static double
run_sync (WardTestFhirServer *server,
          const char         *path,
          GPtrArray          *resources,
          guint               batch_size,
          gboolean            reset,
          guint64            *n_bundles,
          guint64            *n_reads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardFhirSync) sync = NULL;
  g_autoptr(WardFhirTemplate) vitals = NULL;
  gint64 start;
  double seconds;
  guint wake;

  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  fill_outbox (store, resources, g_get_real_time () - WARD_USEC_PER_HOUR);
  if (reset)
    g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);

  /* As the pipeline sets it up. */
  vitals = ward_fhir_template_new_from_resource (WARD_ENGINE_VITALS_MAPPING_RESOURCE, &error);
  g_assert_no_error (error);
  sync = ward_fhir_sync_new (store, ward_test_fhir_server_get_base_url (server), NULL);
  ward_fhir_sync_set_batch_size (sync, batch_size);
  ward_fhir_sync_set_template (sync, vitals);
  wake = g_timeout_add (50, wake_cb, NULL);
  start = g_get_monotonic_time ();
  ward_fhir_sync_start (sync);
  while (ward_store_outbox_get_n_pending (store, NULL) > 0)
    g_main_context_iteration (NULL, TRUE);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_source_remove (wake);

  g_assert_cmpuint (ward_fhir_sync_get_n_sent (sync), ==, resources->len);
  g_assert_cmpuint (ward_fhir_sync_get_n_retried (sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_parked (sync), ==, 0);
  g_assert_cmpuint (ward_fhir_sync_get_n_conflicts (sync), ==, 0);
  *n_bundles = ward_fhir_sync_get_n_bundles (sync);
  *n_reads = ward_fhir_sync_get_n_reads (sync);
  ward_fhir_sync_stop (sync);

  return resources->len / seconds;
}

/* The baseline: a plain loop of PUTs, one after another, from one
 * libsoup session (kept-alive connection); returns resources/s.
 */
static double
run_plain_puts (WardTestFhirServer *server,
                GPtrArray          *resources)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  const char *base = ward_test_fhir_server_get_base_url (server);
  gint64 start;

  g_assert_true (ward_test_fhir_server_reset (server, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < resources->len; i++)
    {
      const Resource *r = g_ptr_array_index (resources, i);
      g_autofree char *url = g_strdup_printf ("%s/%s/%s", base, r->resource_type, r->id);
      g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_PUT, url);
      g_autoptr(GBytes) body = g_bytes_new_static (r->json, strlen (r->json));
      g_autoptr(GBytes) answer = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                    "application/fhir+json");
      soup_message_set_request_body_from_bytes (msg, "application/fhir+json", body);
      answer = soup_session_send_and_read (session, msg, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_CREATED);
    }

  return resources->len / ((g_get_monotonic_time () - start) / 1e6);
}

static gint64
server_total (WardTestFhirServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = ward_test_fhir_server_dup_stats (server, &error);
  const char *total;

  g_assert_no_error (error);
  total = strstr (stats, "\"total\":");
  g_assert_nonnull (total);
  return g_ascii_strtoll (total + strlen ("\"total\":"), NULL, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) resources = NULL;
  g_autoptr(WardTestFhirServer) server = NULL;
  g_autoptr(WardStore) write_store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_source = NULL;
  g_autofree char *db_write = NULL;
  g_autofree char *db_batch = NULL;
  g_autofree char *db_single = NULL;
  g_autofree char *db_again = NULL;
  const char *bench_dir = g_getenv ("WARD_BENCH_DIR");
  gint64 t0;
  guint64 n_bundles = 0, n_bundles_single = 0, n_bundles_again = 0;
  guint64 n_reads = 0, n_reads_single = 0, n_reads_again = 0;
  double write_rate, plain_rate, batch_rate, single_rate, again_rate, ratio_batch, ratio_single;
  guint rounds;
  gboolean pass;

  if (ward_test_fhir_server_skip_reason () != NULL)
    {
      printf ("bench-fhir-sync: SKIP: %s\n", ward_test_fhir_server_skip_reason ());
      return 77;
    }

  sim_hours = ward_bench_scale (SIM_HOURS, 1);
  n_beds = ward_bench_scale (N_BEDS, 8);
  rounds = ward_bench_scale (ROUNDS, 1);

  /* On the disk the store lives on, not tmpfs: fsync is part of the cost. */
  dir = g_build_filename (bench_dir ? bench_dir : g_get_user_cache_dir (), "wardwatch-bench-fhir", NULL);
  g_mkdir_with_parents (dir, 0700);
  db_source = fresh_db (dir, "source.db");
  db_write = fresh_db (dir, "write.db");
  db_batch = fresh_db (dir, "batch.db");
  db_single = fresh_db (dir, "single.db");
  db_again = fresh_db (dir, "again.db");

  t0 = (g_get_real_time () / WARD_USEC_PER_HOUR - sim_hours - 1) * WARD_USEC_PER_HOUR;
  resources = make_resources (db_source, t0);
  g_assert_cmpuint (resources->len, >, ward_bench_quick () ? 50 : 500);

  write_store = ward_store_open (db_write, &error);
  g_assert_no_error (error);
  write_rate = fill_outbox (write_store, resources, t0);
  g_clear_object (&write_store);

  /* Lax references: the plain PUT loop this is measured against sends
   * the rows in the outbox's order, as a bare client would, not Patients
   * and Devices first; both sides send the same rows to the same server.
   */
  server = ward_test_fhir_server_new ((const char *[]) { WARD_TEST_FHIR_LAX_REFERENCES, NULL },
                                      &error);
  g_assert_no_error (error);

  /* Warm-up: the server compiles its schema validators on first use. */
  run_plain_puts (server, resources);

  plain_rate = batch_rate = single_rate = 0;
  for (guint r = 0; r < rounds; r++)
    {
      double rate;

      rate = run_plain_puts (server, resources);
      g_assert_cmpint (server_total (server), ==, resources->len);
      plain_rate = MAX (plain_rate, rate);

      g_free (db_batch);
      db_batch = fresh_db (dir, "batch.db");
      rate = run_sync (server, db_batch, resources, 100, TRUE, &n_bundles, &n_reads);
      g_assert_cmpint (server_total (server), ==, resources->len);
      batch_rate = MAX (batch_rate, rate);

      g_free (db_single);
      db_single = fresh_db (dir, "single.db");
      rate = run_sync (server, db_single, resources, 1, TRUE, &n_bundles_single, &n_reads_single);
      g_assert_cmpint (server_total (server), ==, resources->len);
      g_assert_cmpuint (n_bundles_single, ==, 0);
      g_assert_cmpuint (n_reads_single, ==, n_reads);
      single_rate = MAX (single_rate, rate);
    }
  /* Again into the server that has them all: no new resource. */
  again_rate = run_sync (server, db_again, resources, 100, FALSE, &n_bundles_again, &n_reads_again);
  g_assert_cmpint (server_total (server), ==, resources->len);
  g_assert_cmpuint (n_reads_again, ==, n_reads);

  ratio_batch = batch_rate / plain_rate;
  ratio_single = single_rate / plain_rate;
  pass = ratio_batch >= MIN_RATIO_BATCH && ratio_single >= MIN_RATIO_SINGLE;

  printf ("bench-fhir-sync: %u FHIR resources from %u simulated beds over %u hours, "
          "into the FHIR test server (Medplum 4.5.2 on Node, in memory); best of %u "
          "interleaved rounds\n", resources->len, n_beds, sim_hours, rounds);
  printf ("  outbox local write rate (store + outbox, %d per transaction): %.0f resources/s\n",
          TICK_RESOURCES, write_rate);
  printf ("  plain loop of PUTs, minimal libsoup client:     %.0f resources/s\n", plain_rate);
  printf ("  connector-format Observations among them (read before they are written): %" G_GUINT64_FORMAT "\n",
          n_reads);
  printf ("  sync, batch Bundles of 100 (%" G_GUINT64_FORMAT " Bundles, of GETs and of PUTs): "
          "%.0f resources/s, ratio %.2f (limit >= %.2f): %s\n",
          n_bundles, batch_rate, ratio_batch, MIN_RATIO_BATCH,
          ratio_batch >= MIN_RATIO_BATCH ? "PASS" : "FAIL");
  printf ("  sync, single PUTs (and GETs):                   %.0f resources/s, "
          "ratio %.2f (limit >= %.2f): %s\n",
          single_rate, ratio_single, MIN_RATIO_SINGLE,
          ratio_single >= MIN_RATIO_SINGLE ? "PASS" : "FAIL");
  printf ("  sync again into the server that has them, batch (%" G_GUINT64_FORMAT " Bundles; the "
          "Observations merged, If-Match): %.0f resources/s, ratio %.2f\n",
          n_bundles_again, again_rate, again_rate / plain_rate);

  g_clear_pointer (&server, ward_test_fhir_server_free);
  {
    const char *paths[] = { db_source, db_write, db_batch, db_single, db_again };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autofree char *wal = g_strconcat (paths[i], "-wal", NULL);
        g_autofree char *shm = g_strconcat (paths[i], "-shm", NULL);

        g_unlink (paths[i]);
        g_unlink (wal);
        g_unlink (shm);
      }
  }
  g_rmdir (dir);

  /* Two limits: the common ratio is the worse of batch/plain and
   * single/plain over its limit, and passes at or above 1.
   */
  pass = ward_bench_report ("fhir-sync", WARD_BENCH_AT_LEAST, 1.0,
                            MIN (ratio_batch / MIN_RATIO_BATCH, ratio_single / MIN_RATIO_SINGLE),
                            "resources", (double) resources->len,
                            "plain_puts_per_s", plain_rate,
                            "batch_per_s", batch_rate,
                            "single_per_s", single_rate,
                            "again_per_s", again_rate,
                            "ratio_batch", ratio_batch,
                            "ratio_single", ratio_single,
                            "outbox_writes_per_s", write_rate,
                            NULL);
  return ward_bench_exit_status (pass);
}
