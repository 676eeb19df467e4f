/* ward-headless.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-headless"

#include "config.h"

#include "ward-headless.h"

#include <glib-unix.h>
#include <stdio.h>

typedef struct
{
  GMainLoop *loop;
  gboolean   interrupted;
} Run;

static gboolean
duration_elapsed_cb (gpointer data)
{
  Run *run = data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
signal_cb (gpointer data)
{
  Run *run = data;

  run->interrupted = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

static void
print_summary (WardSnapshot *snapshot)
{
  const WardCounters *c = ward_snapshot_get_counters (snapshot);

  g_print ("{\"beds\":%u,\"messages\":%" G_GUINT64_FORMAT ",\"measurements\":%" G_GUINT64_FORMAT
           ",\"scores\":%" G_GUINT64_FORMAT ",\"flags_raised\":%" G_GUINT64_FORMAT
           ",\"dead_letters\":%" G_GUINT64_FORMAT ",\"flags_escalated\":%" G_GUINT64_FORMAT
           ",\"technical_alerts\":%" G_GUINT64_FORMAT "}\n",
           ward_snapshot_get_n_beds (snapshot),
           c->messages, c->measurements, c->scores, c->flags_raised, c->dead_letters,
           c->flags_escalated, c->technical_alerts);
  fflush (stdout);
}

int
ward_headless_run (const WardPipelineConfig *config,
                   const WardSourcesConfig  *sources_config,
                   double                    duration_sec)
{
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardSources) sources = NULL;
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };
  guint sigint_id;
  guint sigterm_id;
  guint timeout_id = 0;

  g_return_val_if_fail (config != NULL, 1);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;

  pipeline = ward_pipeline_new (config);
  if (!ward_pipeline_start (pipeline, NULL, NULL, &error))
    {
      g_printerr ("wardwatch: %s\n", error->message);
      return 1;
    }

  if (sources_config != NULL)
    {
      sources = ward_sources_new (pipeline, sources_config);
      if (!ward_sources_start (sources, &error))
        {
          g_printerr ("wardwatch: %s\n", error->message);
          ward_pipeline_stop (pipeline);
          return 1;
        }
    }

  sigint_id = g_unix_signal_add (SIGINT, signal_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, signal_cb, &run);
  if (duration_sec > 0)
    timeout_id = g_timeout_add ((guint) (duration_sec * 1000), duration_elapsed_cb, &run);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (!run.interrupted && timeout_id != 0)
    timeout_id = 0;
  g_clear_handle_id (&timeout_id, g_source_remove);

  /* Sources first, so nothing new arrives; the last tick runs and
   * commits inside the pipeline's stop().
   */
  if (sources != NULL)
    ward_sources_stop (sources);
  ward_pipeline_stop (pipeline);

  snapshot = ward_pipeline_get_snapshot (pipeline);
  print_summary (snapshot);

  if (!ward_pipeline_check_health (pipeline, &error))
    {
      g_printerr ("wardwatch: the store failed during the run: %s\n", error->message);
      return 1;
    }

  return 0;
}
