/* bench-e2e.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <mosquitto.h>
#include <stdio.h>

#include "ward-bench.h"
#include "ward-mqtt-source.h"
#include "ward-pipeline.h"
#include "ward-test-broker.h"
#include "ward-window.h"
#include "ward-window-private.h"

/* From a monitor publishing a deteriorating value to the nurse seeing
 * the flag: a real mosquitto broker, the pipeline with its MQTT source
 * (the demo ward's 64 beds and devices), and a ward window on the
 * pipeline's snapshots, as the application runs them.
 *
 * A publisher thread sends every monitor's HR, RR and SpO2 once a
 * second (QoS 1), ordinary values.  Every INTERVAL one bed in turn
 * starts sending values that score NEWS2 high (HR 135, RR 30, SpO2 88:
 * 3 + 3 + 3), and goes on until its flag shows.  Three times are taken
 * from the publish of the first such message (monotonic clock):
 *   - to the first snapshot delivered to the main thread with the bed's
 *     flag open,
 *   - to the end of the first frame painted after the window applied
 *     that snapshot (the frame clock's after-paint),
 * and p50, p99 and max are printed over the beds.  The flag's sustain
 * delay (3 minutes by default, a clinical choice, not a cost) is set to
 * 0 here: what is measured is the way through the software.
 *
 * Limits: p99 to the snapshot under 250 ms, p99 to the screen under
 * 500 ms.  The ratio is the worse of the two p99s over its limit and
 * passes at or below 1.  Not measured yet: the way over MLLP, and the
 * desktop notification.
 */

#define N_BEDS            64
#define INTERVAL_USEC     (2 * G_USEC_PER_SEC)
#define WARMUP_SECONDS    10
#define LIMIT_SNAPSHOT_MS 250.0
#define LIMIT_SCREEN_MS   500.0
#define TIMEOUT_SECONDS   30

typedef struct
{
  struct mosquitto *mosq;
  GMutex            lock;
  gint64            started;        /* monotonic, when the publisher began */
  guint             n_samples;      /* beds to deteriorate */
  guint             current;        /* the bed deteriorating, 1-based; 0 none */
  gint64            published_at;   /* its first bad value */
  gboolean          seen;           /* its flag reached the snapshot */
  gboolean          stop;
  guint64           n_published;
} Publisher;

typedef struct
{
  Publisher    *pub;
  WardWindow   *window;
  GArray       *to_snapshot;   /* double, ms */
  GArray       *to_screen;     /* double, ms */
  gint64        flag_at;       /* snapshot time of the flag awaiting paint, or 0 */
  gint64        paint_from;    /* its publish time */
  guint64       applied_before; /* the window's applied snapshots before it */
  guint         last_bed;      /* the bed whose flag was last seen */
} Bench;

static char *
iso8601_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
publish_vitals (Publisher *pub,
                guint      bed,
                guint64    serial,
                gboolean   bad)
{
  g_autofree char *at = iso8601_now ();
  g_autofree char *topic = g_strdup_printf ("devices/sim-monitor-%02u/messages/events/", bed);
  g_autofree char *payload = NULL;

  payload = g_strdup_printf ("{\"deviceId\":\"sim-monitor-%02u\",\"messageId\":\"bench-%02u-%"
                             G_GUINT64_FORMAT "\",\"kind\":\"vitals\",\"measuredAt\":\"%s\","
                             "\"heartRate\":%d,\"respiratoryRate\":%d,\"spo2\":%d}",
                             bed, bed, serial, at,
                             bad ? 135 : 72 + (int) (serial % 5),
                             bad ? 30 : 15 + (int) (serial % 2),
                             bad ? 88 : 97);
  mosquitto_publish (pub->mosq, NULL, topic, (int) strlen (payload), payload, 1, false);
  pub->n_published++;
}

/* Every bed once a second, spread over the second; one bed in turn
 * deteriorating.
 */
static gpointer
publisher_thread (gpointer data)
{
  Publisher *pub = data;
  guint64 serial = 0;
  guint next_sample = 1;
  gint64 next_deteriorate = pub->started + WARMUP_SECONDS * G_USEC_PER_SEC;

  for (gint64 tick = 0;; tick++)
    {
      gint64 second_start = pub->started + tick * G_USEC_PER_SEC;

      serial++;
      for (guint bed = 1; bed <= N_BEDS; bed++)
        {
          gint64 due = second_start + (bed - 1) * G_USEC_PER_SEC / N_BEDS;
          gint64 now = g_get_monotonic_time ();
          gboolean bad;

          if (due > now)
            g_usleep (due - now);

          g_mutex_lock (&pub->lock);
          if (pub->stop)
            {
              g_mutex_unlock (&pub->lock);
              return NULL;
            }
          /* The next bed starts deteriorating when the last one's flag
           * was seen and its turn has come.
           */
          if (bed == (next_sample - 1) % N_BEDS + 1 && next_sample <= pub->n_samples &&
              (pub->current == 0 || pub->seen) && g_get_monotonic_time () >= next_deteriorate)
            {
              pub->current = bed;
              pub->seen = FALSE;
              pub->published_at = 0;
              next_sample++;
              next_deteriorate = g_get_monotonic_time () + INTERVAL_USEC;
            }
          bad = pub->current == bed && !pub->seen;
          if (bad && pub->published_at == 0)
            pub->published_at = g_get_monotonic_time ();
          publish_vitals (pub, bed, serial, bad);
          g_mutex_unlock (&pub->lock);
        }
    }

  return NULL;
}

static guint64
get_n_applied (WardWindow *window)
{
  guint64 n_received, n_applied;
  gint64 max_usec, total_usec;

  _ward_window_get_stats (window, &n_received, &n_applied, &max_usec, &total_usec);

  return n_applied;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  guint64 n_applied = 0;
  double ms;

  if (bench->flag_at == 0 || bench->window == NULL)
    return;

  /* Painted once the window applied that snapshot or a newer one. */
  n_applied = get_n_applied (bench->window);
  if (n_applied <= bench->applied_before)
    return;

  ms = (g_get_monotonic_time () - bench->paint_from) / 1000.0;
  g_array_append_val (bench->to_screen, ms);
  bench->flag_at = 0;
}

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  Bench *bench = user_data;
  Publisher *pub = bench->pub;
  gint64 now = g_get_monotonic_time ();
  guint64 n_applied = 0;

  if (bench->window != NULL)
    {
      n_applied = get_n_applied (bench->window);
      ward_window_apply_snapshot (bench->window, snapshot);
    }

  g_mutex_lock (&pub->lock);
  if (pub->current != 0 && !pub->seen && pub->published_at != 0 &&
      pub->current <= ward_snapshot_get_n_beds (snapshot))
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, pub->current - 1);

      if (bed->flag_id != 0 && bed->flag_state == WARD_FLAG_STATE_OPEN)
        {
          double ms = (now - pub->published_at) / 1000.0;

          g_array_append_val (bench->to_snapshot, ms);
          pub->seen = TRUE;
          bench->last_bed = pub->current;
          bench->flag_at = now;
          bench->paint_from = pub->published_at;
          bench->applied_before = n_applied;
        }
    }
  g_mutex_unlock (&pub->lock);
}

static void
print_stats (const char *what,
             GArray     *values,
             double     *p50,
             double     *p99,
             double     *max)
{
  *p50 = ward_bench_percentile (values, 0.5);
  *p99 = ward_bench_percentile (values, 0.99);
  *max = ward_bench_percentile (values, 1.0);
  printf ("  %-34s %3u flags: p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n",
          what, values->len, *p50, *p99, *max);
}

static void
remove_db (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(WardTestBroker) broker = NULL;
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardMqttSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_auto(WardMqttSourceConfig) mqtt = { 0 };
  g_autofree char *dir = g_dir_make_tmp ("bench-e2e-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "ward.db", NULL);
  g_autoptr(GArray) to_snapshot = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) to_screen = g_array_new (FALSE, FALSE, sizeof (double));
  Publisher pub = { 0 };
  Bench bench = { 0 };
  GdkFrameClock *clock;
  GThread *thread;
  double s50, s99, smax, p50, p99, pmax, ratio;
  gint64 deadline;
  gboolean pass;

  if (!gtk_init_check ())
    {
      printf ("bench-e2e: no display; run it under xvfb-run -a\n");
      return 77;
    }
  adw_init ();
  mosquitto_lib_init ();

  broker = ward_test_broker_new (&error);
  if (broker == NULL)
    {
      printf ("bench-e2e: SKIP: no mosquitto broker: %s\n", error->message);
      return 77;
    }

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db);
  config.demo = TRUE;
  config.n_beds = N_BEDS;
  config.time_scale = 1;
  config.flag_open_delay_usec = 0;
  pipeline = ward_pipeline_new (&config);

  bench.pub = &pub;
  bench.to_snapshot = to_snapshot;
  bench.to_screen = to_screen;
  bench.window = ward_window_new (NULL);
  g_object_add_weak_pointer (G_OBJECT (bench.window), (gpointer *) &bench.window);
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 1600, 1000);
  ward_window_set_demo (bench.window, TRUE);
  ward_window_set_user (bench.window, "bench");
  g_object_set (bench.window, "db-path", db, NULL);
  gtk_window_present (GTK_WINDOW (bench.window));

  if (!ward_pipeline_start (pipeline, snapshot_cb, &bench, &error))
    g_error ("pipeline: %s", error->message);
  ward_window_set_pipeline (bench.window, pipeline);

  ward_mqtt_source_config_init (&mqtt);
  mqtt.url = g_strdup (ward_test_broker_get_url (broker));
  source = ward_mqtt_source_new (pipeline, &mqtt);
  if (!ward_mqtt_source_start (source, &error))
    g_error ("MQTT source: %s", error->message);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!ward_mqtt_source_get_connected (source) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (10 * 1000);
  g_assert_true (ward_mqtt_source_get_connected (source));

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench.window));
  g_assert (clock != NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &bench);

  pub.mosq = mosquitto_new ("bench-e2e-monitors", true, NULL);
  g_assert (pub.mosq != NULL);
  g_assert_cmpint (mosquitto_connect (pub.mosq, "127.0.0.1", (int) ward_test_broker_get_port (broker), 30),
                   ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_loop_start (pub.mosq), ==, MOSQ_ERR_SUCCESS);
  g_mutex_init (&pub.lock);
  pub.n_samples = ward_bench_scale (N_BEDS, 4);
  pub.started = g_get_monotonic_time ();

  printf ("bench-e2e: %d monitors over MQTT (QoS 1, mosquitto on 127.0.0.1), HR, RR and SpO2 "
          "each once a second; %u beds deteriorate in turn, %d s apart\n",
          N_BEDS, pub.n_samples, (int) (INTERVAL_USEC / G_USEC_PER_SEC));
  fflush (stdout);
  thread = g_thread_new ("monitors", publisher_thread, &pub);

  /* Until every bed's flag was painted, or a flag takes too long. */
  deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;
  while (to_screen->len < pub.n_samples && g_get_monotonic_time () < deadline)
    {
      guint before = to_screen->len;

      g_main_context_iteration (NULL, TRUE);
      if (to_screen->len > before)
        deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;
    }

  g_mutex_lock (&pub.lock);
  pub.stop = TRUE;
  g_mutex_unlock (&pub.lock);
  g_thread_join (thread);
  mosquitto_loop_stop (pub.mosq, true);
  mosquitto_disconnect (pub.mosq);
  mosquitto_destroy (pub.mosq);

  printf ("  %" G_GUINT64_FORMAT " messages published\n", pub.n_published);
  print_stats ("publish -> flag in the snapshot:", to_snapshot, &s50, &s99, &smax);
  print_stats ("publish -> flag painted:", to_screen, &p50, &p99, &pmax);

  ratio = MAX (s99 / LIMIT_SNAPSHOT_MS, p99 / LIMIT_SCREEN_MS);
  if (to_screen->len < pub.n_samples)
    {
      printf ("  only %u of %u flags reached the screen\n", to_screen->len, pub.n_samples);
      ratio = NAN;
    }
  printf ("  ratio (worse p99 over its limit: snapshot %.0f ms, screen %.0f ms) %.3f "
          "(limit <= 1): %s\n", LIMIT_SNAPSHOT_MS, LIMIT_SCREEN_MS, ratio,
          ward_bench_passes (WARD_BENCH_AT_MOST, ratio, 1.0) ? "PASS" : "FAIL");

  ward_mqtt_source_stop (source);
  ward_pipeline_stop (pipeline);
  if (bench.window != NULL)
    gtk_window_destroy (GTK_WINDOW (bench.window));
  remove_db (db);
  g_rmdir (dir);
  mosquitto_lib_cleanup ();

  pass = ward_bench_report ("e2e", WARD_BENCH_AT_MOST, 1.0, ratio,
                            "flags", (double) to_screen->len,
                            "snapshot_p50_ms", s50, "snapshot_p99_ms", s99, "snapshot_max_ms", smax,
                            "screen_p50_ms", p50, "screen_p99_ms", p99, "screen_max_ms", pmax,
                            NULL);
  return ward_bench_exit_status (pass);
}
