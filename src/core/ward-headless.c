/* ward-headless.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-headless"

#include "config.h"

#include "ward-headless.h"

#include "ward-actions.h"
#include "ward-staff-directory.h"
#include "ward-store.h"

#include <glib-unix.h>
#include <stdio.h>

typedef struct
{
  GMainLoop    *loop;
  gboolean      interrupted;
  WardPipeline *pipeline;
  gint64        simulated_start;
  gint64        simulated_usec;
} Run;

static gboolean
duration_elapsed_cb (gpointer data)
{
  Run *run = data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

/* --simulated-duration: the ward's clock, as far as the pipeline got
 * (the snapshot's time), has run the span asked for.  On a machine that
 * cannot keep the time scale this takes longer in real time, never less
 * simulated time, so a run covers the same simulated hours anywhere.
 */
static gboolean
simulated_elapsed_cb (gpointer data)
{
  Run *run = data;
  g_autoptr(WardSnapshot) snapshot = ward_pipeline_get_snapshot (run->pipeline);

  if (snapshot == NULL ||
      ward_snapshot_get_now (snapshot) - run->simulated_start < run->simulated_usec)
    return G_SOURCE_CONTINUE;

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

/* The summary counts what the store holds of this run, not what the
 * session's counters saw: a batch that failed (disk full) and was tried
 * again must not count twice, and messages another connection archived
 * (MQTT) count although their batch has not been mapped.  A run's rows
 * are those above each table's highest id at the start.
 */
typedef struct
{
  const char *key;
  const char *table;
  const char *where;    /* more conditions, or NULL */
  gint64      mark;
} RunCount;

static RunCount run_counts[] = {
  { "messages", "raw_messages", NULL, 0 },
  { "messages_pending", "raw_messages", "processed_at IS NULL", 0 },
  { "measurements", "measurements", NULL, 0 },
  { "scores", "scores", NULL, 0 },
  { "flags_raised", "flags", "kind = 'clinical'", 0 },
  { "dead_letters", "dead_letters", NULL, 0 },
  { "flags_escalated", "events", "kind = 'flag-escalated'", 0 },
  { "technical_alerts", "flags", "kind = 'technical'", 0 },
};

static gboolean
mark_run_start (const char  *db_path,
                GError     **error)
{
  g_autoptr(WardStore) store = ward_store_open (db_path, error);

  if (store == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (run_counts); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT coalesce(max(id), 0) FROM %s",
                                              run_counts[i].table);

      run_counts[i].mark = _ward_store_query_int (store, sql, error);
      if (run_counts[i].mark < 0 || (error != NULL && *error != NULL))
        return FALSE;
    }

  return TRUE;
}

static gboolean
print_summary (const char    *db_path,
               WardSnapshot  *snapshot,
               GError       **error)
{
  g_autoptr(WardStore) store = ward_store_open_readonly (db_path, error);
  g_autoptr(GString) out = g_string_new (NULL);

  if (store == NULL)
    return FALSE;

  g_string_append_printf (out, "{\"beds\":%u", ward_snapshot_get_n_beds (snapshot));
  for (guint i = 0; i < G_N_ELEMENTS (run_counts); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *sql = NULL;
      gint64 n;

      sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE id > %" G_GINT64_FORMAT "%s%s",
                             run_counts[i].table, run_counts[i].mark,
                             run_counts[i].where ? " AND " : "",
                             run_counts[i].where ? run_counts[i].where : "");
      n = _ward_store_query_int (store, sql, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_string_append_printf (out, ",\"%s\":%" G_GINT64_FORMAT, run_counts[i].key, n);
    }
  g_string_append (out, "}\n");

  g_print ("%s", out->str);
  fflush (stdout);
  return TRUE;
}

static void
outcome_cb (WardActions *actions,
            const char  *action,
            gboolean     ok,
            const char  *message,
            gpointer     user_data)
{
  /* What a script did, for whoever reads the service's log. */
  g_printerr ("wardwatch: %s: %s%s\n", action, ok ? "" : "refused: ", message);
}

/* The instance is the application on the session bus, so that scripts
 * and tests drive it with gapplication or gdbus as they would the window.
 * Without a session bus it runs on, unscriptable; when another instance
 * already owns the name, this one says so and runs on without actions.
 */
static GApplication *
export_actions (WardActions *actions)
{
  g_autoptr(GApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  app = g_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  ward_actions_add_to_map (actions, G_ACTION_MAP (app));

  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("wardwatch: actions not exported on the session bus: %s\n", error->message);
      return NULL;
    }

  if (g_application_get_is_remote (app))
    {
      g_printerr ("wardwatch: another Wardwatch is %s on this session bus: this one's actions "
                  "are not exported\n", APP_ID);
      return NULL;
    }

  return g_steal_pointer (&app);
}

int
ward_headless_run (const WardPipelineConfig *config,
                   const WardSourcesConfig  *sources_config,
                   const WardSessionConfig  *session_config,
                   double                    duration_sec)
{
  return ward_headless_run_full (config, sources_config, session_config, duration_sec, 0);
}

int
ward_headless_run_full (const WardPipelineConfig *config,
                        const WardSourcesConfig  *sources_config,
                        const WardSessionConfig  *session_config,
                        double                    duration_sec,
                        double                    simulated_sec)
{
  g_auto(WardSessionConfig) default_session = { 0 };
  g_autoptr(WardSession) session = NULL;
  g_autoptr(WardStaffDirectory) directory = NULL;
  g_autoptr(WardActions) actions = NULL;
  g_autoptr(GApplication) app = NULL;
  g_autoptr(WardPipeline) pipeline = NULL;
  g_autoptr(WardSources) sources = NULL;
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };
  guint sigint_id;
  guint sigterm_id;
  guint timeout_id = 0;
  guint simulated_id = 0;

  g_return_val_if_fail (config != NULL, 1);
  g_return_val_if_fail (simulated_sec <= 0 || config->demo, 1);

  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;

  if (config->db_path != NULL && !mark_run_start (config->db_path, &error))
    {
      g_printerr ("wardwatch: %s\n", error->message);
      return 1;
    }

  /* A staff file that cannot be read stops the start, before anything runs. */
  if (session_config == NULL)
    {
      ward_session_config_init (&default_session);
      session_config = &default_session;
    }
  session = ward_session_new_for_config (session_config, config->demo, config->db_path, &error);
  if (session == NULL)
    {
      g_printerr ("wardwatch: %s\n", error->message);
      return 2;
    }

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

  /* Staff from the FHIR server's CareTeam, when the staff file names one;
   * a failure leaves the file's list (or the cached one).
   */
  directory = ward_staff_directory_new_for_session (session, config, &error);
  if (directory == NULL && error != NULL)
    {
      g_printerr ("wardwatch: staff from the FHIR server: %s\n", error->message);
      g_clear_error (&error);
    }

  actions = ward_actions_new (pipeline, session);
  g_signal_connect (actions, "outcome", G_CALLBACK (outcome_cb), NULL);
  app = export_actions (actions);

  sigint_id = g_unix_signal_add (SIGINT, signal_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, signal_cb, &run);
  if (duration_sec > 0)
    timeout_id = g_timeout_add ((guint) (duration_sec * 1000), duration_elapsed_cb, &run);
  if (simulated_sec > 0)
    {
      g_autoptr(WardSnapshot) first = ward_pipeline_get_snapshot (pipeline);

      run.pipeline = pipeline;
      run.simulated_start = first != NULL ? ward_snapshot_get_now (first)
                                          : ward_pipeline_get_now (pipeline);
      run.simulated_usec = (gint64) (simulated_sec * G_USEC_PER_SEC);
      simulated_id = g_timeout_add (50, simulated_elapsed_cb, &run);
    }

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (!run.interrupted && timeout_id != 0)
    timeout_id = 0;
  g_clear_handle_id (&timeout_id, g_source_remove);
  if (simulated_id != 0 && g_main_context_find_source_by_id (NULL, simulated_id) != NULL)
    g_source_remove (simulated_id);

  /* Sources first, so nothing new arrives; the last tick runs and
   * commits inside the pipeline's stop().
   */
  if (app != NULL)
    g_application_quit (app);
  g_clear_object (&actions);
  g_clear_object (&directory);
  g_clear_object (&session);
  if (sources != NULL)
    ward_sources_stop (sources);
  ward_pipeline_stop (pipeline);

  snapshot = ward_pipeline_get_snapshot (pipeline);
  if (!print_summary (config->db_path, snapshot, &error))
    {
      g_printerr ("wardwatch: cannot count what the store holds: %s\n", error->message);
      return 1;
    }

  /* A store that failed and came back lost nothing; one still failing at
   * the stop leaves its messages archived but not mapped (the next start
   * maps them), or unacknowledged at their source.
   */
  if (!ward_pipeline_check_health (pipeline, &error))
    {
      g_printerr ("wardwatch: the store could not write at the end of the run: %s\n",
                  error->message);
      return 1;
    }

  return 0;
}
