/* test-notifier.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-notifier"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include <adwaita.h>

#include "ward-alarm-bar.h"
#include "ward-alarm-bar-private.h"
#include "ward-application.h"
#include "ward-bed-tile.h"
#include "ward-flag-words.h"
#include "ward-notifier.h"
#include "ward-patient-view.h"
#include "ward-snapshot.h"

/* The notifier against python3-dbusmock's notification_daemon template on
 * the private session bus the UI tests run in (dbus-run-session).  One
 * mock serves the whole program; every test starts with ClearCalls.  The
 * test without a server runs first, before the mock is started.
 */

#define NOTIFICATIONS_NAME  "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH  "/org/freedesktop/Notifications"
#define NOTIFICATIONS_IFACE "org.freedesktop.Notifications"
#define MOCK_IFACE          "org.freedesktop.DBus.Mock"
#define TEST_IFACE          "io.github.wardwatch.Test"

/* Debian's Python: the python3 first on PATH may lack Debian's modules. */
#define DEBIAN_PYTHON "/usr/bin/python3"

/* 2026-11-22T10:00:00Z */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

static GSubprocess *mock;
static GDBusConnection *bus;

typedef struct
{
  guint32  replaces_id;
  char    *summary;
  char    *body;
  GStrv    actions;
  int      urgency;       /* -1 without the hint */
} NotifyCall;

static void
notify_call_free (gpointer data)
{
  NotifyCall *call = data;

  g_free (call->summary);
  g_free (call->body);
  g_strfreev (call->actions);
  g_free (call);
}

typedef struct
{
  GApplication *app;        /* records the actions the notifications activate */
  WardNotifier *notifier;
  GPtrArray    *activated;  /* "acknowledge-flag 11", "open-patient p-04" */
} Fixture;

/* Snapshots */

static GArray *
create_beds (void)
{
  GArray *beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  return beds;
}

/* Bed n (from 1) with an open flag, unless flag_id is 0. */
static WardBedState *
add_bed (GArray   *beds,
         gint64    flag_id,
         int       total,
         WardBand  band)
{
  WardBedState bed = { 0 };
  guint number = beds->len + 1;

  bed.bed_id = g_strdup_printf ("bed-%02u", number);
  bed.bed_label = g_strdup_printf ("Bed %u", number);
  bed.patient_id = g_strdup_printf ("p-%02u", number);
  bed.patient_name = g_strdup_printf ("Patient Number%u", number);
  bed.patient_initials = g_strdup_printf ("P.N%u", number);
  bed.device_id = g_strdup_printf ("sim-monitor-%02u", number);
  bed.spo2_scale = 1;

  bed.has_score = TRUE;
  bed.score_total = total;
  bed.score_band = band;
  bed.score_complete = TRUE;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    bed.score_points[i] = 0;
  bed.score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
  bed.score_window_end = NOW;

  if (flag_id != 0)
    {
      bed.flag_state = WARD_FLAG_STATE_OPEN;
      bed.flag_id = flag_id;
      bed.flag_band = band;
      bed.flag_opened_at = NOW - 5 * WARD_USEC_PER_MINUTE;
    }

  g_array_append_val (beds, bed);

  return &g_array_index (beds, WardBedState, beds->len - 1);
}

static void
acknowledge (WardBedState *bed,
             const char   *user)
{
  g_free (bed->flag_acknowledged_by);
  bed->flag_acknowledged_by = g_strdup (user);
  bed->flag_acknowledged_at = NOW - WARD_USEC_PER_MINUTE;
}

static WardSnapshot *
create_snapshot (GArray *beds)
{
  static guint64 serial;
  WardCounters counters = { 0 };

  serial++;

  return _ward_snapshot_new (NOW + serial * G_USEC_PER_SEC, serial, beds, &counters);
}

/* Feeds the same picture n times, as the pipeline does every tick. */
static void
feed (WardNotifier *notifier,
      GArray       *beds,
      guint         n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(WardSnapshot) snapshot = create_snapshot (beds);

      ward_notifier_update (notifier, snapshot);
    }
}

/* Six beds, bed 4 (flag 11) in the given band; the others quiet. */
static GArray *
create_ward (WardBand  band,
             int       total)
{
  GArray *beds = create_beds ();

  for (guint i = 0; i < 6; i++)
    {
      if (i == 3)
        add_bed (beds, 11, total, band);
      else
        add_bed (beds, 0, 1, WARD_BAND_LOW);
    }

  return beds;
}

/* The mock */

static GVariant *
call_sync (const char         *bus_name,
           const char         *path,
           const char         *iface,
           const char         *method,
           GVariant           *parameters,
           const GVariantType *reply_type,
           GError            **error)
{
  return g_dbus_connection_call_sync (bus, bus_name, path, iface, method, parameters, reply_type,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, error);
}

static gboolean
has_notification_server (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_owner = FALSE;

  reply = call_sync ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                     "NameHasOwner", g_variant_new ("(s)", NOTIFICATIONS_NAME),
                     G_VARIANT_TYPE ("(b)"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);

  return has_owner;
}

static gboolean
is_notification_server_activatable (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **names = NULL;
  g_autoptr(GError) error = NULL;

  reply = call_sync ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                     "ListActivatableNames", NULL, G_VARIANT_TYPE ("(as)"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^a&s)", &names);

  return g_strv_contains (names, NOTIFICATIONS_NAME);
}

static gboolean
is_dbusmock_installed (void)
{
  const char *argv[] = { DEBIAN_PYTHON, "-c", "import dbusmock", NULL };
  int status = 0;

  if (!g_file_test (DEBIAN_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;

  return g_spawn_check_wait_status (status, NULL);
}

/* Starts the mock once; FALSE (with the test skipped) when it cannot run. */
static gboolean
ensure_mock (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 deadline;

  if (mock != NULL)
    return TRUE;

  if (!is_dbusmock_installed ())
    {
      g_test_skip ("python3-dbusmock is not installed for " DEBIAN_PYTHON
                   " (apt-get install python3-dbusmock)");
      return FALSE;
    }

  if (has_notification_server ())
    {
      g_test_skip ("another notification server owns " NOTIFICATIONS_NAME " on this bus");
      return FALSE;
    }

  /* "actions" is not among the template's default capabilities. */
  mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           DEBIAN_PYTHON, "-m", "dbusmock", "--session",
                           "--template", "notification_daemon",
                           "-p", "{\"capabilities\": \"actions body body-markup persistence\"}",
                           NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!has_notification_server ())
    {
      if (g_subprocess_get_identifier (mock) == NULL || g_get_monotonic_time () > deadline)
        g_error ("python3-dbusmock did not take " NOTIFICATIONS_NAME);
      g_usleep (20 * 1000);
    }

  /* The template hands out ids from next_id; the tests need the last one
   * to emit ActionInvoked for it.
   */
  reply = call_sync (NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, MOCK_IFACE, "AddMethod",
                     g_variant_new ("(sssss)", TEST_IFACE, "LastId", "", "u",
                                    "ret = self.next_id - 1"),
                     NULL, &error);
  g_assert_no_error (error);

  return TRUE;
}

static void
stop_mock (void)
{
  if (mock == NULL)
    return;

  g_subprocess_force_exit (mock);
  g_subprocess_wait (mock, NULL, NULL);
  g_clear_object (&mock);
}

static void
clear_calls (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = call_sync (NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, MOCK_IFACE, "ClearCalls",
                     NULL, NULL, &error);
  g_assert_no_error (error);
}

static guint32
get_last_id (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 id = 0;

  reply = call_sync (NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, TEST_IFACE, "LastId",
                     NULL, G_VARIANT_TYPE ("(u)"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &id);

  return id;
}

static void
emit_action_invoked (guint32     id,
                     const char *action)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder args;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", g_variant_new_uint32 (id));
  g_variant_builder_add (&args, "v", g_variant_new_string (action));

  reply = call_sync (NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, MOCK_IFACE, "EmitSignal",
                     g_variant_new ("(sssav)", NOTIFICATIONS_IFACE, "ActionInvoked", "us", &args),
                     NULL, &error);
  g_assert_no_error (error);
}

/* Every logged call of method, as its argument list (av). */
static GPtrArray *
get_calls (const char *method)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) calls = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GVariantIter iter;
  const char *name;
  GVariant *args;

  reply = call_sync (NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, MOCK_IFACE, "GetCalls",
                     NULL, G_VARIANT_TYPE ("(a(tsav))"), &error);
  g_assert_no_error (error);

  calls = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, calls);
  while (g_variant_iter_next (&iter, "(t&s@av)", NULL, &name, &args))
    {
      if (g_str_equal (name, method))
        g_ptr_array_add (found, args);
      else
        g_variant_unref (args);
    }

  return found;
}

static GVariant *
get_arg (GVariant *args,
         guint     index)
{
  g_autoptr(GVariant) boxed = g_variant_get_child_value (args, index);

  return g_variant_get_variant (boxed);
}

static GPtrArray *
get_notify_calls (void)
{
  g_autoptr(GPtrArray) calls = get_calls ("Notify");
  GPtrArray *parsed = g_ptr_array_new_with_free_func (notify_call_free);

  for (guint i = 0; i < calls->len; i++)
    {
      GVariant *args = g_ptr_array_index (calls, i);
      NotifyCall *call = g_new0 (NotifyCall, 1);
      g_autoptr(GVariant) replaces_id = get_arg (args, 1);
      g_autoptr(GVariant) summary = get_arg (args, 3);
      g_autoptr(GVariant) body = get_arg (args, 4);
      g_autoptr(GVariant) actions = get_arg (args, 5);
      g_autoptr(GVariant) hints = get_arg (args, 6);
      g_autoptr(GVariant) urgency = NULL;

      g_assert_cmpuint (g_variant_n_children (args), ==, 8);
      call->replaces_id = g_variant_get_uint32 (replaces_id);
      call->summary = g_variant_dup_string (summary, NULL);
      call->body = g_variant_dup_string (body, NULL);
      call->actions = g_variant_n_children (actions) > 0 ? g_variant_dup_strv (actions, NULL)
                                                         : g_new0 (char *, 1);
      urgency = g_variant_lookup_value (hints, "urgency", NULL);
      if (urgency == NULL)
        call->urgency = -1;
      else if (g_variant_is_of_type (urgency, G_VARIANT_TYPE_BYTE))
        call->urgency = g_variant_get_byte (urgency);
      else
        call->urgency = g_variant_get_int32 (urgency);

      g_ptr_array_add (parsed, call);
    }

  return parsed;
}

/* The ids CloseNotification was called with. */
static GArray *
get_close_calls (void)
{
  g_autoptr(GPtrArray) calls = get_calls ("CloseNotification");
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; i < calls->len; i++)
    {
      g_autoptr(GVariant) id = get_arg (g_ptr_array_index (calls, i), 0);
      guint32 value = g_variant_is_of_type (id, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32 (id)
                                                                      : (guint32) g_variant_get_int32 (id);

      g_array_append_val (ids, value);
    }

  return ids;
}

/* Actions: "label, id" pairs on the wire; checks the ids. */
static gboolean
has_action (const NotifyCall *call,
            const char       *action)
{
  for (guint i = 0; call->actions[i] != NULL && call->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (call->actions[i], action))
      return TRUE;

  return FALSE;
}

/* Fixture */

static void
record_action_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *value = g_variant_print (parameter, FALSE);

  g_ptr_array_add (fixture->activated,
                   g_strdup_printf ("%s %s", g_action_get_name (G_ACTION (action)), value));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const GActionEntry entries[] = {
    { "acknowledge-flag", record_action_cb, "x" },
    { "accept-flag-task", record_action_cb, "x" },
    { "open-patient", record_action_cb, "s" },
  };
  g_autoptr(GError) error = NULL;

  if (!ensure_mock ())
    return;

  clear_calls ();

  fixture->activated = g_ptr_array_new_with_free_func (g_free);
  fixture->app = g_application_new ("io.github.wardwatch.TestNotifier", G_APPLICATION_NON_UNIQUE);
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->app), entries, G_N_ELEMENTS (entries),
                                   fixture);
  g_application_register (fixture->app, NULL, &error);
  g_assert_no_error (error);

  fixture->notifier = ward_notifier_new (G_ACTION_GROUP (fixture->app));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->notifier);
  g_clear_object (&fixture->app);
  g_clear_pointer (&fixture->activated, g_ptr_array_unref);
}

static void
iterate_until (Fixture *fixture,
               guint    n_activated)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (fixture->activated->len < n_activated && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

/* Tests */

static void
test_notifier_no_server (void)
{
  g_autoptr(WardNotifier) notifier = NULL;
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GArray) quiet = NULL;

  if (has_notification_server () || is_notification_server_activatable ())
    {
      g_test_skip ("a notification server is running or can be started on this bus");
      return;
    }

  notifier = ward_notifier_new (NULL);
  g_assert_true (ward_notifier_get_available (notifier));

  beds = create_ward (WARD_BAND_MEDIUM, 5);
  feed (notifier, beds, 5);
  g_assert_false (ward_notifier_get_available (notifier));
  g_assert_cmpuint (ward_notifier_get_n_failures (notifier), ==, 1);

  /* The flag escalates, then closes: nothing to close, nothing crashes. */
  g_array_index (beds, WardBedState, 3).flag_band = WARD_BAND_HIGH;
  feed (notifier, beds, 5);
  g_assert_cmpuint (ward_notifier_get_n_failures (notifier), ==, 2);

  quiet = create_ward (WARD_BAND_LOW, 1);
  g_array_index (quiet, WardBedState, 3).flag_id = 0;
  feed (notifier, quiet, 3);
  g_assert_false (ward_notifier_get_available (notifier));

  ward_notifier_withdraw_all (notifier);
}

static void
test_notifier_once_per_episode (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GArray) closes = NULL;
  NotifyCall *call;

  if (fixture->notifier == NULL)
    return;

  beds = create_ward (WARD_BAND_MEDIUM, 5);
  feed (fixture->notifier, beds, 30);

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_assert_cmpuint (call->replaces_id, ==, 0);
  g_assert_cmpstr (call->summary, ==, "** Bed 4: NEWS2 5 (medium) · flag medium");
  g_assert_nonnull (strstr (call->body, "P.N4"));
  g_assert_nonnull (strstr (call->body, "New flag"));
  g_assert_cmpint (call->urgency, ==, 1);
  g_assert_true (has_action (call, "acknowledge"));
  g_assert_true (has_action (call, "open-patient"));
  g_assert_true (has_action (call, "default"));
  g_assert_true (ward_notifier_get_available (fixture->notifier));
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* Escalation: one more alert for the same episode, same bubble. */
  g_array_index (beds, WardBedState, 3).flag_band = WARD_BAND_HIGH;
  g_array_index (beds, WardBedState, 3).score_total = 8;
  g_array_index (beds, WardBedState, 3).score_band = WARD_BAND_HIGH;
  feed (fixture->notifier, beds, 30);

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
  call = g_ptr_array_index (calls, 1);
  g_assert_cmpuint (call->replaces_id, !=, 0);
  g_assert_cmpuint (call->replaces_id, ==, get_last_id ());
  g_assert_cmpstr (call->summary, ==, "*** Bed 4: NEWS2 8 (high) · flag high");
  g_assert_nonnull (strstr (call->body, "Escalated from medium to high"));
  g_assert_cmpint (call->urgency, ==, 2);
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* A second flag elsewhere is a second episode. */
  add_bed (beds, 12, 6, WARD_BAND_MEDIUM);
  feed (fixture->notifier, beds, 10);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 3);
  call = g_ptr_array_index (calls, 2);
  g_assert_cmpuint (call->replaces_id, ==, 0);
  g_assert_cmpstr (call->summary, ==, "** Bed 7: NEWS2 6 (medium) · flag medium");

  closes = get_close_calls ();
  g_assert_cmpuint (closes->len, ==, 0);
}

static void
test_notifier_markup (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  WardBedState *bed;
  NotifyCall *call;

  if (fixture->notifier == NULL)
    return;

  ward_notifier_set_show_patient_names (fixture->notifier, TRUE);

  beds = create_beds ();
  bed = add_bed (beds, 21, 7, WARD_BAND_HIGH);
  g_free (bed->patient_name);
  bed->patient_name = g_strdup ("O'Brien <Jr> & Co");
  g_free (bed->bed_label);
  bed->bed_label = g_strdup ("Bay <2> & 4");
  feed (fixture->notifier, beds, 3);

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);

  /* The body is Pango markup and escaped; the summary is plain text.
   * GLib writes the apostrophe as &apos; or &#39; depending on its version.
   */
  g_assert_true (strstr (call->body, "O&apos;Brien &lt;Jr&gt; &amp; Co") != NULL ||
                 strstr (call->body, "O&#39;Brien &lt;Jr&gt; &amp; Co") != NULL);
  g_assert_null (strstr (call->body, "<Jr>"));
  g_assert_cmpstr (call->summary, ==, "*** Bay <2> & 4: NEWS2 7 (high) · flag high");
  g_assert_cmpint (call->urgency, ==, 2);
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* Initials unless the user chose full names. */
  ward_notifier_set_show_patient_names (fixture->notifier, FALSE);
  bed = add_bed (beds, 22, 5, WARD_BAND_MEDIUM);
  g_free (bed->patient_name);
  bed->patient_name = g_strdup ("Secret Name");
  feed (fixture->notifier, beds, 3);

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
  call = g_ptr_array_index (calls, 1);
  g_assert_null (strstr (call->body, "Secret"));
  g_assert_nonnull (strstr (call->body, "P.N2"));
}

static void
test_notifier_close (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GArray) closes = NULL;
  guint32 first_id, second_id;

  if (fixture->notifier == NULL)
    return;

  beds = create_beds ();
  add_bed (beds, 31, 5, WARD_BAND_MEDIUM);
  feed (fixture->notifier, beds, 2);
  first_id = get_last_id ();
  add_bed (beds, 32, 7, WARD_BAND_HIGH);
  feed (fixture->notifier, beds, 2);
  second_id = get_last_id ();

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);

  /* Acknowledged by someone else, on another screen. */
  acknowledge (&g_array_index (beds, WardBedState, 0), "nurse.b");
  feed (fixture->notifier, beds, 10);
  closes = get_close_calls ();
  g_assert_cmpuint (closes->len, ==, 1);
  g_assert_cmpuint (g_array_index (closes, guint32, 0), ==, first_id);
  g_clear_pointer (&closes, g_array_unref);

  /* The second flag closes. */
  g_array_index (beds, WardBedState, 1).flag_id = 0;
  g_array_index (beds, WardBedState, 1).flag_state = WARD_FLAG_STATE_NONE;
  feed (fixture->notifier, beds, 10);
  closes = get_close_calls ();
  g_assert_cmpuint (closes->len, ==, 2);
  g_assert_cmpuint (g_array_index (closes, guint32, 1), ==, second_id);
  g_clear_pointer (&closes, g_array_unref);

  /* The acknowledged flag escalates: that is a new alarm condition. */
  g_array_index (beds, WardBedState, 0).flag_band = WARD_BAND_HIGH;
  feed (fixture->notifier, beds, 10);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 3);
  g_assert_cmpstr (((NotifyCall *) g_ptr_array_index (calls, 2))->summary, ==,
                   "*** Bed 1: NEWS2 5 (medium) · flag high, kept until the score recovers");

  /* Nothing else was shown or closed. */
  closes = get_close_calls ();
  g_assert_cmpuint (closes->len, ==, 2);
}

/* Acknowledged, then escalated, between two snapshots: whoever
 * acknowledged did not see the escalation, so it alerts after the close.
 */
static void
test_notifier_acknowledged_then_escalated (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GArray) closes = NULL;
  WardBedState *bed;
  guint32 id;

  if (fixture->notifier == NULL)
    return;

  beds = create_beds ();
  bed = add_bed (beds, 33, 5, WARD_BAND_MEDIUM);
  feed (fixture->notifier, beds, 2);
  id = get_last_id ();

  acknowledge (bed, "nurse.c");
  bed->flag_band = WARD_BAND_HIGH;
  bed->flag_escalated_at = bed->flag_acknowledged_at + G_USEC_PER_SEC;
  feed (fixture->notifier, beds, 5);

  closes = get_close_calls ();
  g_assert_cmpuint (closes->len, ==, 1);
  g_assert_cmpuint (g_array_index (closes, guint32, 0), ==, id);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_cmpstr (((NotifyCall *) g_ptr_array_index (calls, 1))->summary, ==,
                   "*** Bed 1: NEWS2 5 (medium) · flag high, kept until the score recovers");
  g_assert_nonnull (strstr (((NotifyCall *) g_ptr_array_index (calls, 1))->body,
                            "Escalated from medium to high"));
}

static void
test_notifier_start_up (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  WardBedState *bed;

  if (fixture->notifier == NULL)
    return;

  /* At start-up, bed 1's flag is acknowledged, bed 2's is not, bed 3's
   * escalated after it was acknowledged.
   */
  beds = create_beds ();
  acknowledge (add_bed (beds, 41, 7, WARD_BAND_HIGH), "nurse.a");
  add_bed (beds, 42, 5, WARD_BAND_MEDIUM);
  bed = add_bed (beds, 43, 8, WARD_BAND_HIGH);
  acknowledge (bed, "nurse.a");
  bed->flag_escalated_at = bed->flag_acknowledged_at + G_USEC_PER_SEC;
  feed (fixture->notifier, beds, 10);

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_cmpstr (((NotifyCall *) g_ptr_array_index (calls, 0))->summary, ==,
                   "** Bed 2: NEWS2 5 (medium) · flag medium");
  g_assert_cmpstr (((NotifyCall *) g_ptr_array_index (calls, 1))->summary, ==,
                   "*** Bed 3: NEWS2 8 (high) · flag high");
}

static void
test_notifier_storm (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GArray) closes = NULL;
  NotifyCall *call;

  if (fixture->notifier == NULL)
    return;

  beds = create_beds ();
  for (guint i = 0; i < 10; i++)
    add_bed (beds, 100 + i, i == 3 ? 8 : 5, i == 3 ? WARD_BAND_HIGH : WARD_BAND_MEDIUM);
  feed (fixture->notifier, beds, 20);

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_assert_cmpstr (call->summary, ==, "*** 10 new flags: Bed 1, Bed 2, Bed 3, Bed 4, …");
  g_assert_nonnull (strstr (call->body, "*** Bed 4: NEWS2 8 (high) · flag high — P.N4"));
  g_assert_nonnull (strstr (call->body, "** Bed 10: NEWS2 5 (medium) · flag medium — P.N10"));
  g_assert_cmpint (call->urgency, ==, 2);
  g_assert_true (has_action (call, "default"));

  /* Acknowledged one by one: the summary closes with the last. */
  for (guint i = 0; i < 10; i++)
    {
      acknowledge (&g_array_index (beds, WardBedState, i), "nurse.a");
      feed (fixture->notifier, beds, 2);

      closes = get_close_calls ();
      g_assert_cmpuint (closes->len, ==, i == 9 ? 1 : 0);
      g_clear_pointer (&closes, g_array_unref);
    }

  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
}

/* Flags opening one after the other: three bubbles, then the storm goes
 * into one summary, shown again at most every few seconds.  Escalating a
 * flag with a bubble of its own adds no bubble and is no storm.
 */
static void
test_notifier_storm_spread (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  NotifyCall *call;
  guint32 summary_id;
  gint64 deadline;

  if (fixture->notifier == NULL)
    return;

  beds = create_beds ();
  for (guint i = 0; i < 3; i++)
    {
      add_bed (beds, 200 + i, 5, WARD_BAND_MEDIUM);
      feed (fixture->notifier, beds, 2);
    }
  g_array_index (beds, WardBedState, 0).flag_band = WARD_BAND_HIGH;
  feed (fixture->notifier, beds, 2);

  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 4);
  call = g_ptr_array_index (calls, 3);
  g_assert_cmpuint (call->replaces_id, !=, 0);
  g_assert_cmpstr (call->summary, ==, "*** Bed 1: NEWS2 5 (medium) · flag high, kept until the score recovers");
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* The fourth new flag within the window starts the summary. */
  add_bed (beds, 203, 6, WARD_BAND_MEDIUM);
  feed (fixture->notifier, beds, 2);
  summary_id = get_last_id ();
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 5);
  call = g_ptr_array_index (calls, 4);
  g_assert_cmpuint (call->replaces_id, ==, 0);
  g_assert_cmpstr (call->summary, ==, "** 1 new flag: Bed 4");
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* The fifth joins it, shown a little later rather than at once. */
  add_bed (beds, 204, 7, WARD_BAND_HIGH);
  feed (fixture->notifier, beds, 2);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 5);
  g_clear_pointer (&calls, g_ptr_array_unref);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      calls = get_notify_calls ();
      if (calls->len > 5)
        break;
      g_clear_pointer (&calls, g_ptr_array_unref);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20 * 1000);
    }

  g_assert_nonnull (calls);
  g_assert_cmpuint (calls->len, ==, 6);
  call = g_ptr_array_index (calls, 5);
  g_assert_cmpuint (call->replaces_id, ==, summary_id);
  g_assert_cmpstr (call->summary, ==, "*** 2 new flags: Bed 4, Bed 5");
  g_assert_cmpint (call->urgency, ==, 2);
}

static void
test_notifier_actions (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  guint32 id;

  if (fixture->notifier == NULL)
    return;

  beds = create_ward (WARD_BAND_HIGH, 7);
  feed (fixture->notifier, beds, 2);
  id = get_last_id ();
  g_assert_cmpuint (id, >, 0);

  emit_action_invoked (id, "acknowledge");
  iterate_until (fixture, 1);
  g_assert_cmpuint (fixture->activated->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 0), ==, "acknowledge-flag 11");

  emit_action_invoked (id, "open-patient");
  iterate_until (fixture, 2);
  g_assert_cmpuint (fixture->activated->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 1), ==, "open-patient 'p-04'");

  /* Clicking the bubble itself opens the patient too. */
  emit_action_invoked (id, "default");
  iterate_until (fixture, 3);
  g_assert_cmpuint (fixture->activated->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 2), ==, "open-patient 'p-04'");

  /* Another notification's action is not this one's. */
  emit_action_invoked (id + 1000, "acknowledge");
  emit_action_invoked (id, "open-patient");
  iterate_until (fixture, 4);
  g_assert_cmpuint (fixture->activated->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 3), ==, "open-patient 'p-04'");
}

/* Bed 4's flag 11 with its care-team task: task 5 for the bed nurse
 * (Ada Nwosu), or, escalated, task 6 for the doctor, part of 5.
 */
static void
feed_with_task (WardNotifier *notifier,
                GArray       *beds,
                gboolean      escalated)
{
  g_autoptr(WardSnapshot) snapshot = create_snapshot (beds);
  GPtrArray *tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_task_free);
  gint64 now = ward_snapshot_get_now (snapshot);
  WardTask *task = g_new0 (WardTask, 1);

  task->id = 5;
  task->flag_id = 11;
  task->patient_id = g_strdup ("p-04");
  task->bed_id = g_strdup ("bed-04");
  task->has_band = TRUE;
  task->band = WARD_BAND_HIGH;
  task->status = WARD_TASK_REQUESTED;
  task->priority = WARD_TASK_ASAP;
  task->owner_role = WARD_ROLE_BED_NURSE;
  task->owner_staff = g_strdup ("ada.nwosu");
  task->due_at = NOW + 30 * WARD_USEC_PER_MINUTE;
  task->escalated_at = escalated ? now : 0;
  g_ptr_array_add (tasks, task);
  if (escalated)
    {
      WardTask *next = ward_task_copy (task);

      next->id = 6;
      next->part_of = 5;
      next->escalated_at = 0;
      next->priority = WARD_TASK_STAT;
      next->owner_role = WARD_ROLE_DOCTOR;
      g_clear_pointer (&next->owner_staff, g_free);
      next->due_at = NOW + 60 * WARD_USEC_PER_MINUTE;
      g_ptr_array_add (tasks, next);
    }
  _ward_snapshot_set_bed_care (snapshot, 3, "ada.nwosu", tasks);
  ward_notifier_update (notifier, snapshot);
}

static char *
clock_words (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_format (dt, "%H:%M");
}

/* The notification names the task's owner and due time; its Accept acts
 * on the task; an escalation alerts again naming the next role.
 */
static void
test_notifier_task (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(WardStaff) staff = NULL;
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *due = clock_words (NOW + 30 * WARD_USEC_PER_MINUTE);
  g_autofree char *due_doctor = clock_words (NOW + 60 * WARD_USEC_PER_MINUTE);
  g_autofree char *owner = NULL;
  g_autofree char *doctor = NULL;
  NotifyCall *call;
  guint32 id;

  if (fixture->notifier == NULL)
    return;

  staff = ward_staff_new_demo (NULL);
  _ward_flag_words_set_staff (staff);

  beds = create_ward (WARD_BAND_HIGH, 7);
  feed_with_task (fixture->notifier, beds, FALSE);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  owner = g_strdup_printf ("Awaiting Ada Nwosu (bed nurse), due %s", due);
  g_test_message ("body: %s", call->body);
  g_assert_nonnull (strstr (call->body, owner));
  g_assert_true (has_action (call, "accept"));
  g_assert_false (has_action (call, "acknowledge"));

  id = get_last_id ();
  emit_action_invoked (id, "accept");
  iterate_until (fixture, 1);
  g_assert_cmpuint (fixture->activated->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 0), ==, "accept-flag-task 5");

  /* Nobody accepted it in time: the doctor's task; the same bubble again. */
  feed_with_task (fixture->notifier, beds, FALSE);
  feed_with_task (fixture->notifier, beds, TRUE);
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
  call = g_ptr_array_index (calls, 1);
  g_assert_cmpuint (call->replaces_id, ==, id);
  doctor = g_strdup_printf ("Awaiting doctor, due %s", due_doctor);
  g_assert_nonnull (strstr (call->body, "Not accepted in time: escalated"));
  g_assert_nonnull (strstr (call->body, doctor));

  /* Its Accept now takes the doctor's task. */
  emit_action_invoked (id, "accept");
  iterate_until (fixture, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 1), ==, "accept-flag-task 6");

  _ward_flag_words_set_staff (NULL);
}

static void
test_notifier_disabled (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GArray) closes = NULL;

  if (fixture->notifier == NULL)
    return;

  beds = create_ward (WARD_BAND_MEDIUM, 5);
  feed (fixture->notifier, beds, 2);

  /* Turning notifications off withdraws what is shown. */
  ward_notifier_set_enabled (fixture->notifier, FALSE);
  closes = get_close_calls ();
  g_assert_cmpuint (closes->len, ==, 1);

  add_bed (beds, 51, 5, WARD_BAND_MEDIUM);
  g_array_index (beds, WardBedState, 3).flag_band = WARD_BAND_HIGH;
  feed (fixture->notifier, beds, 5);

  /* Back on: what opened meanwhile is not announced late. */
  ward_notifier_set_enabled (fixture->notifier, TRUE);
  feed (fixture->notifier, beds, 5);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  g_clear_pointer (&calls, g_ptr_array_unref);

  add_bed (beds, 52, 5, WARD_BAND_MEDIUM);
  feed (fixture->notifier, beds, 5);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
}

static void
test_notifier_withdraw_all (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  g_autoptr(GArray) closes = NULL;
  g_autoptr(GPtrArray) calls = NULL;

  if (fixture->notifier == NULL)
    return;

  beds = create_beds ();
  add_bed (beds, 61, 5, WARD_BAND_MEDIUM);
  add_bed (beds, 62, 7, WARD_BAND_HIGH);
  feed (fixture->notifier, beds, 2);

  ward_notifier_withdraw_all (fixture->notifier);
  closes = get_close_calls ();
  g_assert_cmpuint (closes->len, ==, 2);

  /* Nothing comes back after a withdrawal (shutdown). */
  feed (fixture->notifier, beds, 2);
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
}

/* The actions the notifications activate exist on the application, with
 * the parameter types the notifier sends.
 */
static void
test_notifier_application_actions (void)
{
  g_auto(WardPipelineConfig) config = { 0 };
  g_autoptr(WardApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  const GVariantType *type;

  ward_pipeline_config_init (&config);
  app = ward_application_new (&config, NULL);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  type = g_action_group_get_action_parameter_type (G_ACTION_GROUP (app), "acknowledge-flag");
  g_assert_nonnull (type);
  g_assert_true (g_variant_type_equal (type, G_VARIANT_TYPE_INT64));
  type = g_action_group_get_action_parameter_type (G_ACTION_GROUP (app), "open-patient");
  g_assert_nonnull (type);
  g_assert_true (g_variant_type_equal (type, G_VARIANT_TYPE_STRING));

  /* Before the pipeline runs, an acknowledgement has nowhere to go. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "acknowledge-flag",
                                  g_variant_new_int64 (7));
}

/* One truth on screen: the tile, the alarm bar, the notification and the
 * patient header say the same of a flag and its score.  Each view is
 * read back from its widgets, the notification from the mock server.
 */
typedef struct
{
  const char *tile_flag;        /* the tile's flag line; its badge says the score */
  const char *tile_detail;
  const char *bar;
  const char *header;           /* the header's flag label starts with it */
  const char *notification;     /* a bubble is read later: times of day */
} Words;

static const char *
get_template_text (gpointer    widget,
                   GType       type,
                   const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_true (GTK_IS_LABEL (child));

  return gtk_label_get_text (GTK_LABEL (child));
}

static WardBedState *
add_identified_bed (GArray *beds)
{
  WardBedState *bed = add_bed (beds, 51, 8, WARD_BAND_HIGH);

  bed->hospital_number = g_strdup ("H123456");
  bed->nhs_number = g_strdup ("9434765919");
  bed->birth_date = g_strdup ("1950-03-12");
  bed->age = 76;
  bed->spo2_scale = 2;

  return bed;
}

static void
check_words_agree (Fixture     *fixture,
                   GArray      *beds,
                   const Words *expected,
                   const char  *tile_score,
                   const char  *tile_band,
                   gboolean     flashing)
{
  WardCounters counters = { 0 };
  /* At NOW itself: the due times of the words are counted from it. */
  g_autoptr(WardSnapshot) snapshot = _ward_snapshot_new (NOW, 1, beds, &counters);
  g_autoptr(GPtrArray) calls = NULL;
  const WardBedState *bed = ward_snapshot_get_bed (snapshot, 0);
  gint64 now = ward_snapshot_get_now (snapshot);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *tile = ward_bed_tile_new ();
  GtkWidget *bar = ward_alarm_bar_new ();
  GtkWidget *view = ward_patient_view_new ();
  GtkWidget *flag_box;
  GtkWidget *entry;
  NotifyCall *call;

  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), tile);
  gtk_box_append (GTK_BOX (box), view);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));

  ward_bed_tile_update (WARD_BED_TILE (tile), bed, now, FALSE);
  ward_alarm_bar_update (WARD_ALARM_BAR (bar), snapshot, FALSE);
  ward_patient_view_set_patient (WARD_PATIENT_VIEW (view), bed->patient_id);
  ward_patient_view_apply_snapshot (WARD_PATIENT_VIEW (view), snapshot);
  ward_notifier_update (fixture->notifier, snapshot);

  /* The tile: the score in its badge, the flag beside it. */
  g_assert_cmpstr (get_template_text (tile, WARD_TYPE_BED_TILE, "score_label"), ==, tile_score);
  g_assert_cmpstr (get_template_text (tile, WARD_TYPE_BED_TILE, "band_label"), ==, tile_band);
  g_assert_cmpstr (get_template_text (tile, WARD_TYPE_BED_TILE, "flag_label"), ==, expected->tile_flag);
  g_assert_cmpstr (get_template_text (tile, WARD_TYPE_BED_TILE, "ack_label"), ==, expected->tile_detail);
  /* Red on the tile only while the flag is not recovering. */
  flag_box = GTK_WIDGET (gtk_widget_get_template_child (tile, WARD_TYPE_BED_TILE, "flag_box"));
  g_assert_cmpint (gtk_widget_has_css_class (flag_box, "error"), ==, flashing);

  /* The alarm bar. */
  entry = _ward_alarm_bar_get_entry (WARD_ALARM_BAR (bar), 0);
  g_assert_nonnull (entry);
  g_assert_cmpstr (_ward_alarm_bar_get_entry_text (entry), ==, expected->bar);
  g_assert_cmpint (gtk_widget_has_css_class (entry, "flashing"), ==, flashing);

  /* The patient header: the same line, then the episode. */
  g_assert_true (g_str_has_prefix (get_template_text (view, WARD_TYPE_PATIENT_VIEW, "flag_label"),
                                   expected->header));

  /* The notification. */
  calls = get_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_assert_cmpstr (call->summary, ==, expected->notification);
  /* Two identifiers and the SpO₂ scale, in the body too. */
  g_assert_nonnull (strstr (call->body, "P.N1 · Hospital no. H123456 · NHS no. 943 476 5919 · "
                                        "Born 12-Mar-1950 (76 y)"));
  g_assert_nonnull (strstr (call->body, "SpO₂ Scale 2 (target 88–92 %)"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
init_gtk (void)
{
  if (!gtk_init_check ())
    {
      g_test_skip ("No display (run under Xvfb)");
      return FALSE;
    }
  adw_init ();

  return TRUE;
}

/* "NEWS2 8 (high) · flag medium, escalates in 2 min if sustained". */
static void
test_notifier_words_escalating (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  WardBedState *bed;
  static const Words expected = {
    .tile_flag = "Flag medium, escalates in 2 min if sustained",
    .tile_detail = "Not acknowledged",
    .bar = "** Bed 1 · P.N1 · NEWS2 8 (high) · flag medium, escalates in 2 min if sustained",
    .header = "NEWS2 8 (high) · flag medium, escalates in 2 min if sustained\n"
              "Opened 09:55, not acknowledged",
    .notification = "** Bed 1: NEWS2 8 (high) · flag medium, escalates at 10:02 if sustained",
  };

  if (fixture->notifier == NULL || !init_gtk ())
    return;

  /* The flag opened at medium; the score is high now and the flag rules
   * escalate it at 10:02 if it stays there.
   */
  beds = create_beds ();
  bed = add_identified_bed (beds);
  bed->flag_band = WARD_BAND_MEDIUM;
  bed->flag_pending_band = WARD_BAND_HIGH;
  bed->flag_pending_at = NOW + 2 * WARD_USEC_PER_MINUTE;

  check_words_agree (fixture, beds, &expected, "8", "High", TRUE);
}

/* "flag high · recovering, NEWS2 now 3 (low)", not flashed. */
static void
test_notifier_words_recovering (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GArray) beds = NULL;
  WardBedState *bed;
  static const Words expected = {
    .tile_flag = "Flag high · recovering",
    .tile_detail = "Closes in 8 min if NEWS2 stays this low\nNot acknowledged",
    .bar = "*** Bed 1 · P.N1 · flag high · recovering, NEWS2 now 3 (low)",
    .header = "Flag high · recovering, NEWS2 now 3 (low)\n"
              "Opened 09:55, escalated 09:58, closes in 8 min if NEWS2 stays this low, not acknowledged",
    .notification = "*** Bed 1: flag high · recovering, NEWS2 now 3 (low)",
  };

  if (fixture->notifier == NULL || !init_gtk ())
    return;

  beds = create_beds ();
  bed = add_identified_bed (beds);
  bed->flag_state = WARD_FLAG_STATE_RECOVERING;
  bed->flag_escalated_at = NOW - 2 * WARD_USEC_PER_MINUTE;
  bed->score_total = 3;
  bed->score_band = WARD_BAND_LOW;
  bed->flag_pending_band = WARD_BAND_LOW;
  bed->flag_pending_at = NOW + 8 * WARD_USEC_PER_MINUTE;

  check_words_agree (fixture, beds, &expected, "3", "Low", FALSE);
}

static void
skip_without_bus (gconstpointer data)
{
  g_autofree char *message = g_strdup_printf ("No session bus (run under dbus-run-session): %s",
                                              (const char *) data);

  g_test_skip (message);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* Times of day in the texts are local: the tests read them in UTC. */
  g_setenv ("TZ", "UTC", TRUE);

  g_test_init (&argc, &argv, NULL);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_test_add_data_func ("/ui/notifier/session-bus", error->message, skip_without_bus);
      return g_test_run ();
    }

  /* First, before the mock owns the name. */
  g_test_add_func ("/ui/notifier/no-server", test_notifier_no_server);

#define ADD(path, func) \
  g_test_add ("/ui/notifier/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("once-per-episode", test_notifier_once_per_episode);
  ADD ("markup", test_notifier_markup);
  ADD ("close", test_notifier_close);
  ADD ("acknowledged-then-escalated", test_notifier_acknowledged_then_escalated);
  ADD ("start-up", test_notifier_start_up);
  ADD ("storm", test_notifier_storm);
  ADD ("storm-spread", test_notifier_storm_spread);
  ADD ("actions", test_notifier_actions);
  ADD ("task", test_notifier_task);
  ADD ("disabled", test_notifier_disabled);
  ADD ("withdraw-all", test_notifier_withdraw_all);
  ADD ("words-agree/escalating", test_notifier_words_escalating);
  ADD ("words-agree/recovering", test_notifier_words_recovering);
  g_test_add_func ("/ui/notifier/application-actions", test_notifier_application_actions);

#undef ADD

  ret = g_test_run ();

  stop_mock ();
  g_clear_object (&bus);

  return ret;
}
