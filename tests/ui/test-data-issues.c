/* test-data-issues.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-data-issues"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-data-issues.h"
#include "ward-engine.h"

/* 2027-01-15T08:00:00Z; the tests run with TZ=UTC. */
#define T0 (G_GINT64_CONSTANT (1800000000) * G_USEC_PER_SEC)

static const char binary[] = "\x0bMSH|\xff\xfe\x1c\x0d";

typedef struct
{
  char       *dir;
  char       *db;
  WardStore  *store;
  WardEngine *engine;
  char       *parse_reason;
  char       *identity_reason;
} Fixture;

static char *
ingest (Fixture    *fixture,
        const char *source,
        const char *content_type,
        const char *device_id,
        const char *payload,
        gsize       length,
        gint64      received_at)
{
  g_autoptr(GError) error = NULL;
  WardIngestOutcome outcome;
  char *reason = NULL;

  g_assert_true (ward_engine_begin (fixture->engine, &error));
  g_assert_true (ward_engine_ingest (fixture->engine, source, content_type, device_id, payload,
                                     length, received_at, &outcome, &reason, &error));
  g_assert_no_error (error);
  g_assert_true (ward_engine_commit (fixture->engine, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, WARD_INGEST_REJECTED);
  g_assert_nonnull (reason);

  return reason;
}

/* Three rejected messages, oldest first: not JSON from a known monitor,
 * binary bytes over MLLP, and JSON from a device nobody registered.
 */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *binary_reason = NULL;

  fixture->dir = g_dir_make_tmp ("ward-di-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "ward.db", NULL);

  fixture->store = ward_store_open (fixture->db, &error);
  g_assert_no_error (error);
  fixture->engine = ward_engine_new (fixture->store, NULL);

  g_assert_true (ward_engine_begin (fixture->engine, &error));
  g_assert_true (ward_engine_register_bed (fixture->engine, "b1", "Bed 1", "p1", NULL,
                                           "sim-monitor-09", 1, &error));
  g_assert_true (ward_engine_commit (fixture->engine, &error));
  g_assert_no_error (error);

  fixture->parse_reason = ingest (fixture, "mqtt", WARD_CONTENT_TYPE_JSON, "sim-monitor-09",
                                  "{\"oops\"", 7, T0 + 42 * WARD_USEC_PER_MINUTE);
  binary_reason = ingest (fixture, "mllp", "application/octet-stream", NULL,
                          binary, sizeof binary - 1, T0 + 43 * WARD_USEC_PER_MINUTE);
  fixture->identity_reason = ingest (fixture, "mqtt", WARD_CONTENT_TYPE_JSON, "mon-9",
                                     "{\"measuredAt\":\"2027-01-15T08:00:00Z\",\"messageId\":\"x\",\"heartRate\":70}", 68,
                                     T0 + 44 * WARD_USEC_PER_MINUTE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->parse_reason, g_free);
  g_clear_pointer (&fixture->identity_reason, g_free);

  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_clear_pointer (&fixture->db, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* The worker reports on the main context; the test waits for it there. */
static void
wait_loaded (WardDataIssues *view)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (10, timeout_cb, &timed_out);

  while (ward_data_issues_get_loading (view) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (timeout);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static WardDataIssues *
open_view (const char *db)
{
  WardDataIssues *view = ward_data_issues_new (NULL, db);

  gtk_window_present (GTK_WINDOW (view));
  g_assert_true (ward_data_issues_get_loading (view));
  wait_loaded (view);

  return view;
}

static GtkWidget *
get_child (gpointer    widget,
           const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), WARD_TYPE_DATA_ISSUES, name);

  g_assert_nonnull (child);

  return GTK_WIDGET (child);
}

static const char *
get_label_text (WardDataIssues *view,
                const char     *name)
{
  return gtk_label_get_text (GTK_LABEL (get_child (view, name)));
}

static const char *
get_page (WardDataIssues *view,
          const char     *stack)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (get_child (view, stack)));
}

static GtkListBoxRow *
get_row (WardDataIssues *view,
         int             index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (get_child (view, "list_box")),
                                                      index);

  g_assert_nonnull (row);

  return row;
}

static guint
count_rows (WardDataIssues *view)
{
  GtkListBox *list_box = GTK_LIST_BOX (get_child (view, "list_box"));
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_box, n) != NULL)
    n++;

  return n;
}

/* The rows a stage filter leaves. */
static guint
count_shown_rows (WardDataIssues *view)
{
  guint n_shown = 0;

  for (guint i = 0; i < count_rows (view); i++)
    if (gtk_widget_get_child_visible (GTK_WIDGET (get_row (view, i))))
      n_shown++;

  return n_shown;
}

/* A label in a row, found by its widget name. */
static const char *
get_row_text (GtkListBoxRow *row,
              const char    *name)
{
  GtkWidget *widget = GTK_WIDGET (row);

  while (widget != NULL)
    {
      if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
        return gtk_label_get_text (GTK_LABEL (widget));

      /* Depth first, without recursion. */
      if (gtk_widget_get_first_child (widget) != NULL)
        widget = gtk_widget_get_first_child (widget);
      else
        {
          while (widget != GTK_WIDGET (row) && gtk_widget_get_next_sibling (widget) == NULL)
            widget = gtk_widget_get_parent (widget);
          widget = widget == GTK_WIDGET (row) ? NULL : gtk_widget_get_next_sibling (widget);
        }
    }

  g_assert_not_reached ();
}

static char *
get_payload_text (WardDataIssues *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (get_child (view, "payload_view")));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
select_row (WardDataIssues *view,
            int             index)
{
  gtk_list_box_select_row (GTK_LIST_BOX (get_child (view, "list_box")), get_row (view, index));
}

static void
set_stage (WardDataIssues *view,
           guint           index)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (get_child (view, "stage_dropdown")), index);
}

/* An accessible name quotes the first 80 characters of the reason. */
static const char *
shorten (const char *reason)
{
  static char buffer[512];

  if (g_utf8_strlen (reason, -1) <= 80)
    return reason;

  g_snprintf (buffer, sizeof buffer, "%.*s…",
              (int) (g_utf8_offset_to_pointer (reason, 80) - reason), reason);

  return buffer;
}

static void
test_data_issues_list (Fixture       *fixture,
                       gconstpointer  data)
{
  WardDataIssues *view = open_view (fixture->db);
  g_autofree char *expected = NULL;

  g_assert_cmpstr (get_page (view, "stack"), ==, "issues");
  g_assert_cmpstr (get_page (view, "detail_stack"), ==, "none");
  g_assert_cmpuint (ward_data_issues_get_n_issues (view), ==, 3);
  g_assert_cmpuint (count_rows (view), ==, 3);
  g_assert_cmpstr (get_label_text (view, "count_label"), ==, "3 rejected messages, newest first");

  /* Newest first, in local time. */
  g_assert_cmpstr (get_row_text (get_row (view, 0), "stage"), ==, "Identity");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "device"), ==, "mon-9");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "source"), ==, "mqtt");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "time"), ==, "2027-01-15 08:44:00");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "reason"), ==, fixture->identity_reason);
  g_assert_nonnull (strstr (fixture->identity_reason, "mon-9"));

  g_assert_cmpstr (get_row_text (get_row (view, 1), "stage"), ==, "Mapping");
  g_assert_cmpstr (get_row_text (get_row (view, 1), "device"), ==, "Unknown device");
  g_assert_cmpstr (get_row_text (get_row (view, 1), "source"), ==, "mllp");
  g_assert_cmpstr (get_row_text (get_row (view, 1), "time"), ==, "2027-01-15 08:43:00");

  g_assert_cmpstr (get_row_text (get_row (view, 2), "stage"), ==, "Parse");
  g_assert_cmpstr (get_row_text (get_row (view, 2), "device"), ==, "sim-monitor-09");
  g_assert_cmpstr (get_row_text (get_row (view, 2), "time"), ==, "2027-01-15 08:42:00");
  g_assert_cmpstr (get_row_text (get_row (view, 2), "reason"), ==, fixture->parse_reason);
  g_assert_nonnull (strstr (fixture->parse_reason, "not JSON"));

  /* Screen readers hear what, from where, when and why. */
  expected = g_strdup_printf ("Parse error from sim-monitor-09 at 08:42: %s",
                              shorten (fixture->parse_reason));
  gtk_test_accessible_assert_property (get_row (view, 2), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Identity error from mon-9 at 08:44: %s",
                              shorten (fixture->identity_reason));
  gtk_test_accessible_assert_property (get_row (view, 0), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Mapping error from an unknown device at 08:43: %s",
                              shorten (get_row_text (get_row (view, 1), "reason")));
  gtk_test_accessible_assert_property (get_row (view, 1), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);

  gtk_window_destroy (GTK_WINDOW (view));
}

static void
test_data_issues_filter (Fixture       *fixture,
                         gconstpointer  data)
{
  WardDataIssues *view = open_view (fixture->db);

  /* Parse: the oldest only. */
  set_stage (view, 1);
  g_assert_cmpuint (count_shown_rows (view), ==, 1);
  g_assert_true (gtk_widget_get_child_visible (GTK_WIDGET (get_row (view, 2))));
  g_assert_cmpstr (get_label_text (view, "count_label"), ==, "1 of 3 rejected messages, newest first");

  /* Identity: the newest only. */
  set_stage (view, 3);
  g_assert_cmpuint (count_shown_rows (view), ==, 1);
  g_assert_true (gtk_widget_get_child_visible (GTK_WIDGET (get_row (view, 0))));

  /* A selected message another stage hides is no longer shown. */
  select_row (view, 0);
  g_assert_cmpstr (get_page (view, "detail_stack"), ==, "message");
  set_stage (view, 4);
  g_assert_cmpuint (count_shown_rows (view), ==, 0);
  g_assert_cmpstr (get_label_text (view, "count_label"), ==, "0 of 3 rejected messages, newest first");
  g_assert_null (gtk_list_box_get_selected_row (GTK_LIST_BOX (get_child (view, "list_box"))));
  g_assert_cmpstr (get_page (view, "detail_stack"), ==, "none");

  set_stage (view, 0);
  g_assert_cmpuint (count_shown_rows (view), ==, 3);
  g_assert_cmpstr (get_label_text (view, "count_label"), ==, "3 rejected messages, newest first");

  gtk_window_destroy (GTK_WINDOW (view));
}

static void
test_data_issues_payload (Fixture       *fixture,
                          gconstpointer  data)
{
  WardDataIssues *view = open_view (fixture->db);
  g_autofree char *text = NULL;

  /* Text comes as it is, with the warning about patient data. */
  select_row (view, 2);
  g_assert_cmpstr (get_page (view, "detail_stack"), ==, "message");
  g_assert_cmpstr (get_label_text (view, "detail_title"), ==, "Parse error");
  g_assert_cmpstr (get_label_text (view, "detail_reason"), ==, fixture->parse_reason);
  g_assert_true (g_str_has_prefix (get_label_text (view, "detail_meta"),
                                   "Received 2027-01-15 08:42:00 · device sim-monitor-09 · via mqtt"));
  g_assert_nonnull (strstr (get_label_text (view, "warning_label"), "patient data"));
  g_assert_true (gtk_widget_is_visible (get_child (view, "warning_label")));
  text = get_payload_text (view);
  g_assert_cmpstr (text, ==, "{\"oops\"");
  g_assert_true (gtk_text_view_get_monospace (GTK_TEXT_VIEW (get_child (view, "payload_view"))));
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (get_child (view, "payload_view"))));
  g_clear_pointer (&text, g_free);

  /* Bytes that are not text come as a hex dump. */
  select_row (view, 1);
  text = get_payload_text (view);
  g_assert_cmpstr (text, ==,
                   "00000000  0b 4d 53 48 7c ff fe 1c  0d                       |.MSH|....|\n");
  g_clear_pointer (&text, g_free);

  /* Keyboard users move between rows; the detail follows. */
  select_row (view, 0);
  text = get_payload_text (view);
  g_assert_true (g_str_has_prefix (text, "{\"measuredAt\""));
  g_clear_pointer (&text, g_free);

  gtk_window_destroy (GTK_WINDOW (view));
}

static void
take_cb (const WardOutboxEntry *entry,
         gpointer               user_data)
{
  gint64 *seq = user_data;

  *seq = entry->seq;
}

/* A resource the FHIR server rejected is a data issue too: listed with
 * the server's reason, its own filter, and the resource to read.
 */
static void
test_data_issues_fhir_rejection (Fixture       *fixture,
                                 gconstpointer  data)
{
  static const char flag[] = "{\"resourceType\":\"Flag\",\"id\":\"f1\",\"status\":\"bogus\"}";
  static const char reason[] = "HTTP 400 Bad Request: Value \"bogus\" is not in the required value set";
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  WardDataIssues *view;
  gint64 seq = 0;

  g_assert_true (ward_store_put_resource (fixture->store, "Flag", "f1", flag,
                                          T0 + 46 * WARD_USEC_PER_MINUTE, NULL, &error));
  g_assert_true (ward_store_outbox_next (fixture->store, G_MAXINT64, 1, take_cb, &seq, &error));
  g_assert_true (ward_store_outbox_mark_failed (fixture->store, seq, reason,
                                                "{\"resourceType\":\"OperationOutcome\"}", &error));
  g_assert_no_error (error);

  view = open_view (fixture->db);
  g_assert_cmpuint (count_rows (view), ==, 4);
  g_assert_cmpstr (get_label_text (view, "count_label"), ==,
                   "3 rejected messages, 1 resource rejected by the FHIR server, newest first");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "stage"), ==, "FHIR Server");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "device"), ==, "Flag/f1");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "reason"), ==, reason);
  expected = g_strdup_printf ("Flag f1 rejected by the FHIR server, queued at 08:46: %s", shorten (reason));
  gtk_test_accessible_assert_property (get_row (view, 0), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);

  /* Its own filter. */
  set_stage (view, 5);
  g_assert_cmpuint (count_shown_rows (view), ==, 1);
  g_assert_true (gtk_widget_get_child_visible (GTK_WIDGET (get_row (view, 0))));

  select_row (view, 0);
  g_assert_cmpstr (get_label_text (view, "detail_title"), ==, "Rejected by the FHIR server");
  g_assert_cmpstr (get_label_text (view, "detail_reason"), ==, reason);
  g_assert_true (g_str_has_prefix (get_label_text (view, "detail_meta"),
                                   "Queued 2027-01-15 08:46:00 · Flag f1 version 1 · "));
  text = get_payload_text (view);
  g_assert_cmpstr (text, ==, flag);

  gtk_window_destroy (GTK_WINDOW (view));
}

static void
test_data_issues_refresh (Fixture       *fixture,
                          gconstpointer  data)
{
  WardDataIssues *view = open_view (fixture->db);
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;

  select_row (view, 2);

  /* Retention drops the payloads of mapped messages; one more arrives. */
  g_assert_cmpint (ward_store_prune_raw (fixture->store, T0 + 43 * WARD_USEC_PER_MINUTE,
                                         T0 + 45 * WARD_USEC_PER_MINUTE, &error), ==, 1);
  g_assert_no_error (error);
  reason = ingest (fixture, "simulator", WARD_CONTENT_TYPE_JSON, "sim-monitor-09", "[]", 2,
                   T0 + 50 * WARD_USEC_PER_MINUTE);

  gtk_widget_activate_action (GTK_WIDGET (view), "issues.refresh", NULL);
  g_assert_true (ward_data_issues_get_loading (view));
  wait_loaded (view);

  g_assert_cmpuint (count_rows (view), ==, 4);
  g_assert_cmpstr (get_label_text (view, "count_label"), ==, "4 rejected messages, newest first");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "source"), ==, "simulator");
  g_assert_cmpstr (get_row_text (get_row (view, 0), "reason"), ==, reason);

  /* The message being read stays selected, now the fourth. */
  g_assert_true (gtk_list_box_get_selected_row (GTK_LIST_BOX (get_child (view, "list_box"))) ==
                 get_row (view, 3));
  g_assert_cmpstr (get_label_text (view, "detail_title"), ==, "Parse error");

  /* It arrived before the cut-off: only its record is left. */
  text = get_payload_text (view);
  g_assert_cmpstr (text, ==, "Payload removed by retention.");
  g_assert_null (strstr (get_label_text (view, "detail_meta"), "bytes"));

  gtk_window_destroy (GTK_WINDOW (view));
}

static void
test_data_issues_empty (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-di-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "empty.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  WardDataIssues *view;

  store = ward_store_open (db, &error);
  g_assert_no_error (error);

  view = open_view (db);
  g_assert_cmpstr (get_page (view, "stack"), ==, "empty");
  g_assert_cmpuint (ward_data_issues_get_n_issues (view), ==, 0);
  gtk_window_destroy (GTK_WINDOW (view));

  g_clear_object (&store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (dir);
}

static void
test_data_issues_error (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-di-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "missing.db", NULL);
  WardDataIssues *view = open_view (db);
  const char *description;

  g_assert_cmpstr (get_page (view, "stack"), ==, "error");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (get_child (view, "error_page")));
  g_assert_nonnull (strstr (description, "missing.db"));

  /* Trying again reads again, and fails again. */
  gtk_widget_activate_action (GTK_WIDGET (view), "issues.refresh", NULL);
  g_assert_true (ward_data_issues_get_loading (view));
  g_assert_cmpstr (get_page (view, "stack"), ==, "loading");
  wait_loaded (view);
  g_assert_cmpstr (get_page (view, "stack"), ==, "error");

  gtk_window_destroy (GTK_WINDOW (view));
  g_rmdir (dir);
}

/* Only the newest WARD_DATA_ISSUES_LIMIT are listed; the count says so. */
static void
test_data_issues_limit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ward-di-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "many.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  guint n = WARD_DATA_ISSUES_LIMIT + 5;
  WardDataIssues *view;

  store = ward_store_open (db, &error);
  g_assert_no_error (error);
  engine = ward_engine_new (store, NULL);
  g_assert_true (ward_engine_begin (engine, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *device = g_strdup_printf ("sim-monitor-%04u", i);

      g_assert_true (ward_engine_ingest (engine, "mqtt", WARD_CONTENT_TYPE_JSON, device, "{", 1,
                                         T0 + i * G_USEC_PER_SEC, NULL, NULL, &error));
    }
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);

  view = open_view (db);
  g_assert_cmpuint (ward_data_issues_get_n_issues (view), ==, WARD_DATA_ISSUES_LIMIT);
  g_assert_cmpuint (count_rows (view), ==, WARD_DATA_ISSUES_LIMIT);
  expected = g_strdup_printf ("%u rejected messages, the newest %u listed", n, WARD_DATA_ISSUES_LIMIT);
  g_assert_cmpstr (get_label_text (view, "count_label"), ==, expected);
  g_assert_cmpstr (get_row_text (get_row (view, 0), "device"), ==, "sim-monitor-1004");
  g_assert_cmpstr (get_row_text (get_row (view, WARD_DATA_ISSUES_LIMIT - 1), "device"), ==,
                   "sim-monitor-0005");
  gtk_window_destroy (GTK_WINDOW (view));

  g_clear_object (&engine);
  g_clear_object (&store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (dir);
}

/* Closed while the worker reads: the result is dropped, nothing crashes. */
static void
test_data_issues_close_while_loading (Fixture       *fixture,
                                      gconstpointer  data)
{
  WardDataIssues *view = ward_data_issues_new (NULL, fixture->db);
  gboolean timed_out = FALSE;
  guint timeout;

  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &view);
  gtk_window_present (GTK_WINDOW (view));
  gtk_window_destroy (GTK_WINDOW (view));

  /* The task keeps its source object until it completes. */
  timeout = g_timeout_add_seconds (10, timeout_cb, &timed_out);
  while (view != NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
}

int
main (int   argc,
      char *argv[])
{
  /* Times in the rows are local; the expected texts are in UTC. */
  g_setenv ("TZ", "UTC", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/data-issues/list", Fixture, NULL,
              fixture_set_up, test_data_issues_list, fixture_tear_down);
  g_test_add ("/ui/data-issues/filter", Fixture, NULL,
              fixture_set_up, test_data_issues_filter, fixture_tear_down);
  g_test_add ("/ui/data-issues/payload", Fixture, NULL,
              fixture_set_up, test_data_issues_payload, fixture_tear_down);
  g_test_add ("/ui/data-issues/refresh", Fixture, NULL,
              fixture_set_up, test_data_issues_refresh, fixture_tear_down);
  g_test_add ("/ui/data-issues/close-while-loading", Fixture, NULL,
              fixture_set_up, test_data_issues_close_while_loading, fixture_tear_down);
  g_test_add ("/ui/data-issues/fhir-rejection", Fixture, NULL,
              fixture_set_up, test_data_issues_fhir_rejection, fixture_tear_down);
  g_test_add_func ("/ui/data-issues/limit", test_data_issues_limit);
  g_test_add_func ("/ui/data-issues/empty", test_data_issues_empty);
  g_test_add_func ("/ui/data-issues/error", test_data_issues_error);

  return g_test_run ();
}
