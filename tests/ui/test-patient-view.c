/* test-patient-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-patient-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ward-chart.h"
#include "ward-patient-view.h"
#include "ward-flag-words.h"
#include "ward-pipeline.h"
#include "ward-score-inputs.h"
#include "ward-score-inputs-private.h"

#define USER "nurse.test"

/* A real pipeline on the demo ward in a temporary folder, its snapshots
 * going to a patient view in a window.
 */
typedef struct
{
  char            *dir;
  char            *path;
  WardPipeline    *pipeline;
  WardSnapshot    *last;
  GtkWindow       *window;
  WardPatientView *view;
  char            *patient_id;
} Fixture;

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->last, ward_snapshot_unref);
  f->last = ward_snapshot_ref (snapshot);
  if (f->view != NULL)
    ward_patient_view_apply_snapshot (f->view, snapshot);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (Fixture *f);

static void
wait_for (Fixture    *f,
          Condition   condition,
          const char *what)
{
  guint id = g_timeout_add_seconds (60, timeout_cb, (gpointer) what);

  while (!condition (f))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static const WardBedState *
get_bed (Fixture *f)
{
  const char *patient_id = ward_patient_view_get_patient (f->view);

  for (guint i = 0; f->last != NULL && i < ward_snapshot_get_n_beds (f->last); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (f->last, i);

      if (g_strcmp0 (bed->patient_id, patient_id) == 0)
        return bed;
    }

  return NULL;
}

static gboolean
has_vitals (Fixture *f)
{
  return f->last != NULL && ward_snapshot_get_counters (f->last)->measurements > 40;
}

static gboolean
is_loaded (Fixture *f)
{
  return !ward_patient_view_get_loading (f->view);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };

  f->dir = g_dir_make_tmp ("ward-patient-view-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ward.db", NULL);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (f->path);
  config.demo = TRUE;
  config.simulate = TRUE;
  config.n_beds = 4;
  config.seed = 7;
  config.time_scale = 60;
  config.tick_msec = 20;
  /* Every patient is flagged at once, so that there is a flag to acknowledge. */
  config.flag_threshold = WARD_BAND_LOW;
  config.flag_open_delay_usec = 0;

  f->view = WARD_PATIENT_VIEW (ward_patient_view_new ());
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1280, 1000);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);

  f->pipeline = ward_pipeline_new (&config);
  g_assert_true (ward_pipeline_start (f->pipeline, snapshot_cb, f, &error));
  g_assert_no_error (error);

  ward_patient_view_set_pipeline (f->view, f->pipeline);
  ward_patient_view_set_user (f->view, USER);

  wait_for (f, has_vitals, "vital signs");
  ward_patient_view_set_patient (f->view, ward_snapshot_get_bed (f->last, 0)->patient_id);
  ward_patient_view_apply_snapshot (f->view, f->last);
  wait_for (f, is_loaded, "the history");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (f->window != NULL)
    gtk_window_destroy (f->window);
  f->view = NULL;
  g_clear_pointer (&f->patient_id, g_free);
  ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);
  g_clear_pointer (&f->last, ward_snapshot_unref);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
collect_charts (GtkWidget *widget,
                GPtrArray *charts)
{
  if (WARD_IS_CHART (widget))
    g_ptr_array_add (charts, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_charts (child, charts);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static cairo_surface_t *
render_widget (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean painted = FALSE;
  gulong handler;
  guint id;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
  id = g_timeout_add_seconds (20, timeout_cb, (gpointer) "a frame");
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_signal_handler_disconnect (clock, handler);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget),
                          gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (snapshot);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, gtk_widget_get_width (widget),
                                        gtk_widget_get_height (widget));
  cr = cairo_create (surface);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  g_clear_pointer (&node, gsk_render_node_unref);
  cairo_surface_flush (surface);

  return surface;
}

/* Pixels neither white (the chart's background) nor transparent. */
static guint
count_ink (cairo_surface_t *surface)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint n = 0;

  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    {
      const guint32 *row = (const guint32 *) (gconstpointer) (data + y * stride);

      for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
        if ((row[x] >> 24) != 0 && (row[x] & 0xffffff) != 0xffffff)
          n++;
    }

  return n;
}

static gint64
query_count (Fixture    *f,
             const char *sql,
             const char *patient_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}

static GObject *
get_child (Fixture    *f,
           const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (f->view), WARD_TYPE_PATIENT_VIEW, name);

  g_assert_nonnull (child);

  return child;
}

/* Opening a patient draws its charts: each chart's image is not blank. */
static void
test_open_draws_charts (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();

  collect_charts (GTK_WIDGET (f->view), charts);
  g_assert_cmpuint (charts->len, ==, 6);

  for (guint i = 0; i < charts->len; i++)
    {
      WardChart *chart = g_ptr_array_index (charts, i);
      cairo_surface_t *surface = render_widget (GTK_WIDGET (chart));

      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (chart)), >, 200);
      g_assert_cmpuint (ward_chart_get_n_draws (chart), >=, 1);
      g_assert_cmpuint (count_ink (surface), >, 2000);
      if (g_getenv ("WARDWATCH_TEST_SAVE") != NULL)
        {
          g_autofree char *name = g_strdup_printf ("patient-chart-%u.png", i);
          cairo_surface_write_to_png (surface, name);
        }
      cairo_surface_destroy (surface);
    }

  /* The whole view, for a look by hand. */
  if (g_getenv ("WARDWATCH_TEST_SAVE") != NULL)
    {
      cairo_surface_t *surface = render_widget (GTK_WIDGET (f->window));

      cairo_surface_write_to_png (surface, "patient-view.png");
      cairo_surface_destroy (surface);
    }

  /* A longer span (Alt+3, as the action) loads again, off the main
   * thread, and draws again.
   */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.span", "i", 2);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (get_child (f, "span_8h"))));
  g_assert_true (ward_patient_view_get_loading (f->view));
  wait_for (f, is_loaded, "the 8 hours");
  g_assert_false (ward_patient_view_get_loading (f->view));
}

static gboolean
rr_stored (Fixture *f)
{
  return query_count (f, "SELECT count(*) FROM measurements WHERE patient_id = ?1 AND "
                         "kind = 'rr' AND source = 'nurse' AND entered_by = '" USER "' AND value = 23",
                      ward_patient_view_get_patient (f->view)) == 1;
}

static gboolean
acvpu_in_snapshot (Fixture *f)
{
  const WardBedState *bed = get_bed (f);

  return bed != NULL && bed->latest[WARD_MEAS_CONSCIOUSNESS].valid &&
         bed->latest[WARD_MEAS_CONSCIOUSNESS].value == WARD_ACVPU_VOICE;
}

static gboolean
form_cleared (Fixture *f)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (get_child (f, "rr_row"))), "") == 0 &&
         adw_combo_row_get_selected (ADW_COMBO_ROW (get_child (f, "acvpu_row"))) == 0;
}

/* Nurse entry from the view: stored with the user; bad values refused
 * with a clear error and nothing stored.
 */
static void
test_nurse_entry (Fixture       *f,
                  gconstpointer  data)
{
  GtkLabel *error_label = GTK_LABEL (get_child (f, "entry_error_label"));
  const char *patient_id = ward_patient_view_get_patient (f->view);

  gtk_editable_set_text (GTK_EDITABLE (get_child (f, "hr_row")), "400");
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.record", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (error_label), "Pulse"));
  g_assert_nonnull (strstr (gtk_label_get_text (error_label), "350"));

  gtk_editable_set_text (GTK_EDITABLE (get_child (f, "hr_row")), "");
  gtk_editable_set_text (GTK_EDITABLE (get_child (f, "rr_row")), "23");
  adw_combo_row_set_selected (ADW_COMBO_ROW (get_child (f, "acvpu_row")), 3);   /* Voice */
  adw_combo_row_set_selected (ADW_COMBO_ROW (get_child (f, "oxygen_row")), 2);  /* Oxygen */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_child (f, "flow_spin")), 2.5);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.record", NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));

  wait_for (f, rr_stored, "the respiration rate in the store");
  wait_for (f, acvpu_in_snapshot, "the ACVPU entry in a snapshot");
  g_assert_cmpint (query_count (f, "SELECT count(*) FROM measurements WHERE patient_id = ?1 AND "
                                   "kind = 'consciousness' AND entered_by = '" USER "' AND value = 2",
                                patient_id), ==, 1);
  g_assert_cmpint (query_count (f, "SELECT count(*) FROM measurements WHERE patient_id = ?1 AND "
                                   "kind = 'hr' AND source = 'nurse'", patient_id), ==, 0);
  wait_for (f, form_cleared, "the form to be cleared");
  g_assert_cmpint (query_count (f, "SELECT count(*) FROM measurements WHERE patient_id = ?1 AND "
                                   "kind = 'on_oxygen' AND entered_by = '" USER "' AND value = 1",
                                patient_id), ==, 1);
  g_assert_cmpint (query_count (f, "SELECT count(*) FROM measurements WHERE patient_id = ?1 AND "
                                   "kind = 'o2_flow' AND entered_by = '" USER "' AND value = 2.5",
                                patient_id), ==, 1);
  /* The form is cleared for the next round once every entry completed. */
  wait_for (f, form_cleared, "the form to be cleared");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
}

static gboolean
has_preliminary_score (Fixture *f)
{
  const WardBedState *bed = get_bed (f);

  return bed != NULL && bed->has_score && !bed->score_final &&
         gtk_widget_is_sensitive (GTK_WIDGET (get_child (f, "confirm_button")));
}

static gboolean
score_final (Fixture *f)
{
  const WardBedState *bed = get_bed (f);

  return bed != NULL && bed->has_score && bed->score_final;
}

/* Confirm makes the preliminary score final, confirmed by the user. */
static void
test_confirm (Fixture       *f,
              gconstpointer  data)
{
  const char *status;

  wait_for (f, has_preliminary_score, "a preliminary score");
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.confirm", NULL);
  wait_for (f, score_final, "the final score");

  status = gtk_label_get_text (GTK_LABEL (get_child (f, "status_label")));
  g_assert_true (g_str_has_prefix (status, "Final"));
  g_assert_cmpint (query_count (f, "SELECT count(*) FROM scores WHERE patient_id = ?1 AND "
                                   "status = 'final' AND confirmed_by = '" USER "'",
                                ward_patient_view_get_patient (f->view)), >=, 1);
}

static gboolean
has_open_flag (Fixture *f)
{
  const WardBedState *bed = get_bed (f);

  return bed != NULL && bed->flag_id != 0 && bed->flag_acknowledged_by == NULL;
}

static gboolean
flag_acknowledged (Fixture *f)
{
  const WardBedState *bed = get_bed (f);

  return bed != NULL && g_strcmp0 (bed->flag_acknowledged_by, USER) == 0;
}

static gboolean
flags_list_names_user (Fixture *f)
{
  return strstr (gtk_label_get_text (GTK_LABEL (get_child (f, "flags_label"))),
                 "acknowledged by " USER) != NULL;
}

/* The flag's task is waiting and the button says it takes the task,
 * as the tile does.
 */
static gboolean
accept_task_offered (Fixture *f)
{
  const WardBedState *bed = get_bed (f);
  const WardTask *task = bed != NULL && bed->flag_id != 0
                         ? _ward_flag_words_bed_task (bed, bed->flag_id) : NULL;

  return task != NULL && task->status == WARD_TASK_REQUESTED &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (get_child (f, "acknowledge_button"))),
                    "_Accept Task") == 0;
}

/* Acknowledge from the view records who and when. */
static void
test_acknowledge (Fixture       *f,
                  gconstpointer  data)
{
  wait_for (f, has_open_flag, "an open flag");
  wait_for (f, accept_task_offered, "Accept Task on the flag's waiting task");
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (get_child (f, "acknowledge_button"))));
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.acknowledge", NULL);
  wait_for (f, flag_acknowledged, "the acknowledgement");

  g_assert_cmpint (query_count (f, "SELECT count(*) FROM flags WHERE patient_id = ?1 AND "
                                   "acknowledged_by = '" USER "' AND acknowledged_at > 0",
                                ward_patient_view_get_patient (f->view)), ==, 1);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (get_child (f, "flag_label"))),
                            "acknowledged by " USER));
  /* The flags of the span, read again from the store, say it too. */
  wait_for (f, flags_list_names_user, "the acknowledgement in the list of flags");
}

static gboolean
rr_25_stored (Fixture *f)
{
  return query_count (f, "SELECT count(*) FROM measurements WHERE kind = 'rr' AND "
                         "source = 'nurse' AND value = 25 AND patient_id = ?1",
                      f->patient_id) == 1;
}

/* The view goes away while its commands are under way: their completions
 * find it disposed and touch none of its widgets.
 */
static void
test_destroy_while_busy (Fixture       *f,
                         gconstpointer  data)
{
  f->patient_id = g_strdup (ward_patient_view_get_patient (f->view));
  gtk_editable_set_text (GTK_EDITABLE (get_child (f, "rr_row")), "25");
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.record", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.confirm", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.span", "i", 4);

  gtk_window_destroy (f->window);
  f->window = NULL;
  f->view = NULL;

  wait_for (f, rr_25_stored, "the entry in the store");
  /* Let the completions run. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
on_scale_2 (Fixture *f)
{
  const WardBedState *bed = get_bed (f);

  return bed != NULL && bed->spo2_scale == 2;
}

static gboolean
scale_label_names_decider (Fixture *f)
{
  return strstr (gtk_label_get_text (GTK_LABEL (get_child (f, "scale_label"))), "dr.osei") != NULL;
}

/* The SpO2 scale needs who decided it; it is stored with that name. */
static void
test_spo2_scale (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *decided = GTK_WIDGET (get_child (f, "decided_row"));

  /* The user is offered as the one who decided. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (decided)), ==, USER);

  adw_combo_row_set_selected (ADW_COMBO_ROW (get_child (f, "scale_row")), 1);
  gtk_editable_set_text (GTK_EDITABLE (decided), "  ");
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.set-scale", NULL);
  g_assert_true (gtk_widget_has_css_class (decided, "error"));

  gtk_editable_set_text (GTK_EDITABLE (decided), "dr.osei");
  gtk_widget_activate_action (GTK_WIDGET (f->view), "patient.set-scale", NULL);
  g_assert_false (gtk_widget_has_css_class (decided, "error"));
  wait_for (f, on_scale_2, "Scale 2 in a snapshot");
  g_assert_cmpint (query_count (f, "SELECT count(*) FROM patients WHERE id = ?1 AND "
                                   "spo2_scale = 2 AND spo2_scale_set_by = 'dr.osei'",
                                ward_patient_view_get_patient (f->view)), ==, 1);
  /* Who entered it is the user, in the audit trail, beside who decided. */
  g_assert_cmpint (query_count (f, "SELECT count(*) FROM events WHERE kind = 'spo2-scale' AND "
                                   "patient_id = ?1 AND actor = '" USER "' AND "
                                   "json_extract (detail, '$.decided_by') = 'dr.osei'",
                                ward_patient_view_get_patient (f->view)), ==, 1);
  /* The view says who decided, once it has read the store again. */
  wait_for (f, scale_label_names_decider, "the scale's decider in the view");
}

static gboolean
has_windows (Fixture *f)
{
  GtkListBox *list = GTK_LIST_BOX (get_child (f, "windows_list"));

  return gtk_list_box_get_row_at_index (list, 0) != NULL;
}

/* The table of windows: selecting one shows its inputs. */
static void
test_windows (Fixture       *f,
              gconstpointer  data)
{
  GtkListBox *list = GTK_LIST_BOX (get_child (f, "windows_list"));
  GtkGrid *grid = GTK_GRID (get_child (f, "inputs_grid"));

  wait_for (f, has_windows, "a score window");
  gtk_list_box_select_row (list, gtk_list_box_get_row_at_index (list, 0));

  /* The row itself gives each parameter's points. */
  {
    GtkWidget *box = gtk_list_box_row_get_child (gtk_list_box_get_row_at_index (list, 0));
    GtkWidget *points = gtk_widget_get_last_child (box);

    g_assert_true (GTK_IS_LABEL (points));
    g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (points)), "RR "));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (points)), " · Pulse "));
  }

  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (get_child (f, "inputs_title"))),
                                   "Window "));
  /* A heading and seven parameters. */
  g_assert_nonnull (gtk_grid_get_child_at (grid, 0, 7));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, 0, 5))), ==, "Pulse");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (grid, 4, 5))), ==, "Device");
}

static const char *
get_view_label (WardPatientView *view,
                const char      *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (view), WARD_TYPE_PATIENT_VIEW, name);

  g_assert_true (GTK_IS_LABEL (child));
  return gtk_label_get_text (GTK_LABEL (child));
}

/* One bed with a NEWS2 7 (high) score and the given patient context. */
static WardSnapshot *
make_context_snapshot (guint64  serial,
                       int      age,
                       gboolean not_applicable)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardBedState bed = { 0 };
  gint64 now = G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC;

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  bed.bed_id = g_strdup ("bed-01");
  bed.bed_label = g_strdup ("Bed 1");
  bed.patient_id = g_strdup ("p-context");
  bed.patient_name = g_strdup ("Sam Doe");
  bed.spo2_scale = 1;
  bed.has_score = TRUE;
  bed.score_total = 7;
  bed.score_band = WARD_BAND_HIGH;
  bed.score_window_start = now - 30 * WARD_USEC_PER_MINUTE;
  bed.score_window_end = now;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    bed.score_points[i] = -1;
  bed.age = age;
  bed.news2_not_applicable = not_applicable;
  g_array_append_val (beds, bed);

  return _ward_snapshot_new (now, serial, beds, &counters);
}

/* The header says the patient's age, and for an under-16 that NEWS2 is
 * not validated: the score stays, the band does not, nor its color.
 */
static void
test_header_age (void)
{
  WardPatientView *view = WARD_PATIENT_VIEW (ward_patient_view_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *age_label, *badge;
  g_autoptr(WardSnapshot) adult = make_context_snapshot (1, 54, FALSE);
  g_autoptr(WardSnapshot) child = make_context_snapshot (2, 12, TRUE);
  g_autoptr(WardSnapshot) unknown = make_context_snapshot (3, -1, FALSE);

  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  ward_patient_view_set_patient (view, "p-context");
  age_label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), WARD_TYPE_PATIENT_VIEW,
                                                         "age_label"));
  badge = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), WARD_TYPE_PATIENT_VIEW,
                                                     "score_badge"));

  ward_patient_view_apply_snapshot (view, adult);
  g_assert_true (gtk_widget_get_visible (age_label));
  g_assert_cmpstr (get_view_label (view, "age_label"), ==, "54 y");
  g_assert_cmpstr (get_view_label (view, "score_label"), ==, "7");
  g_assert_cmpstr (get_view_label (view, "band_label"), ==, "High");
  g_assert_true (gtk_widget_has_css_class (badge, "band-high"));

  ward_patient_view_apply_snapshot (view, child);
  g_assert_cmpstr (get_view_label (view, "age_label"), ==, "12 y · NEWS2 not validated under 16");
  g_assert_cmpstr (get_view_label (view, "score_label"), ==, "7");
  g_assert_cmpstr (get_view_label (view, "band_label"), ==, "Not validated");
  g_assert_false (gtk_widget_has_css_class (badge, "band-high"));

  /* Unknown age: nothing said, scored as an adult. */
  ward_patient_view_apply_snapshot (view, unknown);
  g_assert_false (gtk_widget_get_visible (age_label));
  g_assert_cmpstr (get_view_label (view, "band_label"), ==, "High");

  gtk_window_destroy (window);
}

/* The header says the trend as the tile does, and when rising, when the
 * total reaches the next band at this rate.
 */
static void
test_header_trend (void)
{
  WardPatientView *view = WARD_PATIENT_VIEW (ward_patient_view_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  g_autoptr(WardSnapshot) no_trend = make_context_snapshot (1, 54, FALSE);
  g_autoptr(WardSnapshot) rising = make_context_snapshot (2, 54, FALSE);
  g_autoptr(WardSnapshot) child = make_context_snapshot (3, 12, TRUE);
  WardBedState *bed;
  GtkWidget *trend_label;

  /* 5 now (medium), rising 4 an hour: high (7) in 30 min. */
  bed = (WardBedState *) ward_snapshot_get_bed (rising, 0);
  bed->score_total = 5;
  bed->score_band = WARD_BAND_MEDIUM;
  bed->trend.valid = TRUE;
  bed->trend.slope = 4.0;
  bed->trend.direction = WARD_TREND_RISING;
  ward_trend_project (5, 4.0, WARD_TREND_HORIZON_MINUTES, &bed->trend.projection);
  bed = (WardBedState *) ward_snapshot_get_bed (child, 0);
  bed->trend = ((WardBedState *) ward_snapshot_get_bed (rising, 0))->trend;

  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  ward_patient_view_set_patient (view, "p-context");
  trend_label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                           WARD_TYPE_PATIENT_VIEW, "trend_label"));

  ward_patient_view_apply_snapshot (view, no_trend);
  g_assert_false (gtk_widget_get_visible (trend_label));

  ward_patient_view_apply_snapshot (view, rising);
  g_assert_true (gtk_widget_get_visible (trend_label));
  g_assert_cmpstr (get_view_label (view, "trend_label"), ==,
                   "Rising, +4.0 points per hour. At this rate, reaches the high band in about 30 min");

  /* Under 16 the score claims no risk: no band to reach either. */
  ward_patient_view_apply_snapshot (view, child);
  g_assert_false (gtk_widget_get_visible (trend_label));

  gtk_window_destroy (window);
}

#define CONTEXT_NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

static void
set_value (WardLatestValue *value,
           double           v,
           gint64           ago,
           WardSource       source,
           const char      *entered_by)
{
  value->valid = TRUE;
  value->value = v;
  value->observed_at = CONTEXT_NOW - ago;
  value->source = source;
  value->entered_by = entered_by != NULL ? g_intern_string (entered_by) : NULL;
}

/* A patient with identifiers, an escalated flag, observations due and a
 * nurse's round beside the monitor's values.
 */
static WardSnapshot *
make_identity_snapshot (void)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardBedState bed = { 0 };

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  bed.bed_id = g_strdup ("bed-01");
  bed.bed_label = g_strdup ("Bed 1");
  bed.patient_id = g_strdup ("p-identity");
  bed.patient_name = g_strdup ("Sam Doe");
  bed.hospital_number = g_strdup ("H123456");
  bed.nhs_number = g_strdup ("943 476 5919");
  bed.birth_date = g_strdup ("1950-03-12");
  bed.age = 76;
  bed.spo2_scale = 1;
  bed.has_score = TRUE;
  bed.score_total = 9;
  bed.score_band = WARD_BAND_HIGH;
  bed.score_window_start = CONTEXT_NOW - 30 * WARD_USEC_PER_MINUTE;
  bed.score_window_end = CONTEXT_NOW;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    bed.score_points[i] = -1;

  /* The flag opened at 09:40 at medium and escalated at 09:52: the
   * episode keeps its start.
   */
  bed.flag_state = WARD_FLAG_STATE_OPEN;
  bed.flag_id = 7;
  bed.flag_band = WARD_BAND_HIGH;
  bed.flag_opened_at = CONTEXT_NOW - 20 * WARD_USEC_PER_MINUTE;
  bed.flag_escalated_at = CONTEXT_NOW - 8 * WARD_USEC_PER_MINUTE;
  bed.obs_due_at = CONTEXT_NOW - 25 * WARD_USEC_PER_MINUTE;

  /* RR: the nurse counted 28 twelve minutes ago; the monitor says 14.
   * The score keeps the nurse's.
   */
  set_value (&bed.nurse_latest[WARD_MEAS_RR], 28, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  set_value (&bed.latest[WARD_MEAS_RR], 14, 10 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  set_value (&bed.score_inputs[WARD_NEWS2_RR], 28, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  bed.score_points[WARD_NEWS2_RR] = 3;
  /* HR: the monitor's 135 scores worse than the nurse's 118: it counts. */
  set_value (&bed.nurse_latest[WARD_MEAS_HR], 118, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  set_value (&bed.latest[WARD_MEAS_HR], 135, 5 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  set_value (&bed.score_inputs[WARD_NEWS2_HR], 135, 5 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  bed.score_points[WARD_NEWS2_HR] = 3;
  /* Temperature: the nurse's alone. */
  set_value (&bed.nurse_latest[WARD_MEAS_TEMP], 38.5, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  set_value (&bed.latest[WARD_MEAS_TEMP], 38.5, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  set_value (&bed.score_inputs[WARD_NEWS2_TEMP], 38.5, 12 * WARD_USEC_PER_MINUTE, WARD_SOURCE_NURSE, "j.smith");
  bed.score_points[WARD_NEWS2_TEMP] = 1;
  /* SpO₂: the monitor's alone. */
  set_value (&bed.latest[WARD_MEAS_SPO2], 95, 5 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  set_value (&bed.score_inputs[WARD_NEWS2_SPO2], 95, 5 * G_USEC_PER_SEC, WARD_SOURCE_DEVICE, NULL);
  bed.score_points[WARD_NEWS2_SPO2] = 1;
  bed.score_total = 8;

  g_array_append_val (beds, bed);

  return _ward_snapshot_new (CONTEXT_NOW, 1, beds, &counters);
}

/* The header names the patient by two identifiers and the date of birth,
 * keeps the flag's episode start and says when it escalated, and says
 * that observations are overdue as a reminder.  Beside it, what the
 * score uses: a nurse's value with who entered it, and the monitor's.
 */
static void
test_header_identity (void)
{
  WardPatientView *view = WARD_PATIENT_VIEW (ward_patient_view_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  g_autoptr(WardSnapshot) snapshot = make_identity_snapshot ();
  g_autoptr(WardSnapshot) older = make_context_snapshot (2, 54, FALSE);
  WardScoreInputs *inputs;
  GtkWidget *obs;

  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  ward_patient_view_set_patient (view, "p-identity");
  ward_patient_view_apply_snapshot (view, snapshot);

  g_assert_cmpstr (get_view_label (view, "name_label"), ==, "Sam Doe");
  g_assert_cmpstr (get_view_label (view, "age_label"), ==,
                   "Hospital no. H123456 · NHS no. 943 476 5919 · Born 12-Mar-1950 (76 y)");
  g_assert_cmpstr (get_view_label (view, "flag_label"), ==,
                   "NEWS2 8 (high) · flag high\nOpened 09:40, escalated 09:52, not acknowledged");

  obs = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), WARD_TYPE_PATIENT_VIEW, "obs_label"));
  g_assert_true (gtk_widget_get_visible (obs));
  g_assert_cmpstr (get_view_label (view, "obs_label"), ==, "Obs overdue 25 min");
  g_assert_true (gtk_widget_has_css_class (obs, "obs-overdue"));
  g_assert_false (gtk_widget_has_css_class (obs, "error"));

  inputs = WARD_SCORE_INPUTS (gtk_widget_get_template_child (GTK_WIDGET (view), WARD_TYPE_PATIENT_VIEW,
                                                             "score_inputs"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (inputs)));
  /* Columns: value, points, age, source, the other source. */
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_RR, 0), ==, "28 /min");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_RR, 1), ==, "3");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_RR, 2), ==, "12 min");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_RR, 3), ==, "Nurse (j.smith)");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_RR, 4), ==, "Monitor: 14 /min, 10 s ago");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_HR, 0), ==, "135 /min");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_HR, 3), ==, "Monitor");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_HR, 4), ==,
                   "Nurse (j.smith): 118 /min, 12 min ago");
  /* One source only: nothing beside it. */
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_TEMP, 0), ==, "38.5 °C");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_TEMP, 3), ==, "Nurse (j.smith)");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_TEMP, 4), ==, "");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_SPO2, 4), ==, "");
  g_assert_cmpstr (_ward_score_inputs_get_text (inputs, WARD_NEWS2_CONSCIOUSNESS, 0), ==, "not measured");

  /* Older data, without identifiers, due time or inputs: the age alone,
   * nothing due, no inputs.
   */
  ward_patient_view_set_patient (view, "p-context");
  ward_patient_view_apply_snapshot (view, older);
  g_assert_cmpstr (get_view_label (view, "age_label"), ==, "54 y");
  g_assert_false (gtk_widget_get_visible (obs));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (inputs)));

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  /* Times of day in the texts are local: the tests read them in UTC. */
  g_setenv ("TZ", "UTC", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/patient-view/open-draws-charts", Fixture, NULL,
              fixture_set_up, test_open_draws_charts, fixture_tear_down);
  g_test_add ("/ui/patient-view/nurse-entry", Fixture, NULL,
              fixture_set_up, test_nurse_entry, fixture_tear_down);
  g_test_add ("/ui/patient-view/confirm", Fixture, NULL,
              fixture_set_up, test_confirm, fixture_tear_down);
  g_test_add ("/ui/patient-view/acknowledge", Fixture, NULL,
              fixture_set_up, test_acknowledge, fixture_tear_down);
  g_test_add ("/ui/patient-view/destroy-while-busy", Fixture, NULL,
              fixture_set_up, test_destroy_while_busy, fixture_tear_down);
  g_test_add ("/ui/patient-view/spo2-scale", Fixture, NULL,
              fixture_set_up, test_spo2_scale, fixture_tear_down);
  g_test_add_func ("/ui/patient-view/header-age", test_header_age);
  g_test_add_func ("/ui/patient-view/header-identity", test_header_identity);
  g_test_add_func ("/ui/patient-view/header-trend", test_header_trend);
  g_test_add ("/ui/patient-view/windows", Fixture, NULL,
              fixture_set_up, test_windows, fixture_tear_down);

  return g_test_run ();
}
