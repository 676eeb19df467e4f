/* test-care-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-care-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-care-view.h"
#include "ward-care-view-private.h"
#include "ward-concern-dialog.h"
#include "ward-concern-dialog-private.h"
#include "ward-flag-words.h"
#include "ward-pipeline.h"
#include "ward-window.h"
#include "ward-window-private.h"
#include "ward-handover-dialog-private.h"
#include "ward-timeline-window-private.h"

/* The care-team view (issue #16, part 5): the order a nurse reads the
 * ward's tasks in, its words, its filters, and Accept acting on the real
 * pipeline's task.
 */

/* 2026-11-22T08:00:00Z */
#define START (G_GINT64_CONSTANT (1795334400) * G_USEC_PER_SEC)
#define NOW (START + 60 * WARD_USEC_PER_MINUTE)

static WardTask *
make_task (gint64          id,
           const char     *bed_id,
           WardTaskStatus  status,
           const char     *owner,
           gint64          due_at)
{
  WardTask *task = g_new0 (WardTask, 1);

  task->id = id;
  task->flag_id = id * 10;
  task->patient_id = g_strdup_printf ("patient-%s", bed_id);
  task->bed_id = g_strdup (bed_id);
  task->kind = WARD_CARE_KIND_CLINICAL;
  task->has_band = TRUE;
  task->band = WARD_BAND_MEDIUM;
  task->status = status;
  task->priority = WARD_TASK_URGENT;
  task->owner_role = WARD_ROLE_BED_NURSE;
  task->owner_staff = g_strdup (owner);
  task->accepted_by = status == WARD_TASK_ACCEPTED ? g_strdup (owner) : NULL;
  task->requested_at = due_at - 60 * WARD_USEC_PER_MINUTE;
  task->due_at = due_at;
  task->version = 1;

  return task;
}

/* Three beds: a task due in 12 min, one 8 min overdue, one accepted. */
static WardSnapshot *
create_snapshot (void)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardSnapshot *snapshot;
  const char *ids[] = { "bed-01", "bed-02", "bed-03" };

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      WardBedState bed = { 0 };

      bed.bed_id = g_strdup (ids[i]);
      bed.bed_label = g_strdup_printf ("Bed %u", i + 1);
      bed.patient_id = g_strdup_printf ("patient-%s", ids[i]);
      bed.patient_initials = g_strdup_printf ("P.%u", i + 1);
      bed.patient_name = g_strdup_printf ("Patient Number%u", i + 1);
      bed.spo2_scale = 1;
      bed.age = -1;
      g_array_append_val (beds, bed);
    }
  snapshot = _ward_snapshot_new (NOW, 1, beds, &counters);

  {
    GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);

    g_ptr_array_add (tasks, make_task (1, "bed-01", WARD_TASK_REQUESTED, "ada.nwosu",
                                       NOW + 12 * WARD_USEC_PER_MINUTE));
    _ward_snapshot_set_bed_care (snapshot, 0, "ada.nwosu", tasks);
  }
  {
    GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);

    g_ptr_array_add (tasks, make_task (2, "bed-02", WARD_TASK_REQUESTED, NULL,
                                       NOW - 8 * WARD_USEC_PER_MINUTE));
    _ward_snapshot_set_bed_care (snapshot, 1, NULL, tasks);
  }
  {
    GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);

    g_ptr_array_add (tasks, make_task (3, "bed-03", WARD_TASK_ACCEPTED, "ben.carter",
                                       NOW - 20 * WARD_USEC_PER_MINUTE));
    _ward_snapshot_set_bed_care (snapshot, 2, "ben.carter", tasks);
  }

  return snapshot;
}

static void
test_care_view_order (void)
{
  g_autoptr(WardStaff) staff = ward_staff_new_demo (NULL);
  g_autoptr(WardSnapshot) snapshot = create_snapshot ();
  WardCareView *view;
  g_autofree char *accessible = NULL;

  g_assert_nonnull (staff);
  _ward_flag_words_set_staff (staff);

  view = ward_care_view_new (NULL);
  ward_care_view_set_user (view, "ada.nwosu");
  ward_care_view_apply_snapshot (view, snapshot);
  gtk_window_present (GTK_WINDOW (view));

  /* The overdue task first, then what is due, then what somebody took. */
  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 3);
  g_assert_cmpint (_ward_care_view_get_row_task (view, 0), ==, 2);
  g_assert_cmpint (_ward_care_view_get_row_task (view, 1), ==, 1);
  g_assert_cmpint (_ward_care_view_get_row_task (view, 2), ==, 3);
  g_assert_cmpstr (_ward_care_view_get_row_due (view, 0), ==, "overdue by 8 min");
  g_assert_cmpstr (_ward_care_view_get_row_due (view, 1), ==, "due in 12 min");
  g_assert_cmpstr (_ward_care_view_get_row_due (view, 2), ==, "Accepted");

  /* Accept only where nobody has it. */
  g_assert_true (gtk_widget_get_visible (_ward_care_view_get_row_accept (view, 0)));
  g_assert_false (gtk_widget_get_visible (_ward_care_view_get_row_accept (view, 2)));

  /* A screen reader hears the bed, the patient, why, the owner by name and the due time. */
  accessible = g_strdup_printf ("Bed 1 · P.1 · flag medium, due in 12 min, "
                                "Awaiting Ada Nwosu (bed nurse) · priority urgent");
  gtk_test_accessible_assert_property (_ward_care_view_get_row (view, 1),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, accessible);

  /* Mine: Ada's own task only; My role: hers and the bed nurses' unowned one. */
  ward_care_view_set_filter (view, WARD_CARE_FILTER_MINE);
  g_assert_cmpint (ward_care_view_get_filter (view), ==, WARD_CARE_FILTER_MINE);
  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 1);
  g_assert_cmpint (_ward_care_view_get_row_task (view, 0), ==, 1);
  ward_care_view_set_filter (view, WARD_CARE_FILTER_ROLE);
  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 2);
  g_assert_cmpint (_ward_care_view_get_row_task (view, 0), ==, 2);
  /* The doctor has none of these. */
  ward_care_view_set_user (view, "dev.patel");
  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 0);
  ward_care_view_set_filter (view, WARD_CARE_FILTER_WARD);
  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 3);

  /* The bed tile and alarm bar's words for the same tasks. */
  {
    const WardBedState *bed = ward_snapshot_get_bed (snapshot, 1);
    g_autofree char *state = _ward_flag_words_task_state (_ward_flag_words_bed_task (bed, 0), NOW,
                                                          WARD_FLAG_WORDS_RELATIVE);
    g_autofree char *accepted = _ward_flag_words_task_state (
      _ward_flag_words_bed_task (ward_snapshot_get_bed (snapshot, 2), 30), NOW, WARD_FLAG_WORDS_RELATIVE);

    g_assert_cmpstr (state, ==, "Awaiting bed nurse, overdue by 8 min");
    g_assert_cmpstr (accepted, ==, "Accepted by Ben Carter");
  }

  gtk_window_destroy (GTK_WINDOW (view));
  _ward_flag_words_set_staff (NULL);
}

/* One flag escalated twice is three open Tasks, each partOf the one
 * before: the view shows one row, the newest task's, with how far the
 * flag went and to whom it first went.
 */
static void
test_care_view_chain (void)
{
  g_autoptr(WardStaff) staff = ward_staff_new_demo (NULL);
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  g_autoptr(WardSnapshot) snapshot = NULL;
  g_autoptr(GDateTime) first_at = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *accessible = NULL;
  WardCounters counters = { 0 };
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);
  WardTask *first, *second, *third;
  WardCareView *view;

  g_assert_nonnull (staff);
  _ward_flag_words_set_staff (staff);
  {
    WardBedState bed = { 0 };

    bed.bed_id = g_strdup ("bed-01");
    bed.bed_label = g_strdup ("Bed 1");
    bed.patient_id = g_strdup ("patient-bed-01");
    bed.patient_initials = g_strdup ("P.1");
    bed.spo2_scale = 1;
    bed.age = -1;
    g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
    g_array_append_val (beds, bed);
  }
  snapshot = _ward_snapshot_new (NOW, 1, beds, &counters);

  /* Ada's, not accepted in its hour; then the nurse in charge's, not in
   * its half hour; now the doctor's, due in 20 min.  Listed newest first
   * on purpose.
   */
  first = make_task (1, "bed-01", WARD_TASK_REQUESTED, "ada.nwosu", NOW - 40 * WARD_USEC_PER_MINUTE);
  first->escalated_at = NOW - 40 * WARD_USEC_PER_MINUTE;
  second = make_task (4, "bed-01", WARD_TASK_REQUESTED, NULL, NOW - 10 * WARD_USEC_PER_MINUTE);
  second->flag_id = first->flag_id;
  second->owner_role = WARD_ROLE_NURSE_IN_CHARGE;
  second->part_of = 1;
  second->escalated_at = NOW - 10 * WARD_USEC_PER_MINUTE;
  third = make_task (5, "bed-01", WARD_TASK_REQUESTED, NULL, NOW + 20 * WARD_USEC_PER_MINUTE);
  third->flag_id = first->flag_id;
  third->owner_role = WARD_ROLE_DOCTOR;
  third->priority = WARD_TASK_STAT;
  third->part_of = 4;
  g_ptr_array_add (tasks, third);
  g_ptr_array_add (tasks, second);
  g_ptr_array_add (tasks, first);
  _ward_snapshot_set_bed_care (snapshot, 0, "ada.nwosu", tasks);

  view = ward_care_view_new (NULL);
  ward_care_view_set_user (view, "ada.nwosu");
  ward_care_view_set_filter (view, WARD_CARE_FILTER_WARD);
  ward_care_view_apply_snapshot (view, snapshot);
  gtk_window_present (GTK_WINDOW (view));

  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 1);
  g_assert_cmpint (_ward_care_view_get_row_task (view, 0), ==, 5);
  g_assert_cmpstr (_ward_care_view_get_row_due (view, 0), ==, "due in 20 min");
  g_assert_true (gtk_widget_get_visible (_ward_care_view_get_row_accept (view, 0)));

  first_at = g_date_time_new_from_unix_local (first->requested_at / G_USEC_PER_SEC);
  clock = g_date_time_format (first_at, "%H:%M");
  accessible = g_strdup_printf ("Bed 1 · P.1 · flag medium, due in 20 min, Awaiting doctor · "
                                "priority immediately · escalated 2 times, first to Ada Nwosu "
                                "(bed nurse) at %s", clock);
  gtk_test_accessible_assert_property (_ward_care_view_get_row (view, 0),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, accessible);

  /* Ada's own task is still open in the chain: the flag stays on her
   * list, as the one row.
   */
  ward_care_view_set_filter (view, WARD_CARE_FILTER_MINE);
  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 1);
  g_assert_cmpint (_ward_care_view_get_row_task (view, 0), ==, 5);
  /* Another bed nurse has nothing of it. */
  ward_care_view_set_user (view, "ben.carter");
  g_assert_cmpuint (_ward_care_view_get_n_rows (view), ==, 0);

  gtk_window_destroy (GTK_WINDOW (view));
  _ward_flag_words_set_staff (NULL);
}

/* A real pipeline: Accept on the view's row makes the acting nurse the
 * task's owner in the next snapshots.
 */

typedef struct
{
  char          *dir;
  WardPipeline  *pipeline;
  WardWindow    *window;
  WardSnapshot  *last;
} Fixture;

static const char rapid_scenario[] =
  "{\"format\": 1, \"id\": \"rapid-deterioration\", \"name\": \"Rapid deterioration\","
  " \"description\": \"Unwell within ten minutes and stays so (test).\","
  " \"patient\": {\"age\": 67},"
  " \"vitals\": {\"heart_rate\": [[0, 80], [10, 130]], \"respiratory_rate\": [[0, 16], [10, 28]],"
  "   \"spo2\": [[0, 97], [10, 90]], \"systolic\": [[0, 125], [10, 95]],"
  "   \"diastolic\": [[0, 75], [10, 60]], \"temperature\": [[0, 37.0], [10, 38.5]]},"
  " \"noise\": {\"heart_rate\": 1, \"respiratory_rate\": 0.3, \"spo2\": 0.3, \"systolic\": 1,"
  "   \"diastolic\": 1, \"temperature\": 0.05},"
  " \"nurse_events\": [{\"minute\": 0, \"consciousness\": \"A\", \"on_oxygen\": false}]}";

static void
snapshot_cb (WardSnapshot *snapshot,
             gpointer      user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->last, ward_snapshot_unref);
  f->last = ward_snapshot_ref (snapshot);
  if (f->window != NULL)
    ward_window_apply_snapshot (f->window, snapshot);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);

  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (Fixture *f, gpointer data);

static void
wait_for (Fixture    *f,
          Condition   condition,
          gpointer    data,
          const char *what)
{
  guint id = g_timeout_add_seconds (120, timeout_cb, (gpointer) what);

  while (!condition (f, data))
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (id);
}

static const WardTask *
find_task (Fixture *f,
           gint64   task_id)
{
  for (guint i = 0; f->last != NULL && i < ward_snapshot_get_n_beds (f->last); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (f->last, i);

      for (guint j = 0; bed->open_tasks != NULL && j < bed->open_tasks->len; j++)
        {
          const WardTask *task = g_ptr_array_index (bed->open_tasks, j);

          if (task_id == 0 ? task->status == WARD_TASK_REQUESTED && task->kind == WARD_CARE_KIND_CLINICAL
                           : task->id == task_id)
            return task;
        }
    }

  return NULL;
}

static gboolean
view_has_row_cb (Fixture  *f,
                 gpointer  data)
{
  WardCareView *view = _ward_window_get_care_view (f->window);

  return !_ward_window_has_pending_snapshot (f->window) && find_task (f, 0) != NULL &&
         _ward_care_view_get_n_rows (view) > 0;
}

static gboolean
accepted_cb (Fixture  *f,
             gpointer  data)
{
  const WardTask *task = find_task (f, *(gint64 *) data);

  return task != NULL && task->status == WARD_TASK_ACCEPTED;
}

static void
start (Fixture *f,
       double   time_scale,
       char   **db_path_out)
{
  static const char * const scenarios[] = { "stable", "rapid-deterioration", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(WardPipelineConfig) config = { 0 };
  g_autofree char *scenario_dir = NULL;
  g_autofree char *scenario = NULL;
  g_autofree char *db_path = NULL;

  f->dir = g_dir_make_tmp ("ward-care-view-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (f->dir, "ward.db", NULL);
  scenario_dir = g_build_filename (f->dir, "scenarios", NULL);
  scenario = g_build_filename (scenario_dir, "rapid-deterioration.json", NULL);
  g_assert_cmpint (g_mkdir (scenario_dir, 0700), ==, 0);
  g_file_set_contents (scenario, rapid_scenario, -1, &error);
  g_assert_no_error (error);

  ward_pipeline_config_init (&config);
  config.db_path = g_strdup (db_path);
  config.demo = TRUE;
  config.simulate = TRUE;
  config.n_beds = 4;
  config.seed = 11;
  config.time_scale = time_scale;
  config.start_usec = START;
  config.scenarios = g_strdupv ((char **) scenarios);
  config.scenario_dirs = g_new0 (char *, 2);
  config.scenario_dirs[0] = g_strdup (scenario_dir);

  f->window = ward_window_new (NULL);
  ward_window_set_demo (f->window, TRUE);
  ward_window_set_user (f->window, "ada.nwosu");
  gtk_window_present (GTK_WINDOW (f->window));
  f->pipeline = ward_pipeline_new (&config);
  ward_window_set_pipeline (f->window, f->pipeline);
  g_object_set (f->window, "db-path", db_path, NULL);
  g_assert_true (ward_pipeline_start (f->pipeline, snapshot_cb, f, &error));
  g_assert_no_error (error);
  if (db_path_out != NULL)
    *db_path_out = g_steal_pointer (&db_path);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
stop (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);
  g_clear_pointer (&f->last, ward_snapshot_unref);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
}

static gboolean
has_task_cb (Fixture  *f,
             gpointer  data)
{
  return !_ward_window_has_pending_snapshot (f->window) && find_task (f, 0) != NULL;
}

typedef struct
{
  char           *patient_id;
  const WardTask *task;
} ConcernWait;

static gboolean
has_concern_cb (Fixture  *f,
                gpointer  data)
{
  ConcernWait *wait = data;

  for (guint i = 0; f->last != NULL && i < ward_snapshot_get_n_beds (f->last); i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (f->last, i);

      for (guint j = 0; bed->open_tasks != NULL && j < bed->open_tasks->len; j++)
        {
          const WardTask *task = g_ptr_array_index (bed->open_tasks, j);

          if (task->kind == WARD_CARE_KIND_CONCERN && g_strcmp0 (task->patient_id, wait->patient_id) == 0)
            {
              wait->task = task;
              return TRUE;
            }
        }
    }

  return FALSE;
}

static gboolean
timeline_loaded_cb (Fixture  *f,
                    gpointer  data)
{
  return !_ward_timeline_window_is_loading (data);
}

static void
test_care_view_accept (void)
{
  g_autoptr(WardStaff) staff = ward_staff_new_demo (NULL);
  Fixture f = { 0 };
  WardCareView *view;
  const WardTask *task;
  gint64 task_id = 0;
  guint index = G_MAXUINT;

  start (&f, 240, NULL);

  /* Ctrl+T's action opens the view. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.care-team", NULL));
  view = _ward_window_get_care_view (f.window);
  g_assert_nonnull (view);
  wait_for (&f, view_has_row_cb, NULL, "a task in the care view");

  task = find_task (&f, 0);
  task_id = task->id;
  g_assert_null (task->accepted_by);
  for (guint i = 0; i < _ward_care_view_get_n_rows (view); i++)
    if (_ward_care_view_get_row_task (view, i) == task_id)
      index = i;
  g_assert_cmpuint (index, !=, G_MAXUINT);

  g_signal_emit_by_name (_ward_care_view_get_row_accept (view, index), "clicked");
  wait_for (&f, accepted_cb, &task_id, "the task accepted");

  task = find_task (&f, task_id);
  g_assert_cmpstr (task->accepted_by, ==, "ada.nwosu");
  g_assert_cmpstr (task->owner_staff, ==, "ada.nwosu");

  /* "Worried about this patient" from the patient view, whatever the
   * score: a concern task, routed to the role after the bed nurse.
   */
  {
    AdwMessageDialog *dialog;
    ConcernWait concern = { g_strdup (task->patient_id) };

    ward_window_open_patient (f.window, concern.patient_id);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.escalate-concern", NULL));
    dialog = _ward_window_get_concern_dialog (f.window);
    g_assert_nonnull (dialog);
    /* No reason, no escalation. */
    g_assert_false (adw_message_dialog_get_response_enabled (dialog, "escalate"));
    gtk_editable_set_text (_ward_concern_dialog_get_entry (dialog), "Looks grey and more confused");
    g_assert_true (adw_message_dialog_get_response_enabled (dialog, "escalate"));
    adw_message_dialog_response (dialog, "escalate");
    wait_for (&f, has_concern_cb, &concern, "the concern task");
    g_assert_cmpint (concern.task->owner_role, ==, WARD_ROLE_NURSE_IN_CHARGE);
    g_assert_cmpstr (concern.task->requester, ==, "ada.nwosu");
    g_free (concern.patient_id);
  }

  /* The patient's timeline says who did what: the score's band, the
   * task Ada accepted and the concern she raised, with her name.
   */
  {
    WardTimelineWindow *timeline;
    gboolean accepted = FALSE, concern = FALSE, note = FALSE, score = FALSE;

    _ward_flag_words_set_staff (staff);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.patient-timeline", NULL));
    timeline = _ward_window_get_timeline (f.window);
    g_assert_nonnull (timeline);
    wait_for (&f, timeline_loaded_cb, timeline, "the timeline");
    for (guint i = 0; i < _ward_timeline_window_get_n_rows (timeline); i++)
      {
        const char *text = _ward_timeline_window_get_row_text (timeline, i);

        g_test_message ("timeline: %s", text);

        accepted |= strstr (text, "Task accepted · Ada Nwosu") != NULL;
        concern |= strstr (text, "Concern raised · Ada Nwosu") != NULL;
        note |= strstr (text, "Concern · Ada Nwosu") != NULL &&
                strstr (text, "Looks grey and more confused") != NULL;
        score |= strstr (text, "NEWS2 ") != NULL;
      }
    g_assert_true (accepted);
    g_assert_true (concern);
    g_assert_true (note);
    g_assert_true (score);
    _ward_flag_words_set_staff (NULL);
  }

  stop (&f);
}

typedef struct
{
  WardHandoverDialog *dialog;
  guint               n;
} DoneWait;

static gboolean
handover_done_cb (Fixture  *f,
                  gpointer  data)
{
  DoneWait *wait = data;

  return _ward_handover_dialog_get_n_done (wait->dialog) >= wait->n;
}

static gboolean
pending_loaded_cb (Fixture  *f,
                   gpointer  data)
{
  DoneWait *wait = data;

  return !_ward_handover_dialog_is_loading (wait->dialog) &&
         _ward_handover_dialog_get_n_pending (wait->dialog) == wait->n;
}

static gboolean
moved_cb (Fixture  *f,
          gpointer  data)
{
  gint64 task_id = *(gint64 *) data;
  const WardTask *task = find_task (f, task_id);

  return task != NULL && g_strcmp0 (task->owner_staff, "ben.carter") == 0;
}

/* Ada hands the bed of an open task to Ben with an SBAR note; nothing
 * moves until Ben, signed in, accepts; then the task is his.
 */
static void
test_care_view_handover (void)
{
  g_autoptr(WardStaff) staff = ward_staff_new_demo (NULL);
  Fixture f = { 0 };
  WardHandoverDialog *dialog;
  DoneWait wait = { 0 };
  const WardTask *task;
  g_autofree char *bed_id = NULL;
  gint64 task_id;

  _ward_flag_words_set_staff (staff);
  start (&f, 60, NULL);
  wait_for (&f, has_task_cb, NULL, "a task");
  task = find_task (&f, 0);
  task_id = task->id;
  bed_id = g_strdup (task->bed_id);
  g_assert_cmpint (task->owner_role, ==, WARD_ROLE_BED_NURSE);
  g_assert_cmpstr (task->owner_staff, !=, "ben.carter");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.handover", NULL));
  dialog = _ward_window_get_handover (f.window);
  g_assert_nonnull (dialog);
  wait.dialog = dialog;

  /* A note without its assessment is refused, saying so, and kept. */
  g_assert_true (_ward_handover_dialog_set_incoming (dialog, "ben.carter"));
  g_assert_true (_ward_handover_dialog_set_bed (dialog, bed_id, TRUE, "NEWS2 rising", "Day 2 after surgery",
                                                "", "Review by the doctor within 30 min"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "handover.offer", NULL));
  g_assert_nonnull (strstr (_ward_handover_dialog_get_message (dialog), "write the Assessment"));
  g_assert_cmpuint (_ward_handover_dialog_get_n_done (dialog), ==, 0);

  g_assert_true (_ward_handover_dialog_set_bed (dialog, bed_id, TRUE, "NEWS2 rising", "Day 2 after surgery",
                                                "Possible sepsis", "Review by the doctor within 30 min"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "handover.offer", NULL));
  wait.n = 1;
  wait_for (&f, handover_done_cb, &wait, "the handover offered");
  /* Offered, not moved. */
  g_assert_cmpstr (find_task (&f, task_id)->owner_staff, !=, "ben.carter");

  /* Ada sees nothing to accept; Ben, signed in, sees the offer. */
  wait.n = 0;
  wait_for (&f, pending_loaded_cb, &wait, "no offer for Ada");
  ward_window_set_user (f.window, "ben.carter");
  wait.n = 1;
  wait_for (&f, pending_loaded_cb, &wait, "the offer for Ben");
  g_signal_emit_by_name (_ward_handover_dialog_get_pending_accept (dialog, 0), "clicked");
  wait.n = 2;
  wait_for (&f, handover_done_cb, &wait, "the handover accepted");

  wait_for (&f, moved_cb, &task_id, "the task moved to Ben");
  for (guint i = 0; i < ward_snapshot_get_n_beds (f.last); i++)
    if (g_strcmp0 (ward_snapshot_get_bed (f.last, i)->bed_id, bed_id) == 0)
      g_assert_cmpstr (ward_snapshot_get_bed (f.last, i)->bed_nurse, ==, "ben.carter");

  stop (&f);
  _ward_flag_words_set_staff (NULL);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/care-view/order", test_care_view_order);
  g_test_add_func ("/ui/care-view/chain", test_care_view_chain);
  g_test_add_func ("/ui/care-view/accept", test_care_view_accept);
  g_test_add_func ("/ui/care-view/handover", test_care_view_handover);

  return g_test_run ();
}
