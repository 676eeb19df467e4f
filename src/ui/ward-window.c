/* ward-window.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <time.h>

#include "ward-a11y.h"
#include "ward-alarm-bar.h"
#include "ward-alarm-bar-private.h"
#include "ward-bed-tile.h"
#include "ward-board-pace.h"
#include "ward-care-view.h"
#include "ward-concern-dialog.h"
#include "ward-data-issues.h"
#include "ward-handover-dialog.h"
#include "ward-patient-view.h"
#include "ward-store-alarm.h"
#include "ward-summary-view.h"
#include "ward-timeline-window.h"
#include "ward-watchdog-banner.h"
#include "ward-window.h"
#include "ward-window-private.h"

/* More beds than this get compact tiles. */
#define COMPACT_BEDS 24

/* A FHIR server failing for less than this (a restart, a retried
 * request) is not worth a warning.
 */
#define WARD_WINDOW_SYNC_GRACE_USEC (60 * G_USEC_PER_SEC)

/* What "sort by risk" compares, from the most urgent. */
typedef struct
{
  int alarm;    /* alarm priority + 1 of an open flag, 0 without one */
  int total;    /* NEWS2 total, -1 without a score */
} Rank;

G_DEFINE_FINAL_TYPE (WardWindow, ward_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DEMO,
  PROP_SHOW_PATIENT_NAMES,
  PROP_DB_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* A build run from its build directory without GSETTINGS_SCHEMA_DIR has
   * no schema; g_settings_new() would abort there, and the window works
   * well enough without remembering its size.
   */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);

  if (schema == NULL)
    {
      g_debug ("Schema %s is not installed, settings are not kept", SCHEMA_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static WardBedTile *
get_tile (WardWindow *self,
          guint       index)
{
  g_assert (index < self->tiles->len);

  return g_ptr_array_index (self->tiles, index);
}

static guint
get_tile_index (GtkFlowBoxChild *child)
{
  GtkWidget *tile = gtk_flow_box_child_get_child (child);

  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (tile), "ward-bed-index")) - 1;
}

/* Tiles are kept as long as the snapshot lists the same beds in the same
 * order, which is every snapshot but the first on a running ward.
 */
static gboolean
can_reuse_tiles (WardWindow   *self,
                 WardSnapshot *snapshot)
{
  guint n_beds = ward_snapshot_get_n_beds (snapshot);

  if (n_beds != self->tiles->len)
    return FALSE;

  for (guint i = 0; i < n_beds; i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);

      if (g_strcmp0 (ward_bed_tile_get_bed_id (get_tile (self, i)), bed->bed_id) != 0)
        return FALSE;
    }

  return TRUE;
}

static void
rebuild_tiles (WardWindow *self,
               guint       n_beds)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))) != NULL)
    gtk_flow_box_remove (self->flow_box, child);
  g_ptr_array_set_size (self->tiles, 0);
  g_array_set_size (self->order, 0);

  self->compact = n_beds > COMPACT_BEDS;
  if (self->compact)
    gtk_widget_add_css_class (GTK_WIDGET (self->flow_box), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->flow_box), "compact");

  g_array_set_size (self->ranks, n_beds);
  for (guint i = 0; i < n_beds; i++)
    {
      GtkWidget *tile = ward_bed_tile_new ();

      g_object_set_data (G_OBJECT (tile), "ward-bed-index", GUINT_TO_POINTER (i + 1));
      ward_bed_tile_set_compact (WARD_BED_TILE (tile), self->compact);
      ward_bed_tile_set_wall (WARD_BED_TILE (tile), ward_board_layout_get_wall (self->board_layout));
      g_ptr_array_add (self->tiles, tile);
      gtk_flow_box_append (self->flow_box, tile);
    }
}

static int
compare_beds (WardWindow *self,
              guint       a,
              guint       b)
{
  if (!self->sort_by_bed)
    {
      const Rank *rank_a = &g_array_index (self->ranks, Rank, a);
      const Rank *rank_b = &g_array_index (self->ranks, Rank, b);

      if (rank_a->alarm != rank_b->alarm)
        return rank_a->alarm > rank_b->alarm ? -1 : 1;
      if (rank_a->total != rank_b->total)
        return rank_a->total > rank_b->total ? -1 : 1;
    }

  return a < b ? -1 : (a > b ? 1 : 0);
}

static int
sort_tiles_cb (GtkFlowBoxChild *child_a,
               GtkFlowBoxChild *child_b,
               gpointer         user_data)
{
  return compare_beds (user_data, get_tile_index (child_a), get_tile_index (child_b));
}

static int
compare_indexes_cb (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  return compare_beds (user_data, *(const guint *) a, *(const guint *) b);
}

static gboolean
is_shown (WardWindow  *self,
          WardBedTile *tile)
{
  const char *patient_id;

  if (!self->my_patients_only)
    return TRUE;

  patient_id = ward_bed_tile_get_patient_id (tile);
  return patient_id != NULL && g_hash_table_contains (self->my_patients, patient_id);
}

static gboolean
filter_tiles_cb (GtkFlowBoxChild *child,
                 gpointer         user_data)
{
  return is_shown (user_data, WARD_BED_TILE (gtk_flow_box_child_get_child (child)));
}

/* Sorting every frame would move nothing most of the time and still
 * relayout the board: the order is computed here and the flow box is
 * re-sorted only when it changed.
 */
static void
update_order (WardWindow *self,
              gboolean    force)
{
  g_autoptr(GArray) order = NULL;

  if (self->snapshot == NULL)
    return;

  order = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->ranks->len);
  for (guint i = 0; i < self->ranks->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_indexes_cb, self);

  if (!force && order->len == self->order->len &&
      memcmp (order->data, self->order->data, order->len * sizeof (guint)) == 0)
    return;

  g_array_set_size (self->order, 0);
  g_array_append_vals (self->order, order->data, order->len);
  gtk_flow_box_invalidate_sort (self->flow_box);
}

static void
update_ranks (WardWindow *self)
{
  guint n_beds = ward_snapshot_get_n_beds (self->snapshot);

  g_array_set_size (self->ranks, n_beds);
  for (guint i = 0; i < n_beds; i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);
      Rank *rank = &g_array_index (self->ranks, Rank, i);

      rank->alarm = 0;
      if ((bed->flag_state == WARD_FLAG_STATE_OPEN || bed->flag_state == WARD_FLAG_STATE_RECOVERING) &&
          bed->flag_id != 0)
        rank->alarm = ward_alarm_priority_from_band (bed->flag_band) + 1;
      /* A child's NEWS2 is kept for the record, not a risk to rank by. */
      rank->total = bed->has_score && !bed->news2_not_applicable ? bed->score_total : -1;
    }
}

/* Returns whether any tile changed, which the filter then has to see. */
static gboolean
update_mine (WardWindow *self)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < self->tiles->len; i++)
    {
      WardBedTile *tile = get_tile (self, i);
      const char *patient_id = ward_bed_tile_get_patient_id (tile);
      gboolean mine = patient_id != NULL && g_hash_table_contains (self->my_patients, patient_id);

      if (ward_bed_tile_get_mine (tile) != mine)
        {
          ward_bed_tile_set_mine (tile, mine);
          changed = TRUE;
        }
    }

  return changed;
}

static void
show_status (WardWindow *self,
             const char *icon_name,
             const char *title,
             const char *description,
             gboolean    busy)
{
  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
update_title (WardWindow *self)
{
  g_autofree char *clock = NULL;
  g_autofree char *subtitle = NULL;
  gint64 second = self->snapshot != NULL ? ward_snapshot_get_now (self->snapshot) / G_USEC_PER_SEC : -1;

  /* Snapshots come several times a second; the clock shows seconds. */
  if (second == self->title_second && second >= 0)
    return;
  self->title_second = second;

  if (self->snapshot != NULL)
    {
      gint64 now = ward_snapshot_get_now (self->snapshot);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);

      if (dt != NULL)
        clock = g_date_time_format (dt, "%a %H:%M:%S");
    }

  if (self->demo && clock != NULL)
    /* Translators: %s is the simulated day and time of the demo ward, "Tue 14:32:05" */
    subtitle = g_strdup_printf (_("Demo · simulated time %s"), clock);
  else if (self->demo)
    subtitle = g_strdup (_("Demo"));
  else
    subtitle = g_steal_pointer (&clock);

  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");
}

static void
update_summary (WardWindow *self)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  const WardCounters *counters = ward_snapshot_get_counters (self->snapshot);
  guint n_beds = ward_snapshot_get_n_beds (self->snapshot);
  guint n_flags = 0;
  guint n_unacknowledged = 0;
  guint n_silent = 0;
  /* A refused model is recorded as a data issue too, but it is no message. */
  guint n_models_refused = MIN (counters->models_refused, G_MAXUINT);
  guint n_rejected = MIN (counters->dead_letters - MIN (counters->dead_letters,
                                                        counters->models_refused), G_MAXUINT);

  for (guint i = 0; i < n_beds; i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (self->snapshot, i);

      if (bed->flag_state == WARD_FLAG_STATE_OPEN || bed->flag_state == WARD_FLAG_STATE_RECOVERING)
        {
          n_flags++;
          if (bed->flag_acknowledged_by == NULL)
            n_unacknowledged++;
        }

      if (bed->technical_alert)
        n_silent++;
    }

  if (self->my_patients_only)
    {
      guint n_shown = 0;

      for (guint i = 0; i < self->tiles->len; i++)
        n_shown += is_shown (self, get_tile (self, i));
      /* Translators: the board shows only the user's patients, "3 of 32 beds (my patients)" */
      g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u of %u bed (my patients)",
                                                         "%u of %u beds (my patients)",
                                                         n_beds),
                                               n_shown, n_beds));
    }
  else
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u bed", "%u beds", n_beds), n_beds));
  g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u open flag", "%u open flags", n_flags),
                                           n_flags));
  if (n_unacknowledged > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u flag not acknowledged",
                                                       "%u flags not acknowledged",
                                                       n_unacknowledged),
                                             n_unacknowledged));
  if (n_silent > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u device silent",
                                                       "%u devices silent",
                                                       n_silent),
                                             n_silent));
  /* A model that could not be loaded: a quiet word in the status line
   * (the reason is in Data Issues), never an alarm; NEWS2 goes on.
   */
  if (n_models_refused > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u model not loaded (see Data Issues)",
                                                       "%u models not loaded (see Data Issues)",
                                                       n_models_refused),
                                             n_models_refused));
  /* Rejected device messages are kept as dead letters; say that they exist. */
  if (n_rejected > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u message rejected",
                                                       "%u messages rejected",
                                                       n_rejected),
                                             n_rejected));
  g_ptr_array_add (parts, NULL);

  text = g_strjoinv (" · ", (char **) parts->pdata);
  gtk_label_set_text (self->summary_label, text);
}

/* The FHIR side of the ward: resources that do not reach the server are
 * kept, but the people relying on the server must know.  One strip under
 * the alarm bar says the most pressing of: the server has not taken
 * anything for a while, the outbox is past its limit, the server rejected
 * resources (Details opens them).
 */
static void
update_sync_warning (WardWindow *self)
{
  const WardCounters *counters = ward_snapshot_get_counters (self->snapshot);
  const WardFhirStatus *fhir = ward_snapshot_get_fhir_status (self->snapshot);
  gint64 now = ward_snapshot_get_now (self->snapshot);
  g_autofree char *text = NULL;
  g_autofree char *waiting = NULL;
  gboolean rejected = counters->outbox_failed > 0;

  /* Translators: FHIR resources kept locally, waiting for the FHIR server */
  waiting = g_strdup_printf (ngettext ("%'lu resource waiting", "%'lu resources waiting",
                                       (gulong) counters->outbox_pending),
                             (gulong) counters->outbox_pending);

  if (fhir->configured && fhir->failing_since > 0 &&
      now - fhir->failing_since >= WARD_WINDOW_SYNC_GRACE_USEC)
    {
      g_autoptr(GDateTime) since = g_date_time_new_from_unix_local (fhir->failing_since / G_USEC_PER_SEC);
      g_autofree char *clock = since != NULL ? g_date_time_format (since, "%H:%M") : g_strdup ("?");

      if (fhir->last_error != NULL)
        /* Translators: "The FHIR server has not taken resources since 14:02 (1,204 resources
         * waiting, kept here): Connection refused" */
        text = g_strdup_printf (_("The FHIR server has not taken resources since %s (%s, kept "
                                  "here): %s"),
                                clock, waiting, fhir->last_error);
      else
        text = g_strdup_printf (_("The FHIR server has not taken resources since %s (%s, kept "
                                  "here)"),
                                clock, waiting);
    }
  else if (counters->outbox_over_limit && !fhir->configured)
    text = g_strdup_printf (_("No FHIR server is configured: %s, kept here. None is dropped; "
                              "start Wardwatch with --fhir-url to send them."),
                            waiting);
  else if (counters->outbox_over_limit)
    text = g_strdup_printf (_("The FHIR outbox is past its limit: %s. None is dropped."), waiting);
  else if (rejected)
    text = g_strdup_printf (ngettext ("The FHIR server rejected %'lu resource; it is kept here "
                                      "with the server's reason.",
                                      "The FHIR server rejected %'lu resources; they are kept "
                                      "here with the server's reasons.",
                                      (gulong) counters->outbox_failed),
                            (gulong) counters->outbox_failed);

  gtk_widget_set_visible (self->sync_details_button, rejected);
  if (text != NULL && g_strcmp0 (gtk_label_get_text (self->sync_label), text) != 0)
    gtk_label_set_text (self->sync_label, text);
  gtk_revealer_set_reveal_child (self->sync_revealer, text != NULL);
}

static void update_actions (WardWindow *self);

static void
show_snapshot (WardWindow *self)
{
  const char *page;
  gboolean rebuilt = FALSE;
  guint n_beds;
  gint64 now;

  update_title (self);

  if (self->snapshot == NULL)
    return;

  n_beds = ward_snapshot_get_n_beds (self->snapshot);
  now = ward_snapshot_get_now (self->snapshot);

  if (!can_reuse_tiles (self, self->snapshot))
    {
      rebuild_tiles (self, n_beds);
      rebuilt = TRUE;
    }

  for (guint i = 0; i < n_beds; i++)
    ward_bed_tile_update (get_tile (self, i),
                          ward_snapshot_get_bed (self->snapshot, i),
                          now,
                          self->show_patient_names);

  if (self->care_view != NULL && gtk_widget_get_visible (GTK_WIDGET (self->care_view)))
    ward_care_view_apply_snapshot (self->care_view, self->snapshot);

  update_ranks (self);
  update_order (self, rebuilt);
  /* A bed can get another patient without the tiles being made again. */
  if (update_mine (self) || rebuilt)
    gtk_flow_box_invalidate_filter (self->flow_box);

  ward_alarm_bar_update (self->alarm_bar, self->snapshot, self->show_patient_names);
  update_summary (self);
  ward_store_alarm_update (self->store_alarm, self->snapshot);
  update_sync_warning (self);
  update_actions (self);

  page = gtk_stack_get_visible_child_name (self->stack);
  if (g_strcmp0 (page, "patient") == 0)
    ward_patient_view_apply_snapshot (self->patient_view, self->snapshot);
  else if (n_beds == 0)
    show_status (self,
                 "io.github.wardwatch.Wardwatch-symbolic",
                 _("No Beds"),
                 _("The ward has no beds to show."),
                 FALSE);
  else
    gtk_stack_set_visible_child_name (self->stack, "beds");
}

/* Snapshots can come faster than frames (the pipeline ticks every 50 ms
 * and a command makes one at once): the newest waits here and is shown
 * once per frame, from the frame clock.
 */
static gint64
get_thread_cpu_usec (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return g_get_monotonic_time ();

  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
apply_pending_cb (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  WardWindow *self = WARD_WINDOW (widget);
  gint64 frame = gdk_frame_clock_get_frame_counter (frame_clock);
  gint64 begin;
  gint64 spent;

  self->tick_id = 0;
  if (self->pending == NULL)
    return G_SOURCE_REMOVE;

  g_assert (frame > self->last_frame || self->n_applied == 0);
  self->last_frame = frame;

  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  self->snapshot = g_steal_pointer (&self->pending);

  /* CPU time, not wall time: on a busy machine the wall time says more
   * about the scheduler than about the board.
   */
  begin = get_thread_cpu_usec ();
  show_snapshot (self);
  spent = get_thread_cpu_usec () - begin;

  self->shown_at = g_get_monotonic_time ();
  self->n_applied++;
  self->apply_total_usec += spent;
  self->apply_max_usec = MAX (self->apply_max_usec, spent);

  return G_SOURCE_REMOVE;
}

static gboolean
pace_elapsed_cb (gpointer user_data)
{
  WardWindow *self = WARD_WINDOW (user_data);

  self->pace_id = 0;
  if (self->pending != NULL && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), apply_pending_cb, NULL, NULL);

  return G_SOURCE_REMOVE;
}

static void
set_board_visible (WardWindow *self)
{
  if (self->snapshot == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "status");
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "beds");
  /* A ward without beds shows the status page that says so. */
  if (ward_snapshot_get_n_beds (self->snapshot) == 0)
    show_snapshot (self);
}

void
_ward_window_toast (WardWindow *self,
                   const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
acknowledge_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(WardWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ward_pipeline_command_finish (WARD_PIPELINE (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is why acknowledging a flag failed */
      text = g_strdup_printf (_("Could not acknowledge the flag: %s"), error->message);
      _ward_window_toast (self, text);
    }
}

static void
acknowledge (WardWindow *self,
             gint64      flag_id)
{
  g_assert (flag_id > 0);

  if (self->pipeline == NULL)
    {
      _ward_window_toast (self, _("Could not acknowledge the flag: the ward pipeline is not running"));
      return;
    }

  if (self->user == NULL || self->user[0] == '\0')
    {
      /* Ask who is acting first (the application's Switch User dialog). */
      _ward_window_toast (self, _("Sign in with your PIN, then acknowledge the flag"));
      gtk_widget_activate_action (GTK_WIDGET (self), "app.switch-user", NULL);
      return;
    }

  ward_pipeline_acknowledge_async (self->pipeline, flag_id, self->user, self->cancellable,
                                   acknowledge_done_cb, g_object_ref (self));
}

static void
update_actions (WardWindow *self)
{
  gboolean on_patient = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "patient") == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.data-issues", self->db_path != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.ward-summary", self->db_path != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print-shift-report", self->db_path != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-board", on_patient);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.escalate-concern", on_patient);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.patient-timeline", on_patient && self->db_path != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.acknowledge-top",
                                 ward_alarm_bar_get_top_unacknowledged (self->alarm_bar, NULL) != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.focus-alarms",
                                 ward_alarm_bar_get_n_alarms (self->alarm_bar) > 0);
  gtk_widget_set_visible (self->back_button, on_patient);
}

static void
set_db_path (WardWindow *self,
             const char *db_path)
{
  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;

  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB_PATH]);
}

/* One ward summary per window (ui/ward-summary-view.c); it reads the
 * store itself, so it needs only the database.
 */
static WardSummaryView *
present_summary_view (WardWindow *self)
{
  g_assert (self->db_path != NULL);

  if (self->summary_view == NULL)
    g_set_weak_pointer (&self->summary_view,
                        ward_summary_view_new (GTK_WINDOW (self), self->db_path, self->user,
                                               self->show_patient_names));
  gtk_window_present (GTK_WINDOW (self->summary_view));
  return self->summary_view;
}

static void
ward_summary_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  present_summary_view (WARD_WINDOW (widget));
}

static void
print_shift_report_action_cb (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  ward_summary_view_print (present_summary_view (WARD_WINDOW (widget)));
}

static void
data_issues_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);

  g_assert (self->db_path != NULL);

  /* One view per window: opening it again brings it up to date. */
  if (self->data_issues != NULL &&
      g_strcmp0 (ward_data_issues_get_db_path (self->data_issues), self->db_path) == 0)
    ward_data_issues_reload (self->data_issues);
  else
    {
      if (self->data_issues != NULL)
        gtk_window_destroy (GTK_WINDOW (self->data_issues));
      g_set_weak_pointer (&self->data_issues, ward_data_issues_new (GTK_WINDOW (self),
                                                                    self->db_path));
    }

  gtk_window_present (GTK_WINDOW (self->data_issues));
}

static void
show_board_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);
  const char *patient_id = ward_patient_view_get_patient (self->patient_view);

  set_board_visible (self);
  update_actions (self);

  /* Back where the user left: on the patient's tile. */
  for (guint i = 0; patient_id != NULL && i < self->tiles->len; i++)
    {
      WardBedTile *tile = get_tile (self, i);

      if (g_strcmp0 (ward_bed_tile_get_patient_id (tile), patient_id) == 0)
        {
          gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (tile)));
          break;
        }
    }
}

static void
acknowledge_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  acknowledge (WARD_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
acknowledge_top_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);
  gint64 flag_id = ward_alarm_bar_get_top_unacknowledged (self->alarm_bar, NULL);

  if (flag_id != 0)
    acknowledge (self, flag_id);
}

static void
focus_alarms_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ward_alarm_bar_focus_first (WARD_WINDOW (widget)->alarm_bar);
}

static void
open_patient_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ward_window_open_patient (WARD_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
set_my_patients (WardWindow         *self,
                 const char * const *patient_ids)
{
  g_hash_table_remove_all (self->my_patients);
  for (guint i = 0; patient_ids != NULL && patient_ids[i] != NULL; i++)
    g_hash_table_add (self->my_patients, g_strdup (patient_ids[i]));

  update_mine (self);
  gtk_flow_box_invalidate_filter (self->flow_box);
  if (self->snapshot != NULL)
    update_summary (self);
}

static void
toggle_my_patient_action_cb (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);
  const char *patient_id = g_variant_get_string (parameter, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) patient_ids = NULL;
  gboolean found = FALSE;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->my_patients);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (g_strcmp0 (key, patient_id) == 0)
        found = TRUE;
      else
        g_strv_builder_add (builder, key);
    }
  if (!found)
    g_strv_builder_add (builder, patient_id);
  patient_ids = g_strv_builder_end (builder);

  if (self->settings != NULL)
    g_settings_set_strv (self->settings, "my-patients", (const char * const *) patient_ids);
  else
    set_my_patients (self, (const char * const *) patient_ids);
}

static void
toggle_sort_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  WardWindow *self = WARD_WINDOW (widget);

  if (self->settings != NULL)
    g_settings_set_string (self->settings, "board-sort", self->sort_by_bed ? "risk" : "bed");
  else
    {
      self->sort_by_bed = !self->sort_by_bed;
      update_order (self, TRUE);
    }
}

static void
settings_changed_cb (WardWindow *self,
                     const char *key,
                     GSettings  *settings)
{
  if (g_strcmp0 (key, "board-sort") == 0)
    {
      g_autofree char *sort = g_settings_get_string (settings, "board-sort");

      self->sort_by_bed = g_strcmp0 (sort, "bed") == 0;
      update_order (self, TRUE);
    }
  else if (g_strcmp0 (key, "my-patients") == 0)
    {
      g_auto(GStrv) patient_ids = g_settings_get_strv (settings, "my-patients");

      set_my_patients (self, (const char * const *) patient_ids);
    }
  else if (g_strcmp0 (key, "my-patients-only") == 0)
    {
      self->my_patients_only = g_settings_get_boolean (settings, "my-patients-only");
      gtk_flow_box_invalidate_filter (self->flow_box);
      if (self->snapshot != NULL)
        update_summary (self);
    }
}

static void
tile_activated_cb (WardWindow      *self,
                   GtkFlowBoxChild *child)
{
  const char *patient_id = ward_bed_tile_get_patient_id (WARD_BED_TILE (gtk_flow_box_child_get_child (child)));

  if (patient_id != NULL)
    ward_window_open_patient (self, patient_id);
}

static void
alarm_open_patient_cb (WardWindow   *self,
                       const char   *patient_id)
{
  ward_window_open_patient (self, patient_id);
}

static void
alarm_acknowledge_cb (WardWindow   *self,
                      gint64        flag_id,
                      const char   *patient_id)
{
  acknowledge (self, flag_id);
}

static void
restore_size (WardWindow *self)
{
  g_assert (self->settings != NULL);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_size (WardWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  g_assert (self->settings != NULL);

  g_settings_delay (self->settings);
  /* The default size follows the window, except when it is maximized. */
  if (!maximized)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  g_settings_apply (self->settings);
}

static gboolean
ward_window_close_request (GtkWindow *window)
{
  WardWindow *self = WARD_WINDOW (window);

  if (self->settings != NULL)
    save_size (self);

  return GTK_WINDOW_CLASS (ward_window_parent_class)->close_request (window);
}

static void
ward_window_dispose (GObject *object)
{
  WardWindow *self = WARD_WINDOW (object);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_clear_handle_id (&self->pace_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->settings != NULL)
    {
      g_settings_unbind (self, "show-patient-names");
      g_signal_handlers_disconnect_by_func (self->settings, settings_changed_cb, self);
    }
  _ward_window_dispose_board (self);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->snapshot, ward_snapshot_unref);
  g_clear_pointer (&self->pending, ward_snapshot_unref);
  g_clear_pointer (&self->tiles, g_ptr_array_unref);
  g_clear_pointer (&self->ranks, g_array_unref);
  g_clear_pointer (&self->order, g_array_unref);
  g_clear_pointer (&self->my_patients, g_hash_table_unref);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->user, g_free);
  g_clear_weak_pointer (&self->data_issues);
  if (self->care_view != NULL)
    gtk_window_destroy (GTK_WINDOW (self->care_view));
  if (self->summary_view != NULL)
    gtk_window_destroy (GTK_WINDOW (self->summary_view));
  g_clear_weak_pointer (&self->summary_view);
  g_clear_weak_pointer (&self->care_view);
  if (self->handover != NULL)
    gtk_window_destroy (GTK_WINDOW (self->handover));
  g_clear_weak_pointer (&self->handover);
  g_clear_weak_pointer (&self->concern_dialog);
  if (self->timeline != NULL)
    gtk_window_destroy (GTK_WINDOW (self->timeline));
  g_clear_weak_pointer (&self->timeline);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_WINDOW);

  G_OBJECT_CLASS (ward_window_parent_class)->dispose (object);
}

static void
ward_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  WardWindow *self = WARD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      g_value_set_boolean (value, ward_window_get_demo (self));
      break;

    case PROP_SHOW_PATIENT_NAMES:
      g_value_set_boolean (value, ward_window_get_show_patient_names (self));
      break;

    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  WardWindow *self = WARD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DEMO:
      ward_window_set_demo (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_PATIENT_NAMES:
      ward_window_set_show_patient_names (self, g_value_get_boolean (value));
      break;

    case PROP_DB_PATH:
      set_db_path (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_window_class_init (WardWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ward_window_dispose;
  object_class->get_property = ward_window_get_property;
  object_class->set_property = ward_window_set_property;

  window_class->close_request = ward_window_close_request;

  /**
   * WardWindow:demo:
   *
   * Whether the ward is the simulated demo ward, which the header says.
   */
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * WardWindow:show-patient-names:
   *
   * Whether tiles show the patients' full names instead of their initials.
   */
  properties[PROP_SHOW_PATIENT_NAMES] =
    g_param_spec_boolean ("show-patient-names", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * WardWindow:db-path:
   *
   * The pipeline's database, whose dead letters the data issues view
   * reads; %NULL leaves the view unavailable.
   */
  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WardWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, acting_slot);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, store_alarm);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, sync_revealer);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, watchdog_banner);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, sync_label);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, sync_details_button);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, flow_box);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, alarm_bar);
  gtk_widget_class_bind_template_child (widget_class, WardWindow, patient_view);
  gtk_widget_class_bind_template_callback (widget_class, tile_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, alarm_open_patient_cb);
  gtk_widget_class_bind_template_callback (widget_class, alarm_acknowledge_cb);

  gtk_widget_class_install_action (widget_class, "win.data-issues", NULL, data_issues_action_cb);
  _ward_window_class_init_care (widget_class);
  gtk_widget_class_install_action (widget_class, "win.ward-summary", NULL, ward_summary_action_cb);
  gtk_widget_class_install_action (widget_class, "win.print-shift-report", NULL,
                                   print_shift_report_action_cb);
  gtk_widget_class_install_action (widget_class, "win.show-board", NULL, show_board_action_cb);
  gtk_widget_class_install_action (widget_class, "win.open-patient", "s", open_patient_action_cb);
  gtk_widget_class_install_action (widget_class, "win.acknowledge", "x", acknowledge_action_cb);
  gtk_widget_class_install_action (widget_class, "win.acknowledge-top", NULL, acknowledge_top_action_cb);
  gtk_widget_class_install_action (widget_class, "win.focus-alarms", NULL, focus_alarms_action_cb);
  gtk_widget_class_install_action (widget_class, "win.toggle-my-patient", "s",
                                   toggle_my_patient_action_cb);
  gtk_widget_class_install_action (widget_class, "win.toggle-sort", NULL, toggle_sort_action_cb);

  /* Every shortcut is listed in ui/help-overlay.ui. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.data-issues", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_S, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.ward-summary", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.show-board", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.show-board", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.toggle-sort", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK,
                                       "win.my-patients-only", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_N, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.patient-names", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F6, 0, "win.focus-alarms", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_A, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.acknowledge-top", NULL);

  g_type_ensure (WARD_TYPE_ALARM_BAR);
  g_type_ensure (WARD_TYPE_BED_TILE);
  g_type_ensure (WARD_TYPE_PATIENT_VIEW);
  g_type_ensure (WARD_TYPE_STORE_ALARM);
  g_type_ensure (WARD_TYPE_WATCHDOG_BANNER);
}

static void
ward_window_init (WardWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  _ward_window_init_keys (self);
  ward_a11y_name_buttons (GTK_WIDGET (self));
  ward_a11y_banner_revealer (self->sync_revealer);

  /* A development build says so: libadwaita stripes the header bar. */
  if (WARD_DEVEL_PROFILE)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->tiles = g_ptr_array_new ();
  self->ranks = g_array_new (FALSE, TRUE, sizeof (Rank));
  self->order = g_array_new (FALSE, FALSE, sizeof (guint));
  self->my_patients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  gtk_flow_box_set_sort_func (self->flow_box, sort_tiles_cb, self, NULL);
  gtk_flow_box_set_filter_func (self->flow_box, filter_tiles_cb, self, NULL);

  self->settings = create_settings ();
  if (self->settings != NULL)
    {
      static const char * const keys[] = { "patient-names", "board-sort", "my-patients-only" };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          g_autoptr(GAction) action = g_settings_create_action (self->settings, keys[i]);

          g_action_map_add_action (G_ACTION_MAP (self), action);
        }
      g_settings_bind (self->settings, "patient-names",
                       self, "show-patient-names",
                       G_SETTINGS_BIND_GET);
      g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (settings_changed_cb), self);
      settings_changed_cb (self, "board-sort", self->settings);
      settings_changed_cb (self, "my-patients", self->settings);
      settings_changed_cb (self, "my-patients-only", self->settings);
      restore_size (self);
    }
  _ward_window_init_board (self);

  update_title (self);
  update_actions (self);
}

/**
 * ward_window_new:
 * @application: (nullable): the application, %NULL in tests
 */
WardWindow *
ward_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (WARD_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

gboolean
ward_window_get_demo (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), FALSE);

  return self->demo;
}

void
ward_window_set_demo (WardWindow *self,
                      gboolean    demo)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  demo = !!demo;
  if (self->demo == demo)
    return;

  self->demo = demo;
  self->title_second = -1;
  update_title (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
}

gboolean
ward_window_get_show_patient_names (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), FALSE);

  return self->show_patient_names;
}

void
ward_window_set_show_patient_names (WardWindow *self,
                                    gboolean    show_patient_names)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  show_patient_names = !!show_patient_names;
  if (self->show_patient_names == show_patient_names)
    return;

  self->show_patient_names = show_patient_names;
  if (self->care_view != NULL)
    ward_care_view_set_show_patient_names (self->care_view, show_patient_names);
  show_snapshot (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PATIENT_NAMES]);
}

/**
 * ward_window_apply_snapshot:
 * @self: a #WardWindow
 * @snapshot: (transfer none): the newest snapshot of the ward
 *
 * Shows @snapshot at the next frame; a newer snapshot before that frame
 * replaces it, so the board is updated at most once per frame however
 * fast snapshots come.  Tiles are created for the first snapshot and
 * whenever the beds change; otherwise the existing tiles only get new
 * texts, and are re-sorted only when the order changed.
 */
void
ward_window_apply_snapshot (WardWindow   *self,
                            WardSnapshot *snapshot)
{
  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (snapshot != NULL);

  self->n_received++;
  ward_watchdog_banner_snapshot_arrived (self->watchdog_banner);
  ward_snapshot_ref (snapshot);
  g_clear_pointer (&self->pending, ward_snapshot_unref);
  self->pending = snapshot;

  if (self->tick_id != 0)
    return;

  /* A live board shows ordinary changes once a second and what matters
   * at once (ward-board-pace.c); a window fed by hand shows each one.
   */
  if (self->pipeline != NULL)
    {
      gint64 delay = _ward_board_pace_get_delay (self->snapshot, snapshot, self->shown_at,
                                                 g_get_monotonic_time ());

      if (delay > 0)
        {
          if (self->pace_id == 0)
            self->pace_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) ((delay + 999) / 1000),
                                                pace_elapsed_cb, self, NULL);
          return;
        }
    }

  g_clear_handle_id (&self->pace_id, g_source_remove);
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), apply_pending_cb, NULL, NULL);
}

/**
 * ward_window_show_error:
 * @self: a #WardWindow
 * @error: why the ward cannot be shown
 *
 * Replaces the dashboard with @error, for a pipeline that could not start.
 */
void
ward_window_show_error (WardWindow   *self,
                        const GError *error)
{
  g_autofree char *description = NULL;

  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  /* The status page description is markup; an error message is text. */
  description = g_markup_escape_text (error->message, -1);
  show_status (self,
               "dialog-error-symbolic",
               _("Could Not Start the Ward Pipeline"),
               description,
               FALSE);
}

/**
 * ward_window_set_source_alarm:
 * @self: a #WardWindow
 * @text: (nullable): what is wrong with a device source, or %NULL when
 *   all is well
 *
 * A source that cannot reach its devices (an MQTT broker that went away)
 * is a technical alarm in its own right: no data is not good news.  It is
 * the first entry of the alarm bar, high priority with its "***" marker,
 * until it is cleared.
 */
void
ward_window_set_source_alarm (WardWindow *self,
                              const char *text)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  ward_alarm_bar_set_source_alarm (self->alarm_bar, text);
  update_actions (self);
}

gboolean
_ward_window_get_source_alarm_visible (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), FALSE);

  return ward_alarm_bar_get_source_alarm (self->alarm_bar) != NULL;
}

const char *
_ward_window_get_source_alarm_text (WardWindow *self)
{
  GtkWidget *entry;

  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  if (ward_alarm_bar_get_source_alarm (self->alarm_bar) == NULL)
    return NULL;

  /* The source alarm sorts first: high priority, and the oldest. */
  entry = _ward_alarm_bar_get_entry (self->alarm_bar, 0);
  g_assert (entry != NULL);

  return _ward_alarm_bar_get_entry_text (entry);
}

gboolean
_ward_window_has_pending_snapshot (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), FALSE);

  return self->pending != NULL;
}

void
_ward_window_get_stats (WardWindow *self,
                        guint64    *n_received,
                        guint64    *n_applied,
                        gint64     *max_usec,
                        gint64     *total_usec)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  *n_received = self->n_received;
  *n_applied = self->n_applied;
  *max_usec = self->apply_max_usec;
  *total_usec = self->apply_total_usec;
}

WardAlarmBar *
_ward_window_get_alarm_bar (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  return self->alarm_bar;
}

WardBedTile *
_ward_window_get_tile (WardWindow *self,
                       guint       index)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);
  g_return_val_if_fail (index < self->tiles->len, NULL);

  return get_tile (self, index);
}

guint
_ward_window_get_n_shown (WardWindow *self,
                          guint      *order,
                          guint       n_order)
{
  guint n = 0;

  g_return_val_if_fail (WARD_IS_WINDOW (self), 0);

  /* The flow box's own order, which is what the user sees. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_child_visible (child))
        continue;
      if (order != NULL && n < n_order)
        order[n] = get_tile_index (GTK_FLOW_BOX_CHILD (child));
      n++;
    }

  return n;
}

void
ward_window_set_pipeline (WardWindow   *self,
                          WardPipeline *pipeline)
{
  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (pipeline == NULL || WARD_IS_PIPELINE (pipeline));

  g_set_object (&self->pipeline, pipeline);
  ward_patient_view_set_pipeline (self->patient_view, pipeline);
  ward_watchdog_banner_set_pipeline (self->watchdog_banner, pipeline);
  if (self->care_view != NULL)
    ward_care_view_set_pipeline (self->care_view, pipeline);
}

WardPipeline *
ward_window_get_pipeline (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  return self->pipeline;
}

/**
 * ward_window_set_acting_widget:
 *
 * Puts the application's "who is signed in" button in the header bar.
 */
void
ward_window_set_acting_widget (WardWindow *self,
                               GtkWidget  *widget)
{
  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));

  adw_bin_set_child (self->acting_slot, widget);
}

void
ward_window_set_user (WardWindow *self,
                      const char *user)
{
  g_return_if_fail (WARD_IS_WINDOW (self));

  if (g_strcmp0 (self->user, user) == 0)
    return;

  g_free (self->user);
  self->user = g_strdup (user);
  ward_patient_view_set_user (self->patient_view, user);
  if (self->care_view != NULL)
    ward_care_view_set_user (self->care_view, user);
  if (self->handover != NULL)
    ward_handover_dialog_set_user (self->handover, user);
}

const char *
ward_window_get_user (WardWindow *self)
{
  g_return_val_if_fail (WARD_IS_WINDOW (self), NULL);

  return self->user;
}

void
ward_window_open_patient (WardWindow *self,
                          const char *patient_id)
{
  g_return_if_fail (WARD_IS_WINDOW (self));
  g_return_if_fail (patient_id != NULL);

  ward_patient_view_set_patient (self->patient_view, patient_id);
  if (self->snapshot != NULL)
    ward_patient_view_apply_snapshot (self->patient_view, self->snapshot);
  gtk_stack_set_visible_child_name (self->stack, "patient");
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->patient_view));
}
